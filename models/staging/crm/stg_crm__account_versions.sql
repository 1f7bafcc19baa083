{#-
    Every usable version of every CRM account, for its segment history (int_account_segments_historized):
    current and superseded versions that parsed (a superseded version with an unreadable segment or
    created_at is left out, so the version before it stays in force), not deleted, not one of two
    differing rows of one load time. Identical rows of one load time (a re-sent batch) are one version.
-#}
with

base as (
    select * from {{ ref('base_crm__account') }}
),

final as (
    select distinct
        account_id,
        segment,
        _loaded_at
    from base
    where
        _disposition in ('staged', 'superseded')
        and _reason is null
        and not _is_deleted
        and not _is_conflicting
)

select * from final
