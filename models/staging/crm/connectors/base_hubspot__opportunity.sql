{#-
    HubSpot deals as raw_crm.opportunity (docs/connectors.md, "HubSpot"): the account is the deal's
    (first) associated company; stage from the pipeline stage's label and type from property_dealtype
    through seed connector_values; closed / won from the stage; probability the deal's stage probability
    (else the stage's) in percent; forecast category the manual forecast category through
    connector_values, else from the stage (won: closed, lost: omitted, open: pipeline); the currency the
    deal's currency code, else var hubspot_currency (default USD).
-#}
{{ config(enabled=connector_enabled('crm_source', 'hubspot')) }}
{%- set relation = source('hubspot', 'deal') %}
with

deals as (
    select * from {{ relation }}
),

stages as (
    select * from {{ source('hubspot', 'deal_pipeline_stage') }}
),

deal_companies as (
    {{ hubspot_deal_companies() }}
),

value_map as (
    select * from {{ ref('connector_values') }}
    where connector = 'hubspot'
),

joined as (
    select
        deals.*,
        stages.label as _stage_label,
        {{ parse_bool('stages.is_closed') }} as _is_closed,
        {{ parse_bool('stages.closed_won') }} as _is_won,
        coalesce(
            {{ to_type(optional_column(relation, 'property_hs_deal_stage_probability'), 'decimal(9,4)') }},
            {{ to_type('stages.probability', 'decimal(9,4)') }}
        ) as _probability,
        deal_companies.company_id as _company_id
    from deals
    left join stages
        on {{ clean_text('deals.deal_pipeline_stage_id') }} = {{ clean_text('stages.stage_id') }}
    left join deal_companies
        on {{ clean_text('deals.deal_id') }} = deal_companies.deal_id
),

final as (
    select
        {{ clean_text('deal_id') }} as id,
        _company_id as account_id,
        {{ clean_text('property_dealname') }} as name,
        {{ mapped_value('type', optional_column(relation, 'property_dealtype')) }} as type,
        {{ mapped_value('stage_name', '_stage_label') }} as stage_name,
        {{ clean_text('property_amount') }} as amount,
        coalesce(
            upper({{ clean_text(optional_column(relation, 'property_deal_currency_code')) }}),
            {{ sql_literal(var("hubspot_currency", "USD")) }}
        ) as currency_code,
        cast(cast(round(_probability * 100) as integer) as {{ dbt.type_string() }}) as probability,
        coalesce(
            {{ mapped_value('forecast_category', optional_column(relation, 'property_hs_manual_forecast_category')) }},
            case
                when _is_won then 'closed'
                when _is_closed then 'omitted'
                when _stage_label is not null then 'pipeline'
            end
        ) as forecast_category,
        {{ clean_text('property_createdate') }} as created_at,
        {{ connector_date('property_closedate') }} as close_date,
        cast(coalesce(_is_closed, false) as {{ dbt.type_string() }}) as is_closed,
        cast(coalesce(_is_won, false) as {{ dbt.type_string() }}) as is_won,
        {{ clean_text('owner_id') }} as owner_user_id,
        {{ clean_text(optional_column(relation, 'property_hs_analytics_source')) }} as lead_source,
        {{ clean_text('is_deleted') }} as _is_deleted,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from joined
)

select * from final
