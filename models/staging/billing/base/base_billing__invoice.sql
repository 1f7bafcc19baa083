{%- set statuses = ['draft', 'open', 'paid', 'void', 'uncollectible'] -%}
with

source as (
    select * from {{ raw_table('billing', 'invoice') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

currencies as (
    select * from {{ ref('stg_finance__currencies') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('billing', 'invoice')) }},
        {{ clean_text('id') }} as invoice_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('subscription_id') }} as subscription_id,
        {{ clean_text('number') }} as invoice_number,
        {{ enum_value('status', statuses) }} as status,
        upper({{ clean_text('currency_code') }}) as currency_code,
        {{ to_type('invoice_date', 'date') }} as invoice_date,
        {{ to_type('subtotal', 'decimal(18,2)') }} as subtotal,
        {{ to_type('discount_total', 'decimal(18,2)') }} as discount_total,
        {{ to_type('tax_total', 'decimal(18,2)') }} as tax_total,
        {{ to_type('total', 'decimal(18,2)') }} as total,
        case
            when {{ clean_text('status') }} is null then 'missing_status'
            when {{ is_invalid_enum('status', statuses) }} then 'invalid_status'
            when {{ clean_text('invoice_date') }} is null then 'missing_invoice_date'
            when {{ is_unparseable('invoice_date', 'date') }} then 'unparseable_invoice_date'
            when {{ is_unparseable('subtotal', 'decimal(18,2)') }} then 'unparseable_subtotal'
            when {{ is_unparseable('discount_total', 'decimal(18,2)') }} then 'unparseable_discount_total'
            when {{ is_unparseable('tax_total', 'decimal(18,2)') }} then 'unparseable_tax_total'
            when {{ is_unparseable('total', 'decimal(18,2)') }} then 'unparseable_total'
            when {{ clean_text('customer_id') }} is null then 'missing_customer_id'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case when customers.customer_id is null then 'orphan_customer_id' end,
            {{ currency_reason('parsed.currency_code') }},
            case when parsed.currency_code <> customers.currency_code then 'currency_mismatch' end
        ) as _row_reason
    from parsed
    left join customers
        on parsed.customer_id = customers.customer_id
    left join currencies
        on parsed.currency_code = currencies.currency_code
),

{{ dispose('checked') }}
