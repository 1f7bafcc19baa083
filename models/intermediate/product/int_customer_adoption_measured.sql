{#-
    Product adoption per paying customer and month (docs/metrics.md, "Product adoption"): one row per
    customer active at the end of a month (MRR > 0) of the reporting window in which product usage is
    tracked, i.e. from the first whole month after the usage table's first day (a table that starts on
    the 15th would make that month's adoption look half as high).
      core_features_used  - core features (seed product_features) its CRM account used in the month;
      is_adopted          - core_features_used >= var adoption_min_core_features (default 3);
      weekly_active_users - mean over the weeks (Monday to Sunday) that end in the month of the week's
                            most users on one feature on one day (a lower bound of the week's distinct
                            users: the table counts users per feature and day); a week without use is 0;
      seats               - seats in force at the month's snapshot (int_customer_mrr_expanded).
    A customer without a resolved CRM account cannot be matched to usage: it counts as not adopted
    (has_resolved_account false shows how many).
-#}
with

customer_months as (
    select * from {{ ref('int_customer_mrr_expanded') }}
),

identities as (
    select * from {{ ref('int_customers_identity_resolved') }}
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

usage as (
    select * from {{ ref('stg_product__feature_usage') }}
),

features_used as (
    select * from {{ ref('int_account_features_used') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

tracking as (
    -- the first month that starts on or after the first day of usage
    select
        cast({{ dbt.dateadd('month', 1, dbt.date_trunc('month', dbt.dateadd('day', -1, 'min(usage_date)'))) }} as date)
            as first_tracked_month
    from usage
),

tracked_months as (
    select
        spine.month,
        spine.month_end,
        cast({{ dbt.date_trunc('week', 'spine.month') }} as date) as first_week,
        cast({{ dbt.date_trunc('week', dbt.dateadd('day', -6, 'spine.month_end')) }} as date) as last_week
    from spine
    inner join tracking
        on spine.month >= tracking.first_tracked_month
),

tracked_month_weeks as (
    select
        month,
        first_week,
        last_week,
        {{ dbt.datediff('first_week', 'last_week', 'day') }}
        / 7 + 1 as weeks_ending_in_month
    from tracked_months
),

active as (
    select
        customer_months.customer_id,
        customer_months.month,
        customer_months.seats,
        identities.crm_account_id
    from customer_months
    inner join tracked_months
        on customer_months.month = tracked_months.month
    left join identities
        on customer_months.customer_id = identities.customer_id
    where customer_months.mrr_usd > 0
),

account_features as (
    select
        account_id,
        month,
        count(case when is_core then 1 end) as core_features_used,
        count(*) as features_used
    from features_used
    group by account_id, month
),

account_weeks as (
    select
        usage.account_id,
        cast({{ dbt.date_trunc('week', 'usage.usage_date') }} as date) as week_start,
        max(usage.active_users) as weekly_active_users
    from usage
    cross join as_of
    where
        usage.events > 0
        and usage.usage_date <= as_of.as_of_date
    group by usage.account_id, cast({{ dbt.date_trunc('week', 'usage.usage_date') }} as date)
),

account_months_wau as (
    select
        account_weeks.account_id,
        tracked_month_weeks.month,
        1.0 * sum(account_weeks.weekly_active_users) / tracked_month_weeks.weeks_ending_in_month
            as weekly_active_users
    from account_weeks
    inner join tracked_month_weeks
        on
            account_weeks.week_start >= tracked_month_weeks.first_week
            and account_weeks.week_start <= tracked_month_weeks.last_week
    group by account_weeks.account_id, tracked_month_weeks.month, tracked_month_weeks.weeks_ending_in_month
),

final as (
    select
        active.customer_id,
        active.month,
        active.crm_account_id,
        active.crm_account_id is not null as has_resolved_account,
        cast(coalesce(account_features.core_features_used, 0) as integer) as core_features_used,
        cast(coalesce(account_features.features_used, 0) as integer) as features_used,
        coalesce(account_features.core_features_used, 0)
        >= {{ var('adoption_min_core_features') }} as is_adopted,
        active.seats,
        {{ money('coalesce(account_months_wau.weekly_active_users, 0)') }} as weekly_active_users
    from active
    left join account_features
        on
            active.crm_account_id = account_features.account_id
            and active.month = account_features.month
    left join account_months_wau
        on
            active.crm_account_id = account_months_wau.account_id
            and active.month = account_months_wau.month
)

select * from final
