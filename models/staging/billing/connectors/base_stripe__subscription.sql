{#-
    Stripe subscriptions as raw_billing.subscription (docs/connectors.md, "Stripe"): from
    subscription_history, the current version (_fivetran_active), or from subscription (var
    stripe_subscription_table). Statuses outside the contract's list: unpaid is past_due (still owed, still
    billed), incomplete_expired is canceled (its first payment never succeeded); incomplete stays as it is
    and staging quarantines it (invalid_status). Timestamps become the contract's dates.
-#}
{{ config(enabled=connector_enabled('billing_source', 'stripe')) }}
{%- set history = var('stripe_subscription_table', 'subscription_history') == 'subscription_history' %}
with

subscriptions as (
    select * from {{ source('stripe', 'subscription_history' if history else 'subscription') }}
    where {{ parse_bool('_fivetran_active') if history else 'true' }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('customer_id') }} as customer_id,
        case lower({{ clean_text('status') }})
            when 'unpaid' then 'past_due'
            when 'incomplete_expired' then 'canceled'
            else {{ clean_text('status') }}
        end as status,
        {{ clean_text('created') }} as created_at,
        {{ connector_date('start_date') }} as start_date,
        {{ connector_date('trial_end') }} as trial_end_date,
        {{ clean_text('canceled_at') }} as canceled_at,
        {{ clean_text('ended_at') }} as ended_at,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from subscriptions
)

select * from final
