{#-
    The documented vars (docs/metrics.md, "Conventions"), checked once at the start of every run
    (on-run-start): a bad value stops the run with one line naming the var and what it accepts, instead
    of failing deep inside a model or, worse, building numbers from it.
-#}
{% macro validate_vars() -%}
    {%- set errors = [] -%}
    {%- set as_of = var('as_of_date', none) -%}
    {%- if as_of is not none and as_of != '' -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', as_of | string) -%}
            {%- do errors.append("as_of_date must be a date like 2025-12-31 (or unset for the latest invoice load), got '" ~ as_of ~ "'") -%}
        {%- else -%}
            {%- set parts = (as_of | string).split('-') | map('int') | list -%}
            {%- set days = [31, 29 if (parts[0] % 4 == 0 and (parts[0] % 100 != 0 or parts[0] % 400 == 0)) else 28,
                            31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
            {%- if parts[1] < 1 or parts[1] > 12 or parts[2] < 1 or parts[2] > days[parts[1] - 1] -%}
                {%- do errors.append("as_of_date must be a real calendar date like 2025-12-31, got '" ~ as_of ~ "'") -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {%- set k = var('min_group_size') -%}
    {%- if k is not number or k is sameas true or k is sameas false or k != k | int or k < 1 -%}
        {%- do errors.append("min_group_size must be a whole number >= 1 (default 5), got '" ~ k ~ "'") -%}
    {%- endif -%}
    {%- set load = var('benefits_load_rate') -%}
    {%- if load is not number or load is sameas true or load is sameas false or load < 0 -%}
        {%- do errors.append("benefits_load_rate must be a number >= 0 such as 0.20 (default), got '" ~ load ~ "'") -%}
    {%- endif -%}
    {%- if var('include_contractors') is not sameas true and var('include_contractors') is not sameas false -%}
        {%- do errors.append("include_contractors must be true or false (default false), got '" ~ var('include_contractors') ~ "'") -%}
    {%- endif -%}
    {%- for name in ['quarantine_warn_rate', 'quarantine_error_rate'] -%}
        {%- set rate = var(name) -%}
        {%- if rate is not number or rate is sameas true or rate is sameas false or rate < 0 or rate > 1 -%}
            {%- do errors.append(name ~ " must be a share between 0 and 1 such as 0.05, got '" ~ rate ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set min_rows = var('quarantine_error_min_rows') -%}
    {%- if min_rows is not number or min_rows is sameas true or min_rows is sameas false or min_rows != min_rows | int
        or min_rows < 0 -%}
        {%- do errors.append("quarantine_error_min_rows must be a whole number >= 0 (default 10), got '" ~ min_rows ~ "'") -%}
    {%- endif -%}
    {%- for name, choices in [
        ('billing_source', ['contract', 'stripe']), ('crm_source', ['contract', 'salesforce', 'hubspot']),
        ('finance_source', ['contract', 'xero']), ('hr_source', ['contract', 'bamboohr']),
        ('stripe_price_table', ['price', 'plan']), ('stripe_subscription_table', ['subscription_history', 'subscription']),
    ] -%}
        {%- if var(name, choices[0]) not in choices -%}
            {%- do errors.append(name ~ " must be one of " ~ choices | join(', ') ~ " (default " ~ choices[0] ~ "), got '" ~ var(name) ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, default in [('hours_per_year', 2080), ('bamboohr_days_per_year', 260)] -%}
        {%- if var(name, default) is not number or var(name, default) <= 0 -%}
            {%- do errors.append(name ~ " must be a number > 0 (default " ~ default ~ "), got '" ~ var(name) ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set names = kpi_catalogue() | map(attribute='name') | list -%}
    {%- if var('north_star_kpi') not in names -%}
        {%- do errors.append("north_star_kpi must name a KPI of fct_kpi_monthly (" ~ names | join(', ') ~ "), got '" ~ var('north_star_kpi') ~ "'") -%}
    {%- endif -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("invalid var: " ~ errors | join("; invalid var: ")) }}
    {%- endif -%}
    select 1 as vars_are_valid
{%- endmacro %}
