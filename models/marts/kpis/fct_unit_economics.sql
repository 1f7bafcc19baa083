{#-
    Unit economics by month of the reporting window (docs/metrics.md, "Unit economics"). Windows over
    earlier months (3-month CAC, ttm margin and churn) use the months the window has; lags that reach
    before the window (MoM growth, magic number, burn multiple) are null.
    Privacy, consistent with fct_revenue_per_head's hidden rows H of the month: cogs is hidden when
    exactly one hidden function is customer success or support (cogs minus the visible one would reveal
    it), sales & marketing cost likewise; both when total cost minus the visible aggregates would
    isolate one hidden function. Figures summed over months (ttm margin, LTV, 3-month CAC, magic number)
    are hidden when any month of their window is.
-#}
with

spine as (
    select * from {{ ref('int_month_spine') }}
),

revenue as (
    select * from {{ ref('fct_revenue_monthly') }}
),

movements as (
    select * from {{ ref('fct_mrr_movements') }}
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_monthly') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_monthly') }}
),

headcount as (
    select * from {{ ref('int_headcount_monthly') }}
),

gl_costs as (
    select * from {{ ref('int_gl_costs_monthly') }}
),

function_cost_categories as (
    select * from {{ ref('function_cost_categories') }}
),

revenue_per_head as (
    select * from {{ ref('fct_revenue_per_head') }}
),

hidden_functions as (
    select
        month,
        count(case when is_suppressed and function <> 'all' then 1 end) as hidden_rows,
        count(case when is_suppressed and function in ('customer_success', 'support') then 1 end) as hidden_cogs_rows,
        count(case when is_suppressed and function in ('sales', 'marketing') then 1 end) as hidden_sales_marketing_rows
    from revenue_per_head
    group by month
),

privacy as (
    select
        month,
        hidden_cogs_rows = 1 as hide_cogs_alone,
        hidden_sales_marketing_rows = 1 as hide_sales_marketing_alone,
        hidden_rows
        - case when hidden_cogs_rows = 1 then 0 else hidden_cogs_rows end
        - case when hidden_sales_marketing_rows = 1 then 0 else hidden_sales_marketing_rows end = 1
            as would_isolate_one_row
    from hidden_functions
),

movement_totals as (
    select
        month,
        count(case when movement_type = 'new' then 1 end) as new_customers,
        count(case when movement_type = 'churn' then 1 end) as churned_customers,
        sum(opening_mrr_usd) as opening_mrr_usd,
        sum(new_mrr_usd) as new_mrr_usd,
        sum(expansion_mrr_usd) as expansion_mrr_usd,
        sum(contraction_mrr_usd) as contraction_mrr_usd,
        sum(churned_mrr_usd) as churned_mrr_usd,
        sum(reactivation_mrr_usd) as reactivation_mrr_usd,
        sum(fx_adjustment_mrr_usd) as fx_adjustment_mrr_usd
    from movements
    group by month
),

payroll_by_category as (
    select
        headcount.month,
        coalesce(function_cost_categories.cost_category, 'unmapped') as cost_category,
        sum(headcount.payroll_cost_usd) as cost_usd
    from headcount
    left join function_cost_categories
        on headcount.function = function_cost_categories.function
    where headcount.function <> 'all'
    group by headcount.month, coalesce(function_cost_categories.cost_category, 'unmapped')
),

ledger_by_category as (
    select
        month,
        cost_category,
        sum(cost_usd) as cost_usd
    from gl_costs
    group by month, cost_category
),

cost_lines as (
    select * from payroll_by_category
    union all
    select * from ledger_by_category
),

costs as (
    select
        month,
        sum(cost_usd) as total_cost_usd,
        sum(case when cost_category = 'cogs' then cost_usd else 0 end) as cogs_usd,
        sum(case when cost_category = 'sales_marketing' then cost_usd else 0 end) as sales_marketing_cost_usd
    from cost_lines
    group by month
),

