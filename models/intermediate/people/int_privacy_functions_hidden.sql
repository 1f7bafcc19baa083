{#-
    The hidden function rows of each month (docs/metrics.md, "Privacy", rules 1 and 2), with k = var
    min_group_size and n(f) the distinct employees counted in function f in the month:
      1. primary: a function row with 0 < n(f) < k is hidden (a row with nobody shows its zeros);
      2. complementary: while the hidden set H holds exactly one row, or fewer than k people, one more
         function row with people joins H: first those whose cost feeds no published aggregate but the
         company total (their category has no aggregate of its own, see published_categories), then
         any; within each group the fewest employees, then the name.
    Functions and their categories come from seed function_cost_categories (plus `unmapped`); none is
    written here. int_cost_privacy_evaluated applies rule 3 to every published aggregate.
-#}
{%- set k = var('min_group_size') -%}
{#- categories with a published cost aggregate of their own (fct_unit_economics: cogs, sales & marketing) -#}
{%- set published_categories = "'cogs', 'sales_marketing'" -%}
with

employee_functions as (
    select * from {{ ref('int_employee_months_counted') }}
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

function_cost_categories as (
    select * from {{ ref('function_cost_categories') }}
),

functions as (
    select
        function,
        cost_category
    from function_cost_categories
    union
    select distinct
        'unmapped' as function,
        'unmapped' as cost_category
    from employee_functions
    where function = 'unmapped'
),

function_people as (
    select
        spine.month,
        functions.function,
        functions.cost_category,
        count(distinct employee_functions.employee_id) as employees_counted
    from spine
    cross join functions
    left join employee_functions
        on
            spine.month = employee_functions.month
            and functions.function = employee_functions.function
    group by spine.month, functions.function, functions.cost_category
),

primary_hidden as (
    select
        *,
        employees_counted > 0 and employees_counted < {{ k }} as is_primary_hidden
    from function_people
),

primary_counts as (
    select
        month,
        count(case when is_primary_hidden then 1 end) as primary_rows
    from primary_hidden
    group by month
),

-- visible rows with people, in the order they would join H
candidates as (
    select
        month,
        function,
        row_number() over (
            partition by month
            order by
                case when cost_category in ({{ published_categories }}) then 1 else 0 end,
                employees_counted,
                function
        ) as complement_rank
    from primary_hidden
    where not is_primary_hidden and employees_counted > 0
),

-- step r of the loop: H = the primary rows plus the first r candidates
steps as (
    select
        primary_counts.month,
        0 as step
    from primary_counts
    where primary_counts.primary_rows > 0
    union all
    select
        candidates.month,
        candidates.complement_rank as step
    from candidates
    inner join primary_counts
        on candidates.month = primary_counts.month
    where primary_counts.primary_rows > 0
),

step_people as (
    select
        steps.month,
        steps.step,
        max(primary_counts.primary_rows) + steps.step as hidden_rows,
        count(distinct employee_functions.employee_id) as hidden_people
    from steps
    inner join primary_counts
        on steps.month = primary_counts.month
    inner join employee_functions
        on steps.month = employee_functions.month
    left join primary_hidden
        on
            employee_functions.month = primary_hidden.month
            and employee_functions.function = primary_hidden.function
    left join candidates
        on
            employee_functions.month = candidates.month
            and employee_functions.function = candidates.function
    where primary_hidden.is_primary_hidden or candidates.complement_rank <= steps.step
    group by steps.month, steps.step
),

-- the first step at which H has two rows and k people; when none does, every candidate joins
chosen_step as (
    select
        month,
        coalesce(
            min(case when hidden_rows >= 2 and hidden_people >= {{ k }} then step end),
            max(step)
        ) as step
    from step_people
    group by month
),

hidden_functions as (
    select
        primary_hidden.month,
        primary_hidden.function,
        primary_hidden.cost_category,
        primary_hidden.employees_counted,
        primary_hidden.is_primary_hidden,
        coalesce(candidates.complement_rank <= chosen_step.step, false) as is_complement_hidden
    from primary_hidden
    left join candidates
        on
            primary_hidden.month = candidates.month
            and primary_hidden.function = candidates.function
    left join chosen_step
        on primary_hidden.month = chosen_step.month
),

final as (
    select
        month,
        function,
        cost_category,
        cast(employees_counted as integer) as employees_counted,
        is_primary_hidden,
        is_complement_hidden,
        is_primary_hidden or is_complement_hidden as is_hidden
    from hidden_functions
)

select * from final
