{#-
    Revenue per head by month and function (docs/metrics.md, "Revenue per head"). One row per month of
    the reporting window for `all` (the company) and every function of the mapping seed, plus
    `unmapped` when any person or cost is unmapped; zeros where a function had nobody, null ratios.
    Revenue, ttm revenue and ARR are the company's on every row; people and cost are the row's.
    Privacy: a row with fewer than min_group_size distinct employees counted in the month hides payroll,
    total cost and cost per revenue dollar (is_suppressed). When exactly one function row with people
    is hidden, the function row with the fewest counted employees among the visible ones is hidden too,
    so the company total minus the visible functions cannot reveal it. (Rows with nobody are hidden by
    the rule too, but protect no one, so they never count as that one hidden row.)
-#}
with

spine as (
    select * from {{ ref('int_month_spine') }}
),

headcount as (
    select * from {{ ref('int_headcount_monthly') }}
),

gl_costs as (
    select * from {{ ref('int_gl_costs_monthly') }}
),

revenue as (
    select * from {{ ref('fct_revenue_monthly') }}
),

function_cost_categories as (
    select * from {{ ref('function_cost_categories') }}
),

functions as (
    select function from function_cost_categories
    union
    select 'all' as function
    union
    select function from headcount
    where function = 'unmapped'
    union
    select function from gl_costs
    where function = 'unmapped'
),

gl_by_function as (
    select
        function,
        month,
        sum(cost_usd) as non_payroll_cost_usd,
        sum(case when cost_type = 'ai_tooling' then cost_usd else 0 end) as ai_tooling_cost_usd
    from gl_costs
    group by month, function
    union all
    select
        'all' as function,
        month,
        sum(cost_usd) as non_payroll_cost_usd,
        sum(case when cost_type = 'ai_tooling' then cost_usd else 0 end) as ai_tooling_cost_usd
    from gl_costs
    group by month
),

grid as (
    select
        spine.month,
        spine.month_number,
        functions.function,
        coalesce(headcount.month_end_headcount, 0) as month_end_headcount,
        coalesce(headcount.month_end_fte, 0) as month_end_fte,
        coalesce(headcount.avg_fte, 0) as avg_fte,
        coalesce(headcount.quota_carrier_fte, 0) as quota_carrier_fte,
        coalesce(headcount.revenue_support_fte, 0) as revenue_support_fte,
        coalesce(headcount.employees_counted, 0) as employees_counted,
        coalesce(headcount.payroll_cost_usd, 0) as payroll_cost_usd,
        coalesce(gl_by_function.non_payroll_cost_usd, 0) as non_payroll_cost_usd,
        coalesce(gl_by_function.ai_tooling_cost_usd, 0) as ai_tooling_cost_usd,
        revenue.revenue_usd,
        revenue.ttm_revenue_usd,
        revenue.arr_usd,
        revenue.is_partial_window
    from spine
    cross join functions
    left join headcount
        on
            spine.month = headcount.month
            and functions.function = headcount.function
    left join gl_by_function
        on
            spine.month = gl_by_function.month
            and functions.function = gl_by_function.function
    left join revenue
        on spine.month = revenue.month
),

with_ttm as (
    select
        *,
        avg(avg_fte) over (
            partition by function
            order by month
            rows between 11 preceding and current row
        ) as ttm_mean_avg_fte,
        employees_counted < {{ var('min_group_size') }} as is_below_group_size,
        employees_counted > 0 and employees_counted < {{ var('min_group_size') }} as is_sensitive
    from grid
),

sensitive_rows as (
    select
        month,
        count(case when is_sensitive then 1 end) as sensitive_function_rows
    from with_ttm
    where function <> 'all'
    group by month
),

complement_candidates as (
    select
        month,
        function,
        row_number() over (partition by month order by employees_counted, function) as fewest_rank
    from with_ttm
    where function <> 'all' and not is_below_group_size
),

suppressed as (
    select
        with_ttm.*,
        coalesce(
            with_ttm.is_below_group_size
            or (sensitive_rows.sensitive_function_rows = 1 and complement_candidates.fewest_rank = 1),
            false
        ) as is_suppressed
    from with_ttm
    left join sensitive_rows
        on with_ttm.month = sensitive_rows.month
    left join complement_candidates
        on
            with_ttm.month = complement_candidates.month
            and with_ttm.function = complement_candidates.function
),

final as (
    select
        month,
        function,
        cast(month_end_headcount as integer) as month_end_headcount,
        cast(month_end_fte as decimal(18, 6)) as month_end_fte,
        cast(avg_fte as decimal(18, 6)) as avg_fte,
        cast(quota_carrier_fte as decimal(18, 6)) as quota_carrier_fte,
        cast(revenue_support_fte as decimal(18, 6)) as revenue_support_fte,
        cast(employees_counted as integer) as employees_counted,
        {{ money('payroll_cost_usd', when='not is_suppressed') }} as payroll_cost_usd,
        {{ money('non_payroll_cost_usd') }} as non_payroll_cost_usd,
        {{ money('payroll_cost_usd + non_payroll_cost_usd', when='not is_suppressed') }} as total_cost_usd,
        revenue_usd,
        ttm_revenue_usd,
        arr_usd,
        {{ ratio('arr_usd', 'month_end_fte') }} as arr_per_fte_usd,
        {{ ratio('ttm_revenue_usd', 'ttm_mean_avg_fte') }} as revenue_per_head_ttm_usd,
        {{ ratio('payroll_cost_usd + non_payroll_cost_usd', 'revenue_usd', when='not is_suppressed') }}
            as cost_per_revenue_dollar,
        {{ ratio('revenue_support_fte', 'quota_carrier_fte') }} as support_ratio,
        {{ ratio('arr_usd', 'quota_carrier_fte') }} as arr_per_quota_carrier_usd,
        {{ money('ai_tooling_cost_usd') }} as ai_tooling_cost_usd,
        {{ ratio('ai_tooling_cost_usd', 'month_end_fte') }} as ai_tooling_cost_per_fte_usd,
        is_partial_window,
        is_suppressed
    from suppressed
)

select * from final
