{#-
    The KPIs of fct_kpi_monthly (docs/metrics.md, "The KPI mart"): name (= the source column), unit,
    stage, owning function and the fact it is restated from. Efficiency KPIs are the company's
    (fct_revenue_per_head, function `all`).
-#}
{% macro kpi_catalogue() -%}
    {%- set stages = [
        ('demand_generation', 'marketing', 'fct_sales_funnel', [
            ('mqls', 'count'), ('sqls', 'count'), ('mql_to_sql_rate', 'ratio'),
            ('cost_per_mql_usd', 'usd'), ('cost_per_sql_usd', 'usd'),
        ]),
        ('opportunity_management', 'sales', 'fct_sales_funnel', [
            ('win_rate', 'ratio'), ('avg_deal_size_usd', 'usd'), ('sales_cycle_days', 'days'),
            ('pipeline_value_usd', 'usd'), ('pipeline_velocity_usd_per_day', 'usd'), ('bookings_usd', 'usd'),
            ('bookings_growth_mom', 'ratio'), ('forecast_accuracy', 'ratio'),
        ]),
        ('onboarding_adoption', 'customer_success', 'fct_customer_success', [
            ('onboarding_completion_rate', 'ratio'), ('time_to_value_days', 'days'), ('nps', 'score'),
        ]),
        ('retention_expansion', 'customer_success', 'fct_unit_economics', [
            ('mrr_usd', 'usd'), ('arr_usd', 'usd'), ('new_mrr_usd', 'usd'), ('expansion_mrr_usd', 'usd'),
            ('contraction_mrr_usd', 'usd'), ('churned_mrr_usd', 'usd'), ('reactivation_mrr_usd', 'usd'),
            ('fx_adjustment_mrr_usd', 'usd'), ('active_customers', 'count'), ('logo_churn_rate', 'ratio'),
            ('gross_mrr_churn_rate', 'ratio'), ('nrr', 'ratio'), ('grr', 'ratio'), ('arpa_usd', 'usd'),
        ]),
        ('business_health', 'general_administrative', 'fct_unit_economics', [
            ('revenue_usd', 'usd'), ('ttm_revenue_usd', 'usd'), ('gross_margin', 'ratio'),
            ('operating_margin', 'ratio'), ('cac_usd', 'usd'), ('cac_3m_usd', 'usd'), ('ltv_usd', 'usd'),
            ('ltv_to_cac', 'ratio'), ('cac_payback_months', 'months'), ('magic_number', 'ratio'),
            ('burn_multiple', 'ratio'), ('mrr_growth_mom', 'ratio'),
        ]),
        ('efficiency', 'general_administrative', 'fct_revenue_per_head', [
            ('revenue_per_head_ttm_usd', 'usd'), ('arr_per_fte_usd', 'usd'), ('month_end_fte', 'count'),
            ('avg_fte', 'count'), ('cost_per_revenue_dollar', 'ratio'), ('arr_per_quota_carrier_usd', 'usd'),
            ('support_ratio', 'ratio'), ('ai_tooling_cost_per_fte_usd', 'usd'),
        ]),
    ] -%}
    {%- set catalogue = [] -%}
    {%- for stage, owner, source, kpis in stages -%}
        {%- for name, unit in kpis -%}
            {%- do catalogue.append({'name': name, 'unit': unit, 'stage': stage, 'owner': owner, 'source': source}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(catalogue) }}
{%- endmacro %}

{#- Rows of a KPI source fact that carry company-level values. -#}
{% macro kpi_source_filter(source) -%}
    {%- if source == 'fct_revenue_per_head' -%} where function = 'all' {%- endif -%}
{%- endmacro %}
