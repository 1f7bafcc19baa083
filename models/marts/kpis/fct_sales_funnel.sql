{#-
    Funnel and sales by month of the reporting window (docs/metrics.md, "Funnel and sales"). Lead
    counts come from int_leads_counted. Amounts convert at the rate of the month in question (the close
    month for deals, month m for pipeline and commit). Opportunity states at the month's boundaries come from int_opportunity_states_snapshotted.
    Marketing cost comes from int_costs_by_function_summed; it (and cost per MQL/SQL) is hidden in the
    months int_cost_privacy_evaluated hides the marketing function, since it contains the marketers' pay.
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

leads as (
    select * from {{ ref('int_leads_counted') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

closed_deals as (
    select * from {{ ref('int_deals_closed') }}
),

states as (
    select * from {{ ref('int_opportunity_states_snapshotted') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

costs as (
    select * from {{ ref('int_costs_by_function_summed') }}
    where function = 'marketing'
),

marketing_privacy as (
    select * from {{ ref('int_cost_privacy_evaluated') }}
    where aggregate_type = 'function' and aggregate_name = 'marketing'
),

marketing_cost as (
    select
        month,
        sum(payroll_cost_usd + ledger_cost_usd) as cost_usd
    from costs
    group by month
),

deal_months as (
    select
        month,
        count(case when opportunity_type = 'new_business' then 1 end) as closed_new_business,
        count(case when opportunity_type = 'new_business' and is_won then 1 end) as won_new_business,
        avg(case when opportunity_type = 'new_business' and is_won then amount_usd end) as avg_deal_size_usd,
        avg(case when opportunity_type = 'new_business' and is_won then cycle_days end) as sales_cycle_days,
        sum(case when is_won then amount_usd else 0 end) as bookings_usd
    from closed_deals
    group by month
),

pipeline as (
    select
        states.month,
        count(*) as open_opportunities,
        count(case when opportunities.opportunity_type = 'new_business' then 1 end) as open_new_business,
        sum(coalesce(states.amount, 0) * fx_rates.usd_per_unit) as pipeline_value_usd
    from states
    inner join opportunities
        on states.opportunity_id = opportunities.opportunity_id
    left join fx_rates
        on
            opportunities.currency_code = fx_rates.currency_code
            and states.month = fx_rates.month
    where
        states.boundary = 'month_end'
        and states.stage_name not in ('Closed Won', 'Closed Lost')
        and opportunities.created_at < {{ dbt.dateadd('month', 1, 'states.month') }}
    group by states.month
),

commit_forecast as (
    select
        states.month,
        sum(coalesce(states.amount, 0) * fx_rates.usd_per_unit) as commit_forecast_usd
    from states
    inner join opportunities
        on states.opportunity_id = opportunities.opportunity_id
    left join fx_rates
        on
            opportunities.currency_code = fx_rates.currency_code
            and states.month = fx_rates.month
    where
        states.boundary = 'month_start'
        and states.forecast_category = 'commit'
        and cast({{ dbt.date_trunc('month', 'states.close_date') }} as date) = states.month
    group by states.month
),

monthly as (
    select
        spine.month,
        spine.is_month_complete,
        leads.mqls,
        leads.mql_to_sql_days,
        leads.sqls,
        leads.mqls_reaching_sql,
        coalesce(marketing_cost.cost_usd, 0) as marketing_cost_usd,
        coalesce(marketing_privacy.is_hidden, false) as is_cost_suppressed,
        coalesce(deal_months.closed_new_business, 0) as closed_new_business,
        coalesce(deal_months.won_new_business, 0) as won_new_business,
        deal_months.avg_deal_size_usd,
        deal_months.sales_cycle_days,
        coalesce(deal_months.bookings_usd, 0) as bookings_usd,
        coalesce(pipeline.open_opportunities, 0) as open_opportunities,
        coalesce(pipeline.open_new_business, 0) as open_new_business,
        coalesce(pipeline.pipeline_value_usd, 0) as pipeline_value_usd,
        coalesce(commit_forecast.commit_forecast_usd, 0) as commit_forecast_usd
    from spine
    inner join leads
        on spine.month = leads.month
    left join marketing_cost
        on spine.month = marketing_cost.month
    left join marketing_privacy
        on spine.month = marketing_privacy.month
    left join deal_months
        on spine.month = deal_months.month
    left join pipeline
        on spine.month = pipeline.month
    left join commit_forecast
        on spine.month = commit_forecast.month
),

with_rates as (
    select
        *,
        {{ as_double('won_new_business') }} / nullif(closed_new_business, 0) as win_rate_value,
        lag(bookings_usd) over (order by month) as previous_bookings_usd
    from monthly
),

final as (
    select
        month,
        cast(mqls as integer) as mqls,
        cast(sqls as integer) as sqls,
        {{ ratio('mqls_reaching_sql', 'mqls') }} as mql_to_sql_rate,
        {{ money('mql_to_sql_days') }} as mql_to_sql_days,
        {{ money('marketing_cost_usd', when='not is_cost_suppressed') }} as marketing_cost_usd,
        {{ ratio('marketing_cost_usd', 'mqls', when='not is_cost_suppressed') }} as cost_per_mql_usd,
        {{ ratio('marketing_cost_usd', 'sqls', when='not is_cost_suppressed') }} as cost_per_sql_usd,
        cast(closed_new_business as integer) as closed_new_business,
        cast(won_new_business as integer) as won_new_business,
        cast(closed_new_business - won_new_business as integer) as lost_new_business,
        {{ money('win_rate_value') }} as win_rate,
        {{ money('avg_deal_size_usd') }} as avg_deal_size_usd,
        {{ money('sales_cycle_days') }} as sales_cycle_days,
        cast(open_opportunities as integer) as open_opportunities,
        {{ money('pipeline_value_usd') }} as pipeline_value_usd,
        {{ ratio('open_new_business * win_rate_value * avg_deal_size_usd', 'sales_cycle_days') }}
            as pipeline_velocity_usd_per_day,
        {{ money('bookings_usd') }} as bookings_usd,
        {{ money('bookings_usd / nullif(previous_bookings_usd, 0) - 1') }} as bookings_growth_mom,
        {{ money('commit_forecast_usd') }} as commit_forecast_usd,
        {{ money('1 - abs(bookings_usd - commit_forecast_usd) / nullif(bookings_usd, 0)') }}
            as forecast_accuracy,
        is_month_complete,
        is_cost_suppressed
    from with_rates
)

select * from final
