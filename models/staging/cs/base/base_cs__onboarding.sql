{%- set statuses = ['in_progress', 'completed', 'abandoned'] -%}
with

source as (
    select * from {{ source('cs', 'onboarding') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('cs', 'onboarding')) }},
        {{ clean_text('id') }} as onboarding_id,
        {{ clean_text('account_id') }} as account_id,
        {{ to_type('started_on', 'date') }} as started_on,
        {{ to_type('go_live_on', 'date') }} as go_live_on,
        {{ enum_value('status', statuses) }} as status,
        case
            when {{ clean_text('started_on') }} is null then 'missing_started_on'
            when {{ is_unparseable('started_on', 'date') }} then 'unparseable_started_on'
            when {{ is_unparseable('go_live_on', 'date') }} then 'unparseable_go_live_on'
            when {{ clean_text('status') }} is null then 'missing_status'
            when {{ is_invalid_enum('status', statuses) }} then 'invalid_status'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
