-- "Sales always get incrementally harder": the marginal cost of a new customer. Quarterly blended
-- CAC next to incremental CAC (extra sales & marketing spend per extra new customer versus the same
-- quarter a year earlier) and the magic number.
with

unit_economics as (
    select * from {{ ref('fct_unit_economics') }}
),

quarterly as (
    select
        cast({{ dbt.date_trunc('quarter', 'month') }} as date) as quarter_start,
        sum(sales_marketing_cost_usd) as sales_marketing_cost_usd,
        sum(new_customers) as new_customers,
        avg(magic_number) as avg_magic_number,
        count(*) as months_in_quarter
    from unit_economics
    group by cast({{ dbt.date_trunc('quarter', 'month') }} as date)
),

with_prior_year as (
    select
        *,
        lag(sales_marketing_cost_usd, 4) over (order by quarter_start) as sales_marketing_cost_prior_year_usd,
        lag(new_customers, 4) over (order by quarter_start) as new_customers_prior_year
    from quarterly
),

final as (
    select
        quarter_start,
        new_customers,
        sales_marketing_cost_usd,
        avg_magic_number,
        sales_marketing_cost_usd / nullif(new_customers, 0) as blended_cac_usd,
        (sales_marketing_cost_usd - sales_marketing_cost_prior_year_usd)
        / nullif(new_customers - new_customers_prior_year, 0) as incremental_cac_usd
    from with_prior_year
    where months_in_quarter = 3
)

select * from final
order by quarter_start
