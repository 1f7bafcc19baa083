{%- set types = ['new_business', 'expansion', 'renewal'] -%}
{%- set stages = ['Prospecting', 'Discovery', 'Proposal', 'Negotiation', 'Closed Won', 'Closed Lost'] -%}
{%- set forecast_categories = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] -%}
with

source as (
    select * from {{ raw_table('crm', 'opportunity') }}
),

currencies as (
    select * from {{ ref('stg_finance__currencies') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', raw=('crm', 'opportunity')) }},
        {{ clean_text('id') }} as opportunity_id,
        {{ clean_text('account_id') }} as account_id,
        {{ clean_text('name') }} as opportunity_name,
        {{ enum_value('type', types) }} as opportunity_type,
        {{ enum_value('stage_name', stages) }} as stage_name,
        {{ to_type('amount', 'decimal(18,2)') }} as amount,
        upper({{ clean_text('currency_code') }}) as currency_code,
        {{ to_type('probability', 'integer') }} as probability,
        {{ enum_value('forecast_category', forecast_categories) }} as forecast_category,
        {{ to_type('created_at', 'timestamp') }} as created_at,
        {{ to_type('close_date', 'date') }} as close_date,
        coalesce({{ parse_bool('is_closed') }}, false) as is_closed,
        coalesce({{ parse_bool('is_won') }}, false) as is_won,
        {{ clean_text('owner_user_id') }} as owner_user_id,
        lower({{ clean_text('lead_source') }}) as lead_source,
        case
            when {{ clean_text('type') }} is null then 'missing_type'
            when {{ is_invalid_enum('type', types) }} then 'invalid_type'
            when {{ clean_text('stage_name') }} is null then 'missing_stage_name'
            when {{ is_invalid_enum('stage_name', stages) }} then 'invalid_stage_name'
            when {{ is_invalid_enum('forecast_category', forecast_categories) }} then 'invalid_forecast_category'
            when {{ is_unparseable('amount', 'decimal(18,2)') }} then 'unparseable_amount'
            when {{ is_unparseable('probability', 'integer') }} then 'unparseable_probability'
            when {{ clean_text('created_at') }} is null then 'missing_created_at'
            when {{ is_unparseable('created_at', 'timestamp') }} then 'unparseable_created_at'
            when {{ is_unparseable('close_date', 'date') }} then 'unparseable_close_date'
            when {{ clean_text('is_closed') }} is not null and {{ parse_bool('is_closed') }} is null
                then 'unparseable_is_closed'
            when {{ clean_text('is_won') }} is not null and {{ parse_bool('is_won') }} is null
                then 'unparseable_is_won'
        end as _parse_reason
    from source
),

checked as (
    select
        parsed.*,
        coalesce(
            parsed._parse_reason,
            case
                when parsed.amount is not null
                    then {{ currency_reason('parsed.currency_code') }}
            end
        ) as _row_reason
    from parsed
    left join currencies
        on parsed.currency_code = currencies.currency_code
),

{{ dispose('checked') }}
