{#-
    Stripe customers as raw_billing.customer (docs/connectors.md, "Stripe"). The CRM account id is the
    metadata key named by var stripe_crm_account_key (default crm_account_id); a customer without a
    currency of its own (Stripe sets it at the first charge) takes its latest invoice's.
-#}
{{ config(enabled=connector_enabled('billing_source', 'stripe')) }}
with

customers as (
    select * from {{ source('stripe', 'customer') }}
),

invoices as (
    select * from {{ source('stripe', 'invoice') }}
),

invoice_currencies as (
    select
        customer_id,
        max(upper({{ clean_text('currency') }})) as currency_code
    from invoices
    group by customer_id
    having count(distinct upper({{ clean_text('currency') }})) = 1
),

final as (
    select
        {{ clean_text('customers.id') }} as id,
        {{ clean_text('customers.name') }} as name,
        {{ clean_text('customers.email') }} as email,
        {{ json_text('customers.metadata', var('stripe_crm_account_key', 'crm_account_id')) }} as crm_account_id,
        coalesce(upper({{ clean_text('customers.currency') }}), invoice_currencies.currency_code) as currency_code,
        {{ clean_text('customers.created') }} as created_at,
        {{ clean_text('customers.is_deleted') }} as _is_deleted,
        {{ clean_text('customers._fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from customers
    left join invoice_currencies
        on customers.id = invoice_currencies.customer_id
)

select * from final