retention_base as (
    select
        spine.month,
        base.mrr_local * fx_rates.usd_per_unit as base_mrr_usd,
        coalesce(current_mrr.mrr_local, 0) * fx_rates.usd_per_unit as current_mrr_usd
    from spine
    inner join customer_mrr as base
        on
            base.month = {{ dbt.dateadd('month', -12, 'spine.month') }}
            and base.mrr_local > 0
    inner join customers
        on base.customer_id = customers.customer_id
    inner join fx_rates
        on
            customers.currency_code = fx_rates.currency_code
            and spine.month = fx_rates.month
    left join customer_mrr as current_mrr
        on
            base.customer_id = current_mrr.customer_id
            and spine.month = current_mrr.month
    where spine.month_number > 12
),

retention as (
    select
        month,
        sum(current_mrr_usd) / sum(base_mrr_usd) as nrr,
        sum(least(current_mrr_usd, base_mrr_usd)) / sum(base_mrr_usd) as grr
    from retention_base
    group by month
),

monthly as (
    select
        spine.month,
        spine.month_number,
        revenue.mrr_usd,
        revenue.arr_usd,
        revenue.active_customers,
        revenue.revenue_usd,
        revenue.ttm_revenue_usd,
        revenue.is_partial_window,
        coalesce(movement_totals.new_customers, 0) as new_customers,
        coalesce(movement_totals.churned_customers, 0) as churned_customers,
        coalesce(movement_totals.opening_mrr_usd, 0) as opening_mrr_usd,
        coalesce(movement_totals.new_mrr_usd, 0) as new_mrr_usd,
        coalesce(movement_totals.expansion_mrr_usd, 0) as expansion_mrr_usd,
        coalesce(movement_totals.contraction_mrr_usd, 0) as contraction_mrr_usd,
        coalesce(movement_totals.churned_mrr_usd, 0) as churned_mrr_usd,
        coalesce(movement_totals.reactivation_mrr_usd, 0) as reactivation_mrr_usd,
        coalesce(movement_totals.fx_adjustment_mrr_usd, 0) as fx_adjustment_mrr_usd,
        coalesce(costs.total_cost_usd, 0) as total_cost_usd,
        coalesce(costs.cogs_usd, 0) as cogs_usd,
        coalesce(costs.sales_marketing_cost_usd, 0) as sales_marketing_cost_usd,
        retention.nrr,
        retention.grr,
        coalesce(privacy.hide_cogs_alone or privacy.would_isolate_one_row, false) as hide_cogs,
        coalesce(privacy.hide_sales_marketing_alone or privacy.would_isolate_one_row, false) as hide_sales_marketing
    from spine
    inner join revenue
        on spine.month = revenue.month
    left join movement_totals
        on spine.month = movement_totals.month
    left join costs
        on spine.month = costs.month
    left join retention
        on spine.month = retention.month
    left join privacy
        on spine.month = privacy.month
),

windowed as (
    select
        *,
        {{ as_double('mrr_usd') }} / nullif(active_customers, 0) as arpa_usd,
        {{ as_double('churned_customers') }} / nullif(lag(active_customers) over (order by month), 0)
            as logo_churn_rate,
        lag(mrr_usd) over (order by month) as previous_mrr_usd,
        lag(arr_usd, 3) over (order by month) as arr_3m_ago_usd,
        sum(sales_marketing_cost_usd) over (order by month rows between 2 preceding and current row)
            as sales_marketing_cost_3m_usd,
        sum(new_customers) over (order by month rows between 2 preceding and current row) as new_customers_3m,
        sum(revenue_usd - cogs_usd) over (order by month rows between 11 preceding and current row)
            as gross_profit_ttm_usd,
        sum(sales_marketing_cost_usd) over (order by month rows between 5 preceding and 3 preceding)
            as sales_marketing_cost_m5_m3_usd,
        sum(total_cost_usd - revenue_usd) over (order by month rows between 2 preceding and current row)
            as burn_3m_usd,
        max(case when hide_cogs then 1 else 0 end) over (order by month rows between 11 preceding and current row) = 1
            as hide_cogs_ttm,
        max(case when hide_sales_marketing then 1 else 0 end) over (
            order by month rows between 2 preceding and current row
        ) = 1 as hide_sales_marketing_3m,
        coalesce(max(case when hide_sales_marketing then 1 else 0 end) over (
            order by month rows between 5 preceding and 3 preceding
        ) = 1, false) as hide_sales_marketing_m5_m3
    from monthly
),

