{#-
    HubSpot companies as raw_crm.account (docs/connectors.md, "HubSpot"): website_domain is the domain
    property's host; the segment is the property named by var hubspot_company_segment_property (default
    property_segment; null when the portal has none); deleted companies are soft-deleted.
-#}
{{ config(enabled=connector_enabled('crm_source', 'hubspot')) }}
{%- set relation = source('hubspot', 'company') %}
with

companies as (
    select * from {{ relation }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('property_name') }} as name,
        {{ web_host(optional_column(relation, 'property_domain')) }} as website_domain,
        {{ clean_text('property_industry') }} as industry,
        {{ clean_text(optional_column(relation, var('hubspot_company_segment_property', 'property_segment'))) }}
            as segment,
        {{ clean_text('property_country') }} as billing_country,
        {{ clean_text(optional_column(relation, 'property_hubspot_owner_id')) }} as owner_user_id,
        {{ clean_text('property_createdate') }} as created_at,
        case
            when {{ parse_bool('is_deleted') }} or {{ parse_bool(optional_column(relation, '_fivetran_deleted')) }}
                then 'true'
            else 'false'
        end as _is_deleted,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from companies
)

select * from final
