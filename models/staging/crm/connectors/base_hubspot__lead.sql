{#-
    HubSpot contacts as raw_crm.lead (docs/connectors.md, "HubSpot"): mql_at / sql_at are the lifecycle-stage
    dates (properties named by vars hubspot_mql_at_property, hubspot_sql_at_property); a contact associated
    with a deal is converted: to its earliest deal, at the opportunity lifecycle date (else that deal's
    creation), into its primary company (else the deal's company).
-#}
{{ config(enabled=connector_enabled('crm_source', 'hubspot')) }}
{%- set relation = source('hubspot', 'contact') %}
with

contacts as (
    select * from {{ relation }}
),

deal_contacts as (
    select * from {{ source('hubspot', 'deal_contact') }}
),

deals as (
    select * from {{ source('hubspot', 'deal') }}
),

deal_companies as (
    {{ hubspot_deal_companies() }}
),

first_deals as (
    select
        contact_id,
        deal_id,
        deal_created_at
    from (
        select
            {{ clean_text('deal_contacts.contact_id') }} as contact_id,
            {{ clean_text('deal_contacts.deal_id') }} as deal_id,
            {{ clean_text('deals.property_createdate') }} as deal_created_at,
            row_number() over (
                partition by {{ clean_text('deal_contacts.contact_id') }}
                order by
                    {{ to_type('deals.property_createdate', dbt.type_timestamp()) }},
                    {{ clean_text('deal_contacts.deal_id') }}
            ) as deal_rank
        from deal_contacts
        left join deals
            on {{ clean_text('deal_contacts.deal_id') }} = {{ clean_text('deals.deal_id') }}
    ) as ranked
    where deal_rank = 1
),

final as (
    select
        {{ clean_text('contacts.id') }} as id,
        {{ clean_text('contacts.property_email') }} as email,
        {{ clean_text('contacts.property_company') }} as company,
        {{ clean_text(optional_column(relation, 'property_hs_analytics_source')) }} as lead_source,
        {{ clean_text('contacts.property_createdate') }} as created_at,
        {{ clean_text(optional_column(relation, var('hubspot_mql_at_property',
            'property_hs_lifecyclestage_marketingqualifiedlead_date'))) }} as mql_at,
        {{ clean_text(optional_column(relation, var('hubspot_sql_at_property',
            'property_hs_lifecyclestage_salesqualifiedlead_date'))) }} as sql_at,
        case when first_deals.deal_id is not null then 'true' else 'false' end as is_converted,
        case
            when first_deals.deal_id is not null
                then coalesce(
                    {{ clean_text(optional_column(relation, 'property_hs_lifecyclestage_opportunity_date')) }},
                    first_deals.deal_created_at
                )
        end as converted_at,
        case
            when first_deals.deal_id is not null
                then coalesce(
                    {{ clean_text(optional_column(relation, 'property_associatedcompanyid')) }},
                    deal_companies.company_id
                )
        end as converted_account_id,
        first_deals.deal_id as converted_opportunity_id,
        {{ clean_text(optional_column(relation, 'property_hubspot_owner_id')) }} as owner_user_id,
        {{ clean_text('contacts._fivetran_deleted') }} as _is_deleted,
        {{ clean_text('contacts._fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from contacts
    left join first_deals
        on {{ clean_text('contacts.id') }} = first_deals.contact_id
    left join deal_companies
        on first_deals.deal_id = deal_companies.deal_id
)

select * from final
