{#-
    Lead funnel counts by month of the reporting window (docs/metrics.md, "Funnel and sales"): MQLs by
    the month of mql_at, of which how many ever reached SQL (a cohort count: the SQL may come later),
    SQLs by the month of sql_at, and the stage-1 velocity (mean sql_at - mql_at in days) of the month's
    SQLs whose MQL came first. One row per month (zeros and nulls where nothing happened).
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

lead_months as (
    select
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as month,
        count(*) as mqls,
        count(sql_at) as mqls_reaching_sql
    from leads
    where mql_at is not null
    group by cast({{ dbt.date_trunc('month', 'mql_at') }} as date)
),

sql_months as (
    select
        cast({{ dbt.date_trunc('month', 'sql_at') }} as date) as month,
        count(*) as sqls,
        avg(
            case
                when mql_at <= sql_at
                    then {{ dbt.datediff('mql_at', 'sql_at', 'second') }}
            end
        ) / 86400.0 as mql_to_sql_days
    from leads
    where sql_at is not null
    group by cast({{ dbt.date_trunc('month', 'sql_at') }} as date)
),

final as (
    select
        spine.month,
        cast(coalesce(lead_months.mqls, 0) as integer) as mqls,
        cast(coalesce(lead_months.mqls_reaching_sql, 0) as integer) as mqls_reaching_sql,
        cast(coalesce(sql_months.sqls, 0) as integer) as sqls,
        sql_months.mql_to_sql_days
    from spine
    left join lead_months
        on spine.month = lead_months.month
    left join sql_months
        on spine.month = sql_months.month
)

select * from final
