{#- Shared pieces of the metric definitions (docs/metrics.md). -#}

{#- Invoice statuses whose lines count toward MRR and revenue. -#}
{% macro counted_invoice_statuses() -%}
    ('open', 'paid')
{%- endmacro %}

{#-
    The reporting date: the dbt var `as_of_date` when given (YYYY-MM-DD), else null, in which case
    int_as_of_date_resolved falls back to the latest _loaded_at date of raw_billing.invoice.
-#}
{% macro as_of_date_var() -%}
    {%- set value = var('as_of_date', none) -%}
    {%- if value is none or value == '' -%}
        cast(null as date)
    {%- else -%}
        {#- validate_vars() (on-run-start) has checked the value -#}
        cast('{{ value }}' as date)
    {%- endif -%}
{%- endmacro %}

{#-
    The marts' rounding of fractional numbers (money, rates, days): 6 decimals, which keeps sums of money
    exact to the cent, in decimal(18, 6) on every engine. `when`: a condition
    under which the value is shown (null otherwise, e.g. a hidden cost); the cast stays outermost so the
    column has one type on every engine.
-#}
{#- `decimal_input=true` when every operand is already a decimal column: the value is rounded once, without
    the cast that makes doubles exact first (half the time of fct_mrr_movements' ten money columns). -#}
{% macro money(expression, when=none, decimal_input=false) -%}
    {%- set value = _only_when(expression, when) -%}
    cast(round({{ value if decimal_input else _as_exact(value) }}, 6) as decimal(18, 6))
{%- endmacro %}

{#- round() takes decimals on every engine (PostgreSQL has no round(double, int)): doubles go exact first. -#}
{% macro _as_exact(expression) -%}
    cast({{ expression }} as decimal(38, 12))
{%- endmacro %}

{% macro _only_when(expression, when) -%}
    {%- if when is none -%}{{ expression }}{%- else -%}case when {{ when }} then {{ expression }} end{%- endif -%}
{%- endmacro %}

{#-
    A per-line amount that comes from a division (MRR of one line): 10 decimals, one fixed type on every
    engine (DuckDB would give a double, PostgreSQL a numeric of whatever scale the division produced).
    Rounding at 1e-10 per line moves no total by a cent.
-#}
{% macro line_amount(expression) -%}
    cast(round({{ expression }}, 10) as decimal(28, 10))
{%- endmacro %}

{#-
    numerator / denominator, null when the denominator is 0 or null (docs/metrics.md, "Conventions").
    `* 1.0` keeps a ratio of two counts from being integer division on PostgreSQL. `when` as for money().
-#}
{% macro ratio(numerator, denominator, when=none) -%}
    cast(round({{ _as_exact(_only_when('(' ~ numerator ~ ') * 1.0 / nullif(' ~ denominator ~ ', 0)', when)) }}, 6)
        as decimal(18, 6))
{%- endmacro %}

{#-
    End (exclusive) of an effective-dated row: the next row's effective date for the same key, or
    9999-12-31 while it is the latest.
-#}
{% macro valid_until(date_column, partition_by) -%}
    coalesce(
        lead({{ date_column }}) over (partition by {{ partition_by }} order by {{ date_column }}),
        cast('9999-12-31' as date)
    )
{%- endmacro %}

