{#-
    Product usage per CRM account, month and feature (docs/metrics.md, "Product adoption"): a feature is
    used in a month when the account has a day of it with events > 0 (a row of 0 events is not use).
    Days after as_of_date are not counted. is_core from seed product_features (a key missing there is
    kept, not core).
-#}
with

usage as (
    select * from {{ ref('stg_product__feature_usage') }}
),

as_of as (
    select * from {{ ref('int_as_of_date_resolved') }}
),

features as (
    select * from {{ ref('product_features') }}
),

used as (
    select
        usage.account_id,
        cast({{ dbt.date_trunc('month', 'usage.usage_date') }} as date) as month,
        usage.feature_key,
        count(*) as days_used,
        sum(usage.events) as events,
        max(usage.active_users) as peak_daily_users
    from usage
    cross join as_of
    where
        usage.events > 0
        and usage.usage_date <= as_of.as_of_date
    group by usage.account_id, cast({{ dbt.date_trunc('month', 'usage.usage_date') }} as date), usage.feature_key
),

final as (
    select
        used.account_id,
        used.month,
        used.feature_key,
        coalesce(features.is_core, false) as is_core,
        features.feature_key is not null as is_known_feature,
        used.days_used,
        used.events,
        used.peak_daily_users
    from used
    left join features
        on used.feature_key = features.feature_key
)

select * from final
