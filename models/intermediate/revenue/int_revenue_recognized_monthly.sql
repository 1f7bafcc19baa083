{#-
    Recognized revenue by customer and month (docs/metrics.md): each counted subscription line's net
    amount spread evenly per day over [period_start, period_end) (the days of the period that fall in
    the month / all its days), one-time lines on their invoice date, refunds of counted invoices
    subtracted in the month of refunded_at. Each part is converted at the rate of its own month.
    Months after as_of_date appear too (deferred revenue); the marts keep the reporting window.
-#}
with

lines as (
    select * from {{ ref('int_invoice_lines_normalized') }}
),

refunds as (
    select * from {{ ref('stg_billing__refunds') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

months as (
    select * from {{ ref('int_months_spanned') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

subscription_parts as (
    select
        lines.customer_id,
        lines.currency_code,
        months.month,
        lines.net_amount_local
        * {{ dbt.datediff(
            'greatest(lines.period_start, months.month)',
            'least(lines.period_end, ' ~ dbt.dateadd('month', 1, 'months.month') ~ ')',
            'day'
        ) }}
        / lines.actual_days as subscription_revenue_local,
        0 as one_time_revenue_local,
        0 as refunds_local
    from lines
    inner join months
        on
            lines.period_start < {{ dbt.dateadd('month', 1, 'months.month') }}
            and lines.period_end > months.month
    where
        lines.line_type = 'subscription'
),

one_time_parts as (
    select
        customer_id,
        currency_code,
        cast({{ dbt.date_trunc('month', 'invoice_date') }} as date) as month,
        0 as subscription_revenue_local,
        net_amount_local as one_time_revenue_local,
        0 as refunds_local
    from lines
    where line_type = 'one_time'
),

refund_parts as (
    select
        invoices.customer_id,
        refunds.currency_code,
        cast({{ dbt.date_trunc('month', 'refunds.refunded_at') }} as date) as month,
        0 as subscription_revenue_local,
        0 as one_time_revenue_local,
        refunds.amount as refunds_local
    from refunds
    inner join invoices
        on refunds.invoice_id = invoices.invoice_id
    where invoices.status in {{ counted_invoice_statuses() }}
),

parts as (
    select * from subscription_parts
    union all
    select * from one_time_parts
    union all
    select * from refund_parts
),

by_month as (
    select
        customer_id,
        currency_code,
        month,
        sum(subscription_revenue_local) as subscription_revenue_local,
        sum(one_time_revenue_local) as one_time_revenue_local,
        sum(refunds_local) as refunds_local
    from parts
    group by customer_id, currency_code, month
),

final as (
    select
        by_month.customer_id,
        by_month.month,
        by_month.currency_code,
        fx_rates.usd_per_unit,
        {{ money('by_month.subscription_revenue_local') }} as subscription_revenue_local,
        {{ money('by_month.one_time_revenue_local') }} as one_time_revenue_local,
        {{ money('by_month.refunds_local') }} as refunds_local,
        {{ money('by_month.subscription_revenue_local + by_month.one_time_revenue_local - by_month.refunds_local') }}
            as revenue_local,
        {{ money(
            '(by_month.subscription_revenue_local + by_month.one_time_revenue_local - by_month.refunds_local)'
            ~ ' * fx_rates.usd_per_unit'
        ) }} as revenue_usd
    from by_month
    left join fx_rates
        on
            by_month.currency_code = fx_rates.currency_code
            and by_month.month = fx_rates.month
)

select * from final
