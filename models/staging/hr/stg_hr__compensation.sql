with

base as (
    select * from {{ ref('base_hr__compensation') }}
),

final as (
    select
        compensation_id,
        employee_id,
        effective_date,
        annual_base_salary,
        currency_code,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
