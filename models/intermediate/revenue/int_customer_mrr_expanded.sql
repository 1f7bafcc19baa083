{#-
    Customer MRR of month m (docs/metrics.md): the sum of line_mrr_local of the customer's counted
    subscription lines whose service period covers the month's snapshot date: its last day, or as_of_date
    in an as_of month that is not over (period_start <= snapshot_date < period_end; int_months_spanned),
    converted at month m's rate.
    Sparse: only customer-months that some line covers (never a customers x months cross join).
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

covered as (
    select
        lines.customer_id,
        lines.currency_code,
        months.month,
        {{ money('sum(lines.line_mrr_local)') }} as net_line_mrr_local,
        count(*) as covering_lines
    from lines
    inner join months
        on
            lines.period_start <= months.snapshot_date
            and lines.period_end > months.snapshot_date
    group by lines.customer_id, lines.currency_code, months.month
),

final as (
    select
        covered.customer_id,
        covered.month,
        covered.currency_code,
        covered.net_line_mrr_local,
        fx_rates.usd_per_unit,
        covered.covering_lines,
        {{ money('greatest(covered.net_line_mrr_local, 0)') }} as mrr_local,
        {{ money('greatest(covered.net_line_mrr_local, 0) * fx_rates.usd_per_unit') }} as mrr_usd
    from covered
    left join fx_rates
        on
            covered.currency_code = fx_rates.currency_code
            and covered.month = fx_rates.month
)

select * from final
