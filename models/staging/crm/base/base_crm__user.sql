with

source as (
    select * from {{ raw_table('crm', 'user') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('crm', 'user')) }},
        {{ clean_text('id') }} as user_id,
        {{ clean_text('name') }} as user_name,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('employee_id') }} as employee_id,
        coalesce({{ parse_bool('is_active') }}, true) as is_active,
        case
            when {{ clean_text('is_active') }} is not null and {{ parse_bool('is_active') }} is null
                then 'unparseable_is_active'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
