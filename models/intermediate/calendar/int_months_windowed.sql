{#-
    The reporting window: one row per month from the first month in which any customer has MRR > 0
    up to and including the month of as_of_date. Every month-keyed mart has a row for each of these.
    The as_of month is reported whole; is_month_complete is false on it while as_of_date is before its
    last day (a mid-month run), true on every other month.
-#}
with

months as (
    select * from {{ ref('int_months_spanned') }}
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_expanded') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

first_active as (
    select min(month) as first_month
    from customer_mrr
    where mrr_local > 0
),

window_months as (
    select
        months.month,
        months.month_end,
        months.days_in_month,
        months.month_end <= as_of.as_of_date as is_month_complete
    from months
    cross join first_active
    cross join as_of
    where
        months.month >= first_active.first_month
        and months.month <= as_of.as_of_month
),

final as (
    select
        month,
        month_end,
        days_in_month,
        is_month_complete,
        row_number() over (order by month) as month_number
    from window_months
)

select * from final
