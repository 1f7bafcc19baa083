with

base as (
    select * from {{ ref('base_crm__account') }}
),

final as (
    select
        account_id,
        account_name,
        website_domain,
        industry,
        segment,
        billing_country,
        owner_user_id,
        created_at,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
