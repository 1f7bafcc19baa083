{#-
    Calendar months covering all billing activity: from the month of the earliest counted invoice or
    service period (of subscription lines: a one-time line's period is not service, docs/metrics.md) to
    the later of the as_of month and the last service month (deferred revenue needs months after as_of). The reporting window (int_months_windowed) is a slice of it.
    snapshot_date is the day a month's MRR is measured on: its last day, but as_of_date in the as_of month
    while that month is not over (a subscription in force on as_of_date stays in force to the month's end,
    as HR's records do: a renewal not yet invoiced is not a churn).
-#}
with

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

line_items as (
    select * from {{ ref('stg_billing__invoice_line_items') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

bounds as (
    select
        cast({{ dbt.date_trunc('month', 'least(min(invoices.invoice_date), min(line_items.period_start))') }} as date)
            as first_month,
        cast({{ dbt.date_trunc('month', 'max(line_items.period_end)') }} as date) as last_service_month
    from invoices
    left join line_items
        on
            invoices.invoice_id = line_items.invoice_id
            and line_items.line_type = 'subscription'
),

series as (
    select months.month
    from bounds
    cross join as_of
    cross join lateral {{ month_series(
        'coalesce(bounds.first_month, as_of.as_of_month)',
        'greatest(coalesce(bounds.last_service_month, as_of.as_of_month), as_of.as_of_month)'
    ) }} as months
),

month_ends as (
    select
        month,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month')) }} as date)
            as month_end,
        {{ dbt.datediff('month', dbt.dateadd('month', 1, 'month'), 'day') }}
            as days_in_month
    from series
),

final as (
    select
        month_ends.month,
        month_ends.month_end,
        month_ends.days_in_month,
        case
            when month_ends.month = as_of.as_of_month
                then least(month_ends.month_end, as_of.as_of_date)
            else month_ends.month_end
        end as snapshot_date
    from month_ends
    cross join as_of
)

select * from final
