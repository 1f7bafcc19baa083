with

base as (
    select * from {{ ref('base_billing__invoice') }}
),

final as (
    select
        invoice_id,
        customer_id,
        subscription_id,
        invoice_number,
        status,
        currency_code,
        invoice_date,
        subtotal,
        discount_total,
        tax_total,
        total,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
