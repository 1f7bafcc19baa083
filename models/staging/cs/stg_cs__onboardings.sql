with

base as (
    select * from {{ ref('base_cs__onboarding') }}
),

final as (
    select
        onboarding_id,
        account_id,
        started_on,
        go_live_on,
        status,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
