{#-
    Counted invoice lines (invoice status open or paid) with their customer, currency, net amount and,
    for subscription lines, their monthly recurring revenue (docs/metrics.md, "Subscription revenue"):
      net_amount_local = amount - discount_amount
      interval_months  = interval_count x (12 if billing_interval = 'year' else 1)
      line_mrr_local   = net / interval_months                                   (regular line)
                       = net / interval_months x nominal_days / actual_days      (proration)
    with actual_days = period_end - period_start and nominal_days = days from period_start to
    period_start + interval_months months, so an upgrade's credit and charge lines net to exactly the
    change in rate.
-#}
with

line_items as (
    select * from {{ ref('stg_billing__invoice_line_items') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

prices as (
    select * from {{ ref('stg_billing__prices') }}
),

counted as (
    select
        line_items.invoice_line_item_id,
        line_items.invoice_id,
        invoices.customer_id,
        invoices.currency_code,
        invoices.invoice_date,
        line_items.subscription_id,
        line_items.price_id,
        line_items.line_type,
        line_items.is_proration,
        line_items.quantity,
        line_items.period_start,
        line_items.period_end,
        line_items.amount - line_items.discount_amount as net_amount_local,
        prices.interval_count
        * case when prices.billing_interval = 'year' then 12 else 1 end as interval_months
    from line_items
    inner join invoices
        on line_items.invoice_id = invoices.invoice_id
    left join prices
        on line_items.price_id = prices.price_id
    where invoices.status in {{ counted_invoice_statuses() }}
),

measured as (
    select
        *,
        {{ dbt.datediff('period_start', 'period_end', 'day') }}
            as actual_days,
        {{ dbt.datediff('period_start', dbt.dateadd('month', 'interval_months', 'period_start'), 'day') }}
            as nominal_days
    from counted
),

final as (
    select
        *,
        {{ line_amount(
            "case
                when line_type = 'subscription' and is_proration
                    then net_amount_local / interval_months * nominal_days / actual_days
                when line_type = 'subscription'
                    then net_amount_local / interval_months
            end"
        ) }} as line_mrr_local
    from measured
)

select * from final
