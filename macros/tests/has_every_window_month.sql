{#- A month-keyed model has a row for every month of the reporting window (int_months_windowed). -#}
{% test has_every_window_month(model, column_name) %}

select spine.month
from {{ ref('int_months_windowed') }} as spine
left join (select distinct {{ column_name }} as month from {{ model }}) as present
    on spine.month = present.month
where present.month is null

{% endtest %}
