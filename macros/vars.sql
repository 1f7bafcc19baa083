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
    {#- 3: the privacy policy's floor (pipeline/privacy_audit.py POLICY_FLOOR checks every build against it) -#}
    {%- if k is not number or k is sameas true or k is sameas false or k != k | int or k < 3 -%}
        {%- do errors.append("min_group_size must be a whole number >= 3, the privacy floor (default 5), got '" ~ k ~ "'") -%}
    {%- endif -%}
    {%- set core = var('adoption_min_core_features') -%}
    {%- if core is not number or core is sameas true or core is sameas false or core != core | int or core < 1 -%}
        {%- do errors.append("adoption_min_core_features must be a whole number >= 1 (default 3), got '" ~ core ~ "'") -%}
    {%- endif -%}
    {%- set load = var('benefits_load_rate') -%}
    {%- if load is not number or load is sameas true or load is sameas false or load < 0 -%}
        {%- do errors.append("benefits_load_rate must be a number >= 0 such as 0.20 (default), got '" ~ load ~ "'") -%}
    {%- endif -%}
    {%- if var('include_contractors') is not sameas true and var('include_contractors') is not sameas false -%}
        {%- do errors.append("include_contractors must be true or false (default false), got '" ~ var('include_contractors') ~ "'") -%}
    {%- endif -%}
    {%- for name in ['quarantine_warn_rate', 'quarantine_error_rate', 'volume_drop_error_rate'] -%}
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
    {#- connector vars: names that reach SQL as identifiers must be plain names; values reach it only as
        quoted literals (sql_literal), and are checked for their shape here -#}
    {%- for name, default in [
        ('stripe_schema', 'stripe'), ('salesforce_schema', 'salesforce'), ('hubspot_schema', 'hubspot'),
        ('xero_schema', 'xero'), ('bamboohr_schema', 'bamboohr'),
        ('bamboohr_employee_identifier', 'employee'), ('bamboohr_employment_status_identifier', 'employment_status'),
        ('bamboohr_job_info_identifier', 'job_info'), ('bamboohr_compensation_identifier', 'compensation'),
        ('bamboohr_role_family_field', 'role_family'), ('bamboohr_fte_field', 'fte'),
        ('bamboohr_employment_type_field', 'employment_type'), ('stripe_crm_account_key', 'crm_account_id'),
        ('salesforce_account_segment_field', 'segment__c'), ('salesforce_lead_mql_at_field', 'mql_at__c'),
        ('salesforce_lead_sql_at_field', 'sql_at__c'), ('salesforce_user_employee_field', 'employee_number'),
        ('hubspot_company_segment_property', 'property_segment'),
    ] -%}
        {%- if not modules.re.fullmatch('[A-Za-z_][A-Za-z0-9_]{0,62}', var(name, default) | string) -%}
            {%- do errors.append(name ~ " must be a plain name (letters, digits, _; not starting with a digit), default "
                ~ default ~ ", got '" ~ var(name, default) ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in ['salesforce_currency', 'hubspot_currency', 'xero_base_currency'] -%}
        {%- if not modules.re.fullmatch('[A-Z]{3}', var(name, 'USD') | string) -%}
            {%- do errors.append(name ~ " must be an ISO 4217 code such as EUR (default USD), got '" ~ var(name, 'USD') ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set category = var('xero_department_category', 'Department') -%}
    {%- if category is not string or category | trim == '' or category | length > 100 -%}
        {%- do errors.append("xero_department_category must be the name of a Xero tracking category (default Department), got '" ~ category ~ "'") -%}
    {%- endif -%}
    {%- set part_time = var('bamboohr_part_time_fte', 0.5) -%}
    {%- if part_time is not number or part_time is sameas true or part_time is sameas false or part_time <= 0 or part_time > 1 -%}
        {%- do errors.append("bamboohr_part_time_fte must be a share above 0 and at most 1 (default 0.5), got '" ~ part_time ~ "'") -%}
    {%- endif -%}
    {%- for name in ['salesforce_history_mode', 'lint_connectors'] -%}
        {%- if var(name, false) is not sameas true and var(name, false) is not sameas false -%}
            {%- do errors.append(name ~ " must be true or false (default false), got '" ~ var(name) ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if execute and not errors -%}
        {%- do errors.extend(connector_var_errors()) -%}
    {%- endif -%}
    {%- set names = kpi_catalogue() | map(attribute='name') | list -%}
    {%- if var('north_star_kpi') not in names -%}
        {%- do errors.append("north_star_kpi must name a KPI of fct_kpi_monthly (" ~ names | join(', ') ~ "), got '" ~ var('north_star_kpi') ~ "'") -%}
    {%- endif -%}
    {%- if errors -%}
        {{ exceptions.raise_compiler_error("invalid var: " ~ errors | join("; invalid var: ")) }}
    {%- endif -%}
    select 1 as vars_are_valid
{%- endmacro %}


{#-
    A connector chosen by its var must find its tables where its schema var says (and Xero its department
    tracking category where xero_department_category says): a typo'd schema
    (stripe_schema: stripe_prod) is one line naming the var and the schemas that do hold the connector's
    tables, instead of an error per model. Read from information_schema (DuckDB, PostgreSQL).
-#}
{% macro connector_var_errors() -%}
    {%- set errors = [] -%}
    {%- set wanted = {} -%}
    {%- for source in graph.sources.values() if (source.meta or {}).get('connector') -%}
        {%- set entry = wanted.setdefault(source.meta.connector, {'schema': source.schema, 'tables': []}) -%}
        {%- do entry.tables.append(source.identifier | lower) -%}
    {%- endfor -%}
    {%- if wanted and target.type in ('duckdb', 'postgres') -%}
        {%- set names = [] -%}
        {%- for connector in wanted.values() -%}
            {%- for table in connector.tables -%}{%- do names.append(sql_literal(table)) -%}{%- endfor -%}
        {%- endfor -%}
        {%- set found = run_query("select lower(table_schema) as table_schema, lower(table_name) as table_name "
            ~ "from information_schema.tables where lower(table_name) in (" ~ (names | unique | join(', ')) ~ ")") -%}
        {%- for connector, entry in wanted.items() | sort -%}
            {%- set here = found.rows | selectattr(0, 'equalto', entry.schema | lower) | selectattr(1, 'in', entry.tables) | list -%}
            {%- if not here -%}
                {#- a schema "holds them" when it has at least half of them (raw_crm's account is not Xero's) -#}
                {%- set elsewhere = [] -%}
                {%- for schema in found.rows | map(attribute=0) | unique | sort -%}
                    {%- set count = found.rows | selectattr(0, 'equalto', schema) | selectattr(1, 'in', entry.tables) | list | length -%}
                    {%- if count * 2 >= entry.tables | length -%}{%- do elsewhere.append(schema) -%}{%- endif -%}
                {%- endfor -%}
                {%- do errors.append(connector ~ "_schema: schema '" ~ entry.schema ~ "' holds none of " ~ connector
                    ~ "'s tables (" ~ (entry.tables | sort | join(', ')) ~ "); "
                    ~ ("schemas that do: " ~ (elsewhere | join(', ')) if elsewhere else "no schema holds them: load or sync them first")) -%}
            {%- elif connector == 'xero' and 'tracking_category' in here | map(attribute=1) | list -%}
                {#- the department category must be one of the organisation's tracking categories -#}
                {%- set relation = api.Relation.create(database=target.database, schema=entry.schema, identifier='tracking_category') -%}
                {%- set categories = run_query("select distinct trim(name) from " ~ relation ~ " where name is not null").columns[0].values() -%}
                {%- set wanted_category = var('xero_department_category', 'Department') | trim | lower -%}
                {%- if categories and wanted_category not in categories | map('lower') | list -%}
                    {%- do errors.append("xero_department_category: no tracking category named '" ~ var('xero_department_category', 'Department')
                        ~ "' in " ~ relation ~ " (it has: " ~ (categories | sort | join(', ')) ~ "); every ledger cost would be unmapped") -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(errors) }}
{%- endmacro %}
