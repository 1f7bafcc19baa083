with

source as (
    select * from {{ raw_table('hr', 'job_history') }}
),

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('hr', 'job_history')) }},
        {{ clean_text('id') }} as job_history_id,
        {{ clean_text('employee_id') }} as employee_id,
        {{ to_type('effective_date', 'date') }} as effective_date,
        {{ clean_text('department') }} as department,
        {{ clean_text('job_title') }} as job_title,
        {{ clean_text('role_family') }} as role_family,
        {{ clean_text('manager_employee_id') }} as manager_employee_id,
        case
            when {{ clean_text('employee_id') }} is null then 'missing_employee_id'
            when {{ clean_text('effective_date') }} is null then 'missing_effective_date'
            when {{ is_unparseable('effective_date', 'date') }} then 'unparseable_effective_date'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case when employees.employee_id is null then 'orphan_employee_id' end
        ) as _row_reason
    from parsed
    left join employees
        on parsed.employee_id = employees.employee_id
),

{{ dispose('checked', conflict_key=['employee_id', 'effective_date']) }}
