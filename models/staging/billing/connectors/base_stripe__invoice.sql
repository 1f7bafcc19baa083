{#-
    Stripe invoices as raw_billing.invoice (docs/connectors.md, "Stripe"): amounts from minor to major
    units, the invoice date is `created`, the discount total is what lies between subtotal + tax and total
    (Stripe: total = subtotal - discounts + tax). An invoice deleted in Stripe (a draft) is quarantined as
    deleted_in_source: the contract's invoice has no soft delete.
-#}
{{ config(enabled=connector_enabled('billing_source', 'stripe')) }}
with

invoices as (
    select * from {{ source('stripe', 'invoice') }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('number') }} as number,
        {{ clean_text('status') }} as status,
        upper({{ clean_text('currency') }}) as currency_code,
        {{ connector_date('created') }} as invoice_date,
        {{ major_units('subtotal', 'currency') }} as subtotal,
        {{ major_units(
            'cast(' ~ to_type('subtotal', 'decimal(18,0)') ~ ' + coalesce(' ~ to_type('tax', 'decimal(18,0)') ~ ', 0) - '
            ~ to_type('total', 'decimal(18,0)') ~ ' as decimal(18, 0))', 'currency') }} as discount_total,
        {{ major_units('tax', 'currency') }} as tax_total,
        {{ major_units('total', 'currency') }} as total,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        case when {{ parse_bool('is_deleted') }} then 'deleted_in_source' end as _connector_reason
    from invoices
)

select * from final
