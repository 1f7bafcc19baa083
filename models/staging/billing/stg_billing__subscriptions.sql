with

base as (
    select * from {{ ref('base_billing__subscription') }}
),

final as (
    select
        subscription_id,
        customer_id,
        status,
        created_at,
        start_date,
        trial_end_date,
        canceled_at,
        ended_at,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
