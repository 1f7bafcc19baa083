with

base as (
    select * from {{ ref('base_product__feature_usage') }}
),

final as (
    select
        account_id,
        feature_key,
        usage_date,
        events,
        coalesce(active_users, 0) as active_users,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
