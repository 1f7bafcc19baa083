{#-
    BambooHR compensation as raw_hr.compensation (docs/connectors.md, "BambooHR"): the pay rate turned into
    an annual base by its pay period: Year x1, Quarter x4, Month x12, Week x52, Day x var
    bamboohr_days_per_year (default 260), Hour x var hours_per_year (default 2080: the full-time year, so an
    hourly rate gives a full-time-equivalent salary). Any other period (Pay Period, Piece) is quarantined as
    unsupported_pay_period: its annual value depends on a pay schedule the warehouse does not know.
-#}
{{ config(enabled=connector_enabled('hr_source', 'bamboohr')) }}
with

compensation as (
    select * from {{ source('bamboohr', 'compensation') }}
),

periods as (
    select
        *,
        case replace(lower({{ clean_text('pay_per') }}), ' ', '')
            when 'year' then 1
            when 'quarter' then 4
            when 'month' then 12
            when 'week' then 52
            when 'day' then {{ var('bamboohr_days_per_year', 260) }}
            when 'hour' then {{ var('hours_per_year', 2080) }}
        end as _periods_per_year
    from compensation
),

final as (
    select
        {{ clean_text('id') }} as id,
        {{ clean_text('employee_id') }} as employee_id,
        {{ connector_date('start_date') }} as effective_date,
        coalesce(
            cast(
                cast({{ to_type('rate_value', 'decimal(18,4)') }} * _periods_per_year as decimal(18, 2))
                as {{ dbt.type_string() }}
            ),
            {{ clean_text('rate_value') }}
        ) as annual_base_salary,
        upper({{ clean_text('rate_currency') }}) as currency_code,
        {{ clean_text('_fivetran_synced') }} as _loaded_at,
        case
            when {{ clean_text('pay_per') }} is not null and _periods_per_year is null then 'unsupported_pay_period'
        end as _connector_reason
    from periods
)

select * from final
