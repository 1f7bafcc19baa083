{#-
    People per month and function (and `all`, the company) from counted segments overlapping each month
    of the reporting window (docs/metrics.md, "Headcount and people cost"):
      month_end_headcount / month_end_fte: counted on the month's last day
      avg_fte: mean over the month's days of the summed FTE = sum(fte x days) / days_in_month
      payroll_cost_usd: annual_base_salary x fte / 365 x (1 + benefits_load_rate) per counted day,
        at the month's rate; a counted day without pay costs 0 and is counted in days_without_compensation
      employees_counted: distinct employees counted on at least one day (drives privacy suppression)
    A transfer mid-month splits the days (and cost) between the two functions; at month end a person is
    in one function, so `all` = the sum of the functions for month-end headcount and FTE.
-#}
with

segments as (
    select * from {{ ref('int_employee_segments_built') }}
    where is_counted
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

month_overlaps as (
    select
        spine.month,
        spine.days_in_month,
        segments.employee_id,
        segments.function,
        segments.role_type,
        segments.fte,
        segments.annual_base_salary,
        segments.salary_currency_code,
        {{ dbt.datediff(
            'greatest(segments.segment_start, spine.month)',
            'least(segments.segment_end, ' ~ dbt.dateadd('day', 1, 'spine.month_end') ~ ')',
            'day'
        ) }} as counted_days,
        coalesce(
            segments.segment_start <= spine.month_end and segments.segment_end > spine.month_end, false
        ) as is_counted_at_month_end
    from segments
    inner join spine
        on
            segments.segment_start <= spine.month_end
            and segments.segment_end > spine.month
),

costed as (
    select
        month_overlaps.*,
        case when month_overlaps.annual_base_salary is null then month_overlaps.counted_days else 0 end
            as days_without_compensation,
        case when month_overlaps.annual_base_salary is not null and fx_rates.usd_per_unit is null then 1 else 0 end
            as is_missing_rate,
        case
            when month_overlaps.annual_base_salary is null then 0
            else
                month_overlaps.annual_base_salary * month_overlaps.fte / 365.0
                * (1 + {{ var('benefits_load_rate') }}) * month_overlaps.counted_days * fx_rates.usd_per_unit
        end as payroll_cost_usd
    from month_overlaps
    left join fx_rates
        on
            month_overlaps.salary_currency_code = fx_rates.currency_code
            and month_overlaps.month = fx_rates.month
),

{%- set people_measures %}
        count(distinct case when is_counted_at_month_end then employee_id end) as month_end_headcount,
        sum(case when is_counted_at_month_end then fte else 0 end) as month_end_fte,
        sum(fte * counted_days) / max(days_in_month) as avg_fte,
        sum(case when is_counted_at_month_end and role_type = 'quota_carrier' then fte else 0 end)
            as quota_carrier_fte,
        sum(case when is_counted_at_month_end and role_type = 'revenue_support' then fte else 0 end)
            as revenue_support_fte,
        count(distinct employee_id) as employees_counted,
        sum(payroll_cost_usd) as payroll_cost_usd,
        sum(days_without_compensation) as days_without_compensation,
        sum(is_missing_rate) as segments_without_rate
{%- endset %}

by_function as (
    select
        month,
        function,
        {{ people_measures }}
    from costed
    group by month, function
),

company as (
    select
        month,
        'all' as function,
        {{ people_measures }}
    from costed
    group by month
),

aggregated as (
    select * from by_function
    union all
    select * from company
),

final as (
    select
        month,
        function,
        cast(month_end_headcount as integer) as month_end_headcount,
        cast(month_end_fte as decimal(18, 6)) as month_end_fte,
        {{ money('avg_fte') }} as avg_fte,
        cast(quota_carrier_fte as decimal(18, 6)) as quota_carrier_fte,
        cast(revenue_support_fte as decimal(18, 6)) as revenue_support_fte,
        cast(employees_counted as integer) as employees_counted,
        {{ money('payroll_cost_usd') }} as payroll_cost_usd,
        cast(days_without_compensation as integer) as days_without_compensation,
        cast(segments_without_rate as integer) as segments_without_rate
    from aggregated
)

select * from final
