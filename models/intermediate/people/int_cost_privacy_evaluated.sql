{#-
    The privacy policy's answer for every published cost aggregate (docs/metrics.md, "Privacy", rule 3):
    one row per month of the reporting window and aggregate (each function, each cost category of seed
    function_cost_categories, and the company `all`) saying whether its payroll part is hidden: when it
    holds part of the month's hidden function rows H (int_privacy_functions_hidden) but not all of them,
    or when 0 < n(S) < k (k = var min_group_size, n(S) the distinct employees counted in any function of
    S: a transfer within S counts once). Every mart reads this model; none decides privacy itself. Rule 4
    (figures summed over months) is applied where the window sums are built.
-#}
{%- set k = var('min_group_size') -%}
with

hidden_functions as (
    select * from {{ ref('int_privacy_functions_hidden') }}
),

employee_functions as (
    select * from {{ ref('int_employee_months_counted') }}
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
        count(case when hidden_functions.is_hidden then 1 end) as hidden_members,
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
        count(case when is_hidden then 1 end) as hidden_rows
    from hidden_functions
    group by month
),

evaluated as (
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
        aggregate_overlap.hidden_members > 0
        and aggregate_overlap.hidden_members < month_hidden.hidden_rows as splits_hidden_set,
        aggregate_overlap.aggregate_type = 'function' and aggregate_overlap.hidden_members > 0 as is_hidden_function
    from aggregate_overlap
    inner join aggregate_people
        on
            aggregate_overlap.month = aggregate_people.month
            and aggregate_overlap.aggregate_type = aggregate_people.aggregate_type
            and aggregate_overlap.aggregate_name = aggregate_people.aggregate_name
    inner join month_hidden
        on aggregate_overlap.month = month_hidden.month
),

final as (
    select
        month,
        aggregate_type,
        aggregate_name,
        employees_counted,
        hidden_function_rows,
        min_group_size,
        is_primary_hidden,
        is_complement_hidden,
        splits_hidden_set,
        splits_hidden_set
        or (employees_counted > 0 and employees_counted < min_group_size)
        or is_hidden_function as is_hidden
    from evaluated
)

select * from final
