with

base as (
    select * from {{ ref('base_hr__employment_status') }}
),

final as (
    select
        employment_status_id,
        employee_id,
        effective_date,
        status,
        employment_type,
        fte,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
