{#-
    Stripe products as raw_billing.product (docs/connectors.md, "Stripe"); a deleted product is kept (old
    invoices name it).
-#}
{{ config(enabled=connector_enabled('billing_source', 'stripe')) }}
with

products as (
    select * from {{ source('stripe', 'product') }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('name') }} as name,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from products
)

select * from final
