with

base as (
    select * from {{ ref('base_crm__lead') }}
),

final as (
    select
        lead_id,
        email,
        company,
        lead_source,
        created_at,
        mql_at,
        sql_at,
        is_converted,
        converted_at,
        converted_account_id,
        converted_opportunity_id,
        owner_user_id,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
