-- Which raw tables lose rows to quarantine, and why: the first query to run after loading new exports.
with

quarantined as (
    select * from {{ ref('quarantined_rows') }}
),

row_counts as (
    select * from {{ ref('raw_row_counts') }}
),

by_reason as (
    select
        source_table,
        reason,
        count(*) as rows_quarantined
    from quarantined
    group by source_table, reason
),

final as (
    select
        by_reason.source_table,
        by_reason.reason,
        by_reason.rows_quarantined,
        row_counts.rows_in,
        round(100.0 * by_reason.rows_quarantined / row_counts.rows_in, 3) as pct_of_rows_in
    from by_reason
    inner join row_counts
        on by_reason.source_table = row_counts.source_table
)

select * from final
order by pct_of_rows_in desc
