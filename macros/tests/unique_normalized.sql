{#- Values are unique once case and surrounding spaces are ignored (how mapping seeds are matched). -#}
{% test unique_normalized(model, column_name) %}

select
    lower(trim({{ column_name }})) as normalized_value,
    count(*) as occurrences
from {{ model }}
where {{ column_name }} is not null
group by lower(trim({{ column_name }}))
having count(*) > 1

{% endtest %}
