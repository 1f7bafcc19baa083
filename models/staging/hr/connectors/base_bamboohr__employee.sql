{#- BambooHR employees as raw_hr.employee (docs/connectors.md, "BambooHR"); a deleted employee is soft-deleted. -#}
{{ config(enabled=connector_enabled('hr_source', 'bamboohr')) }}
with

employees as (
    select * from {{ source('bamboohr', 'employee') }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('employee_number') }} as employee_number,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        {{ clean_text('work_email') }} as work_email,
        {{ clean_text('country') }} as country_code,
        {{ clean_text('_fivetran_deleted') }} as _is_deleted,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from employees
)

select * from final
