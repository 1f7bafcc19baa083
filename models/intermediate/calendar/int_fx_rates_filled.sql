{#-
    USD per unit of each currency for every calendar month (docs/metrics.md, "Conventions"): the rate of
    that month, else the latest earlier month's rate (carried forward); for a month before the
    currency's first rate, that first rate (carried back, flagged is_carried_back and reported by the
    check fx_rate_carried_back). USD is 1. Every known currency has a rate in every month, so no amount
    is ever dropped for the date it carries.
-#}
with

fx_rates as (
    select * from {{ ref('stg_finance__fx_rates') }}
),

months as (
    select * from {{ ref('int_months_spanned') }}
),

-- every currency with a rate (USD has rate 1 below) and its first rate month, the one carried back
rated_currencies as (
    select * from {{ ref('stg_finance__currencies') }}
    where currency_code <> 'USD'
),

latest_rate_month as (
    select
        rated_currencies.currency_code,
        months.month,
        coalesce(max(fx_rates.rate_month), min(rated_currencies.first_rate_month)) as rate_month
    from rated_currencies
    cross join months
    left join fx_rates
        on
            rated_currencies.currency_code = fx_rates.currency_code
            and months.month >= fx_rates.rate_month
    group by rated_currencies.currency_code, months.month
),

carried as (
    select
        latest_rate_month.currency_code,
        latest_rate_month.month,
        latest_rate_month.rate_month,
        fx_rates.usd_per_unit
    from latest_rate_month
    inner join fx_rates
        on
            latest_rate_month.currency_code = fx_rates.currency_code
            and latest_rate_month.rate_month = fx_rates.rate_month
),

usd as (
    select
        'USD' as currency_code,
        month,
        month as rate_month,
        cast(1 as decimal(38, 8)) as usd_per_unit
    from months
),

unioned as (
    select * from carried
    union all
    select * from usd
),

final as (
    select
        currency_code,
        month,
        rate_month,
        -- 38 digits: DuckDB multiplies two decimals of width <= 18 in 64 bits and fails on overflow
        -- (an amount of 100k times a rate already does); a wide rate makes every conversion 128-bit.
        cast(usd_per_unit as decimal(38, 8)) as usd_per_unit,
        month < rate_month as is_carried_back
    from unioned
)

select * from final
