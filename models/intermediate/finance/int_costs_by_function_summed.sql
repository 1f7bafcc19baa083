{#-
    The one owner of cost by month, function and P&L category (docs/metrics.md, "Headcount and people
    cost"): payroll of the function (its category from seed function_cost_categories, `unmapped` when
    the seed has none) and ledger cost posted by the function's departments (each entry's category: its
    account's fixed one, else its function's). Every mart sums these rows; none re-derives them.
    Sparse: only combinations with cost; the marts fill the grid of months and functions.
-#}
with

headcount as (
    select * from {{ ref('int_headcount_summed') }}
    where function <> 'all'
),

gl_costs as (
    select * from {{ ref('int_gl_costs_mapped') }}
),

function_cost_categories as (
    select * from {{ ref('function_cost_categories') }}
),

payroll as (
    select
        headcount.month,
        headcount.function,
        coalesce(function_cost_categories.cost_category, 'unmapped') as cost_category,
        headcount.payroll_cost_usd,
        0 as ledger_cost_usd,
        0 as ai_tooling_cost_usd
    from headcount
    left join function_cost_categories
        on headcount.function = function_cost_categories.function
),

ledger as (
    select
        month,
        function,
        cost_category,
        0 as payroll_cost_usd,
        cost_usd as ledger_cost_usd,
        case when cost_type = 'ai_tooling' then cost_usd else 0 end as ai_tooling_cost_usd
    from gl_costs
),

unioned as (
    select * from payroll
    union all
    select * from ledger
),

final as (
    select
        month,
        function,
        cost_category,
        {{ money('sum(payroll_cost_usd)') }} as payroll_cost_usd,
        {{ money('sum(ledger_cost_usd)') }} as ledger_cost_usd,
        {{ money('sum(ai_tooling_cost_usd)') }} as ai_tooling_cost_usd
    from unioned
    group by month, function, cost_category
)

select * from final
