{#-
    The segments partition the company (docs/metrics.md, "Customer segments"): in every month, each
    additive KPI (is_additive) summed over the segments equals the company's value of the same KPI in
    fct_kpi_monthly (new_customers, not a KPI there, against fct_unit_economics), within a cent (each
    segment value is rounded to 6 decimals); and customers that moved in equal those that moved out.
-#}
{% test segments_add_up(model) %}

with

segment_sums as (
    select
        month,
        kpi_name,
        sum(kpi_value) as segments_value
    from {{ model }}
    where is_additive
    group by month, kpi_name
),

company as (
    select
        month,
        kpi_name,
        kpi_value
    from {{ ref('fct_kpi_monthly') }}
    union all
    select
        month,
        'new_customers' as kpi_name,
        cast(new_customers as decimal(18, 6)) as kpi_value
    from {{ ref('fct_unit_economics') }}
),

moves as (
    select
        month,
        sum(case when kpi_name = 'customers_moved_in' then kpi_value else 0 end) as moved_in,
        sum(case when kpi_name = 'customers_moved_out' then kpi_value else 0 end) as moved_out
    from {{ model }}
    group by month
)

select
    segment_sums.month,
    segment_sums.kpi_name,
    segment_sums.segments_value,
    company.kpi_value as company_value
from segment_sums
left join company
    on segment_sums.month = company.month and segment_sums.kpi_name = company.kpi_name
where
    company.kpi_value is null and segment_sums.segments_value is not null
    or company.kpi_value is not null and segment_sums.segments_value is null
    or abs(segment_sums.segments_value - company.kpi_value) > 0.01
union all
select
    month,
    'customers_moved_in - customers_moved_out' as kpi_name,
    moved_in as segments_value,
    moved_out as company_value
from moves
where moved_in <> moved_out

{% endtest %}
