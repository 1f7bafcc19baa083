{#-
    The retention cohorts behind NRR and GRR (docs/metrics.md, "Unit economics"): for every month m of the
    reporting window after the first twelve, one row per customer active at the end of m-12 (the
    cohort), with its MRR at m-12 and at m (0 when gone), both converted at month m's rate (constant FX),
    so a currency move is not read as expansion or contraction. Reactivated cohort members count.
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

customer_mrr as (
    select * from {{ ref('int_customer_mrr_expanded') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

final as (
    select
        spine.month,
        base.customer_id,
        base.currency_code,
        fx_rates.usd_per_unit,
        base.mrr_local as base_mrr_local,
        coalesce(current_mrr.mrr_local, 0) as current_mrr_local,
        {{ line_amount('base.mrr_local * fx_rates.usd_per_unit') }} as base_mrr_usd,
        {{ line_amount('coalesce(current_mrr.mrr_local, 0) * fx_rates.usd_per_unit') }} as current_mrr_usd
    from spine
    inner join customer_mrr as base
        on
            base.month = {{ dbt.dateadd('month', -12, 'spine.month') }}
            and base.mrr_local > 0
    inner join fx_rates
        on
            base.currency_code = fx_rates.currency_code
            and spine.month = fx_rates.month
    left join customer_mrr as current_mrr
        on
            base.customer_id = current_mrr.customer_id
            and spine.month = current_mrr.month
    where spine.month_number > 12
)

select * from final
