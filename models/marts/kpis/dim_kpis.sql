{#-
    The KPI dictionary (docs/metrics.md, "The KPI mart"): one row per KPI of fct_kpi_monthly, from
    kpi_catalogue() and, for the definition, the description of the KPI's column in its source fact's YAML
    (so a formula is written once). A KPI whose column has no description, or a component column its source
    fact lacks, fails the compile: the dictionary is never half-written.
-#}
{%- set catalogue = kpi_catalogue() -%}
{%- set columns_of = {} -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.package_name == project_name -%}
        {%- do columns_of.update({node.name: node.columns}) -%}
    {%- endfor -%}
{%- endif -%}
-- The rows are generated from kpi_catalogue(); sqlfluff measures indentation on the rendered loop.
-- noqa: disable=LT02
with

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

catalogue as (
    {%- for kpi in catalogue %}
    {%- set definition = '' -%}
    {%- if execute -%}
        {%- set source_columns = columns_of.get(kpi.source, {}) -%}
        {%- set definition = (source_columns.get(kpi.name) or {}).get('description', '') -%}
        {%- if not definition -%}
            {{ exceptions.raise_compiler_error("dim_kpis: " ~ kpi.source ~ "." ~ kpi.name ~ " has no description in its YAML: the KPI dictionary takes its definition from there") }}
        {%- endif -%}
        {%- for column in kpi.components if column not in source_columns -%}
            {{ exceptions.raise_compiler_error("dim_kpis: component " ~ column ~ " of " ~ kpi.name ~ " is not a documented column of " ~ kpi.source) }}
        {%- endfor -%}
    {%- endif %}
    select
        {{ sql_literal(kpi.name) }} as kpi_name,
        {{ sql_literal(kpi.label) }} as kpi_label,
        {{ sql_literal(kpi.unit) }} as unit,
        {{ sql_literal(kpi.stage) }} as stage,
        {{ sql_literal(kpi.owner) }} as owner_function,
        {{ sql_literal(kpi.source) }} as source_model,
        {{ sql_literal(definition | trim) }} as definition,
        {{ sql_literal(kpi.components | join(',')) }} as component_columns,
        {{ kpi.min_months }} as min_months,
        {{ 'true' if kpi.cohort else 'false' }} as is_cohort_rate,
        {{ sql_literal(kpi.inputs | join(',')) }} as required_raw_tables,
        {{ loop.index }} as catalogue_order
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        catalogue.kpi_name,
        catalogue.kpi_label,
        catalogue.unit,
        catalogue.stage,
        catalogue.owner_function,
        catalogue.source_model,
        catalogue.definition,
        catalogue.component_columns,
        cast(catalogue.min_months as integer) as min_months,
        catalogue.is_cohort_rate,
        catalogue.required_raw_tables,
        catalogue.kpi_name = {{ sql_literal(var("north_star_kpi")) }} as is_north_star,
        cast(kpi_targets.target_value as decimal(18, 6)) as target_value,
        kpi_targets.comparison as target_comparison,
        cast(catalogue.catalogue_order as integer) as catalogue_order
    from catalogue
    left join kpi_targets
        on catalogue.kpi_name = kpi_targets.kpi_name
)

select * from final
