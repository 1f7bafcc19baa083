{#-
    Connector adapters (docs/connectors.md): which raw contract table a connector's adapter model replaces,
    chosen by the vars billing_source, crm_source, finance_source, hr_source (default `contract`: the
    loaded raw_* tables). A base model reads its raw table through raw_table(), so quarantine, row
    accounting and every check work the same on a connector's rows. An adapter model is named
    base_<connector>__<contract table> and may carry `_connector_reason`: why a row it passes on cannot be
    used (a failed refund, a deleted invoice), which the base model quarantines it with.
-#}
{% macro connector_adapters() -%}
    {%- set domains = {
        'billing': {'var': 'billing_source', 'connectors': ['stripe'],
            'tables': ['customer', 'product', 'price', 'subscription', 'invoice', 'invoice_line_item', 'refund']},
        'crm': {'var': 'crm_source', 'connectors': ['salesforce', 'hubspot'],
            'tables': ['account', 'lead', 'opportunity', 'opportunity_history', 'user']},
        'finance': {'var': 'finance_source', 'connectors': ['xero'], 'tables': ['gl_entry']},
        'hr': {'var': 'hr_source', 'connectors': ['bamboohr'],
            'tables': ['employee', 'employment_status', 'job_history', 'compensation']},
    } -%}
    {%- set adapters = {} -%}
    {%- for source_name, domain in domains.items() -%}
        {%- for table_name in domain['tables'] -%}
            {%- set adapter = {'var': domain['var']} -%}
            {%- for connector in domain['connectors'] -%}
                {%- do adapter.update({connector: 'base_' ~ connector ~ '__' ~ table_name}) -%}
            {%- endfor -%}
            {%- do adapters.update({(source_name, table_name): adapter}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(adapters) }}
{%- endmacro %}

{#- The connector chosen for a contract table in this run, or none (the contract's own raw table). -#}
{% macro chosen_connector(source_name, table_name) -%}
    {%- set adapter = connector_adapters().get((source_name, table_name)) -%}
    {%- set chosen = var(adapter['var'], 'contract') if adapter else 'contract' -%}
    {{ return(chosen if chosen != 'contract' and chosen in adapter else none) }}
{%- endmacro %}

{#- The contract tables (source, table) a connector stands for in this run (their sources are disabled). -#}
{% macro replaced_by_connector() -%}
    {%- set replaced = [] -%}
    {%- for key in connector_adapters() if chosen_connector(key[0], key[1]) -%}
        {%- do replaced.append(key) -%}
    {%- endfor -%}
    {{ return(replaced) }}
{%- endmacro %}

{% macro raw_table(source_name, table_name) -%}
    {%- set connector = chosen_connector(source_name, table_name) -%}
    {%- if connector -%}
        {{ ref('base_' ~ connector ~ '__' ~ table_name) }}
    {%- else -%}
        {{ source(source_name, table_name) }}
    {%- endif -%}
{%- endmacro %}

{#- The adapter's reason for a row it cannot map (null for the contract's own tables). -#}
{% macro connector_reason(source_name, table_name) -%}
    {%- if chosen_connector(source_name, table_name) -%}
        _connector_reason
    {%- else -%}
        cast(null as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}

{#-
    Enabled only when `connector` is chosen for its domain (the config of every adapter model and
    connector source), or when var lint_connectors is true: sqlfluff lints every adapter at once (.sqlfluff).
-#}
{% macro connector_enabled(domain_var, connector) -%}
    {{ return(var(domain_var, 'contract') == connector or var('lint_connectors', false)) }}
{%- endmacro %}

{#- A connector timestamp (typed or text) as the contract's date text; text that does not parse passes as it is. -#}
{% macro connector_date(column) -%}
    coalesce(
        cast(cast({{ to_type(column, dbt.type_timestamp()) }} as date) as {{ dbt.type_string() }}),
        {{ clean_text(column) }}
    )
{%- endmacro %}

{#-
    An amount in a currency's minor units (Stripe's integers: cents, yen, fils) in major units, as text:
    zero-decimal currencies are not divided, three-decimal ones by 1000, the rest by 100. Text that does
    not parse passes as it is, so staging quarantines it as unparseable.
-#}
{% macro major_units(amount_column, currency_column) -%}
    coalesce(
        cast(
            cast(
                cast({{ to_type(amount_column, 'decimal(18,0)') }} as decimal(18, 0))
                * case
                    when upper({{ clean_text(currency_column) }}) in ({{ zero_decimal_currencies() }}) then 1
                    when upper({{ clean_text(currency_column) }}) in ({{ three_decimal_currencies() }}) then 0.001
                    else 0.01
                end
                as decimal(21, 3)
            )
            as {{ dbt.type_string() }}
        ),
        {{ clean_text(amount_column) }}
    )
{%- endmacro %}

{#- ISO 4217 currencies Stripe charges in whole units (https://docs.stripe.com/currencies#zero-decimal). -#}
{% macro zero_decimal_currencies() -%}
    'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'
{%- endmacro %}

{% macro three_decimal_currencies() -%}
    'BHD', 'JOD', 'KWD', 'OMR', 'TND'
{%- endmacro %}

{#- A key of a JSON object held as text (Stripe's metadata), or null when the text is not JSON. -#}
{% macro json_text(column, key) -%}
    {{ return(adapter.dispatch('json_text')(column, key)) }}
{%- endmacro %}

{% macro default__json_text(column, key) -%}
    case
        when json_valid({{ clean_text(column) }})
            then json_extract_string({{ clean_text(column) }}, '$."{{ key }}"')
    end
{%- endmacro %}

{#- PostgreSQL before 16 has no IS JSON: text shaped like an object is read (Fivetran writes valid JSON). -#}
{% macro postgres__json_text(column, key) -%}
    case
        when {{ clean_text(column) }} ~ '^\s*\{.*\}\s*$'
            then cast({{ clean_text(column) }} as json) ->> '{{ key }}'
    end
{%- endmacro %}

{% macro spark__json_text(column, key) -%}
    get_json_object({{ clean_text(column) }}, '$.{{ key }}')
{%- endmacro %}

{#- Xero account types that are costs when a line's account is missing from the account table. -#}
{% macro xero_expense_account_types() -%}
    'EXPENSE', 'OVERHEADS', 'DIRECTCOSTS', 'DEPRECIATN', 'WAGESEXPENSE', 'SUPERANNUATIONEXPENSE'
{%- endmacro %}

{#-
    A column the connector lands only in some accounts (a custom field, a multi-currency org's
    currency_iso_code): the column when `relation` has it, else a typed null. The database is read at
    execution only, so at parse time the column is assumed present; in unit tests it is absent.
-#}
{% macro optional_column(relation, column) -%}
    {#- in a unit test a fixture stands for the relation (no schema): the column is taken as absent -#}
    {%- if execute and not (relation.schema is defined and relation.schema) -%}
        cast(null as {{ dbt.type_string() }})
    {%- elif execute -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if column | lower in names -%}
            {{ adapter.quote(column) if column != column | lower else column }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif -%}
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

{#-
    A picklist value mapped through seed connector_values (`value_map`: its rows for one connector):
    the contract's value for `field`, else the value as it is (staging quarantines what is not a contract
    value). Case and surrounding spaces are ignored.
-#}
{% macro mapped_value(field, column, value_map='value_map') -%}
    coalesce(
        (
            select max({{ value_map }}.contract_value) from {{ value_map }}
            where
                {{ value_map }}.field = '{{ field }}'
                and lower(trim({{ value_map }}.source_value)) = lower({{ clean_text(column) }})
        ),
        {{ clean_text(column) }}
    )
{%- endmacro %}

{#-
    In Salesforce history mode (var salesforce_history_mode) a table's current versions only
    (_fivetran_active; a table synced without history has none and is read whole).
-#}
{% macro salesforce_current_rows(relation) -%}
    {%- if var('salesforce_history_mode', false) %}
    where coalesce({{ parse_bool(optional_column(relation, '_fivetran_active')) }}, true)
    {%- endif -%}
{%- endmacro %}

{#- A timestamp written as epoch milliseconds (HubSpot's date properties in property history), else the text. -#}
{% macro epoch_ms_or_text(column) -%}
    {{ return(adapter.dispatch('epoch_ms_or_text')(column)) }}
{%- endmacro %}

{% macro default__epoch_ms_or_text(column) -%}
    case
        when regexp_full_match({{ clean_text(column) }}, '[0-9]{10,13}')
            then cast(epoch_ms(cast({{ clean_text(column) }} as bigint)) as {{ dbt.type_string() }})
        else {{ clean_text(column) }}
    end
{%- endmacro %}

{% macro postgres__epoch_ms_or_text(column) -%}
    case
        when {{ clean_text(column) }} ~ '^[0-9]{10,13}$'
            then cast(to_timestamp(cast({{ clean_text(column) }} as bigint) / 1000.0) at time zone 'UTC' as text)
        else {{ clean_text(column) }}
    end
{%- endmacro %}

{% macro spark__epoch_ms_or_text(column) -%}
    case
        when {{ clean_text(column) }} rlike '^[0-9]{10,13}$'
            then cast(timestamp_millis(cast({{ clean_text(column) }} as bigint)) as string)
        else {{ clean_text(column) }}
    end
{%- endmacro %}

{#- The host of a web address, lower case, without scheme, `www.` or path (https://www.Acme.com/x -> acme.com). -#}
{% macro web_host(column) -%}
    split_part(regexp_replace(lower({{ clean_text(column) }}), '^([a-z]+://)?(www\.)?', ''), '/', 1)
{%- endmacro %}

{#-
    Body of a CTE: each HR employee's id by `key` (a column of base_hr__employee: employee_number or
    work_email, which is lower case there), the current version of each record, whatever its disposition
    (a CRM user links to an employee even when a later HR row of theirs is quarantined). The CRM user
    adapters link users to employees through it.
-#}
{% macro hr_employee_ids_by(key) -%}
    select
        {{ key }} as employee_key,
        min(_record_id) as employee_id
    from {{ ref('base_hr__employee') }}
    where _version_rank = 1 and _record_id is not null and {{ key }} is not null
    group by {{ key }}
{%- endmacro %}

{#- Body of a CTE: each HubSpot deal's first associated company (the account of its opportunity and lead). -#}
{% macro hubspot_deal_companies() -%}
    select
        {{ clean_text('deal_id') }} as deal_id,
        min({{ clean_text('company_id') }}) as company_id
    from {{ source('hubspot', 'deal_company') }}
    group by {{ clean_text('deal_id') }}
{%- endmacro %}

{#-
    A raw contract table this run reads that does not exist (a Fivetran destination with nothing loaded by
    `warehouse load`: raw_finance.fx_rate of a one-currency company, raw_cs of a company without NPS) is
    created empty, its columns as text as the loader writes them, so the build runs: its KPIs come out as
    no_data and the check empty_raw_tables names it. Tables a connector stands for are not read (their
    sources are disabled) and not created. DuckDB and PostgreSQL (Spark loads through the loader).
-#}
{% macro create_missing_raw_tables() -%}
    {%- set created = [] -%}
    {%- if execute and target.type in ('duckdb', 'postgres') -%}
        {%- for source in graph.sources.values() if source.package_name == project_name
            and not (source.source_meta or {}).get('connector') -%}
            {%- set relation = adapter.get_relation(source.database, source.schema, source.identifier) -%}
            {%- if relation is none -%}
                {%- set columns = [] -%}
                {%- for name in source.columns -%}
                    {%- do columns.append(adapter.quote(name) ~ ' ' ~ dbt.type_string()) -%}
                {%- endfor -%}
                {%- do log('raw table ' ~ source.schema ~ '.' ~ source.identifier
                    ~ ' does not exist: created empty (load it, or its KPIs stay no_data)', info=true) -%}
                {%- call statement('create_raw_' ~ source.schema ~ '_' ~ source.identifier) -%}
                    create schema if not exists {{ adapter.quote(source.schema) }};
                    create table if not exists {{ adapter.quote(source.schema) }}.{{ adapter.quote(source.identifier) }}
                        ({{ columns | join(', ') }})
                {%- endcall -%}
                {%- do created.append(source.identifier) -%}
            {%- endif -%}
        {%- endfor -%}
        {#- hooks run in a transaction dbt rolls back at their end: commit what was created -#}
        {%- if created -%}
            {%- do adapter.commit() -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
