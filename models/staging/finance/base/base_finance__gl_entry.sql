with

source as (
    select * from {{ raw_table('finance', 'gl_entry') }}
),

currencies as (
    select * from {{ ref('stg_finance__currencies') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('finance', 'gl_entry')) }},
        {{ clean_text('id') }} as gl_entry_id,
        {{ to_type('posted_date', 'date') }} as posted_date,
        {{ clean_text('account_code') }} as account_code,
        {{ clean_text('account_name') }} as account_name,
        {{ clean_text('department') }} as department,
        {{ to_type('amount', 'decimal(18,2)') }} as amount,
        upper({{ clean_text('currency_code') }}) as currency_code,
        {{ clean_text('vendor') }} as vendor,
        case
            when {{ clean_text('posted_date') }} is null then 'missing_posted_date'
            when {{ is_unparseable('posted_date', 'date') }} then 'unparseable_posted_date'
            when {{ clean_text('account_code') }} is null then 'missing_account_code'
            when {{ clean_text('amount') }} is null then 'missing_amount'
            when {{ is_unparseable('amount', 'decimal(18,2)') }} then 'unparseable_amount'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            {{ currency_reason('parsed.currency_code') }}
        ) as _row_reason
    from parsed
    left join currencies
        on parsed.currency_code = currencies.currency_code
),

{{ dispose('checked') }}
