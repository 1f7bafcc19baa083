{#-
    Who was counted where, month by month: one row per month of the reporting window, employee and
    function in which the employee was counted on at least one day (a transfer mid-month gives a row in
    each function). The people behind every privacy count (docs/metrics.md, "Privacy").
-#}
with

segments as (
    select * from {{ ref('int_employee_segments_built') }}
    where is_counted
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

final as (
    select distinct
        spine.month,
        segments.employee_id,
        segments.function
    from segments
    inner join spine
        on
            segments.segment_start <= spine.month_end
            and segments.segment_end > spine.month
)

select * from final
