{#-
    BambooHR job information as raw_hr.job_history (docs/connectors.md, "BambooHR"): the role family is the
    custom field named by var bamboohr_role_family_field (default role_family), else the job title (map
    titles or families to role types in seed role_types); the manager is reports_to_id when landed.
-#}
{{ config(enabled=connector_enabled('hr_source', 'bamboohr')) }}
{%- set relation = source('bamboohr', 'job_info') %}
with

jobs as (
    select * from {{ relation }}
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('employee_id') }} as employee_id,
        {{ connector_date('date') }} as effective_date,
        {{ clean_text('department') }} as department,
        {{ clean_text('job_title') }} as job_title,
        coalesce(
            {{ clean_text(optional_column(relation, var('bamboohr_role_family_field', 'role_family'))) }},
            {{ clean_text('job_title') }}
        ) as role_family,
        {{ clean_text(optional_column(relation, 'reports_to_id')) }} as manager_employee_id,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from jobs
)

select * from final
