with

base as (
    select * from {{ ref('base_billing__customer') }}
),

final as (
    select
        customer_id,
        customer_name,
        email,
        crm_account_id,
        currency_code,
        created_at,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
