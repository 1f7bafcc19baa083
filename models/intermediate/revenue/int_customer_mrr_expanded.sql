{#-
    Customer MRR of month m (docs/metrics.md): the sum of line_mrr_local of the customer's counted
    subscription lines whose service period covers the month's snapshot date: its last day, or as_of_date
    in an as_of month that is not over (period_start <= snapshot_date < period_end; int_months_spanned),
    converted at month m's rate.
    Sparse: only customer-months that some line covers (never a customers x months cross join).
    seats: the largest net quantity on one price among the covering lines (a proration credits the old
    quantity and charges the new one, so the net is the quantity in force; a flat add-on carries 1).
    MRR is never negative: where the covering lines net below zero (a proration credit whose base
    charge is not counted, e.g. its invoice is uncollectible or quarantined) mrr_local is 0 and the raw
    sum stays in net_line_mrr_local for the data-quality checks.
-#}
with

lines as (
    select * from {{ ref('int_invoice_lines_normalized') }}
    where line_type = 'subscription'
),

months as (
    select * from {{ ref('int_months_spanned') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

covered_by_price as (
    select
        lines.customer_id,
        lines.currency_code,
        months.month,
        lines.price_id,
        sum(lines.line_mrr_local) as line_mrr_local,
        count(*) as covering_lines,
        sum(case when lines.is_proration then sign(lines.amount_local) * lines.quantity else lines.quantity end)
            as net_quantity
    from lines
    inner join months
        on
            lines.period_start <= months.snapshot_date
            and lines.period_end > months.snapshot_date
    group by lines.customer_id, lines.currency_code, months.month, lines.price_id
),

covered as (
    select
        customer_id,
        currency_code,
        month,
        {{ money('sum(line_mrr_local)') }} as net_line_mrr_local,
        sum(covering_lines) as covering_lines,
        cast(case when max(net_quantity) > 0 then max(net_quantity) end as integer) as seats
    from covered_by_price
    group by customer_id, currency_code, month
),

final as (
    select
        covered.customer_id,
        covered.month,
        covered.currency_code,
        covered.net_line_mrr_local,
        fx_rates.usd_per_unit,
        covered.covering_lines,
        covered.seats,
        {{ money('greatest(covered.net_line_mrr_local, 0)') }} as mrr_local,
        {{ money('greatest(covered.net_line_mrr_local, 0) * fx_rates.usd_per_unit') }} as mrr_usd
    from covered
    left join fx_rates
        on
            covered.currency_code = fx_rates.currency_code
            and covered.month = fx_rates.month
)

select * from final
