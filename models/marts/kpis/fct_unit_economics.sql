{#-
    Unit economics by month of the reporting window (docs/metrics.md, "Unit economics"). Windows over
    earlier months (3-month CAC, ttm margin and churn) use the months the window has; lags that reach
    before the window (MoM growth, year-over-year growth, magic number, burn multiple) are null.
    Cost by category and its windows, and when privacy hides them, come from int_cost_categories_summed
    (all its columns pass through `monthly`).
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

revenue as (
    select * from {{ ref('fct_revenue_monthly') }}
),

movements as (
    select * from {{ ref('fct_mrr_movements') }}
),

cohorts as (
    select * from {{ ref('int_customer_cohorts_retained') }}
),

costs as (
    select * from {{ ref('int_cost_categories_summed') }}
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

retention as (
    select
        month,
        sum(current_mrr_usd) / sum(base_mrr_usd) as nrr,
        sum(least(current_mrr_usd, base_mrr_usd)) / sum(base_mrr_usd) as grr,
        -- what moved the cohort from its MRR of m-12 to its MRR of m, customer by customer:
        -- current = base + expansion - contraction - churned, so nrr = (base + exp - contr - churn) / base
        sum(base_mrr_usd) as nrr_base_mrr_usd,
        sum(case when current_mrr_usd > base_mrr_usd then current_mrr_usd - base_mrr_usd else 0 end)
            as nrr_expansion_mrr_usd,
        sum(
            case
                when current_mrr_usd > 0 and current_mrr_usd < base_mrr_usd then base_mrr_usd - current_mrr_usd
                else 0
            end
        ) as nrr_contraction_mrr_usd,
        sum(case when current_mrr_usd = 0 then base_mrr_usd else 0 end) as nrr_churned_mrr_usd
    from cohorts
    group by month
),

monthly as (
    select
        costs.*,
        spine.month_number,
        spine.is_month_complete,
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
        retention.nrr,
        retention.grr,
        retention.nrr_base_mrr_usd,
        retention.nrr_expansion_mrr_usd,
        retention.nrr_contraction_mrr_usd,
        retention.nrr_churned_mrr_usd
    from spine
    inner join costs
        on spine.month = costs.month
    inner join revenue
        on spine.month = revenue.month
    left join movement_totals
        on spine.month = movement_totals.month
    left join retention
        on spine.month = retention.month
),

windowed as (
    select
        *,
        {{ as_double('mrr_usd') }} / nullif(active_customers, 0) as arpa_usd,
        {{ as_double('churned_customers') }} / nullif(lag(active_customers) over by_month, 0) as logo_churn_rate,
        lag(mrr_usd) over by_month as previous_mrr_usd,
        lag(arr_usd, 3) over by_month as arr_3m_ago_usd,
        lag(arr_usd) over by_month as previous_arr_usd,
        lag(arr_usd, 12) over by_month as arr_12m_ago_usd,
        sum(new_mrr_usd) over three_months as new_mrr_3m_usd,
        sum(new_customers) over three_months as new_customers_3m,
        sum(total_cost_usd - revenue_usd) over three_months as burn_3m_usd,
        sum(revenue_usd - total_cost_usd) over twelve_months as operating_profit_ttm_usd,
        sum(revenue_usd - cogs_usd) over twelve_months as gross_profit_ttm_usd
    from monthly
    window
        by_month as (order by month),
        three_months as (order by month rows between 2 preceding and current row),
        twelve_months as (order by month rows between 11 preceding and current row)
),

with_ttm_churn as (
    select
        *,
        avg(logo_churn_rate) over (order by month rows between 11 preceding and current row)
            as mean_logo_churn_rate_ttm,
        {{ as_double('gross_profit_ttm_usd') }} / nullif(ttm_revenue_usd, 0) as gross_margin_ttm_value,
        {{ as_double('operating_profit_ttm_usd') }} / nullif(ttm_revenue_usd, 0) as operating_margin_ttm_value,
        {{ as_double('arr_usd') }} / nullif(arr_12m_ago_usd, 0) - 1 as arr_growth_yoy_value,
        {{ as_double('new_mrr_3m_usd') }} / nullif(new_customers_3m, 0) as new_customer_arpa_3m_value
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
        {{ money('nrr_base_mrr_usd') }} as nrr_base_mrr_usd,
        {{ money('nrr_expansion_mrr_usd') }} as nrr_expansion_mrr_usd,
        {{ money('nrr_contraction_mrr_usd') }} as nrr_contraction_mrr_usd,
        {{ money('nrr_churned_mrr_usd') }} as nrr_churned_mrr_usd,
        revenue_usd,
        ttm_revenue_usd,
        {{ money('cogs_usd', when='not is_cogs_hidden') }} as cogs_usd,
        {{ money('total_cost_usd', when='not is_total_cost_hidden') }} as total_cost_usd,
        {{ ratio('revenue_usd - cogs_usd', 'revenue_usd', when='not is_cogs_hidden') }} as gross_margin,
        {{ money('gross_margin_ttm_value', when='not is_cogs_hidden_ttm') }} as gross_margin_ttm,
        {{ money('sales_marketing_cost_usd', when='not is_sales_marketing_cost_hidden') }} as sales_marketing_cost_usd,
        {{ ratio('sales_marketing_cost_usd', 'new_customers', when='not is_sales_marketing_cost_hidden') }} as cac_usd,
        {{ ratio('sales_marketing_cost_3m_usd', 'new_customers_3m', when='not is_sales_marketing_cost_hidden_3m') }}
            as cac_3m_usd,
        {{ ratio('arpa_usd * gross_margin_ttm_value', 'mean_logo_churn_rate_ttm', when='not is_cogs_hidden_ttm') }}
            as ltv_usd,
        {{ ratio(
            ratio('arpa_usd * gross_margin_ttm_value', 'mean_logo_churn_rate_ttm'),
            ratio('sales_marketing_cost_3m_usd', 'new_customers_3m'),
            when='not (is_cogs_hidden_ttm or is_sales_marketing_cost_hidden_3m)'
        ) }} as ltv_to_cac,
        {{ ratio('new_mrr_3m_usd', 'new_customers_3m') }} as new_customer_arpa_3m_usd,
        {{ ratio(
            ratio('sales_marketing_cost_3m_usd', 'new_customers_3m'), 'new_customer_arpa_3m_value * gross_margin_ttm_value',
            when='not (is_cogs_hidden_ttm or is_sales_marketing_cost_hidden_3m)'
        ) }} as cac_payback_months,
        {{ ratio(
            'arr_usd - arr_3m_ago_usd', 'sales_marketing_cost_m5_m3_usd',
            when='month_number >= 6 and not is_sales_marketing_cost_hidden_m5_m3'
        ) }} as magic_number,
        {{ ratio(
            'burn_3m_usd', 'arr_usd - arr_3m_ago_usd',
            when='month_number >= 4 and burn_3m_usd > 0 and arr_usd - arr_3m_ago_usd > 0'
            ~ ' and not is_total_cost_hidden_3m'
        ) }} as burn_multiple,
        {{ ratio('revenue_usd - total_cost_usd', 'revenue_usd', when='not is_total_cost_hidden') }} as operating_margin,
        {{ money('mrr_usd * 1.0 / nullif(previous_mrr_usd, 0) - 1') }} as mrr_growth_mom,
        {{ money('arr_usd - coalesce(previous_arr_usd, 0)') }} as net_new_arr_usd,
        {{ money('arr_growth_yoy_value', when='month_number > 12') }} as arr_growth_yoy,
        {{ ratio(
            as_double('new_mrr_usd + reactivation_mrr_usd + expansion_mrr_usd'), '-(churned_mrr_usd + contraction_mrr_usd)'
        ) }} as quick_ratio,
        {{ money('operating_margin_ttm_value', when='not is_total_cost_hidden_ttm') }} as operating_margin_ttm,
        {{ money(
            'arr_growth_yoy_value + operating_margin_ttm_value',
            when='month_number > 12 and not is_total_cost_hidden_ttm'
        ) }} as rule_of_40,
        is_partial_window,
        is_month_complete,
        is_cogs_hidden,
        is_sales_marketing_cost_hidden,
        is_total_cost_hidden,
        is_cogs_hidden or is_sales_marketing_cost_hidden or is_total_cost_hidden as is_cost_suppressed
    from with_ttm_churn
)

select * from final
