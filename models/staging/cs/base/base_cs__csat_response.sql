with

source as (
    select * from {{ source('cs', 'csat_response') }}
),

parsed as (
    select
        {{ raw_metadata('source', 'id', has_deleted_flag=false, raw=('cs', 'csat_response')) }},
        {{ clean_text('id') }} as csat_response_id,
        {{ clean_text('account_id') }} as account_id,
        {{ to_type('responded_at', 'timestamp') }} as responded_at,
        {{ to_type('score', 'integer') }} as score,
        {{ clean_text('ticket_id') }} as ticket_id,
        {{ clean_text('context') }} as context,
        case
            when {{ clean_text('responded_at') }} is null then 'missing_responded_at'
            when {{ is_unparseable('responded_at', 'timestamp') }} then 'unparseable_responded_at'
            when {{ clean_text('score') }} is null then 'missing_score'
            when {{ is_unparseable('score', 'integer') }} then 'unparseable_score'
            when {{ to_type('score', 'integer') }} not between 1 and 5 then 'score_out_of_range'
        end as _row_reason
    from source
),

{{ dispose('parsed') }}
