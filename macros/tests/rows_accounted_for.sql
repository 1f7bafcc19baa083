{#- Every raw row is staged, quarantined, superseded or deleted: none is lost. -#}
{% test rows_accounted_for(model) %}

select *
from {{ model }}
where rows_in <> rows_staged + rows_quarantined + rows_superseded + rows_deleted

{% endtest %}
