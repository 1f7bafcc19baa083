{#-
    Month-partitioned incremental models (the daily run recomputes only the months new raw rows touch).

    How it works, for a model configured like int_customer_mrr_monthly (materialized=incremental_or_table(),
    incremental_strategy='append', pre-hook delete_changed_months, post-hook record_watermark):
      * audit.incremental_watermarks holds, per model, the newest `_loaded_at` of the base rows its last
        successful build saw (the watermark W) and when that build started (recorded_at, the same clock
        as the base rows' `_processed_at`), written by the model's post-hook in the same transaction as
        its rows, so a failed build leaves both as they were.
      * On an incremental run the pre-hook deletes the model's rows of the *changed months* (a macro of the
        model's domain, e.g. billing_changed_months, computed from the base rows reprocessed since its last
        build), and the model's SQL selects exactly those months (`where month in (changed months)`), appended.
      * A full build (first build, --full-refresh) replaces the model's recorded watermarks with its own;
        no watermark at all (state deleted) makes every month a changed month.
    Rows must be loaded with a `_loaded_at` that grows with each load (the loader stamps rows that do not
    bring one); a backfill that carries older `_loaded_at` values makes the base models reprocess
    everything (and so every month), but `dbt build --full-refresh` is the plain way to rebuild after one.
    Spark (local parquet tables) builds these models as plain tables.
-#}

{% macro incremental_state_relation() -%}
    {{ return(api.Relation.create(database=target.database, schema='audit', identifier='incremental_watermarks')) }}
{%- endmacro %}

{#- on-run-start: the state table (no-op on Spark, where these models are plain tables). -#}
{% macro create_incremental_state() -%}
    {%- if target.type != 'spark' -%}
    create schema if not exists {{ incremental_state_relation().schema }};
    create table if not exists {{ incremental_state_relation() }} (
        model_name {{ dbt.type_string() }},
        watermark {{ dbt.type_timestamp() }},
        recorded_at {{ dbt.type_timestamp() }}
    )
    {%- endif -%}
{%- endmacro %}

{#- The materialization: incremental except on Spark. -#}
{% macro incremental_or_table() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}

{#- W for this model: null when it has never been recorded (then every month counts as changed). -#}
{% macro incremental_watermark() -%}
    (
        select max(watermark)
        from {{ incremental_state_relation() }}
        where model_name = '{{ this.identifier }}'
    )
{%- endmacro %}

{#- When this model's last build started (null if never): base rows with a later _processed_at are new to it. -#}
{% macro incremental_last_run() -%}
    (
        select max(recorded_at)
        from {{ incremental_state_relation() }}
        where model_name = '{{ this.identifier }}'
    )
{%- endmacro %}

{#- pre-hook: delete the changed months' rows (incremental runs only). -#}
{#- (and rows of months that left the calendar, e.g. after the line with the last service month was voided) -#}
{% macro delete_changed_months(changed_months_macro, calendar) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where
        month in ({{ context[changed_months_macro](incremental_watermark()) }})
        or month not in (select month from {{ ref(calendar) }})
    {%- endif -%}
{%- endmacro %}

{#- The model's month filter: every month on a full build, the changed months on an incremental one. -#}
{% macro in_changed_months(month_column, changed_months_macro) -%}
    {%- if is_incremental() -%}
    {{ month_column }} in ({{ context[changed_months_macro](incremental_watermark()) }})
    {%- else -%}
    1 = 1
    {%- endif -%}
{%- endmacro %}

{#- post-hook: record the newest _loaded_at (not in the future) of the base models the domain reads (none: this model's own). -#}
{% macro record_watermark(base_models) -%}
    {%- if target.type != 'spark' -%}
    {%- set relations = [] -%}
    {%- for model in base_models -%}{%- do relations.append(ref(model)) -%}{%- endfor -%}
    {%- if not relations -%}{%- do relations.append(this) -%}{%- endif -%}
    {%- if not is_incremental() %}
    -- a full build starts the model's history again (raw data reloaded with older _loaded_at values
    -- must not leave a newer watermark behind)
    delete from {{ incremental_state_relation() }} where model_name = '{{ this.identifier }}';
    {%- endif %}
    insert into {{ incremental_state_relation() }} (model_name, watermark, recorded_at)
    select
        '{{ this.identifier }}',
        max(_loaded_at),
        {{ processed_at() }}
    from (
        {%- for relation in relations %}
        select max(_loaded_at) as _loaded_at
        from {{ relation }}
        where _loaded_at <= {{ dbt.current_timestamp() }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    ) as loaded
    {%- endif -%}
{%- endmacro %}

{#-
    Config of a month-incremental billing model (int_customer_mrr_monthly, int_revenue_recognized_monthly):
    the materialization and hooks, and the base models billing_changed_months reads, declared as
    dependencies (the query is only rendered on incremental runs, so dbt cannot find those refs itself).
-#}
{% macro billing_months_incremental_config() -%}
    {{ config(
        materialized=incremental_or_table(),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_months('billing_changed_months', 'int_months') }}",
        post_hook="{{ record_watermark(billing_base_models()) }}",
    ) }}
    {%- for model in billing_base_models() %}
    -- depends_on: {{ ref(model) }}
    {%- endfor %}
{%- endmacro %}

{#- The base models whose rows decide billing months (watermark inputs of billing_changed_months). -#}
{% macro billing_base_models() -%}
    {{ return([
        'base_billing__invoice_line_item', 'base_billing__invoice', 'base_billing__customer',
        'base_billing__price', 'base_billing__refund', 'base_finance__fx_rate',
    ]) }}
{%- endmacro %}

{#-
    Months whose billing facts (customer MRR, recognized revenue) can differ from the last build. The base
    models already worked out which records can have changed (macros/incremental_base.sql: new versions,
    and the cascade from customers, prices, invoices and currencies to their children); every version of
    those records carries a `_processed_at` after this model's last build. From them:
      * a reprocessed line: the months any version of its service period overlaps, and its invoice's months
        (a reprocessed invoice reprocesses its lines; an invoice without lines adds no MRR or revenue);
      * a reprocessed refund: its refund months;
      * an fx rate loaded after W: its month and every later one (rates carry forward);
      * every month when W is null, or when a rate arrives for a month before its currency's first known
        rate (amounts quarantined as missing_fx_rate can become valid anywhere).
-#}
{% macro billing_changed_months(watermark) -%}
    {%- set lines = ref('base_billing__invoice_line_item') -%}
    {%- set invoices = ref('base_billing__invoice') -%}
    {%- set months = ref('int_months') -%}
    {%- set fx = ref('base_finance__fx_rate') -%}
    {%- set last_run = incremental_last_run() -%}
    select months.month
    from {{ months }} as months
    where
        {{ watermark }} is null
        or exists (
            select 1
            from {{ fx }} as new_rate
            where
                new_rate._loaded_at > {{ watermark }}
                and new_rate.currency_code is not null
                and new_rate.rate_month is not null
                and not exists (
                    select 1
                    from {{ fx }} as known_rate
                    where
                        known_rate._loaded_at <= {{ watermark }}
                        and known_rate.currency_code = new_rate.currency_code
                        and known_rate.rate_month <= new_rate.rate_month
                )
        )
        or months.month >= (
            select min(rate_month) from {{ fx }}
            where _loaded_at > {{ watermark }}
        )
        or months.month in (
            -- a reprocessed record is reinserted with all its versions, so these are every version
            with line_versions as (
                select
                    invoice_id,
                    period_start,
                    period_end
                from {{ lines }}
                where _processed_at > {{ last_run }}
            ),

            service_months as (
                select months.month
                from line_versions
                inner join {{ months }} as months
                    on
                        line_versions.period_start <= months.month_end
                        and line_versions.period_end > months.month
            ),

            invoice_months as (
                select cast({{ dbt.date_trunc('month', 'invoices.invoice_date') }} as date) as month
                from {{ invoices }} as invoices
                where invoices._record_id in (select invoice_id from line_versions)
            ),

            refund_months as (
                select cast({{ dbt.date_trunc('month', 'refunds.refunded_at') }} as date) as month
                from {{ ref('base_billing__refund') }} as refunds
                where refunds._processed_at > {{ last_run }}
            )

            select month from service_months
            union
            select month from invoice_months
            union
            select month from refund_months
        )
{%- endmacro %}
