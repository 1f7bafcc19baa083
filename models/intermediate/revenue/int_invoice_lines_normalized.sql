{#-
    Counted invoice lines (invoice status open or paid) with their customer, currency, net amount and,
    for subscription lines, their monthly recurring revenue (docs/metrics.md, "Subscription revenue"):
      net_amount_local = amount - discount_amount
      interval_months  = interval_count x (12 if billing_interval = 'year' else 1)
      line_mrr_local   = net / interval_months                                   (regular line)
                       = sign(amount) x quantity x unit_amount x (net / amount)
                         / interval_months                                       (proration)
    A proration carries the rate of the price it prorates (the net / amount factor keeps its discount),
    so an upgrade's credit and charge lines net to exactly the change in rate however their prorated
    amounts were rounded. Where we chose: a credit (negative amount) cannot carry a discount_amount (the
    contract has discount_amount >= 0), so billing systems put the discount inside its amount; such a
    credit takes the net / amount factor of the regular line of its subscription and price that it
    credits (the one covering its period_start), else its own. Only a proration whose price has no usable unit_amount (null, or 0 on a
    non-zero amount) falls back to scaling its amount: net / interval_months x nominal_days /
    actual_days, with actual_days = period_end - period_start and nominal_days = days from period_start
    to period_start + interval_months months.
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
        line_items.amount as amount_local,
        line_items.amount - line_items.discount_amount as net_amount_local,
        prices.unit_amount,
        prices.interval_count
        * case when prices.billing_interval = 'year' then 12 else 1 end as interval_months
    from line_items
    inner join invoices
        on line_items.invoice_id = invoices.invoice_id
    left join prices
        on line_items.price_id = prices.price_id
    where invoices.status in {{ counted_invoice_statuses() }}
),

credited_factors as (
    select
        credits.invoice_line_item_id,
        max(credited.net_amount_local / credited.amount_local) as credited_factor
    from counted as credits
    inner join counted as credited
        on
            credits.subscription_id = credited.subscription_id
            and credits.price_id = credited.price_id
            and credits.period_start >= credited.period_start
            and credits.period_start < credited.period_end
    where
        credits.is_proration
        and credits.amount_local < 0
        and credits.net_amount_local = credits.amount_local
        and not credited.is_proration
        and credited.amount_local > 0
    group by credits.invoice_line_item_id
),

measured as (
    select
        counted.*,
        coalesce(credited_factors.credited_factor, counted.net_amount_local / nullif(counted.amount_local, 0))
            as discount_factor,
        {{ dbt.datediff('period_start', 'period_end', 'day') }}
            as actual_days,
        {{ dbt.datediff('period_start', dbt.dateadd('month', 'interval_months', 'period_start'), 'day') }}
            as nominal_days
    from counted
    left join credited_factors
        on counted.invoice_line_item_id = credited_factors.invoice_line_item_id
),

final as (
    select
        *,
        {{ line_amount(
            "case
                when line_type = 'subscription' and is_proration and amount_local = 0
                    then 0
                when line_type = 'subscription' and is_proration and coalesce(unit_amount, 0) <> 0
                    then sign(amount_local) * quantity * unit_amount * discount_factor
                        / interval_months
                when line_type = 'subscription' and is_proration
                    then net_amount_local / interval_months * nominal_days / actual_days
                when line_type = 'subscription'
                    then net_amount_local / interval_months
            end"
        ) }} as line_mrr_local
    from measured
)

select * from final
