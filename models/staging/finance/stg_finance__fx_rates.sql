with

base as (
    select * from {{ ref('base_finance__fx_rate') }}
),

final as (
    select
        currency_code,
        rate_month,
        usd_per_unit,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
