{#-
    Stripe prices (or legacy plans, var stripe_price_table: plan) as raw_billing.price (docs/connectors.md,
    "Stripe"): the unit amount from minor to major units (zero-decimal currencies undivided), the currency
    upper case. A one-time price (no interval: Stripe's type one_time, also the ad-hoc price of an invoice
    item) is a valid price for one-time lines (staging: price_type one_time); day/week intervals are
    quarantined by staging (unsupported_interval). A deleted price is kept: old invoices use it.
-#}
{{ config(enabled=connector_enabled('billing_source', 'stripe')) }}
{%- set plans = var('stripe_price_table', 'price') == 'plan' %}
{%- set amount = 'amount' if plans
    else 'coalesce(' ~ clean_text('unit_amount') ~ ', ' ~ clean_text('unit_amount_decimal') ~ ')' %}
with

prices as (
    select * from {{ source('stripe', 'plan' if plans else 'price') }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('product_id') }} as product_id,
        upper({{ clean_text('currency') }}) as currency_code,
        {{ major_units(amount, 'currency') }} as unit_amount,
        {{ clean_text('interval' if plans else 'recurring_interval') }} as billing_interval,
        {{ clean_text('interval_count' if plans else 'recurring_interval_count') }} as interval_count,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from prices
)

select * from final
