{#-
    NRR's components explain it exactly (docs/metrics.md, "Unit economics"), in every month with a cohort:
      nrr = (base + expansion - contraction - churned) / base,  grr = (base - contraction - churned) / base,
    each component >= 0 (the ratios are stored to 6 decimals: a difference up to 0.000001 is rounding).
-#}
{% test nrr_components_add_up(model) %}

select
    month,
    nrr,
    grr,
    nrr_base_mrr_usd,
    nrr_expansion_mrr_usd,
    nrr_contraction_mrr_usd,
    nrr_churned_mrr_usd
from {{ model }}
where
    nrr_base_mrr_usd > 0
    and (
        abs(nrr - (nrr_base_mrr_usd + nrr_expansion_mrr_usd - nrr_contraction_mrr_usd - nrr_churned_mrr_usd)
            / nrr_base_mrr_usd) > 0.000001
        or abs(grr - (nrr_base_mrr_usd - nrr_contraction_mrr_usd - nrr_churned_mrr_usd) / nrr_base_mrr_usd)
        > 0.000001
        or nrr_expansion_mrr_usd < 0
        or nrr_contraction_mrr_usd < 0
        or nrr_churned_mrr_usd < 0
    )

{% endtest %}
