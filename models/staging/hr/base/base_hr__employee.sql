with

source as (
    select * from {{ raw_table('hr', 'employee') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', raw=('hr', 'employee')) }},
        {{ clean_text('id') }} as employee_id,
        {{ clean_text('employee_number') }} as employee_number,
        {{ clean_text('first_name') }} as first_name,
        {{ clean_text('last_name') }} as last_name,
        lower({{ clean_text('work_email') }}) as work_email,
        upper({{ clean_text('country_code') }}) as country_code,
        cast(null as {{ dbt.type_string() }}) as _row_reason
    from source
),

{{ dispose('parsed') }}
