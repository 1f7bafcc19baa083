{#-
    MRR movements (docs/metrics.md, "MRR movements"): one row per customer and month of the reporting
    window in which the customer's MRR of that month or of the month before is non-zero.
    With prev/cur the local MRR of m-1/m and r the month's rate:
      opening = prev x r_m, fx_adjustment = prev x (r_m - r_m-1), cur = cur x r_m
      new (opening 0, never active before, cur > 0), reactivation (opening 0, active before, cur > 0),
      expansion (0 < opening < cur), contraction (0 < cur < opening), churn (opening > 0, cur = 0), else flat.
    So MRR_m = MRR_m-1 + fx_adjustment + new + reactivation + expansion + contraction + churned.
-#}
with

customer_mrr as (
    select * from {{ ref('int_customer_mrr_expanded') }}
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

nonzero as (
    select
        customer_id,
        month
    from customer_mrr
    where mrr_local <> 0
),

customer_months as (
    select
        customer_id,
        month
    from nonzero
    union
    select
        customer_id,
        cast({{ dbt.dateadd('month', 1, 'month') }} as date) as month
    from nonzero
),

joined as (
    select
        customer_months.customer_id,
        customer_months.month,
        spine.is_month_complete,
        customers.crm_account_id,
        customers.currency_code,
        current_rate.usd_per_unit as rate,
        coalesce(current_mrr.mrr_local, 0) as mrr_local,
        coalesce(previous_mrr.mrr_local, 0) as previous_mrr_local,
        coalesce(previous_rate.usd_per_unit, current_rate.usd_per_unit) as previous_rate
    from customer_months
    inner join spine
        on customer_months.month = spine.month
    inner join customers
        on customer_months.customer_id = customers.customer_id
    left join customer_mrr as current_mrr
        on
            customer_months.customer_id = current_mrr.customer_id
            and customer_months.month = current_mrr.month
    left join customer_mrr as previous_mrr
        on
            customer_months.customer_id = previous_mrr.customer_id
            and {{ dbt.dateadd('month', -1, 'customer_months.month') }} = previous_mrr.month
    left join fx_rates as current_rate
        on
            customers.currency_code = current_rate.currency_code
            and customer_months.month = current_rate.month
    left join fx_rates as previous_rate
        on
            customers.currency_code = previous_rate.currency_code
            and {{ dbt.dateadd('month', -1, 'customer_months.month') }} = previous_rate.month
),

with_history as (
    select
        *,
        coalesce(
            max(case when mrr_local > 0 then 1 else 0 end) over (
                partition by customer_id
                order by month
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) = 1 as was_active_before
    from joined
),

classified as (
    select
        *,
        previous_mrr_local * rate as opening_usd,
        mrr_local * rate as current_usd,
        case
            when previous_mrr_local = 0 and mrr_local > 0 and not was_active_before then 'new'
            when previous_mrr_local = 0 and mrr_local > 0 then 'reactivation'
            when previous_mrr_local > 0 and mrr_local > previous_mrr_local then 'expansion'
            when mrr_local > 0 and mrr_local < previous_mrr_local then 'contraction'
            when previous_mrr_local > 0 and mrr_local = 0 then 'churn'
            else 'flat'
        end as movement_type
    from with_history
),

final as (
    -- every operand below is a decimal column: money(..., decimal_input=true) rounds it once
    select
        month,
        customer_id,
        crm_account_id,
        currency_code,
        {{ money('mrr_local', decimal_input=true) }} as mrr_local,
        {{ money('current_usd', decimal_input=true) }} as mrr_usd,
        {{ money('previous_mrr_local * previous_rate', decimal_input=true) }} as previous_mrr_usd,
        {{ money('opening_usd', decimal_input=true) }} as opening_mrr_usd,
        movement_type,
        {{ money(
            "case when movement_type = 'new' then current_usd else 0 end", decimal_input=true
        ) }} as new_mrr_usd,
        -- cur - opening as one product, (cur - prev) x r_m: equal to the definition, and rounded once on
        -- every engine (Spark rounds each decimal product of this width to 6 places before subtracting)
        {{ money(
            "case when movement_type = 'expansion' then (mrr_local - previous_mrr_local) * rate else 0 end",
            decimal_input=true
        ) }} as expansion_mrr_usd,
        {{ money(
            "case when movement_type = 'contraction' then (mrr_local - previous_mrr_local) * rate else 0 end",
            decimal_input=true
        ) }} as contraction_mrr_usd,
        {{ money(
            "case when movement_type = 'churn' then -opening_usd else 0 end", decimal_input=true
        ) }} as churned_mrr_usd,
        {{ money(
            "case when movement_type = 'reactivation' then current_usd else 0 end", decimal_input=true
        ) }} as reactivation_mrr_usd,
        {{ money('previous_mrr_local * (rate - previous_rate)', decimal_input=true) }} as fx_adjustment_mrr_usd,
        is_month_complete
    from classified
)

select * from final
