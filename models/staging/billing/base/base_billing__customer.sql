with

source as (
    select * from {{ raw_table('billing', 'customer') }}
),

currencies as (
    select * from {{ ref('stg_finance__currencies') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', raw=('billing', 'customer')) }},
        {{ clean_text('id') }} as customer_id,
        {{ clean_text('name') }} as customer_name,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('crm_account_id') }} as crm_account_id,
        upper({{ clean_text('currency_code') }}) as currency_code,
        {{ to_type('created_at', 'timestamp') }} as created_at,
        case
            when {{ is_unparseable('created_at', 'timestamp') }} then 'unparseable_created_at'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case
                when parsed.currency_code is null then 'missing_currency_code'
                when currencies.currency_code is null then 'unknown_currency'
            end
        ) as _row_reason
    from parsed
    left join currencies
        on parsed.currency_code = currencies.currency_code
),

{{ dispose('checked') }}
