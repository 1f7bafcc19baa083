{#-
    Company revenue by month, every month of the reporting window: MRR and ARR (= 12 x MRR) at
    month-end, active customers (MRR > 0), recognized revenue of the month and of the trailing twelve
    months (m-11..m; fewer at the start of the window, flagged is_partial_window).
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_expanded') }}
),

recognized as (
    select * from {{ ref('int_revenue_recognized_monthly') }}
),

mrr_by_month as (
    select
        month,
        sum(mrr_usd) as mrr_usd,
        count(case when mrr_local > 0 then 1 end) as active_customers
    from customer_mrr
    group by month
),

revenue_by_month as (
    select
        month,
        sum(subscription_revenue_local * usd_per_unit) as subscription_revenue_usd,
        sum(one_time_revenue_local * usd_per_unit) as one_time_revenue_usd,
        sum(refunds_local * usd_per_unit) as refunds_usd,
        sum(revenue_usd) as revenue_usd
    from recognized
    group by month
),

monthly as (
    select
        spine.month,
        spine.month_number,
        spine.is_month_complete,
        coalesce(mrr_by_month.mrr_usd, 0) as mrr_usd,
        coalesce(mrr_by_month.active_customers, 0) as active_customers,
        coalesce(revenue_by_month.subscription_revenue_usd, 0) as subscription_revenue_usd,
        coalesce(revenue_by_month.one_time_revenue_usd, 0) as one_time_revenue_usd,
        coalesce(revenue_by_month.refunds_usd, 0) as refunds_usd,
        coalesce(revenue_by_month.revenue_usd, 0) as revenue_usd
    from spine
    left join mrr_by_month
        on spine.month = mrr_by_month.month
    left join revenue_by_month
        on spine.month = revenue_by_month.month
),

final as (
    select
        month,
        {{ money('mrr_usd') }} as mrr_usd,
        {{ money('12 * mrr_usd') }} as arr_usd,
        cast(active_customers as integer) as active_customers,
        {{ money('subscription_revenue_usd') }} as subscription_revenue_usd,
        {{ money('one_time_revenue_usd') }} as one_time_revenue_usd,
        {{ money('refunds_usd') }} as refunds_usd,
        {{ money('revenue_usd') }} as revenue_usd,
        {{ money('sum(revenue_usd) over (order by month rows between 11 preceding and current row)') }}
            as ttm_revenue_usd,
        month_number < 12 as is_partial_window,
        is_month_complete
    from monthly
)

select * from final
