{#-
    One row per employee (ever employed, not deleted): current (or last) department, function, role
    type and employment type, first hire date, last termination date, tenure and whether counted now.
    Tenure is the number of days employed (status active or leave) up to as_of_date, across rehires.
    No names, no pay: personal data stays in staging.
-#}
with

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

segments as (
    select * from {{ ref('int_employee_segments_built') }}
),

employment_status as (
    select * from {{ ref('stg_hr__employment_status') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

latest_segment as (
    select
        employee_id,
        department,
        function,
        role_family,
        role_type,
        employment_type,
        status,
        is_counted,
        row_number() over (partition by employee_id order by segment_start desc) as recency
    from segments
),

status_dates as (
    select
        employment_status.employee_id,
        min(case when employment_status.status in ('active', 'leave') then employment_status.effective_date end)
            as first_hire_date,
        max(case when employment_status.status = 'terminated' then employment_status.effective_date end)
            as last_termination_date
    from employment_status
    cross join as_of
    where employment_status.effective_date <= as_of.as_of_date
    group by employment_status.employee_id
),

employed_days as (
    select
        segments.employee_id,
        sum(
            case
                when segments.status in ('active', 'leave')
                    then {{ dbt.datediff('segments.segment_start', 'segments.segment_end', 'day') }}
                else 0
            end
        ) as employed_days
    from segments
    group by segments.employee_id
),

final as (
    select
        employees.employee_id,
        employees.employee_number,
        employees.country_code,
        latest_segment.department,
        latest_segment.function,
        latest_segment.role_family,
        latest_segment.role_type,
        latest_segment.employment_type,
        latest_segment.status as current_status,
        status_dates.first_hire_date,
        status_dates.last_termination_date,
        coalesce(latest_segment.is_counted, false) as is_counted_now,
        cast(coalesce(employed_days.employed_days, 0) as integer) as tenure_days
    from employees
    left join latest_segment
        on
            employees.employee_id = latest_segment.employee_id
            and latest_segment.recency = 1
    left join status_dates
        on employees.employee_id = status_dates.employee_id
    left join employed_days
        on employees.employee_id = employed_days.employee_id
)

select * from final
