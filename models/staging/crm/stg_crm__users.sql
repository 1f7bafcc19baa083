with

base as (
    select * from {{ ref('base_crm__user') }}
),

final as (
    select
        user_id,
        user_name,
        email,
        employee_id,
        is_active,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
