with

base as (
    select * from {{ ref('base_billing__product') }}
),

final as (
    select
        product_id,
        product_name,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
