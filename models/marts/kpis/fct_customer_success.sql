{#-
    Onboarding and satisfaction by month of the reporting window (docs/metrics.md, "Onboarding and
    satisfaction"): completion rate of onboardings started in the month (a cohort rate: recent cohorts
    are still in progress), mean time to value of onboardings that went live in the month, NPS of the
    month's survey answers and of the answers of months m-2..m (nps_3m: surveys are often quarterly),
    CSAT (share of 1-5 ratings scoring 4 or 5) of the month and of months m-2..m, and product adoption
    (int_customer_adoption_measured): the share of customers active at the month's end that used at least
    adoption_min_core_features core features in it, and weekly active users per seat over the customers
    whose seats and CRM account are known, and logo churn in the month of the customers that had adopted
    the product in the month before beside those that had not (customers with a resolved CRM account).
    Months before usage is tracked have no adoption (null).
-#}
with

spine as (
    select * from {{ ref('int_months_windowed') }}
),

onboardings as (
    select * from {{ ref('stg_cs__onboardings') }}
),

nps_responses as (
    select * from {{ ref('stg_cs__nps_responses') }}
),

csat_responses as (
    select * from {{ ref('stg_cs__csat_responses') }}
),

customer_adoption as (
    select * from {{ ref('int_customer_adoption_measured') }}
),

customer_months as (
    select * from {{ ref('int_customer_mrr_expanded') }}
),

started as (
    select
        cast({{ dbt.date_trunc('month', 'started_on') }} as date) as month,
        count(*) as onboardings_started,
        count(case when status = 'completed' then 1 end) as onboardings_completed
    from onboardings
    group by cast({{ dbt.date_trunc('month', 'started_on') }} as date)
),

went_live as (
    select
        cast({{ dbt.date_trunc('month', 'go_live_on') }} as date) as month,
        count(*) as onboardings_live,
        avg({{ dbt.datediff('started_on', 'go_live_on', 'day') }}) as time_to_value_days
    from onboardings
    where go_live_on is not null
    group by cast({{ dbt.date_trunc('month', 'go_live_on') }} as date)
),

answers as (
    select
        cast({{ dbt.date_trunc('month', 'responded_at') }} as date) as month,
        count(*) as nps_responses,
        count(case when score >= 9 then 1 end) as promoters,
        count(case when score <= 6 then 1 end) as detractors
    from nps_responses
    group by cast({{ dbt.date_trunc('month', 'responded_at') }} as date)
),

answers_3m as (
    select
        spine.month,
        sum(answers.nps_responses) as nps_responses,
        sum(answers.promoters) as promoters,
        sum(answers.detractors) as detractors
    from spine
    inner join answers
        on
            spine.month >= answers.month
            and {{ dbt.dateadd('month', -2, 'spine.month') }} <= answers.month
    group by spine.month
),

ratings as (
    select
        cast({{ dbt.date_trunc('month', 'responded_at') }} as date) as month,
        count(*) as csat_responses,
        count(case when score >= 4 then 1 end) as csat_satisfied
    from csat_responses
    group by cast({{ dbt.date_trunc('month', 'responded_at') }} as date)
),

ratings_3m as (
    select
        spine.month,
        sum(ratings.csat_responses) as csat_responses,
        sum(ratings.csat_satisfied) as csat_satisfied
    from spine
    inner join ratings
        on
            spine.month >= ratings.month
            and {{ dbt.dateadd('month', -2, 'spine.month') }} <= ratings.month
    group by spine.month
),

adoption as (
    select
        month,
        count(*) as adoption_active_customers,
        count(case when is_adopted then 1 end) as adopted_customers,
        count(case when not has_resolved_account then 1 end) as adoption_unresolved_customers,
        sum(case when has_resolved_account then seats end) as seats,
        sum(case when has_resolved_account and seats is not null then weekly_active_users end) as weekly_active_users
    from customer_adoption
    group by month
),

adoption_churn as (
    select
        spine.month,
        count(case when prior_adoption.is_adopted then 1 end) as adopted_prior_customers,
        count(case when prior_adoption.is_adopted and coalesce(current_month.mrr_usd, 0) <= 0 then 1 end)
            as adopted_churned_customers,
        count(case when not prior_adoption.is_adopted then 1 end) as not_adopted_prior_customers,
        count(case when not prior_adoption.is_adopted and coalesce(current_month.mrr_usd, 0) <= 0 then 1 end)
            as not_adopted_churned_customers
    from spine
    inner join customer_adoption as prior_adoption
        on
            {{ dbt.dateadd('month', -1, 'spine.month') }} = prior_adoption.month
            and prior_adoption.has_resolved_account
    left join customer_months as current_month
        on
            prior_adoption.customer_id = current_month.customer_id
            and spine.month = current_month.month
    group by spine.month
),

final as (
    select
        spine.month,
        cast(coalesce(started.onboardings_started, 0) as integer) as onboardings_started,
        cast(coalesce(started.onboardings_completed, 0) as integer) as onboardings_completed,
        {{ ratio('started.onboardings_completed', 'started.onboardings_started') }} as onboarding_completion_rate,
        cast(coalesce(went_live.onboardings_live, 0) as integer) as onboardings_live,
        {{ money('went_live.time_to_value_days') }} as time_to_value_days,
        cast(coalesce(answers.nps_responses, 0) as integer) as nps_responses,
        cast(coalesce(answers.promoters, 0) as integer) as promoters,
        cast(coalesce(answers.detractors, 0) as integer) as detractors,
        {{ ratio('100.0 * (answers.promoters - answers.detractors)', 'answers.nps_responses') }} as nps,
        cast(coalesce(answers_3m.nps_responses, 0) as integer) as nps_responses_3m,
        {{ ratio('100.0 * (answers_3m.promoters - answers_3m.detractors)', 'answers_3m.nps_responses') }} as nps_3m,
        cast(coalesce(ratings.csat_responses, 0) as integer) as csat_responses,
        cast(coalesce(ratings.csat_satisfied, 0) as integer) as csat_satisfied,
        {{ ratio('ratings.csat_satisfied', 'ratings.csat_responses') }} as csat,
        cast(coalesce(ratings_3m.csat_responses, 0) as integer) as csat_responses_3m,
        {{ ratio('ratings_3m.csat_satisfied', 'ratings_3m.csat_responses') }} as csat_3m,
        cast(coalesce(adoption.adoption_active_customers, 0) as integer) as adoption_active_customers,
        cast(coalesce(adoption.adopted_customers, 0) as integer) as adopted_customers,
        cast(coalesce(adoption.adoption_unresolved_customers, 0) as integer) as adoption_unresolved_customers,
        {{ ratio('adoption.adopted_customers', 'adoption.adoption_active_customers') }} as product_adoption_rate,
        cast(adoption.seats as integer) as seats,
        {{ money('adoption.weekly_active_users') }} as weekly_active_users,
        {{ ratio('adoption.weekly_active_users', 'adoption.seats') }} as weekly_active_users_per_seat,
        cast(coalesce(adoption_churn.adopted_prior_customers, 0) as integer) as adopted_prior_customers,
        cast(coalesce(adoption_churn.adopted_churned_customers, 0) as integer) as adopted_churned_customers,
        {{ ratio('adoption_churn.adopted_churned_customers', 'adoption_churn.adopted_prior_customers') }}
            as logo_churn_rate_adopted,
        cast(coalesce(adoption_churn.not_adopted_prior_customers, 0) as integer) as not_adopted_prior_customers,
        cast(coalesce(adoption_churn.not_adopted_churned_customers, 0) as integer) as not_adopted_churned_customers,
        {{ ratio('adoption_churn.not_adopted_churned_customers', 'adoption_churn.not_adopted_prior_customers') }}
            as logo_churn_rate_not_adopted,
        spine.is_month_complete
    from spine
    left join started
        on spine.month = started.month
    left join went_live
        on spine.month = went_live.month
    left join answers
        on spine.month = answers.month
    left join answers_3m
        on spine.month = answers_3m.month
    left join ratings
        on spine.month = ratings.month
    left join ratings_3m
        on spine.month = ratings_3m.month
    left join adoption
        on spine.month = adoption.month
    left join adoption_churn
        on spine.month = adoption_churn.month
)

select * from final
