with

source as (
    select * from {{ source('product', 'feature_usage') }}
),

parsed as (
    select
        {{ raw_metadata(
            'source', "trim(account_id) || '|' || lower(trim(feature_key)) || '|' || trim(usage_date)",
            has_deleted_flag=false,
            raw=('product', 'feature_usage')
        ) }},
        {{ clean_text('account_id') }} as account_id,
        lower({{ clean_text('feature_key') }}) as feature_key,
        {{ to_type('usage_date', 'date') }} as usage_date,
        {{ to_type('events', 'integer') }} as events,
        {{ to_type('active_users', 'integer') }} as active_users,
        case
            when
                {{ clean_text('account_id') }} is null
                or {{ clean_text('feature_key') }} is null
                or {{ clean_text('usage_date') }} is null
                then 'missing_primary_key'
            when {{ is_unparseable('usage_date', 'date') }} then 'unparseable_usage_date'
            when {{ clean_text('events') }} is null then 'missing_events'
            when {{ is_unparseable('events', 'integer') }} then 'unparseable_events'
            when {{ to_type('events', 'integer') }} < 0 then 'negative_events'
            when {{ is_unparseable('active_users', 'integer') }} then 'unparseable_active_users'
            when {{ to_type('active_users', 'integer') }} < 0 then 'negative_active_users'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
