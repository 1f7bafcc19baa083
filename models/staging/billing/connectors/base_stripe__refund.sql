{#-
    Stripe refunds as raw_billing.refund (docs/connectors.md, "Stripe"): the invoice is the refunded
    charge's; the amount from minor to major units. A refund that failed or was canceled returned no
    money: quarantined as refund_failed / refund_canceled (pending and requires_action count as refunded).
-#}
{{ config(enabled=connector_enabled('billing_source', 'stripe')) }}
with

refunds as (
    select * from {{ source('stripe', 'refund') }}
),

charges as (
    select * from {{ source('stripe', 'charge') }}
),

final as (
    select
        {{ clean_text('refunds.id') }} as id,
        {{ clean_text('charges.invoice_id') }} as invoice_id,
        {{ major_units('refunds.amount', 'refunds.currency') }} as amount,
        upper({{ clean_text('refunds.currency') }}) as currency_code,
        {{ clean_text('refunds.created') }} as refunded_at,
        {{ clean_text('refunds.reason') }} as reason,
        {{ clean_text('refunds._fivetran_synced') }} as _loaded_at,
        case
            when lower({{ clean_text('refunds.status') }}) in ('failed', 'canceled')
                then 'refund_' || lower({{ clean_text('refunds.status') }})
        end as _connector_reason
    from refunds
    left join charges
        on refunds.charge_id = charges.id
)

select * from final
