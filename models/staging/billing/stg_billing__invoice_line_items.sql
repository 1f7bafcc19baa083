with

base as (
    select * from {{ ref('base_billing__invoice_line_item') }}
),

final as (
    select
        invoice_line_item_id,
        invoice_id,
        subscription_id,
        price_id,
        line_type,
        description,
        quantity,
        amount,
        discount_amount,
        period_start,
        period_end,
        is_proration,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
