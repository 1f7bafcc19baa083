{#-
    The KPIs of fct_kpi_monthly (docs/metrics.md, "The KPI mart"): name (= the source column), the label
    readers see (reports, BI), unit,
    stage, owning function (which decides the report page it is on) and the fact it is restated from, the
    columns of that fact it is made of (components, shown in the report's drill-down and in dim_kpis), plus
    what its value_status needs:
      min_months - the month_number from which the KPI's window (ttm, 3-month, year-over-year, lag) is
                   covered by the reporting window; earlier rows are partial_window;
      hidden     - when the value is null because privacy hid one of its inputs (see kpi_hidden_flags());
      cohort     - a cohort rate, immature while its cohort is younger than 3 months;
      inputs     - the raw tables it cannot be computed without (docs/reliability.md): when one of them has
                   no usable row (nothing loaded, or all of it quarantined), the KPI is null and no_data,
                   never a number built on nothing (payroll 0 is not a 70 % operating margin). Optional
                   tables (refunds, account, users, history, fx rates of a one-currency company) are not.
    Efficiency KPIs are the company's (fct_revenue_per_head, function `all`).
-#}
{% macro kpi_catalogue() -%}
    {%- set billing = ['raw_billing.customer', 'raw_billing.price', 'raw_billing.invoice', 'raw_billing.invoice_line_item'] -%}
    {%- set people = ['raw_hr.employee', 'raw_hr.employment_status', 'raw_hr.job_history'] -%}
    {%- set cost = people + ['raw_hr.compensation', 'raw_finance.gl_entry'] -%}
    {%- set stage_inputs = {
        'demand_generation': ['raw_crm.lead'], 'opportunity_management': ['raw_crm.opportunity'],
        'onboarding_adoption': ['raw_cs.onboarding'], 'retention_expansion': billing,
        'business_health': billing + cost, 'efficiency': billing + people,
    } -%}
    {%- set kpi_inputs = {
        'cost_per_mql_usd': ['raw_crm.lead'] + cost, 'cost_per_sql_usd': ['raw_crm.lead'] + cost,
        'nps': ['raw_cs.nps_response'], 'nps_3m': ['raw_cs.nps_response'],
        'forecast_bookings_next_q_usd': ['raw_crm.opportunity', 'raw_crm.opportunity_history'],
        'forecast_error_pct': ['raw_crm.opportunity', 'raw_crm.opportunity_history'],
        'commit_forecast_error_pct': ['raw_crm.opportunity', 'raw_crm.opportunity_history'],
        'csat': ['raw_cs.csat_response'], 'csat_3m': ['raw_cs.csat_response'],
        'product_adoption_rate': billing + ['raw_product.feature_usage'],
        'weekly_active_users_per_seat': billing + ['raw_product.feature_usage'],
        'logo_churn_rate_adopted': billing + ['raw_product.feature_usage'],
        'logo_churn_rate_not_adopted': billing + ['raw_product.feature_usage'],
        'revenue_usd': billing, 'ttm_revenue_usd': billing, 'mrr_growth_mom': billing, 'arr_growth_yoy': billing,
        'month_end_fte': people, 'avg_fte': people, 'fte_growth_yoy': people, 'support_ratio': people,
        'cost_per_revenue_dollar': billing + cost, 'ai_tooling_cost_per_fte_usd': people + ['raw_finance.gl_entry'],
    } -%}
    {%- set stages = [
        ('demand_generation', 'marketing', 'fct_sales_funnel', [
            ('mqls', 'count', {}), ('sqls', 'count', {}), ('mql_to_sql_rate', 'ratio', {'cohort': true}),
            ('mql_to_sql_days', 'days', {}),
            ('cost_per_mql_usd', 'usd', {'hidden': 'marketing'}), ('cost_per_sql_usd', 'usd', {'hidden': 'marketing'}),
        ]),
        ('opportunity_management', 'sales', 'fct_sales_funnel', [
            ('win_rate', 'ratio', {}), ('avg_deal_size_usd', 'usd', {}), ('sales_cycle_days', 'days', {}),
            ('pipeline_value_usd', 'usd', {}), ('pipeline_velocity_usd_per_day', 'usd_per_day', {}),
            ('bookings_usd', 'usd', {}), ('bookings_growth_mom', 'ratio', {'min_months': 2}),
            ('forecast_accuracy', 'ratio', {}),
        ]),
        ('opportunity_management', 'sales', 'fct_bookings_forecast', [
            ('forecast_bookings_next_q_usd', 'usd', {'min_months': 12}),
            ('forecast_error_pct', 'ratio', {'min_months': 12}),
            ('commit_forecast_error_pct', 'ratio', {}),
        ]),
        ('onboarding_adoption', 'customer_success', 'fct_customer_success', [
            ('onboarding_completion_rate', 'ratio', {'cohort': true}), ('time_to_value_days', 'days', {}),
            ('nps', 'score', {}), ('nps_3m', 'score', {}), ('csat', 'ratio', {}), ('csat_3m', 'ratio', {}),
            ('product_adoption_rate', 'ratio', {}), ('weekly_active_users_per_seat', 'ratio', {}),
            ('logo_churn_rate_adopted', 'ratio', {'min_months': 2}),
            ('logo_churn_rate_not_adopted', 'ratio', {'min_months': 2}),
        ]),
        ('retention_expansion', 'customer_success', 'fct_unit_economics', [
            ('mrr_usd', 'usd', {}), ('arr_usd', 'usd', {}), ('new_mrr_usd', 'usd', {}), ('expansion_mrr_usd', 'usd', {}),
            ('contraction_mrr_usd', 'usd', {}), ('churned_mrr_usd', 'usd', {}), ('reactivation_mrr_usd', 'usd', {}),
            ('fx_adjustment_mrr_usd', 'usd', {}), ('active_customers', 'count', {}),
            ('logo_churn_rate', 'ratio', {'min_months': 2}), ('gross_mrr_churn_rate', 'ratio', {'min_months': 2}),
            ('nrr', 'ratio', {'min_months': 13}), ('grr', 'ratio', {'min_months': 13}), ('arpa_usd', 'usd', {}),
            ('net_new_arr_usd', 'usd', {}), ('quick_ratio', 'ratio', {'min_months': 2}),
        ]),
        ('business_health', 'general_administrative', 'fct_unit_economics', [
            ('revenue_usd', 'usd', {}), ('ttm_revenue_usd', 'usd', {'min_months': 12}),
            ('gross_margin', 'ratio', {'hidden': 'cogs'}),
            ('operating_margin', 'ratio', {'hidden': 'total'}),
            ('cac_usd', 'usd', {'hidden': 'sales_marketing'}),
            ('cac_3m_usd', 'usd', {'min_months': 3, 'hidden': 'sales_marketing_3m'}),
            ('ltv_usd', 'usd', {'min_months': 12, 'hidden': 'cogs_ttm'}),
            ('ltv_to_cac', 'ratio', {'min_months': 12, 'hidden': 'cogs_ttm_or_sales_marketing_3m'}),
            ('cac_payback_months', 'months', {'min_months': 12, 'hidden': 'cogs_ttm_or_sales_marketing_3m'}),
            ('magic_number', 'ratio', {'min_months': 6, 'hidden': 'sales_marketing_m5_m3'}),
            ('burn_multiple', 'ratio', {'min_months': 4, 'hidden': 'total_3m'}),
            ('mrr_growth_mom', 'ratio', {'min_months': 2}),
            ('arr_growth_yoy', 'ratio', {'min_months': 13}),
            ('operating_margin_ttm', 'ratio', {'min_months': 12, 'hidden': 'total_ttm'}),
            ('rule_of_40', 'ratio', {'min_months': 13, 'hidden': 'total_ttm'}),
        ]),
        ('efficiency', 'general_administrative', 'fct_revenue_per_head', [
            ('revenue_per_head_ttm_usd', 'usd', {'min_months': 12}), ('arr_per_fte_usd', 'usd', {}),
            ('month_end_fte', 'count', {}), ('avg_fte', 'count', {}),
            ('cost_per_revenue_dollar', 'ratio', {'hidden': 'company'}), ('arr_per_quota_carrier_usd', 'usd', {}),
            ('support_ratio', 'ratio', {}), ('ai_tooling_cost_per_fte_usd', 'usd', {}),
            ('revenue_per_head_growth_yoy', 'ratio', {'min_months': 13}),
            ('fte_growth_yoy', 'ratio', {'min_months': 13}),
            ('incremental_revenue_per_fte_usd', 'usd', {'min_months': 13}),
            ('growth_from_hiring_share', 'ratio', {'min_months': 25}),
            ('growth_from_efficiency_share', 'ratio', {'min_months': 25}),
        ]),
    ] -%}
    {%- set labels = {
        'mqls': 'MQLs',
        'sqls': 'SQLs',
        'mql_to_sql_rate': 'MQL→SQL rate',
        'mql_to_sql_days': 'MQL→SQL days',
        'cost_per_mql_usd': 'Cost per MQL',
        'cost_per_sql_usd': 'Cost per SQL',
        'win_rate': 'Win rate',
        'avg_deal_size_usd': 'Average deal size',
        'sales_cycle_days': 'Sales cycle (days)',
        'pipeline_value_usd': 'Open pipeline',
        'pipeline_velocity_usd_per_day': 'Pipeline velocity ($/day)',
        'bookings_usd': 'Bookings',
        'bookings_growth_mom': 'Bookings growth (MoM)',
        'forecast_accuracy': 'Commit forecast accuracy',
        'forecast_bookings_next_q_usd': 'Bookings forecast (next quarter)',
        'forecast_error_pct': 'Forecast error, weighted (next quarter)',
        'commit_forecast_error_pct': 'Forecast error, commit (next quarter)',
        'onboarding_completion_rate': 'Onboarding completion',
        'time_to_value_days': 'Time to value (days)',
        'nps': 'NPS',
        'nps_3m': 'NPS (3 months)',
        'csat': 'CSAT',
        'csat_3m': 'CSAT (3 months)',
        'product_adoption_rate': 'Product adoption',
        'weekly_active_users_per_seat': 'Weekly active users per seat',
        'logo_churn_rate_adopted': 'Logo churn, adopted customers',
        'logo_churn_rate_not_adopted': 'Logo churn, customers not adopted',
        'mrr_usd': 'MRR',
        'arr_usd': 'ARR',
        'new_mrr_usd': 'New MRR',
        'expansion_mrr_usd': 'Expansion MRR',
        'contraction_mrr_usd': 'Contraction MRR',
        'churned_mrr_usd': 'Churned MRR',
        'reactivation_mrr_usd': 'Reactivation MRR',
        'fx_adjustment_mrr_usd': 'FX effect on MRR',
        'active_customers': 'Active customers',
        'logo_churn_rate': 'Logo churn (monthly)',
        'gross_mrr_churn_rate': 'Gross MRR churn (monthly)',
        'nrr': 'Net revenue retention',
        'grr': 'Gross revenue retention',
        'arpa_usd': 'ARPA (monthly)',
        'net_new_arr_usd': 'Net new ARR',
        'quick_ratio': 'SaaS quick ratio',
        'revenue_usd': 'Revenue (month)',
        'ttm_revenue_usd': 'Revenue (TTM)',
        'gross_margin': 'Gross margin',
        'operating_margin': 'Operating margin',
        'cac_usd': 'CAC',
        'cac_3m_usd': 'CAC (3 months)',
        'ltv_usd': 'LTV',
        'ltv_to_cac': 'LTV:CAC',
        'cac_payback_months': 'CAC payback (months)',
        'magic_number': 'Magic number',
        'burn_multiple': 'Burn multiple',
        'mrr_growth_mom': 'MRR growth (MoM)',
        'arr_growth_yoy': 'ARR growth (YoY)',
        'operating_margin_ttm': 'Operating margin (TTM)',
        'rule_of_40': 'Rule of 40',
        'revenue_per_head_ttm_usd': 'Revenue per head (TTM)',
        'arr_per_fte_usd': 'ARR per FTE',
        'month_end_fte': 'FTE (month end)',
        'avg_fte': 'Average FTE',
        'cost_per_revenue_dollar': 'Cost per revenue dollar',
        'arr_per_quota_carrier_usd': 'ARR per quota carrier',
        'support_ratio': 'Revenue-support FTE per quota carrier',
        'ai_tooling_cost_per_fte_usd': 'AI tooling cost per FTE',
        'revenue_per_head_growth_yoy': 'Revenue per head growth (YoY)',
        'fte_growth_yoy': 'FTE growth (YoY)',
        'incremental_revenue_per_fte_usd': 'Revenue per added FTE',
        'growth_from_hiring_share': 'Revenue growth from hiring (share)',
        'growth_from_efficiency_share': 'Revenue growth from revenue per head (share)',
    } -%}
    {#- what the report's drill-down shows beside a KPI: columns of its own source fact it is made of
        (fct_revenue_per_head KPIs are also shown by function) -#}
    {%- set components = {
        'mql_to_sql_rate': ['mqls', 'sqls'], 'mql_to_sql_days': ['sqls'],
        'cost_per_mql_usd': ['marketing_cost_usd', 'mqls'], 'cost_per_sql_usd': ['marketing_cost_usd', 'sqls'],
        'win_rate': ['won_new_business', 'lost_new_business', 'closed_new_business'],
        'avg_deal_size_usd': ['won_new_business'],
        'pipeline_value_usd': ['open_opportunities'],
        'pipeline_velocity_usd_per_day': ['open_opportunities', 'win_rate', 'avg_deal_size_usd', 'sales_cycle_days'],
        'bookings_growth_mom': ['bookings_usd'], 'forecast_accuracy': ['commit_forecast_usd', 'bookings_usd'],
        'forecast_bookings_next_q_usd': ['open_opportunities_next_q', 'closed_opportunities_12m', 'company_win_rate_12m',
                                         'commit_forecast_next_q_usd'],
        'forecast_error_pct': ['forecast_bookings_next_q_usd', 'actual_bookings_next_q_usd'],
        'commit_forecast_error_pct': ['commit_forecast_next_q_usd', 'actual_bookings_next_q_usd'],
        'onboarding_completion_rate': ['onboardings_started', 'onboardings_completed'],
        'time_to_value_days': ['onboardings_live'],
        'nps': ['nps_responses', 'promoters', 'detractors'], 'nps_3m': ['nps_responses_3m'],
        'csat': ['csat_responses', 'csat_satisfied'], 'csat_3m': ['csat_responses_3m'],
        'product_adoption_rate': ['adoption_active_customers', 'adopted_customers', 'adoption_unresolved_customers'],
        'weekly_active_users_per_seat': ['seats', 'weekly_active_users'],
        'logo_churn_rate_adopted': ['adopted_prior_customers', 'adopted_churned_customers'],
        'logo_churn_rate_not_adopted': ['not_adopted_prior_customers', 'not_adopted_churned_customers'],
        'mrr_usd': ['opening_mrr_usd', 'new_mrr_usd', 'expansion_mrr_usd', 'reactivation_mrr_usd',
                    'contraction_mrr_usd', 'churned_mrr_usd', 'fx_adjustment_mrr_usd'],
        'arr_usd': ['mrr_usd'], 'new_mrr_usd': ['new_customers'], 'churned_mrr_usd': ['churned_customers'],
        'active_customers': ['new_customers', 'churned_customers'],
        'logo_churn_rate': ['churned_customers', 'active_customers'],
        'gross_mrr_churn_rate': ['churned_mrr_usd', 'contraction_mrr_usd', 'opening_mrr_usd'],
        'nrr': ['nrr_base_mrr_usd', 'nrr_expansion_mrr_usd', 'nrr_contraction_mrr_usd', 'nrr_churned_mrr_usd'],
        'grr': ['nrr_base_mrr_usd', 'nrr_contraction_mrr_usd', 'nrr_churned_mrr_usd'],
        'arpa_usd': ['mrr_usd', 'active_customers'], 'net_new_arr_usd': ['arr_usd'],
        'quick_ratio': ['new_mrr_usd', 'reactivation_mrr_usd', 'expansion_mrr_usd', 'contraction_mrr_usd', 'churned_mrr_usd'],
        'ttm_revenue_usd': ['revenue_usd'],
        'gross_margin': ['revenue_usd', 'cogs_usd'], 'operating_margin': ['revenue_usd', 'total_cost_usd'],
        'cac_usd': ['sales_marketing_cost_usd', 'new_customers'],
        'cac_3m_usd': ['sales_marketing_cost_usd', 'new_customers'],
        'ltv_usd': ['arpa_usd', 'gross_margin_ttm', 'logo_churn_rate'],
        'ltv_to_cac': ['ltv_usd', 'cac_3m_usd'],
        'cac_payback_months': ['cac_3m_usd', 'new_customer_arpa_3m_usd', 'gross_margin_ttm'],
        'magic_number': ['arr_usd', 'sales_marketing_cost_usd'],
        'burn_multiple': ['revenue_usd', 'total_cost_usd', 'net_new_arr_usd'],
        'mrr_growth_mom': ['mrr_usd'], 'arr_growth_yoy': ['arr_usd'],
        'operating_margin_ttm': ['ttm_revenue_usd'], 'rule_of_40': ['arr_growth_yoy', 'operating_margin_ttm'],
        'revenue_per_head_ttm_usd': ['ttm_revenue_usd', 'avg_fte'], 'arr_per_fte_usd': ['arr_usd', 'month_end_fte'],
        'month_end_fte': ['month_end_headcount'], 'avg_fte': ['month_end_fte'],
        'cost_per_revenue_dollar': ['total_cost_usd', 'payroll_cost_usd', 'non_payroll_cost_usd', 'revenue_usd'],
        'arr_per_quota_carrier_usd': ['arr_usd', 'quota_carrier_fte'],
        'support_ratio': ['revenue_support_fte', 'quota_carrier_fte'],
        'ai_tooling_cost_per_fte_usd': ['ai_tooling_cost_usd', 'avg_fte'],
        'revenue_per_head_growth_yoy': ['revenue_per_head_ttm_usd'], 'fte_growth_yoy': ['avg_fte'],
        'incremental_revenue_per_fte_usd': ['ttm_revenue_usd', 'avg_fte'],
        'growth_from_hiring_share': ['ttm_revenue_usd', 'revenue_per_head_growth_yoy', 'fte_growth_yoy'],
        'growth_from_efficiency_share': ['ttm_revenue_usd', 'revenue_per_head_growth_yoy', 'fte_growth_yoy'],
    } -%}
    {%- set catalogue = [] -%}
    {%- for stage, owner, source, kpis in stages -%}
        {%- for name, unit, extra in kpis -%}
            {%- do catalogue.append({
                'name': name, 'label': labels[name], 'unit': unit, 'stage': stage, 'owner': owner, 'source': source,
                'min_months': extra.get('min_months', 1), 'hidden': extra.get('hidden'),
                'cohort': extra.get('cohort', false), 'inputs': kpi_inputs.get(name, stage_inputs[stage]),
                'components': components.get(name, []),
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(catalogue) }}
{%- endmacro %}

{#- Rows of a KPI source fact that carry company-level values. -#}
{% macro kpi_source_filter(source) -%}
    {%- if source == 'fct_revenue_per_head' -%} where function = 'all' {%- endif -%}
{%- endmacro %}

{#-
    Whether privacy hid an input of the KPI in the row's month (rule 4: in any month of its window), as
    a SQL boolean over the source fact's own flags, ordered by month (one row per month).
-#}
{% macro kpi_hidden_flag(hidden) -%}
    {%- set flags = {
        'marketing': 'is_cost_suppressed',
        'company': 'is_suppressed',
        'cogs': 'is_cogs_hidden',
        'total': 'is_total_cost_hidden',
        'sales_marketing': 'is_sales_marketing_cost_hidden',
        'sales_marketing_3m': hidden_in_window('is_sales_marketing_cost_hidden', 2, 0),
        'sales_marketing_m5_m3': hidden_in_window('is_sales_marketing_cost_hidden', 5, 3),
        'cogs_ttm': hidden_in_window('is_cogs_hidden', 11, 0),
        'cogs_ttm_or_sales_marketing_3m': '(' ~ hidden_in_window('is_cogs_hidden', 11, 0) ~ ' or '
            ~ hidden_in_window('is_sales_marketing_cost_hidden', 2, 0) ~ ')',
        'total_3m': hidden_in_window('is_total_cost_hidden', 2, 0),
        'total_ttm': hidden_in_window('is_total_cost_hidden', 11, 0),
    } -%}
    {{- flags[hidden] if hidden else 'false' -}}
{%- endmacro %}

{% macro hidden_in_window(flag, first_preceding, last_preceding) -%}
    (coalesce(max(case when {{ flag }} then 1 else 0 end) over (
        order by month rows between {{ first_preceding }} preceding and
        {{ 'current row' if last_preceding == 0 else last_preceding ~ ' preceding' }}
    ), 0) = 1)
{%- endmacro %}

{#- True when one of the raw tables a KPI needs has no usable (staged) row in this build. -#}
{% macro kpi_input_empty(inputs) -%}
    {%- set tables = [] -%}
    {%- for table in inputs -%}{%- do tables.append(sql_literal(table)) -%}{%- endfor -%}
    (
        (
            select count(*) from {{ ref('raw_row_counts') }}
            where rows_staged = 0 and source_table in ({{ tables | join(', ') }})
        ) > 0
    )
{%- endmacro %}
