{#-
    The privacy policy, computed once (docs/metrics.md, "Privacy"): for every month of the reporting
    window, which published cost aggregates must hide their payroll part. k = var min_group_size and
    n(S) = distinct employees counted on at least one day of the month in any function of S.
      1. primary: a function row with 0 < n(f) < k is hidden (a row with nobody shows its zeros);
      2. complementary: while the hidden set H holds exactly one row, or fewer than k people, one more
         function row with people joins H: first those whose cost feeds no published aggregate but the
         company total (their category has no aggregate of its own, see published_categories), then
         any; within each group the fewest employees, then the name;
      3. an aggregate over the functions S is hidden when S and H overlap without S holding all of H, or
         when 0 < n(S) < k. Aggregates: each function row, each cost category of seed
         function_cost_categories (cogs and sales & marketing are published), and the company (`all`).
    Marts read this model and hide what it says (rule 4, windows over months, is applied where the
    window sums are built). No function list is written here: functions and categories come from the seed.
-#}
{%- set k = var('min_group_size') -%}
{#- categories with a published cost aggregate of their own (fct_unit_economics: cogs, sales & marketing) -#}
{%- set published_categories = "'cogs', 'sales_marketing'" -%}
with

segments as (
    select * from {{ ref('int_employee_segments_built') }}
    where is_counted
),

spine as (
    select * from {{ ref('int_month_spine') }}
),

function_cost_categories as (
    select * from {{ ref('function_cost_categories') }}
),

employee_functions as (
    select distinct
        spine.month,
        segments.employee_id,
        segments.function
    from segments
    inner join spine
        on
            segments.segment_start <= spine.month_end
            and segments.segment_end > spine.month
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

-- aggregates: each function, each category, the company; S's members and n(S)
members as (
    select
        month,
        'function' as aggregate_type,
        function as aggregate_name,
        function
    from hidden_functions
    union all
    select
        month,
        'cost_category' as aggregate_type,
        cost_category as aggregate_name,
        function
    from hidden_functions
    union all
    select
        month,
        'company' as aggregate_type,
        'all' as aggregate_name,
        function
    from hidden_functions
),

aggregate_people as (
    select
        members.month,
        members.aggregate_type,
        members.aggregate_name,
        count(distinct employee_functions.employee_id) as employees_counted
    from members
    left join employee_functions
        on
            members.month = employee_functions.month
            and members.function = employee_functions.function
    group by members.month, members.aggregate_type, members.aggregate_name
),

aggregate_overlap as (
    select
        members.month,
        members.aggregate_type,
        members.aggregate_name,
        count(case when hidden_functions.is_primary_hidden or hidden_functions.is_complement_hidden then 1 end)
            as hidden_members,
        max(case when hidden_functions.is_primary_hidden then 1 else 0 end) as has_primary,
        max(case when hidden_functions.is_complement_hidden then 1 else 0 end) as has_complement
    from members
    inner join hidden_functions
        on
            members.month = hidden_functions.month
            and members.function = hidden_functions.function
    group by members.month, members.aggregate_type, members.aggregate_name
),

month_hidden as (
    select
        month,
        count(case when is_primary_hidden or is_complement_hidden then 1 end) as hidden_rows
    from hidden_functions
    group by month
),

final as (
    select
        aggregate_overlap.month,
        aggregate_overlap.aggregate_type,
        aggregate_overlap.aggregate_name,
        cast(aggregate_people.employees_counted as integer) as employees_counted,
        cast(month_hidden.hidden_rows as integer) as hidden_function_rows,
        cast({{ k }} as integer) as min_group_size,
        aggregate_overlap.aggregate_type = 'function' and aggregate_overlap.has_primary = 1 as is_primary_hidden,
        aggregate_overlap.aggregate_type = 'function' and aggregate_overlap.has_complement = 1
            as is_complement_hidden,
        (
            aggregate_overlap.hidden_members > 0
            and aggregate_overlap.hidden_members < month_hidden.hidden_rows
        ) as splits_hidden_set,
        (
            aggregate_overlap.hidden_members > 0
            and aggregate_overlap.hidden_members < month_hidden.hidden_rows
        )
        or (aggregate_people.employees_counted > 0 and aggregate_people.employees_counted < {{ k }})
        or (aggregate_overlap.aggregate_type = 'function' and aggregate_overlap.hidden_members > 0)
            as is_hidden
    from aggregate_overlap
    inner join aggregate_people
        on
            aggregate_overlap.month = aggregate_people.month
            and aggregate_overlap.aggregate_type = aggregate_people.aggregate_type
            and aggregate_overlap.aggregate_name = aggregate_people.aggregate_name
    inner join month_hidden
        on aggregate_overlap.month = month_hidden.month
)

select * from final
