with

base as (
    select * from {{ ref('base_finance__gl_entry') }}
),

final as (
    select
        gl_entry_id,
        posted_date,
        account_code,
        account_name,
        department,
        amount,
        currency_code,
        vendor,
        _loaded_at
    from base
    where _disposition = 'staged'
)

select * from final
