{#- Exactly one KPI per month is the north star. -#}
{% test one_north_star_per_month(model) %}

select
    month,
    count(case when is_north_star then 1 end) as north_stars
from {{ model }}
group by month
having count(case when is_north_star then 1 end) <> 1

{% endtest %}
