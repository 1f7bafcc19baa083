with

source as (
    select * from {{ raw_table('billing', 'invoice_line_item') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

prices as (
    select * from {{ ref('stg_billing__prices') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('billing', 'invoice_line_item')) }},
        {{ clean_text('id') }} as invoice_line_item_id,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('price_id') }} as price_id,
        {{ enum_value('line_type', ['subscription', 'one_time']) }} as line_type,
        {{ clean_text('description') }} as description,
        {{ to_type('quantity', 'integer') }} as quantity,
        {{ to_type('amount', 'decimal(18,2)') }} as amount,
        coalesce({{ to_type('discount_amount', 'decimal(18,2)') }}, 0) as discount_amount,
        {{ to_type('period_start', 'date') }} as period_start,
        {{ to_type('period_end', 'date') }} as period_end,
        coalesce({{ parse_bool('is_proration') }}, false) as is_proration,
        case
            when {{ clean_text('invoice_id') }} is null then 'missing_invoice_id'
            when {{ clean_text('line_type') }} is null then 'missing_line_type'
            when {{ is_invalid_enum('line_type', ['subscription', 'one_time']) }} then 'invalid_line_type'
            when {{ clean_text('amount') }} is null then 'missing_amount'
            when {{ is_unparseable('amount', 'decimal(18,2)') }} then 'unparseable_amount'
            when {{ is_unparseable('discount_amount', 'decimal(18,2)') }} then 'unparseable_discount_amount'
            when {{ is_unparseable('quantity', 'integer') }} then 'unparseable_quantity'
            when {{ is_unparseable('period_start', 'date') }} then 'unparseable_period_start'
            when {{ is_unparseable('period_end', 'date') }} then 'unparseable_period_end'
            when {{ clean_text('is_proration') }} is not null and {{ parse_bool('is_proration') }} is null
                then 'unparseable_is_proration'
            when {{ to_type('discount_amount', 'decimal(18,2)') }} < 0 then 'negative_discount'
            when
                {{ to_type('amount', 'decimal(18,2)') }} > 0
                and {{ to_type('discount_amount', 'decimal(18,2)') }} > {{ to_type('amount', 'decimal(18,2)') }}
                then 'discount_exceeds_amount'
            when {{ enum_key('line_type') }} = 'subscription' and {{ clean_text('price_id') }} is null
                then 'missing_price_id'
            when {{ enum_key('line_type') }} = 'subscription' and {{ clean_text('period_start') }} is null
                then 'missing_period_start'
            when {{ enum_key('line_type') }} = 'subscription' and {{ clean_text('period_end') }} is null
                then 'missing_period_end'
            when {{ enum_key('line_type') }} = 'subscription' and coalesce({{ to_type('quantity', 'integer') }}, 0) <= 0
                then 'non_positive_quantity'
            {#- a one-time line is revenue of its invoice date whatever period it carries (Stripe's invoice
                items have an instant one, start = end): only a subscription line's period must be a span -#}
            when
                {{ enum_key('line_type') }} = 'subscription'
                and {{ to_type('period_end', 'date') }} <= {{ to_type('period_start', 'date') }}
                then 'invalid_period'
            {#- a negative subscription line credits something: only a proration credit says what (the period
                of its subscription it gives back); any other would read as a churn and a reactivation -#}
            when
                {{ enum_key('line_type') }} = 'subscription'
                and {{ to_type('amount', 'decimal(18,2)') }} < 0
                and not coalesce({{ parse_bool('is_proration') }}, false)
                then 'negative_line_without_credit_target'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case
                when invoices.invoice_id is null then 'orphan_invoice_id'
                when parsed.price_id is not null and prices.price_id is null then 'orphan_price_id'
                {#- a one-time price carries no interval, so no MRR: a subscription line cannot use it -#}
                when parsed.line_type = 'subscription' and prices.price_type = 'one_time'
                    then 'one_time_price_on_subscription_line'
            end
        ) as _row_reason
    from parsed
    left join invoices
        on parsed.invoice_id = invoices.invoice_id
    left join prices
        on parsed.price_id = prices.price_id
),

{{ dispose('checked') }}
