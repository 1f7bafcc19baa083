{#-
    Salesforce opportunity history as raw_crm.opportunity_history (docs/connectors.md, "Salesforce"): the
    OpportunityHistory object (one row per change), or in history mode (var salesforce_history_mode) one
    row per version of the opportunity, from its _fivetran_start. Stage and forecast category through seed
    connector_values. A change deleted in Salesforce is quarantined as deleted_in_source.
-#}
{{ config(enabled=connector_enabled('crm_source', 'salesforce')) }}
{%- set history_mode = var('salesforce_history_mode', false) %}
{%- set relation = source('salesforce', 'opportunity' if history_mode else 'opportunity_history') %}
{%- set change_id = "id || '@' || cast(_fivetran_start as " ~ dbt.type_string() ~ ")" if history_mode else 'id' %}
with

changes as (
    select
        {{ change_id }} as id,
        {{ 'id' if history_mode else 'opportunity_id' }} as opportunity_id,
        {{ '_fivetran_start' if history_mode else 'created_date' }} as created_date,
        stage_name,
        amount,
        close_date,
        forecast_category,
        is_deleted,
        _fivetran_synced
    from {{ relation }}
),

value_map as (
    select * from {{ ref('connector_values') }}
    where connector = 'salesforce'
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ clean_text('created_date') }} as changed_at,
        {{ mapped_value('stage_name', 'stage_name') }} as stage_name,
        {{ clean_text('amount') }} as amount,
        {{ connector_date('close_date') }} as close_date,
        {{ mapped_value('forecast_category', 'forecast_category') }} as forecast_category,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        case when {{ parse_bool('is_deleted') }} then 'deleted_in_source' end as _connector_reason
    from changes
)

select * from final
