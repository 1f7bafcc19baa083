{#-
    One row per calendar day, 2015-01-01 to 2035-12-31: the semantic layer's time spine (MetricFlow joins
    metrics to it) and a plain date dimension for BI tools. Built with dbt's portable date_spine.
-#}

with days as (

    {{ dbt.date_spine('day', "cast('2015-01-01' as date)", "cast('2036-01-01' as date)") }}

),

final as (
    select
        cast(date_day as date) as date_day,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from days
)

select * from final
