with

source as (
    select * from {{ raw_table('hr', 'compensation') }}
),

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

currencies as (
    select * from {{ ref('stg_finance__currencies') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('hr', 'compensation')) }},
        {{ clean_text('id') }} as compensation_id,
        {{ clean_text('employee_id') }} as employee_id,
        {{ to_type('effective_date', 'date') }} as effective_date,
        {{ to_type('annual_base_salary', 'decimal(18,2)') }} as annual_base_salary,
        upper({{ clean_text('currency_code') }}) as currency_code,
        case
            when {{ clean_text('employee_id') }} is null then 'missing_employee_id'
            when {{ clean_text('effective_date') }} is null then 'missing_effective_date'
            when {{ is_unparseable('effective_date', 'date') }} then 'unparseable_effective_date'
            when {{ clean_text('annual_base_salary') }} is null then 'missing_annual_base_salary'
            when {{ is_unparseable('annual_base_salary', 'decimal(18,2)') }} then 'unparseable_annual_base_salary'
            when {{ to_type('annual_base_salary', 'decimal(18,2)') }} < 0 then 'negative_annual_base_salary'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case when employees.employee_id is null then 'orphan_employee_id' end,
            {{ currency_reason('parsed.currency_code') }}
        ) as _row_reason
    from parsed
    left join employees
        on parsed.employee_id = employees.employee_id
    left join currencies
        on parsed.currency_code = currencies.currency_code
),

{{ dispose('checked', conflict_key=['employee_id', 'effective_date']) }}
