{#-
    The KPI mart (docs/metrics.md, "The KPI mart"): one row per month of the reporting window and KPI.
    It restates, never recomputes: kpi_value is the column of the same name in its source fact
    (efficiency KPIs from fct_revenue_per_head, function `all`). Exactly one KPI per month is the north
    star: the one named by the var north_star_kpi.
-#}
{%- set catalogue = kpi_catalogue() -%}
{%- set names = catalogue | map(attribute='name') | list -%}
{%- if var('north_star_kpi') not in names -%}
    {{ exceptions.raise_compiler_error("var north_star_kpi must be one of the KPIs of fct_kpi_monthly, got '" ~ var('north_star_kpi') ~ "'") }}
{%- endif -%}
-- The union is generated from kpi_catalogue(); sqlfluff measures indentation on the rendered loop.
-- noqa: disable=LT02
with

fct_sales_funnel as (
    select * from {{ ref('fct_sales_funnel') }}
),

fct_customer_success as (
    select * from {{ ref('fct_customer_success') }}
),

fct_unit_economics as (
    select * from {{ ref('fct_unit_economics') }}
),

fct_revenue_per_head as (
    select * from {{ ref('fct_revenue_per_head') }}
),

unpivoted as (
    {%- for kpi in catalogue %}
    select
        month,
        '{{ kpi.name }}' as kpi_name,
        cast({{ kpi.name }} as decimal(18, 6)) as kpi_value,
        '{{ kpi.unit }}' as unit,
        '{{ kpi.stage }}' as stage,
        '{{ kpi.owner }}' as owner_function
    from {{ kpi.source }}
    {{ kpi_source_filter(kpi.source) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        *,
        kpi_name = '{{ var("north_star_kpi") }}' as is_north_star
    from unpivoted
)

select * from final
