{#-
    Engine-specific pieces, dispatched (dbt's `dispatch` search order puts this project first, so these
    override dbt's defaults where an adapter lacks its own).
-#}

{#- dbt-duckdb keeps dbt's default safe_cast, a plain cast that fails the query on bad text. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}

{#-
    A table expression with one row per month (column `month`, a date on the first of the month) from
    start_month to end_month inclusive; both arguments are SQL date expressions.
-#}
{% macro month_series(start_month, end_month) -%}
    {{ return(adapter.dispatch('month_series')(start_month, end_month)) }}
{%- endmacro %}

{% macro default__month_series(start_month, end_month) -%}
    (
        select cast(series.month_start as date) as month
        from generate_series(
            cast({{ start_month }} as timestamp),
            cast({{ end_month }} as timestamp),
            interval '1 month'
        ) as series (month_start)
    )
{%- endmacro %}

{% macro spark__month_series(start_month, end_month) -%}
    (
        select explode(sequence(cast({{ start_month }} as date), cast({{ end_month }} as date), interval 1 month)) as month
    )
{%- endmacro %}

{#-
    PostgreSQL has no try_cast (pg_input_is_valid arrives in 16), and a plain cast fails the whole query
    on one bad value. Text is cast only when it has the shape the raw contract documents (ISO 8601 dates
    and timestamps, plain or exponent decimals, whole numbers) and its value fits the type; otherwise the
    result is null, as DuckDB's try_cast gives, so staging quarantines the row with the same reason.
    A nested `case` guarantees the cast itself is only evaluated on text that passed the checks.
-#}
{% macro postgres__safe_cast(field, type) -%}
    {%- set type_name = type | lower | replace(' ', '') -%}
    {%- set text = 'cast(' ~ field ~ ' as text)' -%}
    {%- set iso_date = "^[0-9]{4}-[0-9]{2}-[0-9]{2}" -%}
    {%- if type_name == 'date' -%}
        case when {{ text }} ~ '{{ iso_date }}$' then
            case when {{ _postgres_is_real_day(text) }} then cast({{ field }} as date) end
        end
    {%- elif type_name.startswith('timestamp') -%}
        case when {{ text }} ~ '{{ iso_date }}([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?$' then
            case when {{ _postgres_is_real_day(text) }} then cast({{ field }} as timestamp) end
        end
    {%- elif type_name in ('integer', 'int', 'int4', 'bigint', 'int8') -%}
        {%- set limit = 2147483648 if type_name in ('integer', 'int', 'int4') else 9223372036854775808 -%}
        case when {{ text }} ~ '^[+-]?[0-9]{1,19}$' then
            case when cast({{ field }} as numeric) >= -{{ limit }} and cast({{ field }} as numeric) < {{ limit }}
                then cast({{ field }} as {{ type }}) end
        end
    {%- elif type_name.startswith('decimal') or type_name.startswith('numeric') -%}
        {%- set digits = modules.re.findall('[0-9]+', type_name) | map('int') | list -%}
        case when {{ text }} ~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$' then
            {% if digits | length == 2 %}
            {#- decimal(p, s): the value, rounded to s places, must have at most p - s integer digits -#}
            case when abs(round(cast({{ field }} as numeric), {{ digits[1] }})) < 1e{{ digits[0] - digits[1] }}
                then cast({{ field }} as {{ type }}) end
            {% else %}
            cast({{ field }} as {{ type }})
            {% endif %}
        end
    {%- else -%}
        {#- text, boolean, floats (dbt's unit-test fixtures cast through here too): a plain cast -#}
        cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- A text starting YYYY-MM-DD names a real calendar day (year 1+, month 1-12, day within that month). -#}
{% macro _postgres_is_real_day(field) -%}
    case when substr({{ field }}, 1, 4) != '0000' and cast(substr({{ field }}, 6, 2) as integer) between 1 and 12 then
        cast(substr({{ field }}, 9, 2) as integer) between 1 and extract(day from
            make_date(cast(substr({{ field }}, 1, 4) as integer), cast(substr({{ field }}, 6, 2) as integer), 1)
            + interval '1 month' - interval '1 day'
        )
    else false end
{%- endmacro %}

{#- Spark: try_cast (3.2+) returns null instead of failing, also under ANSI mode (Spark 4's default). -#}
{% macro spark__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}

{#-
    Spark has no length-less varchar: the contracts' and seeds' `varchar` is Spark's `string`. dbt casts
    through dbt.cast when it checks a contract, so the contract check compares like with like.
-#}
{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ spark_type(type) }})
{%- endmacro %}

{% macro spark_type(type) -%}
    {{- 'string' if type | lower | trim in ('varchar', 'text', 'character varying') else type -}}
{%- endmacro %}

{#- A local Spark session has no access control; the BI grants are a PostgreSQL matter (README). -#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{#-
    Grants. DuckDB has no roles: who may read what is decided by which file they get (BI tools read the
    published copy, which holds only marts). dbt-duckdb warns on every grants config; stay quiet instead.
-#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{#-
    dbt's `grants` config grants select on each mart, but a role also needs `usage` on the schema, which
    dbt never grants: this on-run-end hook does, every run, and makes sure the reader role has no usage on
    any other schema of the warehouse (raw, staging, intermediate, audit).
-#}
{% macro grant_reader_schema_usage(role, schema) -%}
    {{ return(adapter.dispatch('grant_reader_schema_usage')(role, schema)) }}
{%- endmacro %}

{% macro default__grant_reader_schema_usage(role, schema) -%}
    select 1 as no_roles_on_this_engine
{%- endmacro %}

{% macro postgres__grant_reader_schema_usage(role, schema) -%}
    do $$
    declare other record;
    begin
        if exists (select 1 from pg_roles where rolname = '{{ role }}') then
            execute format('create schema if not exists %I', '{{ schema }}');
            execute format('grant usage on schema %I to %I', '{{ schema }}', '{{ role }}');
            for other in
                select nspname from pg_namespace
                where nspname <> '{{ schema }}' and nspname not like 'pg\_%' and nspname <> 'information_schema'
            loop
                execute format('revoke all on schema %I from %I', other.nspname, '{{ role }}');
            end loop;
        end if;
    end
    $$
{%- endmacro %}

{#-
    Seeds on Spark: dbt-spark's session method formats bound values into the SQL text, so an empty seed
    cell (None) becomes the string 'None'. Same as dbt-spark's load_csv_rows, but an empty cell is
    written as a SQL null.
-#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set bindings = [] %}
        {% for row in chunk %}
            {% for value in row %}
                {% if value is not none %}{% do bindings.append(value) %}{% endif %}
            {% endfor %}
        {% endfor %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- if row[loop.index0] is none -%}cast(null as {{ type }}){%- else -%}cast({{ get_binding_char() }} as {{ type }}){%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {%- endfor %}
        {% endset %}
        {% do adapter.add_query(sql, bindings=bindings, abridge_sql_log=True) %}
        {% if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif %}
    {% endfor %}
    {{ return(statements[0]) }}
{% endmacro %}

{#-
    A count as a double, for a rate that later multiplies other numbers. `1.0 * count` would be a decimal,
    and Spark cuts a decimal product wider than 38 digits to 6 decimals (a win rate of 1/3 becomes
    0.333333 before it multiplies a deal size); a double keeps 15 significant digits on every engine.
-#}
{% macro as_double(expression) -%}
    {{ return(adapter.dispatch('as_double')(expression)) }}
{%- endmacro %}

{% macro default__as_double(expression) -%}
    cast({{ expression }} as double precision)
{%- endmacro %}

{% macro spark__as_double(expression) -%}
    cast({{ expression }} as double)
{%- endmacro %}
