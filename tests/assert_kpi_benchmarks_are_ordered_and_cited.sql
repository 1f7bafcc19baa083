{#-
    Seed kpi_benchmarks is usable: its quartiles run in the direction of the KPI's comparison (p25 below
    p50 below p75 where higher is better, the other way round where lower is better), every row cites a
    public https address, and every kpi_name is a KPI of the catalogue (a misspelt one would go unused
    without a word). A row that breaks one would place the company in the wrong quartile, publish a figure
    nobody can check, or drop a benchmark silently.
-#}
{%- set catalogue = kpi_catalogue() -%}
with

kpi_benchmarks as (
    select * from {{ ref('kpi_benchmarks') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

oriented as (
    select
        kpi_benchmarks.kpi_name,
        kpi_benchmarks.arr_band,
        kpi_benchmarks.url,
        case when kpi_targets.comparison = '<=' then -1 else 1 end as direction,
        kpi_benchmarks.p25,
        kpi_benchmarks.p50,
        kpi_benchmarks.p75
    from kpi_benchmarks
    inner join kpi_targets
        on kpi_benchmarks.kpi_name = kpi_targets.kpi_name
)

select
    kpi_name,
    arr_band
from oriented
where
    direction * p25 > direction * p50
    or direction * p50 > direction * p75
    or url not like 'https://%'
    or kpi_name not in (
        {%- for kpi in catalogue %}
            {{ sql_literal(kpi.name) }}{{ "," if not loop.last }}
        {%- endfor %}
    )
