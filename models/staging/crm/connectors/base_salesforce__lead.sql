{#-
    Salesforce leads as raw_crm.lead (docs/connectors.md, "Salesforce"): Salesforce has no MQL/SQL dates of
    its own, so mql_at / sql_at come from the custom fields named by vars salesforce_lead_mql_at_field and
    salesforce_lead_sql_at_field (defaults mql_at__c, sql_at__c; null when absent: the funnel KPIs then
    show no data). converted_at is the conversion date.
-#}
{{ config(enabled=connector_enabled('crm_source', 'salesforce')) }}
{%- set relation = source('salesforce', 'lead') %}
with

leads as (
    select * from {{ relation }}
    {{- salesforce_current_rows(relation) }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('email') }} as email,
        {{ clean_text('company') }} as company,
        {{ clean_text('lead_source') }} as lead_source,
        {{ clean_text('created_date') }} as created_at,
        {{ clean_text(optional_column(relation, var('salesforce_lead_mql_at_field', 'mql_at__c'))) }} as mql_at,
        {{ clean_text(optional_column(relation, var('salesforce_lead_sql_at_field', 'sql_at__c'))) }} as sql_at,
        {{ clean_text('is_converted') }} as is_converted,
        {{ clean_text('converted_date') }} as converted_at,
        {{ clean_text('converted_account_id') }} as converted_account_id,
        {{ clean_text('converted_opportunity_id') }} as converted_opportunity_id,
        {{ clean_text('owner_id') }} as owner_user_id,
        {{ clean_text('is_deleted') }} as _is_deleted,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from leads
)

select * from final
