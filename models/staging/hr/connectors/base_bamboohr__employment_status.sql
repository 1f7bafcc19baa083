{#-
    BambooHR employment statuses as raw_hr.employment_status (docs/connectors.md, "BambooHR"). The label
    (Full-Time, Leave of Absence, ...) gives status and employment type through seed connector_values
    (connector bamboohr, fields employment_status and employment_type); a label with no type there (leave,
    termination) keeps the employee's previous type. Where the company keeps the type in a field of its own
    (var bamboohr_employment_type_field, default employment_type), that field wins. A label the seed does
    not know passes as the status, so staging quarantines it (invalid_status). FTE: the custom field named by var bamboohr_fte_field
    (default fte), else 1 (var bamboohr_part_time_fte, default 0.5, for part-time).
-#}
{{ config(enabled=connector_enabled('hr_source', 'bamboohr')) }}
{%- set relation = source('bamboohr', 'employment_status') %}
with

statuses as (
    select
        *,
        {{ clean_text(optional_column(relation, var('bamboohr_fte_field', 'fte'))) }} as _fte,
        {{ clean_text(optional_column(relation, var('bamboohr_employment_type_field', 'employment_type'))) }}
            as _type_field
    from {{ relation }}
),

value_map as (
    select * from {{ ref('connector_values') }}
    where connector = 'bamboohr'
),

mapped as (
    select
        statuses.*,
        status_map.contract_value as _status,
        type_map.contract_value as _type
    from statuses
    left join value_map as status_map
        on
            status_map.field = 'employment_status'
            and lower(trim(status_map.source_value)) = lower({{ clean_text('statuses.employment_status') }})
    left join value_map as type_map
        on
            type_map.field = 'employment_type'
            and lower(trim(type_map.source_value)) = lower({{ clean_text('statuses.employment_status') }})
),

grouped as (
    -- rows from one typed label up to the next share a group: its type is the type of the rows after it
    select
        *,
        count(_type) over (
            partition by {{ clean_text('employee_id') }}
            order by {{ to_type('date', 'date') }}, {{ clean_text('id') }}
            rows between unbounded preceding and current row
        ) as _type_group
    from mapped
),

typed as (
    select
        *,
        coalesce(
            _type_field,
            max(_type) over (partition by {{ clean_text('employee_id') }}, _type_group)
        ) as _employment_type
    from grouped
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('employee_id') }} as employee_id,
        {{ connector_date('date') }} as effective_date,
        coalesce(_status, {{ clean_text('employment_status') }}) as status,
        _employment_type as employment_type,
        case
            when _status = 'terminated' then _fte
            else coalesce(
                _fte,
                case
                    when _employment_type = 'part_time' then {{ sql_literal(var("bamboohr_part_time_fte", 0.5)) }}
                    when _employment_type is not null then '1'
                end
            )
        end as fte,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from typed
)

select * from final
