{#-
    Revenue-side KPIs by customer segment (docs/metrics.md, "Customer segments"): one row per month of the
    reporting window, segment (smb, mid_market, enterprise, unknown) and KPI, restated from
    int_segment_kpis_measured (which computes them: the company's formulas within the segment).
    Customer-level KPIs (ratios over customers or deals) of a segment-month with fewer than min_group_size
    active customers are null and `hidden`; totals are always published, and the additive ones
    (is_additive) sum over the segments to the company's value in fct_kpi_monthly (a dbt test).
    value_status as in fct_kpi_monthly: hidden, partial_window, no_data (null, or an input table empty), ok.
-#}
{%- set catalogue = {} -%}
{%- for kpi in kpi_catalogue() -%}{%- do catalogue.update({kpi.name: kpi}) -%}{%- endfor -%}
{%- set billing_inputs = catalogue['mrr_usd'].inputs -%}
{%- set own_kpis = {
    'new_customers': {'label': 'New customers', 'unit': 'count', 'min_months': 1, 'inputs': billing_inputs},
    'customers_moved_in': {'label': 'Customers moved in', 'unit': 'count', 'min_months': 2, 'inputs': billing_inputs},
    'customers_moved_out': {'label': 'Customers moved out', 'unit': 'count', 'min_months': 2, 'inputs': billing_inputs},
} -%}
{#- (name, additive: sums to the company, customer_level: hidden below min_group_size) -#}
{%- set kpis = [
    ('mrr_usd', true, false), ('arr_usd', true, false), ('new_mrr_usd', true, false),
    ('expansion_mrr_usd', true, false), ('contraction_mrr_usd', true, false), ('churned_mrr_usd', true, false),
    ('reactivation_mrr_usd', true, false), ('fx_adjustment_mrr_usd', true, false),
    ('active_customers', true, false), ('new_customers', true, false),
    ('customers_moved_in', false, false), ('customers_moved_out', false, false),
    ('nrr', false, true), ('grr', false, true), ('logo_churn_rate', false, true), ('arpa_usd', false, true),
    ('win_rate', false, true), ('avg_deal_size_usd', false, true), ('sales_cycle_days', false, true),
    ('product_adoption_rate', false, true),
] -%}
-- The union is generated from the KPI list; sqlfluff measures indentation on the rendered loop.
-- noqa: disable=LT02
with

segment_kpis as (
    select * from {{ ref('int_segment_kpis_measured') }}
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

unpivoted as (
    {%- for name, additive, customer_level in kpis %}
    {%- set kpi = catalogue.get(name) or own_kpis[name] %}
    select
        segment_kpis.month,
        segment_kpis.segment,
        '{{ name }}' as kpi_name,
        '{{ kpi.label }}' as kpi_label,
        '{{ kpi.unit }}' as unit,
        {{ 'true' if additive else 'false' }} as is_additive,
        {{ 'segment_kpis.is_below_min_group_size' if customer_level else 'false' }} as is_hidden,
        {{ kpi_input_empty(kpi.inputs) }} as is_input_empty,
        spine.month_number < {{ kpi.min_months }} as is_partial_window,
        cast(segment_kpis.{{ name }} as decimal(18, 6)) as kpi_value,
        spine.is_month_complete
    from segment_kpis
    inner join spine
        on segment_kpis.month = spine.month
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        month,
        segment,
        kpi_name,
        kpi_label,
        case when not (is_hidden or is_input_empty) then kpi_value end as kpi_value,
        unit,
        is_additive,
        case
            when is_hidden then 'hidden'
            when is_partial_window then 'partial_window'
            when is_input_empty or kpi_value is null then 'no_data'
            else 'ok'
        end as value_status,
        is_month_complete
    from unpivoted
)

select * from final
