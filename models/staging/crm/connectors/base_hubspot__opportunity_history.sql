{#-
    HubSpot deal property history as raw_crm.opportunity_history (docs/connectors.md, "HubSpot"): one row
    per moment a deal's stage, amount, close date or manual forecast category changed, carrying the state
    of all four from then on (each property's latest change at or before that moment; a change to an empty
    value empties it). The stage is the pipeline stage's label through seed connector_values; date
    properties written as epoch milliseconds are read as UTC.
-#}
{{ config(enabled=connector_enabled('crm_source', 'hubspot')) }}
with

history as (
    select
        {{ clean_text('deal_id') }} as deal_id,
        {{ clean_text('timestamp') }} as changed_at,
        lower({{ clean_text('name') }}) as property_name,
        {{ clean_text('value') }} as property_value,
        {{ clean_text('_fivetran_synced') }} as _fivetran_synced
    from {{ source('hubspot', 'deal_property_history') }}
    where lower({{ clean_text('name') }}) in ('dealstage', 'amount', 'closedate', 'hs_manual_forecast_category')
),

stages as (
    select * from {{ source('hubspot', 'deal_pipeline_stage') }}
),

value_map as (
    select * from {{ ref('connector_values') }}
    where connector = 'hubspot'
),

changes as (
    select
        deal_id,
        changed_at,
        max(_fivetran_synced) as _fivetran_synced,
        max(case when property_name = 'dealstage' then 1 end) as has_stage,
        max(case when property_name = 'dealstage' then property_value end) as stage,
        max(case when property_name = 'amount' then 1 end) as has_amount,
        max(case when property_name = 'amount' then property_value end) as amount,
        max(case when property_name = 'closedate' then 1 end) as has_close_date,
        max(case when property_name = 'closedate' then property_value end) as close_date,
        max(case when property_name = 'hs_manual_forecast_category' then 1 end) as has_forecast,
        max(case when property_name = 'hs_manual_forecast_category' then property_value end) as forecast
    from history
    group by deal_id, changed_at
),

grouped as (
    -- a property's value holds from its change until the next change of that property: rows share a
    -- group from one change up to the next, and take the value of the change that opens it
    select
        *,
        count(has_stage) over deal_timeline as group_stage,
        count(has_amount) over deal_timeline as group_amount,
        count(has_close_date) over deal_timeline as group_close_date,
        count(has_forecast) over deal_timeline as group_forecast
    from changes
    window deal_timeline as (
        partition by deal_id
        order by {{ to_type('changed_at', dbt.type_timestamp()) }}, changed_at
        rows between unbounded preceding and current row
    )
),

filled as (
    select
        deal_id,
        changed_at,
        _fivetran_synced,
        max(stage) over (partition by deal_id, group_stage) as stage,
        max(amount) over (partition by deal_id, group_amount) as amount,
        max(close_date) over (partition by deal_id, group_close_date) as close_date,
        max(forecast) over (partition by deal_id, group_forecast) as forecast
    from grouped
),

final as (
    select
        filled.deal_id || '@' || filled.changed_at as id,
        filled.deal_id as opportunity_id,
        {{ epoch_ms_or_text('filled.changed_at') }} as changed_at,
        {{ mapped_value('stage_name', 'coalesce(' ~ clean_text('stages.label') ~ ', filled.stage)') }} as stage_name,
        filled.amount,
        {{ connector_date(epoch_ms_or_text('filled.close_date')) }} as close_date,
        {{ mapped_value('forecast_category', 'filled.forecast') }} as forecast_category,
        filled._fivetran_synced as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from filled
    left join stages
        on filled.stage = {{ clean_text('stages.stage_id') }}
)

select * from final
