{#-
    Feature adoption (docs/metrics.md, "Product adoption"): one row per month of the reporting window and
    feature (seed product_features, plus any feature_key the usage table has that the seed lacks): the
    customers active at the month's end whose CRM account used the feature in the month, over the active
    customers (int_customer_adoption_measured). Null and no_data before usage is tracked.
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

features as (
    select * from {{ ref('product_features') }}
),

features_used as (
    select * from {{ ref('int_account_features_used') }}
),

customer_adoption as (
    select * from {{ ref('int_customer_adoption_measured') }}
),

all_features as (
    select
        feature_key,
        feature_name,
        is_core
    from features
    union all
    select distinct
        features_used.feature_key,
        features_used.feature_key as feature_name,
        false as is_core
    from features_used
    where not features_used.is_known_feature
),

active as (
    select
        month,
        count(*) as active_customers
    from customer_adoption
    group by month
),

using_feature as (
    select
        customer_adoption.month,
        features_used.feature_key,
        count(*) as customers_using
    from customer_adoption
    inner join features_used
        on
            customer_adoption.crm_account_id = features_used.account_id
            and customer_adoption.month = features_used.month
    group by customer_adoption.month, features_used.feature_key
),

final as (
    select
        spine.month,
        all_features.feature_key,
        all_features.feature_name,
        all_features.is_core,
        cast(coalesce(active.active_customers, 0) as integer) as active_customers,
        cast(coalesce(using_feature.customers_using, 0) as integer) as customers_using,
        {{ ratio('coalesce(using_feature.customers_using, 0)', 'active.active_customers') }} as adoption_rate,
        case when active.active_customers > 0 then 'ok' else 'no_data' end as value_status,
        spine.is_month_complete
    from spine
    cross join all_features
    left join active
        on spine.month = active.month
    left join using_feature
        on
            spine.month = using_feature.month
            and all_features.feature_key = using_feature.feature_key
)

select * from final
