{#-
    Each billing customer's CRM account (docs/metrics.md, "Customers and identity"): the customer's
    crm_account_id when it names an existing, non-deleted account; else the one account whose
    website_domain equals the customer's email domain (case-insensitive); else none. A domain shared
    by several accounts resolves nothing (ambiguous_domain).
-#}
with

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

accounts_by_domain as (
    select
        lower(website_domain) as website_domain,
        count(*) as accounts_with_domain,
        min(account_id) as account_id
    from accounts
    where website_domain is not null
    group by lower(website_domain)
),

customer_domains as (
    select
        customer_id,
        crm_account_id,
        lower(nullif({{ dbt.split_part('email', "'@'", 2) }}, '')) as email_domain
    from customers
),

final as (
    select
        customer_domains.customer_id,
        customer_domains.crm_account_id as billing_crm_account_id,
        customer_domains.email_domain,
        case
            when direct_match.account_id is not null then direct_match.account_id
            when accounts_by_domain.accounts_with_domain = 1 then accounts_by_domain.account_id
        end as crm_account_id,
        case
            when direct_match.account_id is not null then 'crm_account_id'
            when accounts_by_domain.accounts_with_domain = 1 then 'email_domain'
            when accounts_by_domain.accounts_with_domain > 1 then 'ambiguous_domain'
            else 'unresolved'
        end as identity_resolution
    from customer_domains
    left join accounts as direct_match
        on customer_domains.crm_account_id = direct_match.account_id
    left join accounts_by_domain
        on customer_domains.email_domain = accounts_by_domain.website_domain
)

select * from final
