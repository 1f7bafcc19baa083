with

base as (
    select * from {{ ref('base_billing__price') }}
),

final as (
    select
        price_id,
        product_id,
        currency_code,
        unit_amount,
        price_type,
        billing_interval,
        interval_count,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
