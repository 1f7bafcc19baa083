with

source as (
    select * from {{ raw_table('billing', 'refund') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

currencies as (
    select * from {{ ref('stg_finance__currencies') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('billing', 'refund')) }},
        {{ clean_text('id') }} as refund_id,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ to_type('amount', 'decimal(18,2)') }} as amount,
        upper({{ clean_text('currency_code') }}) as currency_code,
        {{ to_type('refunded_at', 'timestamp') }} as refunded_at,
        {{ clean_text('reason') }} as reason,
        case
            when {{ clean_text('invoice_id') }} is null then 'missing_invoice_id'
            when {{ clean_text('amount') }} is null then 'missing_amount'
            when {{ is_unparseable('amount', 'decimal(18,2)') }} then 'unparseable_amount'
            when {{ to_type('amount', 'decimal(18,2)') }} <= 0 then 'non_positive_amount'
            when {{ clean_text('refunded_at') }} is null then 'missing_refunded_at'
            when {{ is_unparseable('refunded_at', 'timestamp') }} then 'unparseable_refunded_at'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case when invoices.invoice_id is null then 'orphan_invoice_id' end,
            {{ currency_reason('parsed.currency_code') }}
        ) as _row_reason
    from parsed
    left join invoices
        on parsed.invoice_id = invoices.invoice_id
    left join currencies
        on parsed.currency_code = currencies.currency_code
),

{{ dispose('checked') }}