with_ttm_churn as (
    select
        *,
        avg(logo_churn_rate) over (order by month rows between 11 preceding and current row)
            as mean_logo_churn_rate_ttm,
        {{ as_double('gross_profit_ttm_usd') }} / nullif(ttm_revenue_usd, 0) as gross_margin_ttm_value
    from windowed
),

final as (
    select
        month,
        cast(active_customers as integer) as active_customers,
        cast(new_customers as integer) as new_customers,
        cast(churned_customers as integer) as churned_customers,
        mrr_usd,
        arr_usd,
        {{ money('new_mrr_usd') }} as new_mrr_usd,
        {{ money('expansion_mrr_usd') }} as expansion_mrr_usd,
        {{ money('contraction_mrr_usd') }} as contraction_mrr_usd,
        {{ money('churned_mrr_usd') }} as churned_mrr_usd,
        {{ money('reactivation_mrr_usd') }} as reactivation_mrr_usd,
        {{ money('fx_adjustment_mrr_usd') }} as fx_adjustment_mrr_usd,
        {{ money('opening_mrr_usd') }} as opening_mrr_usd,
        {{ ratio('mrr_usd', 'active_customers') }} as arpa_usd,
        {{ money('logo_churn_rate') }} as logo_churn_rate,
        {{ ratio('-(churned_mrr_usd + contraction_mrr_usd)', 'opening_mrr_usd') }} as gross_mrr_churn_rate,
        {{ money('nrr') }} as nrr,
        {{ money('grr') }} as grr,
        revenue_usd,
        ttm_revenue_usd,
        {{ money('cogs_usd', when='not hide_cogs') }} as cogs_usd,
        {{ money('total_cost_usd') }} as total_cost_usd,
        {{ ratio('revenue_usd - cogs_usd', 'revenue_usd', when='not hide_cogs') }} as gross_margin,
        {{ money('gross_margin_ttm_value', when='not hide_cogs_ttm') }} as gross_margin_ttm,
        {{ money('sales_marketing_cost_usd', when='not hide_sales_marketing') }} as sales_marketing_cost_usd,
        {{ ratio('sales_marketing_cost_usd', 'new_customers', when='not hide_sales_marketing') }} as cac_usd,
        {{ ratio('sales_marketing_cost_3m_usd', 'new_customers_3m', when='not hide_sales_marketing_3m') }}
            as cac_3m_usd,
        {{ ratio('arpa_usd * gross_margin_ttm_value', 'mean_logo_churn_rate_ttm', when='not hide_cogs_ttm') }}
            as ltv_usd,
        {{ ratio(
            ratio('arpa_usd * gross_margin_ttm_value', 'mean_logo_churn_rate_ttm'),
            ratio('sales_marketing_cost_3m_usd', 'new_customers_3m'),
            when='not (hide_cogs_ttm or hide_sales_marketing_3m)'
        ) }} as ltv_to_cac,
        {{ ratio(
            ratio('sales_marketing_cost_3m_usd', 'new_customers_3m'), 'arpa_usd * gross_margin_ttm_value',
            when='not (hide_cogs_ttm or hide_sales_marketing_3m)'
        ) }} as cac_payback_months,
        {{ ratio(
            'arr_usd - arr_3m_ago_usd', 'sales_marketing_cost_m5_m3_usd',
            when='month_number >= 6 and not hide_sales_marketing_m5_m3'
        ) }} as magic_number,
        {{ ratio(
            'burn_3m_usd', 'arr_usd - arr_3m_ago_usd',
            when='month_number >= 4 and burn_3m_usd > 0 and arr_usd - arr_3m_ago_usd > 0'
        ) }} as burn_multiple,
        {{ ratio('revenue_usd - total_cost_usd', 'revenue_usd') }} as operating_margin,
        {{ money('mrr_usd * 1.0 / nullif(previous_mrr_usd, 0) - 1') }} as mrr_growth_mom,
        is_partial_window,
        hide_cogs or hide_sales_marketing as is_cost_suppressed
    from with_ttm_churn
)

select * from final
