{#-
    The KPI mart (docs/metrics.md, "The KPI mart"): one row per month of the reporting window and KPI.
    It restates, never recomputes: kpi_value is the column of the same name in its source fact
    (efficiency KPIs from fct_revenue_per_head, function `all`). Exactly one KPI per month is the north
    star: the one named by the var north_star_kpi. value_status says why a value is what it is (first
    that applies): hidden (privacy hid an input, value null), partial_window (its window reaches before
    the reporting window), immature (a cohort rate of the last 3 months), no_data (null: a zero
    denominator, or a raw table it needs has no usable row, when the value is null too), else ok.
    Targets come from seed kpi_targets.
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

final as (
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
)

select * from final
