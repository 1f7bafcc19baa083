{#- One row per billing customer: resolved CRM account, segment, currency and MRR activity. -#}
with

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

identities as (
    select * from {{ ref('int_customers_identity_resolved') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_expanded') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

activity as (
    select
        customer_mrr.customer_id,
        min(customer_mrr.month) as first_active_month,
        max(customer_mrr.month) as last_active_month,
        max(case when customer_mrr.month = as_of.as_of_month then customer_mrr.mrr_usd end) as current_mrr_usd
    from customer_mrr
    cross join as_of
    where
        customer_mrr.mrr_local > 0
        and customer_mrr.month <= as_of.as_of_month
    group by customer_mrr.customer_id
),

final as (
    select
        customers.customer_id,
        customers.customer_name,
        identities.crm_account_id,
        identities.identity_resolution,
        identities.billing_crm_account_id,
        accounts.account_name as crm_account_name,
        accounts.segment,
        customers.currency_code,
        cast(customers.created_at as date) as created_date,
        activity.first_active_month,
        activity.last_active_month,
        coalesce(activity.current_mrr_usd > 0, false) as is_active_now,
        {{ money('coalesce(activity.current_mrr_usd, 0)') }} as current_mrr_usd
    from customers
    inner join identities
        on customers.customer_id = identities.customer_id
    left join accounts
        on identities.crm_account_id = accounts.account_id
    left join activity
        on customers.customer_id = activity.customer_id
)

select * from final
