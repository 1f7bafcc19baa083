{#-
    Salesforce opportunities as raw_crm.opportunity (docs/connectors.md, "Salesforce"): type, stage and
    forecast category through seed connector_values (Forecast -> commit, Negotiation/Review ->
    Negotiation, Existing Business -> expansion, ...); the currency is the record's currency_iso_code in a
    multi-currency org, else var salesforce_currency (default USD).
-#}
{{ config(enabled=connector_enabled('crm_source', 'salesforce')) }}
{%- set relation = source('salesforce', 'opportunity') %}
with

opportunities as (
    select * from {{ relation }}
    {{- salesforce_current_rows(relation) }}
),

value_map as (
    select * from {{ ref('connector_values') }}
    where connector = 'salesforce'
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('name') }} as name,
        {{ mapped_value('type', 'type') }} as type,
        {{ mapped_value('stage_name', 'stage_name') }} as stage_name,
        {{ clean_text('amount') }} as amount,
        coalesce(
            {{ clean_text(optional_column(relation, 'currency_iso_code')) }},
            {{ sql_literal(var("salesforce_currency", "USD")) }}
        ) as currency_code,
        {{ clean_text('probability') }} as probability,
        {{ mapped_value('forecast_category', 'forecast_category') }} as forecast_category,
        {{ clean_text('created_date') }} as created_at,
        {{ connector_date('close_date') }} as close_date,
        {{ clean_text('is_closed') }} as is_closed,
        {{ clean_text('is_won') }} as is_won,
        {{ clean_text('owner_id') }} as owner_user_id,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('is_deleted') }} as _is_deleted,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from opportunities
)

select * from final
