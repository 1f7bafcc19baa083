{#-
    Helpers for the staging layer: raw values land as text, staging parses them, and every row that
    breaks the raw contract gets a reason instead of disappearing. Reasons are lower snake_case:
    missing_<column>, unparseable_<column>, invalid_<column>, orphan_<column>, unknown_currency, ...
-#}

{#- Text with surrounding spaces removed; empty text is null. -#}
{% macro clean_text(column) -%}
    nullif(trim(cast({{ column }} as {{ dbt.type_string() }})), '')
{%- endmacro %}

{#- The value parsed as data_type, or null when it is empty or does not parse. -#}
{% macro to_type(column, data_type) -%}
    {{ dbt.safe_cast(clean_text(column), data_type) }}
{%- endmacro %}

{#- True when the value is present but does not parse as data_type. -#}
{% macro is_unparseable(column, data_type) -%}
    ({{ clean_text(column) }} is not null and {{ to_type(column, data_type) }} is null)
{%- endmacro %}

{#- Booleans as source systems write them: true/false, t/f, 1/0, yes/no (any case). -#}
{% macro parse_bool(column) -%}
    case
        when lower({{ clean_text(column) }}) in ('true', 't', '1', 'yes', 'y') then true
        when lower({{ clean_text(column) }}) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}

{#- An enumeration's key: lower case, spaces and dashes as underscores ("Mid Market" -> mid_market). -#}
{% macro enum_key(column) -%}
    replace(replace(lower({{ clean_text(column) }}), ' ', '_'), '-', '_')
{%- endmacro %}

{#- A CRM account's segment (raw_crm.account.segment, normalised); `unknown` is added where a customer has none. -#}
{% macro account_segments() -%}
    {{ return(['smb', 'mid_market', 'enterprise']) }}
{%- endmacro %}

{#- The documented spelling of an enumeration value, or null when it is not one of `values`. -#}
{% macro enum_value(column, values) -%}
    case {{ enum_key(column) }}
        {%- for value in values %}
        when '{{ value | lower | replace(" ", "_") | replace("-", "_") }}' then '{{ value }}'
        {%- endfor %}
    end
{%- endmacro %}

{% macro is_invalid_enum(column, values) -%}
    ({{ clean_text(column) }} is not null and {{ enum_value(column, values) }} is null)
{%- endmacro %}

{#- The whole raw row as JSON text, for the quarantine table. -#}
{% macro row_as_json(relation_alias) -%}
    {{ return(adapter.dispatch('row_as_json')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_as_json(relation_alias) -%}
    cast(to_json({{ relation_alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro spark__row_as_json(relation_alias) -%}
    to_json(struct({{ relation_alias }}.*))
{%- endmacro %}

{% macro postgres__row_as_json(relation_alias) -%}
    cast(row_to_json({{ relation_alias }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#-
    Columns every base model carries: the record id (text), load time, soft-delete flag, the raw row
    and a reason when the loader's own columns do not parse. `source_alias` is the raw relation; `raw`
    its (source, table), when a connector's adapter may stand for it and give a row its reason.
-#}
{% macro raw_metadata(source_alias, record_id, has_deleted_flag=true, raw=none) -%}
    {{ clean_text(record_id) }} as _record_id,
    {{ to_type('_loaded_at', dbt.type_timestamp()) }} as _loaded_at,
    {%- if has_deleted_flag %}
    coalesce({{ parse_bool('_is_deleted') }}, false) as _is_deleted,
    {%- else %}
    false as _is_deleted,
    {%- endif %}
    {{ row_as_json(source_alias) }} as _raw_row,
    case
        when {{ to_type('_loaded_at', dbt.type_timestamp()) }} is null then 'unparseable__loaded_at'
        {%- if raw and chosen_connector(raw[0], raw[1]) %}
        when {{ connector_reason(raw[0], raw[1]) }} is not null then {{ connector_reason(raw[0], raw[1]) }}
        {%- endif %}
        {%- if has_deleted_flag %}
        when {{ clean_text('_is_deleted') }} is not null and {{ parse_bool('_is_deleted') }} is null
            then 'unparseable__is_deleted'
        {%- endif %}
        {%- if raw %}
        {{ input_guard_reasons(raw[0], raw[1]) }}
        {%- endif %}
    end as _metadata_reason
{%- endmacro %}

{#-
    Final CTEs of a base model: decide what happens to every raw row, exactly one of
      quarantined  - no usable id, or the current version breaks the contract (reason in quarantine_reason)
      superseded   - an older version of a record loaded again later (re-sync): the latest _loaded_at wins;
                     an exact copy loaded at the same time collapses into one
      deleted      - the current version is soft-deleted in the source
      staged       - the current, valid version: what the stg_ model exposes
    Rows of one record loaded at the same latest _loaded_at that differ cannot be ordered: all of them are
    quarantined as conflicting_duplicate (no winner by accident of row order).
    `checked` must have the raw_metadata() columns and `_row_reason` (null when the row is valid).
    `conflict_key`: columns that must be unique among staged rows (effective-dated HR rows: employee
    and date); the latest-loaded row wins, the others are quarantined as duplicate_effective_date.
-#}
{% macro dispose(checked, conflict_key=none) -%}
versions as (
    select
        *,
        coalesce(_metadata_reason, _row_reason) as _reason,
        row_number() over (
            partition by _record_id
            order by _loaded_at desc nulls last, _raw_row desc
        ) as _version_rank,
        max(_loaded_at) over (partition by _record_id) as _latest_loaded_at,
        min(_raw_row) over (partition by _record_id, _loaded_at)
        <> max(_raw_row) over (partition by _record_id, _loaded_at) as _is_conflicting
    from {{ checked }}
),

{%- if conflict_key %}

conflicts as (
    select
        _record_id,
        row_number() over (
            partition by {{ conflict_key | join(', ') }}
            order by _loaded_at desc, _record_id desc
        ) as _conflict_rank
    from versions
    where
        _record_id is not null
        and _version_rank = 1
        and not _is_deleted
        and not _is_conflicting
        and _reason is null
),
{%- endif %}

disposed as (
    select
        versions.*,
        case
            when versions._record_id is null then 'missing_primary_key'
            when versions._loaded_at is null then versions._metadata_reason
            when versions._is_conflicting and versions._loaded_at = versions._latest_loaded_at
                then 'conflicting_duplicate'
            when versions._version_rank > 1 then null
            when versions._is_deleted then null
            when versions._reason is not null then versions._reason
            {%- if conflict_key %}
            when conflicts._conflict_rank > 1 then 'duplicate_effective_date'
            {%- endif %}
        end as quarantine_reason
    from versions
    {%- if conflict_key %}
    -- conflicts holds current versions only (one row per record); the case above settles older versions
    -- first. An extra `_version_rank = 1` in this condition made DuckDB plan a nested-loop join (23 s on
    -- 97k compensation rows at scale 100).
    left join conflicts
        on versions._record_id = conflicts._record_id
    {%- endif %}
),

final as (
    select
        *,
        case
            when quarantine_reason is not null then 'quarantined'
            when _version_rank > 1 then 'superseded'
            when _is_deleted then 'deleted'
            else 'staged'
        end as _disposition
    from disposed
)

select * from final
{%- endmacro %}

{#-
    Why a money row's currency cannot be converted: null when it can (needs `currencies` joined). Only
    a currency with no rate at all is refused (unknown_currency); an amount dated before its currency's
    first rate is converted with that first rate (int_fx_rates_filled), never quarantined for its date.
-#}
{% macro currency_reason(currency_column, currencies='currencies') -%}
    case
        when {{ currency_column }} is null then 'missing_currency_code'
        when {{ currencies }}.currency_code is null then 'unknown_currency'
    end
{%- endmacro %}

{#-
    The raw tables of the contract, as (source, table): one base model each. The sources' YAML owns the
    list; dbt needs it at parse time to know the audit models' refs, when the graph is still empty, so it
    is written here too, and every execution checks it against the graph's sources: a source added or
    removed without this list fails the run naming the difference.
-#}
{% macro raw_tables() -%}
    {%- set tables = [
        ('crm', 'account'), ('crm', 'lead'), ('crm', 'opportunity'), ('crm', 'opportunity_history'),
        ('crm', 'user'),
        ('billing', 'customer'), ('billing', 'product'), ('billing', 'price'), ('billing', 'subscription'),
        ('billing', 'invoice'), ('billing', 'invoice_line_item'), ('billing', 'refund'),
        ('hr', 'employee'), ('hr', 'employment_status'), ('hr', 'job_history'), ('hr', 'compensation'),
        ('finance', 'fx_rate'), ('finance', 'gl_entry'),
        ('cs', 'onboarding'), ('cs', 'nps_response'), ('cs', 'csat_response'),
        ('product', 'feature_usage'),
    ] -%}
    {%- if execute -%}
        {%- set declared = [] -%}
        {%- for source in graph.sources.values() if source.package_name == project_name
            and not (source.source_meta or {}).get('connector') -%}
            {%- do declared.append((source.source_name, source.name)) -%}
        {%- endfor -%}
        {%- set missing = declared | reject('in', tables) | list -%}
        {%- set extra = tables | reject('in', declared) | reject('in', replaced_by_connector()) | list -%}
        {%- if missing or extra -%}
            {{ exceptions.raise_compiler_error(
                'raw_tables() (macros/staging.sql) is out of step with the sources: declared but not listed '
                ~ missing ~ ', listed but not declared ' ~ extra
            ) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(tables) }}
{%- endmacro %}

{#-
    Import CTEs `<source>__<table>` (e.g. billing__invoice), one per raw table, each selecting its base
    model: the head of the audit models and tests that cover every raw table. Ends with a comma.
-#}
{% macro base_model_ctes() -%}
{% for source_name, table_name in raw_tables() -%}
{{ source_name }}__{{ table_name }} as (
    select * from {{ ref('base_' ~ source_name ~ '__' ~ table_name) }}
),

{% endfor -%}
{%- endmacro %}

{#-
    The raw contract's typed columns per table (the sources' data_type; scripts/tests/test_staging.py
    checks this list against them): what the input guards below read. Written here because a contract
    source that a connector replaces is disabled, so the graph cannot say its types then.
-#}
{% macro contract_types(source_name, table_name) -%}
    {%- set types = {
        'billing.customer': [('created_at', 'timestamp')],
        'billing.product': [],
        'billing.price': [('unit_amount', 'decimal(18,2)'), ('interval_count', 'integer')],
        'billing.subscription': [('created_at', 'timestamp'), ('start_date', 'date'), ('trial_end_date', 'date'),
                                 ('canceled_at', 'timestamp'), ('ended_at', 'timestamp')],
        'billing.invoice': [('invoice_date', 'date'), ('subtotal', 'decimal(18,2)'), ('discount_total', 'decimal(18,2)'),
                            ('tax_total', 'decimal(18,2)'), ('total', 'decimal(18,2)')],
        'billing.invoice_line_item': [('quantity', 'integer'), ('amount', 'decimal(18,2)'),
                                      ('discount_amount', 'decimal(18,2)'), ('period_start', 'date'), ('period_end', 'date')],
        'billing.refund': [('amount', 'decimal(18,2)'), ('refunded_at', 'timestamp')],
        'crm.account': [('created_at', 'timestamp')],
        'crm.lead': [('created_at', 'timestamp'), ('mql_at', 'timestamp'), ('sql_at', 'timestamp'),
                     ('converted_at', 'timestamp')],
        'crm.opportunity': [('amount', 'decimal(18,2)'), ('probability', 'integer'), ('created_at', 'timestamp'),
                            ('close_date', 'date')],
        'crm.opportunity_history': [('changed_at', 'timestamp'), ('amount', 'decimal(18,2)'), ('close_date', 'date')],
        'crm.user': [],
        'cs.onboarding': [('started_on', 'date'), ('go_live_on', 'date')],
        'cs.nps_response': [('responded_at', 'timestamp'), ('score', 'integer')],
        'cs.csat_response': [('responded_at', 'timestamp'), ('score', 'integer')],
        'finance.fx_rate': [('rate_month', 'date'), ('usd_per_unit', 'decimal(18,8)')],
        'finance.gl_entry': [('posted_date', 'date'), ('amount', 'decimal(18,2)')],
        'hr.employee': [],
        'product.feature_usage': [('usage_date', 'date'), ('events', 'integer'), ('active_users', 'integer')],
        'hr.employment_status': [('effective_date', 'date'), ('fte', 'decimal(4,2)')],
        'hr.job_history': [('effective_date', 'date')],
        'hr.compensation': [('effective_date', 'date'), ('annual_base_salary', 'decimal(18,2)')],
    } -%}
    {{ return(types[source_name ~ '.' ~ table_name]) }}
{%- endmacro %}

{#- The first day a date may carry (docs/reliability.md): older is a typo or a placeholder (0001-01-01). -#}
{% macro earliest_plausible_date() -%}cast('1990-01-01' as date){%- endmacro %}

{#-
    Input guards (docs/metrics.md, "Input guards"), as reasons for raw_metadata():
      implausible_date - a date before 1990-01-01, or more than 366 days after the load (the build's
                         today, warehouse_now(): a backfill stamped with an old _loaded_at still counts):
                         one 0001-01-01 must not widen the reporting window to 24,000 months;
      out_of_range     - a number the contract's type cannot hold (1e20 as decimal(18,2)), or a money
                         amount of 1e11 or more in its currency: the marts' decimal(18,6) sums must hold it.
-#}
{% macro input_guard_reasons(source_name, table_name) -%}
    {%- set latest = 'cast(' ~ dbt.dateadd('day', 366, warehouse_now()) ~ ' as date)' -%}
    {%- for column, data_type in [('_loaded_at', 'timestamp')] + contract_types(source_name, table_name) %}
    {%- if data_type in ('date', 'timestamp') %}
    {%- set day = 'cast(' ~ to_type(column, data_type) ~ ' as date)' %}
    when {{ day }} < {{ earliest_plausible_date() }} or {{ day }} > {{ latest }}
        then 'implausible_date'
    {%- else %}
    {%- set digits = modules.re.findall('[0-9]+', data_type) | map('int') | list %}
    {%- set bound = '2147483648' if data_type == 'integer' else '1e' ~ ([digits[0] - digits[1], 11] | min) %}
    when {{ looks_numeric(clean_text(column)) }}
        and ({{ to_type(column, data_type) }} is null or abs({{ to_type(column, data_type) }}) >= {{ bound }})
        then 'out_of_range'
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The text is a plain or exponent number (so a value it cannot hold is out of range, not unparseable). -#}
{% macro looks_numeric(text) -%}
    {{ return(adapter.dispatch('looks_numeric')(text)) }}
{%- endmacro %}

{% macro default__looks_numeric(text) -%}
    regexp_full_match({{ text }}, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?')
{%- endmacro %}

{% macro postgres__looks_numeric(text) -%}
    ({{ text }} ~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$')
{%- endmacro %}

{% macro spark__looks_numeric(text) -%}
    ({{ text }} rlike '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$')
{%- endmacro %}
