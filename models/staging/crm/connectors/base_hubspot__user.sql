{#-
    HubSpot owners as raw_crm.user (docs/connectors.md, "HubSpot"): name from first and last name, active
    while the owner has a HubSpot user, employee_id the HR employee whose work e-mail equals the owner's.
-#}
{{ config(enabled=connector_enabled('crm_source', 'hubspot')) }}
with

owners as (
    select * from {{ source('hubspot', 'owner') }}
),

employees as (
    {{ hr_employee_ids_by('work_email') }}
),

final as (
    select
        {{ clean_text('owners.owner_id') }} as id,
        nullif(
            trim(
                coalesce({{ clean_text('owners.first_name') }}, '')
                || ' '
                || coalesce({{ clean_text('owners.last_name') }}, '')
            ),
            ''
        ) as name,
        {{ clean_text('owners.email') }} as email,
        employees.employee_id,
        case when {{ clean_text('owners.active_user_id') }} is not null then 'true' else 'false' end as is_active,
        {{ clean_text('owners._fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from owners
    left join employees
        on lower({{ clean_text('owners.email') }}) = employees.employee_key
)

select * from final
