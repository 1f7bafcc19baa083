{#-
    Company cost by month and the two published P&L categories (cogs, sales & marketing), with whether
    the privacy policy hides each (docs/metrics.md, "Privacy"): in the month (int_cost_privacy_evaluated,
    rule 3) and in the windows the unit-economics figures sum over (rule 4: hidden while any month of the
    window hides it), and sales & marketing cost summed over its two windows (the 3 months to m, for
    3-month CAC; m-5..m-3, for the magic number). One row per month of the reporting window; windows use
    the months it has (m-5..m-3 is null before month 4).
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

costs as (
    select * from {{ ref('int_costs_by_function_summed') }}
),

privacy as (
    select * from {{ ref('int_cost_privacy_evaluated') }}
    where aggregate_type in ('cost_category', 'company')
),

cost_totals as (
    select
        month,
        sum(payroll_cost_usd + ledger_cost_usd) as total_cost_usd,
        sum(case when cost_category = 'cogs' then payroll_cost_usd + ledger_cost_usd else 0 end) as cogs_usd,
        sum(case when cost_category = 'sales_marketing' then payroll_cost_usd + ledger_cost_usd else 0 end)
            as sales_marketing_cost_usd
    from costs
    group by month
),

cost_privacy as (
    select
        month,
        max(case when aggregate_name = 'cogs' and is_hidden then 1 else 0 end) = 1 as is_cogs_hidden,
        max(case when aggregate_name = 'sales_marketing' and is_hidden then 1 else 0 end) = 1
            as is_sales_marketing_cost_hidden,
        max(case when aggregate_type = 'company' and is_hidden then 1 else 0 end) = 1 as is_total_cost_hidden
    from privacy
    group by month
),

monthly as (
    select
        spine.month,
        coalesce(cost_totals.total_cost_usd, 0) as total_cost_usd,
        coalesce(cost_totals.cogs_usd, 0) as cogs_usd,
        coalesce(cost_totals.sales_marketing_cost_usd, 0) as sales_marketing_cost_usd,
        coalesce(cost_privacy.is_cogs_hidden, false) as is_cogs_hidden,
        coalesce(cost_privacy.is_sales_marketing_cost_hidden, false) as is_sales_marketing_cost_hidden,
        coalesce(cost_privacy.is_total_cost_hidden, false) as is_total_cost_hidden
    from spine
    left join cost_totals
        on spine.month = cost_totals.month
    left join cost_privacy
        on spine.month = cost_privacy.month
),

final as (
    select
        month,
        {{ money('total_cost_usd', decimal_input=true) }} as total_cost_usd,
        {{ money('cogs_usd', decimal_input=true) }} as cogs_usd,
        {{ money('sales_marketing_cost_usd', decimal_input=true) }} as sales_marketing_cost_usd,
        {{ money(
            'sum(sales_marketing_cost_usd) over (order by month rows between 2 preceding and current row)',
            decimal_input=true
        ) }} as sales_marketing_cost_3m_usd,
        {{ money(
            'sum(sales_marketing_cost_usd) over (order by month rows between 5 preceding and 3 preceding)',
            decimal_input=true
        ) }} as sales_marketing_cost_m5_m3_usd,
        is_cogs_hidden,
        is_sales_marketing_cost_hidden,
        is_total_cost_hidden,
        {{ hidden_in_window('is_cogs_hidden', 11, 0) }} as is_cogs_hidden_ttm,
        {{ hidden_in_window('is_sales_marketing_cost_hidden', 2, 0) }} as is_sales_marketing_cost_hidden_3m,
        {{ hidden_in_window('is_sales_marketing_cost_hidden', 5, 3) }} as is_sales_marketing_cost_hidden_m5_m3,
        {{ hidden_in_window('is_total_cost_hidden', 2, 0) }} as is_total_cost_hidden_3m,
        {{ hidden_in_window('is_total_cost_hidden', 11, 0) }} as is_total_cost_hidden_ttm
    from monthly
)

select * from final
