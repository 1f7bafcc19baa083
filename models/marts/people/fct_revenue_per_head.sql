{#-
    Revenue per head by month and function (docs/metrics.md, "Revenue per head"). One row per month of
    the reporting window for `all` (the company) and every function of the mapping seed, plus
    `unmapped` when any person or cost is unmapped; zeros where a function had nobody, null ratios.
    Revenue, ttm revenue and ARR are the company's on every row; people and cost are the row's.
    Cost comes from int_costs_by_function_summed; privacy (which rows hide their payroll, total cost and
    cost per revenue dollar) from int_cost_privacy_evaluated. The efficiency trend (§5a) compares each
    row with the same function twelve months earlier: null until that month is in the window. The growth
    decomposition splits TTM revenue growth into adding people and revenue per head (log shares).
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

headcount as (
    select * from {{ ref('int_headcount_summed') }}
),

costs as (
    select * from {{ ref('int_costs_by_function_summed') }}
),

privacy as (
    select * from {{ ref('int_cost_privacy_evaluated') }}
    where aggregate_type in ('function', 'company')
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
    select function from costs
    where function = 'unmapped'
),

cost_by_function as (
    select
        function,
        month,
        sum(ledger_cost_usd) as non_payroll_cost_usd,
        sum(ai_tooling_cost_usd) as ai_tooling_cost_usd
    from costs
    group by month, function
    union all
    select
        'all' as function,
        month,
        sum(ledger_cost_usd) as non_payroll_cost_usd,
        sum(ai_tooling_cost_usd) as ai_tooling_cost_usd
    from costs
    group by month
),

grid as (
    select
        spine.month,
        spine.month_number,
        spine.is_month_complete,
        functions.function,
        coalesce(headcount.month_end_headcount, 0) as month_end_headcount,
        coalesce(headcount.month_end_fte, 0) as month_end_fte,
        coalesce(headcount.avg_fte, 0) as avg_fte,
        coalesce(headcount.quota_carrier_fte, 0) as quota_carrier_fte,
        coalesce(headcount.revenue_support_fte, 0) as revenue_support_fte,
        coalesce(headcount.employees_counted, 0) as employees_counted,
        coalesce(headcount.payroll_cost_usd, 0) as payroll_cost_usd,
        coalesce(cost_by_function.non_payroll_cost_usd, 0) as non_payroll_cost_usd,
        coalesce(cost_by_function.ai_tooling_cost_usd, 0) as ai_tooling_cost_usd,
        coalesce(privacy.is_hidden, false) as is_suppressed,
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
    left join cost_by_function
        on
            spine.month = cost_by_function.month
            and functions.function = cost_by_function.function
    left join privacy
        on
            spine.month = privacy.month
            and functions.function = privacy.aggregate_name
    left join revenue
        on spine.month = revenue.month
),

with_ttm as (
    select
        *,
        -- a double on every engine (Spark would average the decimal at its own scale, and the efficiency
        -- trend divides by a difference of two such means)
        avg({{ as_double('avg_fte') }}) over (
            partition by function
            order by month
            rows between 11 preceding and current row
        ) as ttm_mean_avg_fte
    from grid
),

with_per_head as (
    select
        *,
        {{ as_double('ttm_revenue_usd') }} / nullif(ttm_mean_avg_fte, 0) as revenue_per_head_value
    from with_ttm
),

year_ago as (
    select
        *,
        lag(revenue_per_head_value, 12) over (partition by function order by month) as revenue_per_head_12m_ago,
        lag({{ as_double('avg_fte') }}, 12) over (partition by function order by month) as avg_fte_12m_ago,
        lag(ttm_revenue_usd, 12) over (partition by function order by month) as ttm_revenue_12m_ago_usd,
        lag(ttm_mean_avg_fte, 12) over (partition by function order by month) as ttm_mean_avg_fte_12m_ago
    from with_per_head
),

-- growth decomposition (docs/metrics.md, "Where growth came from"): the log growth factors of TTM revenue
-- and of mean FTE over the same twelve months, defined from month 25 (both TTM windows whole), when
-- revenue grew, the row's TTM mean FTE is at least 5 and its year-ago one above 0
growth_factors as (
    select
        *,
        case
            when
                month_number >= 25
                and ttm_revenue_usd > ttm_revenue_12m_ago_usd
                and ttm_revenue_12m_ago_usd > 0
                and ttm_mean_avg_fte >= 5
                and ttm_mean_avg_fte_12m_ago > 0
                then ln({{ as_double('ttm_revenue_usd') }} / {{ as_double('ttm_revenue_12m_ago_usd') }})
        end as log_revenue_growth,
        case
            when ttm_mean_avg_fte >= 5 and ttm_mean_avg_fte_12m_ago > 0
                then ln(ttm_mean_avg_fte / ttm_mean_avg_fte_12m_ago)
        end as log_fte_growth
    from year_ago
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
        {{ money('revenue_per_head_value / nullif(revenue_per_head_12m_ago, 0) - 1', when='month_number > 12') }}
            as revenue_per_head_growth_yoy,
        {{ money(as_double('avg_fte') ~ ' / nullif(avg_fte_12m_ago, 0) - 1', when='month_number > 12') }}
            as fte_growth_yoy,
        {{ ratio(
            as_double('ttm_revenue_usd - ttm_revenue_12m_ago_usd'),
            'ttm_mean_avg_fte - ttm_mean_avg_fte_12m_ago',
            when='month_number > 12 and ttm_mean_avg_fte > ttm_mean_avg_fte_12m_ago'
        ) }} as incremental_revenue_per_fte_usd,
        {{ ratio('log_fte_growth', 'log_revenue_growth') }} as growth_from_hiring_share,
        {{ ratio('log_revenue_growth - log_fte_growth', 'log_revenue_growth') }} as growth_from_efficiency_share,
        is_partial_window,
        is_month_complete,
        is_suppressed
    from growth_factors
)

select * from final
