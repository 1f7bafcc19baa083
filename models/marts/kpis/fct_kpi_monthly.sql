{#-
    The KPI mart (docs/metrics.md, "The KPI mart"): one row per month of the reporting window and KPI.
    It restates, never recomputes: kpi_value is the column of the same name in its source fact
    (efficiency KPIs from fct_revenue_per_head, function `all`). Exactly one KPI per month is the north
    star: the one named by the var north_star_kpi. value_status says why a value is what it is (first
    that applies): hidden (privacy hid an input, value null), partial_window (its window reaches before
    the reporting window), immature (a cohort rate of the last 3 months), no_data (null: a zero
    denominator, or a raw table it needs has no usable row, when the value is null too), else ok.
    Targets come from seed kpi_targets. Peer benchmarks (seed kpi_benchmarks) are looked up by the
    month's ARR band (month-end ARR of fct_unit_economics); benchmark_position places an ok value among
    the band's quartiles in the direction of the KPI's target comparison (docs/metrics.md, "Peer
    benchmarks").
-#}
{#- var north_star_kpi is checked by validate_vars() (on-run-start) -#}
{%- set catalogue = kpi_catalogue() -%}
-- The union is generated from kpi_catalogue(); sqlfluff measures indentation on the rendered loop.
-- noqa: disable=LT02
with

fct_sales_funnel as (
    select * from {{ ref('fct_sales_funnel') }}
),

fct_customer_success as (
    select * from {{ ref('fct_customer_success') }}
),

fct_bookings_forecast as (
    select * from {{ ref('fct_bookings_forecast') }}
),

fct_unit_economics as (
    select * from {{ ref('fct_unit_economics') }}
),

fct_revenue_per_head as (
    select * from {{ ref('fct_revenue_per_head') }}
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

kpi_benchmarks as (
    select * from {{ ref('kpi_benchmarks') }}
),

unpivoted as (
    {%- for kpi in catalogue %}
    select
        month,
        '{{ kpi.name }}' as kpi_name,
        '{{ kpi.label }}' as kpi_label,
        cast(case when not {{ kpi_input_empty(kpi.inputs) }} then {{ kpi.name }} end as decimal(18, 6)) as kpi_value,
        '{{ kpi.unit }}' as unit,
        '{{ kpi.stage }}' as stage,
        '{{ kpi.owner }}' as owner_function,
        {{ kpi_hidden_flag(kpi.hidden) }} as is_input_hidden,
        {{ kpi.min_months }} as min_months,
        {{ 'true' if kpi.cohort else 'false' }} as is_cohort_rate
    from {{ kpi.source }}
    {{ kpi_source_filter(kpi.source) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

statused as (
    select
        unpivoted.month,
        unpivoted.kpi_name,
        unpivoted.kpi_label,
        unpivoted.kpi_value,
        unpivoted.unit,
        unpivoted.stage,
        unpivoted.owner_function,
        unpivoted.kpi_name = {{ sql_literal(var("north_star_kpi")) }} as is_north_star,
        case
            when unpivoted.kpi_value is null and unpivoted.is_input_hidden then 'hidden'
            when spine.month_number < unpivoted.min_months then 'partial_window'
            when
                unpivoted.is_cohort_rate
                and unpivoted.month > {{ dbt.dateadd('month', -3, 'as_of.as_of_month') }}
                then 'immature'
            when unpivoted.kpi_value is null then 'no_data'
            else 'ok'
        end as value_status,
        cast(kpi_targets.target_value as decimal(18, 6)) as target_value,
        kpi_targets.comparison as target_comparison,
        case
            when kpi_targets.comparison = '>=' then unpivoted.kpi_value >= kpi_targets.target_value
            when kpi_targets.comparison = '<=' then unpivoted.kpi_value <= kpi_targets.target_value
        end as is_on_target,
        spine.is_month_complete
    from unpivoted
    inner join spine
        on unpivoted.month = spine.month
    cross join as_of
    left join kpi_targets
        on unpivoted.kpi_name = kpi_targets.kpi_name
),

arr_bands as (
    select
        month,
        case
            when arr_usd is null then null
            when arr_usd < 1000000 then 'lt_1m'
            when arr_usd < 5000000 then '1m_5m'
            when arr_usd < 20000000 then '5m_20m'
            when arr_usd < 50000000 then '20m_50m'
            when arr_usd < 100000000 then '50m_100m'
            else 'gt_100m'
        end as arr_band
    from fct_unit_economics
),

benchmarked as (
    select
        statused.*,
        arr_bands.arr_band,
        kpi_benchmarks.p25,
        kpi_benchmarks.p50,
        kpi_benchmarks.p75,
        kpi_benchmarks.source,
        kpi_benchmarks.source_year,
        kpi_benchmarks.url,
        -- +1 where higher is better, -1 where lower is: "at or better than x" is direction * value >= direction * x
        case statused.target_comparison when '>=' then 1 when '<=' then -1 end as direction
    from statused
    left join arr_bands
        on statused.month = arr_bands.month
    left join kpi_benchmarks
        on
            statused.kpi_name = kpi_benchmarks.kpi_name
            and arr_bands.arr_band = kpi_benchmarks.arr_band
),

final as (
    select
        month,
        kpi_name,
        kpi_label,
        kpi_value,
        unit,
        stage,
        owner_function,
        is_north_star,
        value_status,
        target_value,
        target_comparison,
        is_on_target,
        arr_band,
        cast(p25 as decimal(18, 6)) as benchmark_p25,
        cast(p50 as decimal(18, 6)) as benchmark_p50,
        cast(p75 as decimal(18, 6)) as benchmark_p75,
        case
            when value_status != 'ok' or p50 is null or direction is null then null
            when direction * kpi_value >= direction * p75 then 'above_p75'
            when direction * kpi_value >= direction * p50 and p75 is null then 'above_p50'
            when direction * kpi_value >= direction * p50 then 'p50_p75'
            when p25 is null then 'below_p50'
            when direction * kpi_value >= direction * p25 then 'p25_p50'
            else 'below_p25'
        end as benchmark_position,
        source as benchmark_source,
        source_year as benchmark_source_year,
        url as benchmark_url,
        is_month_complete
    from benchmarked
)

select * from final
