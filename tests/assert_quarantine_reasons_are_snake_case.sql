-- Every quarantine reason is a stable lower snake_case code (data-quality dashboards group by it).
with

quarantined as (
    select * from {{ ref('quarantined_rows') }}
),

bad_reasons as (
    select
        source_table,
        reason
    from quarantined
    where reason <> lower(reason) or reason like '% %'
)

select * from bad_reasons
