with

base as (
    select * from {{ ref('base_cs__csat_response') }}
),

final as (
    select
        csat_response_id,
        account_id,
        responded_at,
        score,
        ticket_id,
        context,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
