{#-
    A price without a billing interval is a one-time price (price_type one_time: a setup fee, an onboarding
    package, Stripe's type one_time): valid for one-time invoice lines, never for a subscription line
    (docs/metrics.md, "One-time lines"); its interval_count is meaningless and null. A recurring price
    needs a month or year interval and an interval count >= 1.
-#}
with

source as (
    select * from {{ raw_table('billing', 'price') }}
),

currencies as (
    select * from {{ ref('stg_finance__currencies') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('billing', 'price')) }},
        {{ clean_text('id') }} as price_id,
        {{ clean_text('product_id') }} as product_id,
        upper({{ clean_text('currency_code') }}) as currency_code,
        {{ to_type('unit_amount', 'decimal(18,2)') }} as unit_amount,
        {{ enum_value('billing_interval', ['month', 'year']) }} as billing_interval,
        case
            when {{ clean_text('billing_interval') }} is not null then {{ to_type('interval_count', 'integer') }}
        end as interval_count,
        case when {{ clean_text('billing_interval') }} is null then 'one_time' else 'recurring' end as price_type,
        case
            when {{ enum_key('billing_interval') }} in ('week', 'day') then 'unsupported_interval'
            when {{ is_invalid_enum('billing_interval', ['month', 'year']) }} then 'invalid_billing_interval'
            when {{ clean_text('billing_interval') }} is not null and {{ clean_text('interval_count') }} is null
                then 'missing_interval_count'
            when {{ clean_text('billing_interval') }} is not null and {{ is_unparseable('interval_count', 'integer') }}
                then 'unparseable_interval_count'
            when {{ clean_text('billing_interval') }} is not null and {{ to_type('interval_count', 'integer') }} < 1
                then 'invalid_interval_count'
            when {{ is_unparseable('unit_amount', 'decimal(18,2)') }} then 'unparseable_unit_amount'
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
