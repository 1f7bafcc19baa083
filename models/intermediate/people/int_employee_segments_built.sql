{#-
    Effective-dated HR history as segments: one row per employee and stretch of days [segment_start,
    segment_end) in which the employment status, the job and the pay are all unchanged. Boundaries are
    every effective date of the three histories (plus the first day after the as_of month, which closes
    open stretches: the as_of month is evaluated whole, from the rows loaded, like its revenue and MRR);
    the state of a segment is the latest row of each history with effective_date <= its
    start (docs/metrics.md, "Headcount and people cost"). A segment is counted when the status is active
    or leave and the employment type is full_time or part_time (contractor and intern too when the var
    include_contractors is true).
-#}
with

employment_status as (
    select * from {{ ref('stg_hr__employment_status') }}
),

job_history as (
    select * from {{ ref('stg_hr__job_history') }}
),

compensation as (
    select * from {{ ref('stg_hr__compensation') }}
),

department_functions as (
    select * from {{ ref('department_functions') }}
),

role_types as (
    select * from {{ ref('role_types') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

status_intervals as (
    select
        employee_id,
        effective_date as valid_from,
        {{ valid_until('effective_date', 'employee_id') }} as valid_to,
        status,
        employment_type,
        fte
    from employment_status
),

job_intervals as (
    select
        employee_id,
        effective_date as valid_from,
        {{ valid_until('effective_date', 'employee_id') }} as valid_to,
        department,
        role_family
    from job_history
),

pay_intervals as (
    select
        employee_id,
        effective_date as valid_from,
        {{ valid_until('effective_date', 'employee_id') }} as valid_to,
        annual_base_salary,
        currency_code as salary_currency_code
    from compensation
),

boundaries as (
    select
        employee_id,
        valid_from as boundary_date
    from status_intervals
    union
    select
        employee_id,
        valid_from as boundary_date
    from job_intervals
    union
    select
        employee_id,
        valid_from as boundary_date
    from pay_intervals
    union
    select
        status_intervals.employee_id,
        cast({{ dbt.dateadd('month', 1, 'as_of.as_of_month') }} as date) as boundary_date
    from status_intervals
    cross join as_of
),

segments as (
    select
        boundaries.employee_id,
        boundaries.boundary_date as segment_start,
        lead(boundaries.boundary_date) over (
            partition by boundaries.employee_id
            order by boundaries.boundary_date
        ) as segment_end
    from boundaries
    cross join as_of
    where boundaries.boundary_date <= cast({{ dbt.dateadd('month', 1, 'as_of.as_of_month') }} as date)
),

with_state as (
    select
        segments.employee_id,
        segments.segment_start,
        segments.segment_end,
        status_intervals.status,
        status_intervals.employment_type,
        status_intervals.fte,
        job_intervals.department,
        job_intervals.role_family,
        pay_intervals.annual_base_salary,
        pay_intervals.salary_currency_code
    from segments
    left join status_intervals
        on
            segments.employee_id = status_intervals.employee_id
            and segments.segment_start >= status_intervals.valid_from
            and segments.segment_start < status_intervals.valid_to
    left join job_intervals
        on
            segments.employee_id = job_intervals.employee_id
            and segments.segment_start >= job_intervals.valid_from
            and segments.segment_start < job_intervals.valid_to
    left join pay_intervals
        on
            segments.employee_id = pay_intervals.employee_id
            and segments.segment_start >= pay_intervals.valid_from
            and segments.segment_start < pay_intervals.valid_to
    where segments.segment_end is not null
),

final as (
    select
        with_state.employee_id,
        with_state.segment_start,
        with_state.segment_end,
        with_state.status,
        with_state.employment_type,
        with_state.fte,
        with_state.department,
        with_state.role_family,
        with_state.annual_base_salary,
        with_state.salary_currency_code,
        coalesce(department_functions.function, 'unmapped') as function,
        coalesce(role_types.role_type, 'other') as role_type,
        coalesce(
            with_state.status in ('active', 'leave')
            and (
                with_state.employment_type in ('full_time', 'part_time')
                {%- if var('include_contractors') %}
                or with_state.employment_type in ('contractor', 'intern')
                {%- endif %}
            ),
            false
        ) as is_counted
    from with_state
    left join department_functions
        on lower(trim(with_state.department)) = lower(trim(department_functions.department))
    left join role_types
        on lower(trim(with_state.role_family)) = lower(trim(role_types.role_family))
)

select * from final
