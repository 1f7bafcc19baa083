{#-
    Opportunity states at the month boundaries of the reporting window (docs/metrics.md, "Funnel and
    sales"): the state of an opportunity at an instant t is its latest history row changed at or before
    t. One row per month, boundary and opportunity whose state then is one the funnel reads:
      month_start - at the first instant of the month, in forecast category commit (the commit forecast);
      month_end   - at the last instant of the month (before the next month's first), not closed (the
                    pipeline).
    Closed and non-commit states are left out: kept, they would repeat every closed deal in every later
    month (a 3x slower model at scale 100) for nothing the marts read.
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

history as (
    select * from {{ ref('stg_crm__opportunity_history') }}
),

history_intervals as (
    select
        opportunity_id,
        changed_at,
        lead(changed_at) over (partition by opportunity_id order by changed_at, opportunity_history_id)
            as next_changed_at,
        stage_name,
        amount,
        close_date,
        forecast_category
    from history
),

at_month_start as (
    select
        spine.month,
        'month_start' as boundary,
        history_intervals.opportunity_id,
        history_intervals.stage_name,
        history_intervals.amount,
        history_intervals.close_date,
        history_intervals.forecast_category
    from spine
    inner join history_intervals
        on
            spine.month >= history_intervals.changed_at
            and (history_intervals.next_changed_at is null or spine.month < history_intervals.next_changed_at)
    where history_intervals.forecast_category = 'commit'
),

-- plain range conditions in each half (not one join with ORs), so the engine can use a range join
at_month_end as (
    select
        spine.month,
        'month_end' as boundary,
        history_intervals.opportunity_id,
        history_intervals.stage_name,
        history_intervals.amount,
        history_intervals.close_date,
        history_intervals.forecast_category
    from spine
    inner join history_intervals
        on
            history_intervals.changed_at < {{ dbt.dateadd('month', 1, 'spine.month') }}
            and (
                history_intervals.next_changed_at is null
                or history_intervals.next_changed_at >= {{ dbt.dateadd('month', 1, 'spine.month') }}
            )
    where history_intervals.stage_name not in ('Closed Won', 'Closed Lost')
),

final as (
    select * from at_month_start
    union all
    select * from at_month_end
)

select * from final
