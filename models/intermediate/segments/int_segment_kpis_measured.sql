{#-
    Revenue-side KPIs by customer segment, one row per month of the reporting window and segment (smb,
    mid_market, enterprise, unknown), unhidden (docs/metrics.md, "Customer segments"); fct_kpi_segment_monthly
    publishes them, hiding the customer-level ones of a segment-month below min_group_size active customers
    (is_below_min_group_size). The company formulas of fct_unit_economics, fct_sales_funnel and
    fct_customer_success restated within the segment:
      - a customer's segment in month m is its CRM account's segment at the start of m
        (int_account_segments_historized); `unknown` without a resolved account; its movements, MRR and
        adoption of m count there (movements from fct_mrr_movements, which owns their classification);
      - NRR and GRR: the cohort active at the end of m-12, each customer in its segment at the start of m-12;
      - logo churn: churned in m / customers active at the end of m-1, both in their segment at the start of m;
      - win rate, deal size, sales cycle: new-business deals closed in m, in the account's segment on the
        close date;
      - customers_moved_in / customers_moved_out: customers active at the end of m-1 counted in this segment
        in m and in another one in m-1 (and the reverse): a move is shown in the first month it counts.
-#}
{%- set segments = account_segments() + ['unknown'] %}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

movements as (
    select * from {{ ref('fct_mrr_movements') }}
),

cohorts as (
    select * from {{ ref('int_customer_cohorts_retained') }}
),

deals as (
    select * from {{ ref('int_deals_closed') }}
),

customer_adoption as (
    select * from {{ ref('int_customer_adoption_measured') }}
),

segment_history as (
    select * from {{ ref('int_account_segments_historized') }}
),

-- the union is generated from the segment list; sqlfluff measures indentation on the rendered loop
-- noqa: disable=LT02
segments as (
    {%- for segment in segments %}
    select '{{ segment }}' as segment
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),
-- noqa: enable=LT02

customer_months as (
    -- every customer-month of fct_mrr_movements, in its segment at the start of m and of m-1
    select
        movements.*,
        coalesce(current_segment.segment, 'unknown') as segment,
        coalesce(previous_segment.segment, 'unknown') as previous_segment
    from movements
    left join segment_history as current_segment
        on
            movements.crm_account_id = current_segment.account_id
            and movements.month >= current_segment.valid_from
            and movements.month < current_segment.valid_to
    left join segment_history as previous_segment
        on
            movements.crm_account_id = previous_segment.account_id
            and {{ dbt.dateadd('month', -1, 'movements.month') }} >= previous_segment.valid_from
            and {{ dbt.dateadd('month', -1, 'movements.month') }} < previous_segment.valid_to
),

movement_totals as (
    select
        month,
        segment,
        sum(mrr_usd) as mrr_usd,
        count(case when mrr_local > 0 then 1 end) as active_customers,
        count(case when previous_mrr_usd > 0 then 1 end) as opening_customers,
        count(case when movement_type = 'new' then 1 end) as new_customers,
        count(case when movement_type = 'churn' then 1 end) as churned_customers,
        count(case when previous_mrr_usd > 0 and previous_segment <> segment then 1 end) as customers_moved_in,
        sum(new_mrr_usd) as new_mrr_usd,
        sum(expansion_mrr_usd) as expansion_mrr_usd,
        sum(contraction_mrr_usd) as contraction_mrr_usd,
        sum(churned_mrr_usd) as churned_mrr_usd,
        sum(reactivation_mrr_usd) as reactivation_mrr_usd,
        sum(fx_adjustment_mrr_usd) as fx_adjustment_mrr_usd
    from customer_months
    group by month, segment
),

moves_out as (
    select
        month,
        previous_segment as segment,
        count(*) as customers_moved_out
    from customer_months
    where previous_mrr_usd > 0 and previous_segment <> segment
    group by month, previous_segment
),

retention as (
    select
        cohorts.month,
        base_month.segment,
        sum(cohorts.current_mrr_usd) / sum(cohorts.base_mrr_usd) as nrr,
        sum(least(cohorts.current_mrr_usd, cohorts.base_mrr_usd)) / sum(cohorts.base_mrr_usd) as grr
    from cohorts
    inner join customer_months as base_month
        on
            cohorts.customer_id = base_month.customer_id
            and {{ dbt.dateadd('month', -12, 'cohorts.month') }} = base_month.month
    group by cohorts.month, base_month.segment
),

deal_totals as (
    select
        deals.month,
        coalesce(segment_history.segment, 'unknown') as segment,
        count(*) as closed_new_business,
        count(case when deals.is_won then 1 end) as won_new_business,
        avg(case when deals.is_won then deals.amount_usd end) as avg_deal_size_usd,
        avg(case when deals.is_won then deals.cycle_days end) as sales_cycle_days
    from deals
    left join segment_history
        on
            deals.account_id = segment_history.account_id
            and deals.close_date >= segment_history.valid_from
            and deals.close_date < segment_history.valid_to
    where deals.opportunity_type = 'new_business'
    group by deals.month, coalesce(segment_history.segment, 'unknown')
),

adoption_totals as (
    select
        customer_adoption.month,
        customer_months.segment,
        count(*) as adoption_active_customers,
        count(case when customer_adoption.is_adopted then 1 end) as adopted_customers
    from customer_adoption
    inner join customer_months
        on
            customer_adoption.customer_id = customer_months.customer_id
            and customer_adoption.month = customer_months.month
    group by customer_adoption.month, customer_months.segment
),

final as (
    select
        spine.month,
        segments.segment,
        {{ money('coalesce(movement_totals.mrr_usd, 0)') }} as mrr_usd,
        {{ money('12 * coalesce(movement_totals.mrr_usd, 0)') }} as arr_usd,
        {{ money('coalesce(movement_totals.new_mrr_usd, 0)') }} as new_mrr_usd,
        {{ money('coalesce(movement_totals.expansion_mrr_usd, 0)') }} as expansion_mrr_usd,
        {{ money('coalesce(movement_totals.contraction_mrr_usd, 0)') }} as contraction_mrr_usd,
        {{ money('coalesce(movement_totals.churned_mrr_usd, 0)') }} as churned_mrr_usd,
        {{ money('coalesce(movement_totals.reactivation_mrr_usd, 0)') }} as reactivation_mrr_usd,
        {{ money('coalesce(movement_totals.fx_adjustment_mrr_usd, 0)') }} as fx_adjustment_mrr_usd,
        coalesce(movement_totals.active_customers, 0) as active_customers,
        coalesce(movement_totals.new_customers, 0) as new_customers,
        coalesce(movement_totals.customers_moved_in, 0) as customers_moved_in,
        coalesce(moves_out.customers_moved_out, 0) as customers_moved_out,
        {{ money('retention.nrr') }} as nrr,
        {{ money('retention.grr') }} as grr,
        {{ ratio('movement_totals.churned_customers', 'movement_totals.opening_customers') }} as logo_churn_rate,
        {{ ratio('movement_totals.mrr_usd', 'movement_totals.active_customers') }} as arpa_usd,
        {{ ratio('deal_totals.won_new_business', 'deal_totals.closed_new_business') }} as win_rate,
        {{ money('deal_totals.avg_deal_size_usd') }} as avg_deal_size_usd,
        {{ money('deal_totals.sales_cycle_days') }} as sales_cycle_days,
        {{ ratio('adoption_totals.adopted_customers', 'adoption_totals.adoption_active_customers') }}
            as product_adoption_rate,
        coalesce(movement_totals.active_customers, 0) < {{ var('min_group_size') }} as is_below_min_group_size
    from spine
    cross join segments
    left join movement_totals
        on spine.month = movement_totals.month and segments.segment = movement_totals.segment
    left join moves_out
        on spine.month = moves_out.month and segments.segment = moves_out.segment
    left join retention
        on spine.month = retention.month and segments.segment = retention.segment
    left join deal_totals
        on spine.month = deal_totals.month and segments.segment = deal_totals.segment
    left join adoption_totals
        on spine.month = adoption_totals.month and segments.segment = adoption_totals.segment
)

select * from final
