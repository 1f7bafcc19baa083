with

base as (
    select * from {{ ref('base_cs__nps_response') }}
),

final as (
    select
        nps_response_id,
        account_id,
        responded_at,
        score,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
