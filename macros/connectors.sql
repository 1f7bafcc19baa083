{#-
    Connector adapters (docs/connectors.md): which raw contract table a connector's adapter model replaces,
    chosen by the vars billing_source, crm_source, finance_source, hr_source (default `contract`: the
    loaded raw_* tables). A base model reads its raw table through raw_table(), so quarantine, row
    accounting and every check work the same on a connector's rows.
-#}
{% macro connector_adapters() -%}
    {{ return({
        ('finance', 'gl_entry'): {'var': 'finance_source', 'xero': 'base_xero__gl_entry'},
    }) }}
{%- endmacro %}

{#- The contract tables (source, table) a connector stands for in this run (their sources are disabled). -#}
{% macro replaced_by_connector() -%}
    {%- set replaced = [] -%}
    {%- for key, adapter in connector_adapters().items() if var(adapter['var'], 'contract') != 'contract' -%}
        {%- do replaced.append(key) -%}
    {%- endfor -%}
    {{ return(replaced) }}
{%- endmacro %}

{% macro raw_table(source_name, table_name) -%}
    {%- set adapters = connector_adapters() -%}
    {%- set adapter = adapters.get((source_name, table_name), {}) -%}
    {%- set chosen = var(adapter.get('var', 'none'), 'contract') if adapter else 'contract' -%}
    {%- if chosen != 'contract' and chosen in adapter -%}
        {{ ref(adapter[chosen]) }}
    {%- else -%}
        {{ source(source_name, table_name) }}
    {%- endif -%}
{%- endmacro %}

{#- Xero account types that are costs when a line's account is missing from the account table. -#}
{% macro xero_expense_account_types() -%}
    'EXPENSE', 'OVERHEADS', 'DIRECTCOSTS', 'DEPRECIATN', 'WAGESEXPENSE', 'SUPERANNUATIONEXPENSE'
{%- endmacro %}
