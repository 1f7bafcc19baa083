{#-
    Record-incremental base models (the big raw tables: leads, accounts, opportunities and their history,
    invoices, their lines and refunds, customers, prices, subscriptions, GL entries, CS tables; the month
    models read which billing records were reprocessed from them, see billing_changed_months).

    A base model holds every raw row with its disposition, and a row's disposition depends only on the
    versions of its own record and on its parents (an orphan check, a currency check). So the daily run
    re-parses and re-disposes only the records that can have changed:
      * records with a raw row loaded after the model's watermark W (or with an unparseable `_loaded_at`);
      * records whose parent was reprocessed since this model's last run (`_processed_at` of the parent's
        base rows; a parent reprocessed because of its own parent cascades the same way);
      * records in a currency whose first rate month changed (fx rows loaded after W), which can flip
        missing_fx_rate / unknown_currency;
      * every row without a record id (they are ranked together).
    Those records' rows are deleted and re-inserted from the raw table with all their versions, so version
    ranks come out exactly as in a full build. Everything is reprocessed when there is no watermark (first
    build, or a replacing load cleared audit.incremental_watermarks) or when the raw table no longer holds
    the rows this model saw up to W (raw rows replaced, or a backfill with old `_loaded_at` values): the
    raw rows loaded up to W are counted in both places, and a difference means the incremental path
    cannot be trusted. The test assert_every_raw_row_is_in_its_base_model counts the raw tables themselves, so
    a lost or doubled row fails the build.

    The plan is computed once, in the pre-hook, into `<model>__reprocess` (reprocess_all, _record_id),
    before the old rows are deleted; the post-hook drops it and records the new watermark. Spark builds
    these models as plain tables.
-#}

{#- Config of a record-incremental base model; parents: [parent base model, this model's key column]. -#}
{% macro base_incremental_config(source_name, table_name, parents=[], currency_column=none) -%}
    {%- set args = [source_name, table_name, parents, currency_column or ''] | map('tojson') | join(', ') -%}
    {{ config(
        materialized=incremental_or_table(),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ plan_base_reprocessing(" ~ args ~ ") }}",
        post_hook="{{ finish_base_reprocessing() }}",
    ) }}
    {#- the hooks read these base models: calling ref() at parse time declares the dependencies -#}
    {%- for parent, key in parents -%}
    {%- do ref(parent) -%}
    {%- endfor -%}
    {%- if currency_column -%}
    {%- do ref('base_finance__fx_rate') -%}
    {%- endif -%}
{%- endmacro %}

{% macro base_reprocess_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__reprocess'})) }}
{%- endmacro %}

{#- The `_processed_at` stamp of this run (every base row carries it; see dispose()). -#}
{% macro processed_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- pre-hook: the reprocessing plan, then delete the rows it covers (incremental runs only). -#}
{% macro plan_base_reprocessing(source_name, table_name, parents, currency_column) -%}
    {%- if is_incremental() -%}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if '_processed_at' not in columns -%}
    {{ exceptions.raise_compiler_error(
        this.schema ~ "." ~ this.identifier ~ " was built before base models were incremental (it has no _processed_at column): "
        ~ "rebuild it once with `warehouse build -- --full-refresh` (or dbt build --full-refresh)"
    ) }}
    {%- endif -%}
    {%- set raw = source(source_name, table_name) -%}
    {%- set watermark = incremental_watermark() -%}
    drop table if exists {{ base_reprocess_relation() }};
    create table {{ base_reprocess_relation() }} as
    with

    seen as (
        select
            max(_processed_at) as processed_until,
            count(case when _loaded_at <= {{ watermark }} then 1 end) as rows_until_watermark
        from {{ this }}
    ),

    raw_rows as (
        select
            {{ clean_text('id') }} as _record_id,
            {{ to_type('_loaded_at', dbt.type_timestamp()) }} as _loaded_at
        from {{ raw }}
    ),

    raw_seen as (
        select count(case when _loaded_at <= {{ watermark }} then 1 end) as rows_until_watermark
        from raw_rows
    ),

    changed as (
        select _record_id
        from raw_rows
        where _loaded_at > {{ watermark }} or _loaded_at is null
        {%- for parent, key in parents %}
        union
        select this_model._record_id
        from {{ this }} as this_model
        inner join {{ ref(parent) }} as parent
            on this_model.{{ key }} = parent._record_id
        where parent._processed_at > (select processed_until from seen)
        {%- endfor %}
        {%- if currency_column %}
        union
        select _record_id
        from {{ this }}
        where {{ currency_column }} in ({{ changed_currencies(watermark) }})
        {%- endif %}
    ),

    plan as (
        select
            {{ watermark }} is null
            or (select rows_until_watermark from seen) <> (select rows_until_watermark from raw_seen)
            as reprocess_all
    )

    select
        plan.reprocess_all,
        changed._record_id
    from changed
    cross join plan
    where not plan.reprocess_all and changed._record_id is not null
    union all
    select
        reprocess_all,
        cast(null as {{ dbt.type_string() }}) as _record_id
    from plan
    where reprocess_all;

    delete from {{ this }}
    where
        exists (select 1 from {{ base_reprocess_relation() }} where reprocess_all)
        or _record_id in (select _record_id from {{ base_reprocess_relation() }})
        or _record_id is null
        or _loaded_at is null
    {%- endif -%}
{%- endmacro %}

{#- The model's filter on its raw table: every row on a full build, the planned records on an incremental one. -#}
{% macro where_reprocessed(id_column='id') -%}
    {%- if is_incremental() -%}
    where
        exists (select 1 from {{ base_reprocess_relation() }} where reprocess_all)
        or {{ clean_text(id_column) }} in (select _record_id from {{ base_reprocess_relation() }})
        or {{ clean_text(id_column) }} is null
        or {{ to_type('_loaded_at', dbt.type_timestamp()) }} is null
    {%- endif -%}
{%- endmacro %}

{#- post-hook: drop the plan, record the watermark (the newest _loaded_at this model has processed). -#}
{% macro finish_base_reprocessing() -%}
    {%- if target.type != 'spark' -%}
    drop table if exists {{ base_reprocess_relation() }};
    {{ record_watermark([]) }}
    {%- endif -%}
{%- endmacro %}

{#-
    Currencies whose first rate month (stg_finance__currencies) may differ from the last build, from the fx
    records with a row loaded after W: a currency is changed when any version of such a record has a
    rate month at or before the currency's first rate month now, or the currency has no rate now. (A first
    month that moved earlier is a changed record's month; one that moved later was a changed record's.)
-#}
{% macro changed_currencies(watermark) -%}
    {%- set fx = ref('base_finance__fx_rate') -%}
    select fx.currency_code
    from {{ fx }} as fx
    left join {{ ref('stg_finance__currencies') }} as currencies
        on fx.currency_code = currencies.currency_code
    where
        fx._record_id in (select _record_id from {{ fx }} where _loaded_at > {{ watermark }})
        and fx.currency_code is not null
        and (currencies.currency_code is null or fx.rate_month <= currencies.first_rate_month)
{%- endmacro %}
