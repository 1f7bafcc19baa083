with

source as (
    select * from {{ source('finance', 'fx_rate') }}
),

parsed as (
    select
        {{ raw_metadata(
            'source', "currency_code || '|' || rate_month", has_deleted_flag=false, raw=('finance', 'fx_rate')
        ) }},
        upper({{ clean_text('currency_code') }}) as currency_code,
        {{ to_type('rate_month', 'date') }} as rate_month,
        {{ to_type('usd_per_unit', 'decimal(18,8)') }} as usd_per_unit,
        case
            when {{ clean_text('currency_code') }} is null or {{ clean_text('rate_month') }} is null
                then 'missing_primary_key'
            when length({{ clean_text('currency_code') }}) <> 3 then 'invalid_currency_code'
            when {{ is_unparseable('rate_month', 'date') }} then 'unparseable_rate_month'
            when {{ to_type('rate_month', 'date') }} <> {{ dbt.date_trunc('month', to_type('rate_month', 'date')) }}
                then 'rate_month_not_first_day'
            when {{ clean_text('usd_per_unit') }} is null then 'missing_usd_per_unit'
            when {{ is_unparseable('usd_per_unit', 'decimal(18,8)') }} then 'unparseable_usd_per_unit'
            when {{ to_type('usd_per_unit', 'decimal(18,8)') }} <= 0 then 'non_positive_usd_per_unit'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
