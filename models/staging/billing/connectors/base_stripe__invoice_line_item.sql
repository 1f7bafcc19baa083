{#-
    Stripe invoice lines as raw_billing.invoice_line_item (docs/connectors.md, "Stripe"): a line of type
    subscription is a subscription line; so is an invoice item of a subscription that is a proration or
    whose price is recurring (prorations are invoice items), or whose price the price table lacks (staging
    then quarantines it, orphan_price_id, rather than count it as a fee). Every other line is one-time: an
    invoice item without a subscription, or with a one-time price (a setup fee added to a subscription's
    invoice); its instant period (start = end) passes as it is (docs/metrics.md, "One-time lines"). The
    price is price_id, else the legacy plan_id (plans are always recurring). The discount
    is the sum of the discount rows landed for the line (type invoice_line_item); amounts from minor to
    major units in the line's currency (its invoice's when the line has none); the period timestamps
    become dates (the end stays exclusive).
-#}
{{ config(enabled=connector_enabled('billing_source', 'stripe')) }}
{%- set plans = var('stripe_price_table', 'price') == 'plan' %}
with

lines as (
    select * from {{ source('stripe', 'invoice_line_item') }}
),

invoices as (
    select * from {{ source('stripe', 'invoice') }}
),

discounts as (
    select * from {{ source('stripe', 'discount') }}
),

prices as (
    select
        {{ clean_text('id') }} as price_id,
        {{ clean_text('interval' if plans else 'recurring_interval') }} as recurring_interval
    from {{ source('stripe', 'plan' if plans else 'price') }}
),

line_discounts as (
    select
        {{ clean_text('type_id') }} as line_id,
        sum({{ to_type('amount', 'decimal(18,0)') }}) as discount_minor
    from discounts
    where lower({{ clean_text('type') }}) in ('invoice_line_item', 'line_item')
    group by {{ clean_text('type_id') }}
),

joined as (
    select
        lines.*,
        coalesce({{ clean_text('lines.currency') }}, {{ clean_text('invoices.currency') }}) as _currency,
        line_discounts.discount_minor,
        prices.price_id as _known_price_id,
        prices.recurring_interval as _price_interval
    from lines
    left join invoices
        on lines.invoice_id = invoices.id
    left join line_discounts
        on {{ clean_text('lines.id') }} = line_discounts.line_id
    left join prices
        on coalesce({{ clean_text('lines.price_id') }}, {{ clean_text('lines.plan_id') }}) = prices.price_id
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ clean_text('subscription_id') }} as subscription_id,
        coalesce({{ clean_text('price_id') }}, {{ clean_text('plan_id') }}) as price_id,
        case
            when lower({{ clean_text('type') }}) = 'subscription' then 'subscription'
            when {{ clean_text('subscription_id') }} is null then 'one_time'
            when coalesce({{ parse_bool('proration') }}, false) then 'subscription'
            when coalesce({{ clean_text('price_id') }}, {{ clean_text('plan_id') }}) is null then 'one_time'
            when _known_price_id is null or _price_interval is not null then 'subscription'
            else 'one_time'
        end as line_type,
        {{ clean_text('description') }} as description,
        {{ clean_text('quantity') }} as quantity,
        {{ major_units('amount', '_currency') }} as amount,
        {{ major_units('discount_minor', '_currency') }} as discount_amount,
        {{ connector_date('period_start') }} as period_start,
        {{ connector_date('period_end') }} as period_end,
        {{ clean_text('proration') }} as is_proration,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from joined
)

select * from final
