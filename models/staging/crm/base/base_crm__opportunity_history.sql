{%- set stages = ['Prospecting', 'Discovery', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost'] -%}
{%- set forecast_categories = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] -%}
with

source as (
    select * from {{ raw_table('crm', 'opportunity_history') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('crm', 'opportunity_history')) }},
        {{ clean_text('id') }} as opportunity_history_id,
        {{ clean_text('opportunity_id') }} as opportunity_id,
        {{ to_type('changed_at', 'timestamp') }} as changed_at,
        {{ enum_value('stage_name', stages) }} as stage_name,
        {{ to_type('amount', 'decimal(18,2)') }} as amount,
        {{ to_type('close_date', 'date') }} as close_date,
        {{ enum_value('forecast_category', forecast_categories) }} as forecast_category,
        case
            when {{ clean_text('opportunity_id') }} is null then 'missing_opportunity_id'
            when {{ clean_text('changed_at') }} is null then 'missing_changed_at'
            when {{ is_unparseable('changed_at', 'timestamp') }} then 'unparseable_changed_at'
            when {{ clean_text('stage_name') }} is null then 'missing_stage_name'
            when {{ is_invalid_enum('stage_name', stages) }} then 'invalid_stage_name'
            when {{ is_invalid_enum('forecast_category', forecast_categories) }} then 'invalid_forecast_category'
            when {{ is_unparseable('amount', 'decimal(18,2)') }} then 'unparseable_amount'
            when {{ is_unparseable('close_date', 'date') }} then 'unparseable_close_date'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case when opportunities.opportunity_id is null then 'orphan_opportunity_id' end
        ) as _row_reason
    from parsed
    left join opportunities
        on parsed.opportunity_id = opportunities.opportunity_id
),

{{ dispose('checked') }}
