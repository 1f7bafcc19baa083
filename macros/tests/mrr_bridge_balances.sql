{#-
    The MRR bridge holds every month, to the cent:
      MRR_m = MRR_m-1 + fx_adjustment + new + reactivation + expansion + contraction + churned
    and each month's previous_mrr_usd adds up to the prior month's MRR.
-#}
{% test mrr_bridge_balances(model) %}

with

by_month as (
    select
        month,
        sum(mrr_usd) as mrr_usd,
        sum(previous_mrr_usd) as previous_mrr_usd,
        sum(
            fx_adjustment_mrr_usd + new_mrr_usd + reactivation_mrr_usd
            + expansion_mrr_usd + contraction_mrr_usd + churned_mrr_usd
        ) as movements_usd
    from {{ model }}
    group by month
),

with_prior as (
    select
        *,
        lag(mrr_usd) over (order by month) as prior_month_mrr_usd
    from by_month
)

select *
from with_prior
where
    abs(mrr_usd - (previous_mrr_usd + movements_usd)) >= 0.01
    or abs(previous_mrr_usd - coalesce(prior_month_mrr_usd, 0)) >= 0.01

{% endtest %}
