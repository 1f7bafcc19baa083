-- Is growth coming from efficiency or from hiring? Year-over-year change of TTM revenue per head
-- against the change in average FTE, company-wide. Positive efficiency_growth with flat headcount is
-- leverage; revenue per head falling while FTE grows means hiring ahead of revenue.
with

revenue_per_head as (
    select * from {{ ref('fct_revenue_per_head') }}
    where function = 'all'
),

with_prior_year as (
    select
        month,
        revenue_per_head_ttm_usd,
        avg_fte,
        ttm_revenue_usd,
        is_partial_window,
        lag(revenue_per_head_ttm_usd, 12) over (order by month) as revenue_per_head_ttm_prior_year_usd,
        lag(avg_fte, 12) over (order by month) as avg_fte_prior_year,
        lag(ttm_revenue_usd, 12) over (order by month) as ttm_revenue_prior_year_usd
    from revenue_per_head
),

final as (
    select
        month,
        revenue_per_head_ttm_usd,
        avg_fte,
        revenue_per_head_ttm_usd / nullif(revenue_per_head_ttm_prior_year_usd, 0) - 1 as efficiency_growth,
        avg_fte / nullif(avg_fte_prior_year, 0) - 1 as headcount_growth,
        ttm_revenue_usd / nullif(ttm_revenue_prior_year_usd, 0) - 1 as revenue_growth
    from with_prior_year
    where not is_partial_window
)

select * from final
order by month
