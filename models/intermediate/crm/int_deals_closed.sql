{#-
    Every closed opportunity (won or lost), with its close month, its amount in USD at the close month's
    rate (0 when it has none) and its sales cycle in days (created to closed): the deals behind win
    rate, deal size, sales cycle and bookings, for the company (fct_sales_funnel) and by segment
    (fct_kpi_segment_monthly).
-#}
with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.opportunity_type,
        opportunities.is_won,
        opportunities.close_date,
        cast({{ dbt.date_trunc('month', 'opportunities.close_date') }} as date) as month,
        {{ line_amount('coalesce(opportunities.amount, 0) * fx_rates.usd_per_unit') }} as amount_usd,
        {{ dbt.datediff('cast(opportunities.created_at as date)', 'opportunities.close_date', 'day') }}
            as cycle_days
    from opportunities
    left join fx_rates
        on
            opportunities.currency_code = fx_rates.currency_code
            and cast({{ dbt.date_trunc('month', 'opportunities.close_date') }} as date) = fx_rates.month
    where opportunities.is_closed
)

select * from final
