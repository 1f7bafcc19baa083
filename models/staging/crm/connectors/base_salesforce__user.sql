{#-
    Salesforce users as raw_crm.user (docs/connectors.md, "Salesforce"): employee_id is the HR employee
    whose employee number equals the user's field named by var salesforce_user_employee_field (default
    employee_number), else whose work e-mail equals the user's e-mail. A user deleted in Salesforce is
    quarantined as deleted_in_source.
-#}
{{ config(enabled=connector_enabled('crm_source', 'salesforce')) }}
{%- set relation = source('salesforce', 'user') %}
with

users as (
    select
        *,
        {{ clean_text(optional_column(relation, var('salesforce_user_employee_field', 'employee_number'))) }}
            as _employee_key
    from {{ relation }}
    {{- salesforce_current_rows(relation) }}
),

by_number as (
    {{ hr_employee_ids_by('employee_number') }}
),

by_email as (
    {{ hr_employee_ids_by('work_email') }}
),

final as (
    select
        {{ clean_text('users.id') }} as id,
        {{ clean_text('users.name') }} as name,
        {{ clean_text('users.email') }} as email,
        coalesce(by_number.employee_id, by_email.employee_id) as employee_id,
        {{ clean_text('users.is_active') }} as is_active,
        {{ clean_text('users._fivetran_synced') }} as _loaded_at,
        case when {{ parse_bool('users._fivetran_deleted') }} then 'deleted_in_source' end as _connector_reason
    from users
    left join by_number
        on users._employee_key = by_number.employee_key
    left join by_email
        on lower({{ clean_text('users.email') }}) = by_email.employee_key
)

select * from final
