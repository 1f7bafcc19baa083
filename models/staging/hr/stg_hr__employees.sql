with

base as (
    select * from {{ ref('base_hr__employee') }}
),

final as (
    select
        employee_id,
        employee_number,
        first_name,
        last_name,
        work_email,
        country_code,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
