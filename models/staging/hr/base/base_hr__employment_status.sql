{%- set statuses = ['active', 'leave', 'terminated'] -%}
{%- set employment_types = ['full_time', 'part_time', 'contractor', 'intern'] -%}
with

source as (
    select * from {{ raw_table('hr', 'employment_status') }}
),

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('hr', 'employment_status')) }},
        {{ clean_text('id') }} as employment_status_id,
        {{ clean_text('employee_id') }} as employee_id,
        {{ to_type('effective_date', 'date') }} as effective_date,
        {{ enum_value('status', statuses) }} as status,
        {{ enum_value('employment_type', employment_types) }} as employment_type,
        {{ to_type('fte', 'decimal(4,2)') }} as fte,
        case
            when {{ clean_text('employee_id') }} is null then 'missing_employee_id'
            when {{ clean_text('effective_date') }} is null then 'missing_effective_date'
            when {{ is_unparseable('effective_date', 'date') }} then 'unparseable_effective_date'
            when {{ clean_text('status') }} is null then 'missing_status'
            when {{ is_invalid_enum('status', statuses) }} then 'invalid_status'
            when {{ clean_text('employment_type') }} is null then 'missing_employment_type'
            when {{ is_invalid_enum('employment_type', employment_types) }} then 'invalid_employment_type'
            when {{ is_unparseable('fte', 'decimal(4,2)') }} then 'unparseable_fte'
            when
                {{ enum_key('status') }} in ('active', 'leave')
                and not coalesce(
                    {{ to_type('fte', 'decimal(4,2)') }} > 0 and {{ to_type('fte', 'decimal(4,2)') }} <= 1, false
                )
                then 'fte_out_of_range'
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
