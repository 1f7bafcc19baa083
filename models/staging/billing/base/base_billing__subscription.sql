{%- set statuses = ['trialing', 'active', 'past_due', 'paused', 'canceled'] -%}
with

source as (
    select * from {{ raw_table('billing', 'subscription') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('billing', 'subscription')) }},
        {{ clean_text('id') }} as subscription_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ enum_value('status', statuses) }} as status,
        {{ to_type('created_at', 'timestamp') }} as created_at,
        {{ to_type('start_date', 'date') }} as start_date,
        {{ to_type('trial_end_date', 'date') }} as trial_end_date,
        {{ to_type('canceled_at', 'timestamp') }} as canceled_at,
        {{ to_type('ended_at', 'timestamp') }} as ended_at,
        case
            when {{ clean_text('status') }} is null then 'missing_status'
            when {{ is_invalid_enum('status', statuses) }} then 'invalid_status'
            when {{ is_unparseable('created_at', 'timestamp') }} then 'unparseable_created_at'
            when {{ is_unparseable('start_date', 'date') }} then 'unparseable_start_date'
            when {{ is_unparseable('trial_end_date', 'date') }} then 'unparseable_trial_end_date'
            when {{ is_unparseable('canceled_at', 'timestamp') }} then 'unparseable_canceled_at'
            when {{ is_unparseable('ended_at', 'timestamp') }} then 'unparseable_ended_at'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
