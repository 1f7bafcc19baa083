{#-
    The reporting date (one row): the var as_of_date, or by default the latest _loaded_at date in
    raw_billing.invoice (every raw row, current or not: the last time billing data arrived).
-#}
with

invoice_loads as (
    select * from {{ ref('base_billing__invoice') }}
),

latest_load as (
    select cast(max(_loaded_at) as date) as latest_loaded_date
    from invoice_loads
),

final as (
    select
        coalesce({{ as_of_date_var() }}, latest_loaded_date) as as_of_date,
        cast({{ dbt.date_trunc('month', "coalesce(" ~ as_of_date_var() ~ ", latest_loaded_date)") }} as date)
            as as_of_month
    from latest_load
)

select * from final
