{#-
    HubSpot deal property history as raw_crm.opportunity_history (docs/connectors.md, "HubSpot"): one row
    per moment a deal's stage, amount, close date or manual forecast category changed, carrying the state
    of all four from then on (each property's latest change at or before that moment; a change to an empty
    value empties it). The stage is the pipeline stage's label through seed connector_values; date
    properties written as epoch milliseconds are read as UTC.
-#}
{{ config(enabled=connector_enabled('crm_source', 'hubspot')) }}
{%- set properties = {'dealstage': 'stage', 'amount': 'amount', 'closedate': 'close_date',
    'hs_manual_forecast_category': 'forecast'} %}
with

history as (
    select * from {{ source('hubspot', 'deal_property_history') }}
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
        {{ clean_text('deal_id') }} as deal_id,
        {{ clean_text('timestamp') }} as changed_at,
        max({{ clean_text('_fivetran_synced') }}) as _fivetran_synced,
        {%- for name, column in properties.items() %}
        max(case when lower({{ clean_text('name') }}) = '{{ name }}' then 1 end) as has_{{ column }},
        max(case when lower({{ clean_text('name') }}) = '{{ name }}' then {{ clean_text('value') }} end)
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from history
    where lower({{ clean_text('name') }}) in ('{{ properties.keys() | join("', '") }}')
    group by {{ clean_text('deal_id') }}, {{ clean_text('timestamp') }}
),

grouped as (
    -- a property's value holds from its change until the next change of that property
    select
        *,
        {%- for column in properties.values() %}
        count(has_{{ column }}) over (
            partition by deal_id order by {{ to_type('changed_at', dbt.type_timestamp()) }}, changed_at
            rows between unbounded preceding and current row
        ) as group_{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from changes
),

filled as (
    select
        deal_id,
        changed_at,
        _fivetran_synced,
        {%- for column in properties.values() %}
        max({{ column }}) over (partition by deal_id, group_{{ column }}) as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
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
