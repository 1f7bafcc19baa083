{#-
    The historical win rate of each opportunity stage at the end of every month m of the reporting window
    (docs/metrics.md, "Bookings forecast"): among the opportunities that the CRM's history shows closed
    (Closed Won or Closed Lost as their state at the end of m) with a close date in m-11..m, those that
    were in the stage at some point; won / (won + lost). Only history changed before the end of m is read:
    nothing after m can move a rate of m. A stage with fewer than 10 such closes takes the company-wide
    rate of m (all those closes), which is also the rate of a stage no closed opportunity went through.
    One row per month and stage seen in the history (stage_name null: the company-wide row).
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
        close_date
    from history
),

-- each opportunity closed at the end of m (its state then) with a close date in m-11..m
closes as (
    select
        spine.month,
        history_intervals.opportunity_id,
        history_intervals.stage_name = 'Closed Won' as is_won
    from spine
    inner join history_intervals
        on
            history_intervals.changed_at < {{ dbt.dateadd('month', 1, 'spine.month') }}
            and (
                history_intervals.next_changed_at is null
                or history_intervals.next_changed_at >= {{ dbt.dateadd('month', 1, 'spine.month') }}
            )
    where
        history_intervals.stage_name in ('Closed Won', 'Closed Lost')
        and history_intervals.close_date >= {{ dbt.dateadd('month', -11, 'spine.month') }}
        and history_intervals.close_date < {{ dbt.dateadd('month', 1, 'spine.month') }}
),

-- the open stages each opportunity went through, and when it first entered each
visits as (
    select
        opportunity_id,
        stage_name,
        min(changed_at) as first_entered_at
    from history
    where stage_name not in ('Closed Won', 'Closed Lost')
    group by opportunity_id, stage_name
),

by_stage as (
    select
        closes.month,
        visits.stage_name,
        count(*) as closed_opportunities,
        count(case when closes.is_won then 1 end) as won_opportunities
    from closes
    inner join visits
        on
            closes.opportunity_id = visits.opportunity_id
            and visits.first_entered_at < {{ dbt.dateadd('month', 1, 'closes.month') }}
    group by closes.month, visits.stage_name
),

company as (
    select
        month,
        count(*) as closed_opportunities,
        count(case when is_won then 1 end) as won_opportunities
    from closes
    group by month
),

final as (
    select
        company.month,
        cast(null as {{ dbt.type_string() }}) as stage_name,
        company.closed_opportunities,
        company.won_opportunities,
        {{ as_double('company.won_opportunities') }} / company.closed_opportunities as stage_win_rate,
        {{ as_double('company.won_opportunities') }} / company.closed_opportunities as win_probability,
        false as is_stage_rate
    from company
    union all
    select
        by_stage.month,
        by_stage.stage_name,
        by_stage.closed_opportunities,
        by_stage.won_opportunities,
        {{ as_double('by_stage.won_opportunities') }} / by_stage.closed_opportunities as stage_win_rate,
        case
            when by_stage.closed_opportunities >= 10
                then {{ as_double('by_stage.won_opportunities') }} / by_stage.closed_opportunities
            else {{ as_double('company.won_opportunities') }} / company.closed_opportunities
        end as win_probability,
        by_stage.closed_opportunities >= 10 as is_stage_rate
    from by_stage
    inner join company
        on by_stage.month = company.month
)

select * from final
