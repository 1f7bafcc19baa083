{#-
    Currencies the warehouse can convert to USD: every currency with at least one fx_rate row, plus
    USD itself (rate 1, always available). An amount in any other currency is quarantined as
    unknown_currency. An amount dated before its currency's first rate month is kept and converted
    with that first rate (int_fx_rates_filled).
-#}
with

fx_rates as (
    select * from {{ ref('stg_finance__fx_rates') }}
),

rated as (
    select
        currency_code,
        min(rate_month) as first_rate_month
    from fx_rates
    where currency_code <> 'USD'
    group by currency_code
),

usd as (
    select
        'USD' as currency_code,
        cast('1900-01-01' as date) as first_rate_month
),

final as (
    select * from rated
    union all
    select * from usd
)

select * from final
