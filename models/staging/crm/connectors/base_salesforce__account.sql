{#-
    Salesforce accounts as raw_crm.account (docs/connectors.md, "Salesforce"): website_domain is the host
    of the website (no scheme, no www., no path); the segment is the custom field named by var
    salesforce_account_segment_field (default segment__c; null when the org has no such field);
    billing_country the country code, else the country text.
-#}
{{ config(enabled=connector_enabled('crm_source', 'salesforce')) }}
{%- set relation = source('salesforce', 'account') %}
with

accounts as (
    select * from {{ relation }}
    {{- salesforce_current_rows(relation) }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('name') }} as name,
        {{ web_host('website') }} as website_domain,
        {{ clean_text('industry') }} as industry,
        {{ clean_text(optional_column(relation,
            var('salesforce_account_segment_field', 'segment__c'))) }} as segment,
        coalesce(
            {{ clean_text(optional_column(relation, 'billing_country_code')) }},
            {{ clean_text('billing_country') }}
        ) as billing_country,
        {{ clean_text('owner_id') }} as owner_user_id,
        {{ clean_text(optional_column(relation, 'created_date')) }} as created_at,
        {{ clean_text('is_deleted') }} as _is_deleted,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from accounts
)

select * from final
