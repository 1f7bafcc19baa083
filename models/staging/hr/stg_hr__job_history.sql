with

base as (
    select * from {{ ref('base_hr__job_history') }}
),

final as (
    select
        job_history_id,
        employee_id,
        effective_date,
        department,
        job_title,
        role_family,
        manager_employee_id,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
