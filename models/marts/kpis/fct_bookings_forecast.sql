{#-
    The next quarter's bookings forecast at the end of every month m (docs/metrics.md, "Bookings
    forecast"): each opportunity open at the end of m (its state then, int_opportunity_states_snapshotted)
    whose close date then falls in the calendar quarter after m's is weighted by the win probability of
    its stage at m (int_stage_win_rates_trailing: closes of m-11..m only, no look-ahead); beside it the
    reps' commit forecast (the same opportunities in forecast category commit, unweighted) and, once that
    quarter has ended inside the reporting window, the bookings it actually had (fct_sales_funnel) and
    both forecasts' errors. Amounts at month m's rate, like the pipeline.
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

states as (
    select * from {{ ref('int_opportunity_states_snapshotted') }}
    where boundary = 'month_end'
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

win_rates as (
    select * from {{ ref('int_stage_win_rates_trailing') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

funnel as (
    select * from {{ ref('fct_sales_funnel') }}
),

quarters as (
    select
        month,
        month_number,
        is_month_complete,
        {{ dbt.dateadd('month', 3, dbt.date_trunc('quarter', 'month')) }} as next_quarter_start,
        {{ dbt.dateadd('month', 6, dbt.date_trunc('quarter', 'month')) }} as next_quarter_end
    from spine
),

company_rates as (
    select * from win_rates
    where stage_name is null
),

weighted as (
    select
        states.month,
        count(*) as open_opportunities_next_q,
        sum(
            coalesce(states.amount, 0) * fx_rates.usd_per_unit
            * coalesce(stage_rates.win_probability, company_rates.win_probability)
        ) as forecast_bookings_next_q_usd,
        sum(
            case when states.forecast_category = 'commit' then coalesce(states.amount, 0) * fx_rates.usd_per_unit end
        ) as commit_forecast_next_q_usd
    from states
    inner join quarters
        on states.month = quarters.month
    inner join opportunities
        on states.opportunity_id = opportunities.opportunity_id
    left join fx_rates
        on
            opportunities.currency_code = fx_rates.currency_code
            and states.month = fx_rates.month
    left join win_rates as stage_rates
        on
            states.month = stage_rates.month
            and states.stage_name = stage_rates.stage_name
    left join company_rates
        on states.month = company_rates.month
    where
        opportunities.created_at < {{ dbt.dateadd('month', 1, 'states.month') }}
        and states.close_date >= quarters.next_quarter_start
        and states.close_date < quarters.next_quarter_end
    group by states.month
),

-- bookings of each quarter whose three months are complete months of the window
quarter_actuals as (
    select
        cast({{ dbt.date_trunc('quarter', 'funnel.month') }} as date) as quarter_start,
        sum(funnel.bookings_usd) as actual_bookings_usd
    from funnel
    inner join spine
        on funnel.month = spine.month
    group by cast({{ dbt.date_trunc('quarter', 'funnel.month') }} as date)
    having count(case when spine.is_month_complete then 1 end) = 3
),

forecasts as (
    select
        quarters.month,
        cast(quarters.next_quarter_start as date) as next_quarter_start,
        quarters.is_month_complete,
        coalesce(weighted.open_opportunities_next_q, 0) as open_opportunities_next_q,
        company_rates.closed_opportunities as closed_opportunities_12m,
        company_rates.win_probability as company_win_rate_12m,
        -- no close in the trailing 12 months: no rate to weigh with, no forecast (not 0)
        case
            when company_rates.win_probability is not null then coalesce(weighted.forecast_bookings_next_q_usd, 0)
        end as forecast_value,
        coalesce(weighted.commit_forecast_next_q_usd, 0) as commit_value
    from quarters
    left join weighted
        on quarters.month = weighted.month
    left join company_rates
        on quarters.month = company_rates.month
),

final as (
    select
        forecasts.month,
        forecasts.next_quarter_start,
        cast(forecasts.open_opportunities_next_q as integer) as open_opportunities_next_q,
        cast(forecasts.closed_opportunities_12m as integer) as closed_opportunities_12m,
        {{ money('forecasts.company_win_rate_12m') }} as company_win_rate_12m,
        {{ money('forecasts.forecast_value') }} as forecast_bookings_next_q_usd,
        {{ money('forecasts.commit_value') }} as commit_forecast_next_q_usd,
        {{ money('quarter_actuals.actual_bookings_usd') }} as actual_bookings_next_q_usd,
        {{ ratio(
            'abs(forecasts.forecast_value - quarter_actuals.actual_bookings_usd)', 'quarter_actuals.actual_bookings_usd'
        ) }} as forecast_error_pct,
        {{ ratio(
            'abs(forecasts.commit_value - quarter_actuals.actual_bookings_usd)', 'quarter_actuals.actual_bookings_usd'
        ) }} as commit_forecast_error_pct,
        quarter_actuals.actual_bookings_usd is not null as is_quarter_closed,
        forecasts.is_month_complete
    from forecasts
    left join quarter_actuals
        on forecasts.next_quarter_start = quarter_actuals.quarter_start
)

select * from final
