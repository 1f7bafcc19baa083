with

base as (
    select * from {{ ref('base_crm__opportunity_history') }}
),

final as (
    select
        opportunity_history_id,
        opportunity_id,
        changed_at,
        stage_name,
        amount,
        close_date,
        forecast_category,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
