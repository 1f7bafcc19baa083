with

base as (
    select * from {{ ref('base_crm__opportunity') }}
),

final as (
    select
        opportunity_id,
        account_id,
        opportunity_name,
        opportunity_type,
        stage_name,
        amount,
        currency_code,
        probability,
        forecast_category,
        created_at,
        close_date,
        is_closed,
        is_won,
        owner_user_id,
        lead_source,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
