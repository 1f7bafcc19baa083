{#- Every KPI value equals the column of the same name in its source fact, month by month; null only where
    a raw table the KPI needs has no usable row (kpi_catalogue's inputs). -#}
{% test kpi_restates_sources(model) %}

{%- for kpi in kpi_catalogue() %}
select
    kpis.month,
    kpis.kpi_name,
    kpis.kpi_value,
    source_fact.{{ kpi.name }} as source_value
from {{ model }} as kpis
inner join (select * from {{ ref(kpi.source) }} {{ kpi_source_filter(kpi.source) }}) as source_fact
    on kpis.month = source_fact.month
where
    kpis.kpi_name = '{{ kpi.name }}'
    and (
        kpis.kpi_value <> source_fact.{{ kpi.name }}
        or (kpis.kpi_value is null) <> (source_fact.{{ kpi.name }} is null or {{ kpi_input_empty(kpi.inputs) }})
    )
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}

{% endtest %}
