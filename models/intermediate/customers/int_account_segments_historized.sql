{#-
    Each current CRM account's segment over time (docs/metrics.md, "Customer segments"): one row per day
    on which a usable version of the account was loaded (stg_crm__account_versions; the day's last
    version), in force from that day (the first one from 1900-01-01: the first segment the CRM showed is
    the best knowledge of the time before it) until the next one's day. A version loaded on the 1st is
    the account as it stood when the month began (a nightly sync). No segment gives `unknown`.
-#}
with

versions as (
    select * from {{ ref('stg_crm__account_versions') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

ranked as (
    select
        versions.account_id,
        coalesce(versions.segment, 'unknown') as segment,
        cast(versions._loaded_at as date) as loaded_on,
        row_number() over (
            partition by versions.account_id, cast(versions._loaded_at as date)
            order by versions._loaded_at desc
        ) as rank_in_day
    from versions
    inner join accounts
        on versions.account_id = accounts.account_id
),

dated as (
    select
        account_id,
        segment,
        case
            when row_number() over (partition by account_id order by loaded_on) = 1 then cast('1900-01-01' as date)
            else loaded_on
        end as valid_from
    from ranked
    where rank_in_day = 1
),

final as (
    select
        account_id,
        segment,
        valid_from,
        {{ valid_until('valid_from', 'account_id') }} as valid_to
    from dated
)

select * from final
