with

base as (
    select * from {{ ref('base_billing__refund') }}
),

final as (
    select
        refund_id,
        invoice_id,
        amount,
        currency_code,
        refunded_at,
        reason,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
