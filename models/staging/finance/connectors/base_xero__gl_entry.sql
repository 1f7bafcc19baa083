{#-
    Xero's ledger as the raw contract's raw_finance.gl_entry (docs/connectors.md, "Xero"): one row per
    journal line on an account of class EXPENSE (the cost ledger; revenue, balance-sheet and bank lines are
    not costs; a line whose account is missing from the account table counts by its own account_type). Columns as text, like a loaded contract file, so base_finance__gl_entry parses, quarantines
    and counts them unchanged. Department: the line's option in the tracking category named by var
    xero_department_category (default Department). Currency: the organisation's base currency, else var
    xero_base_currency. _loaded_at: the line's _fivetran_synced, else its journal's, else its creation.
-#}
{{ config(enabled=connector_enabled('finance_source', 'xero')) }}
with

journal_lines as (
    select * from {{ source('xero', 'journal_line') }}
),

journals as (
    select * from {{ source('xero', 'journal') }}
),

accounts as (
    select * from {{ source('xero', 'account') }}
),

line_tracking as (
    select * from {{ source('xero', 'journal_line_has_tracking_category') }}
),

tracking_categories as (
    select * from {{ source('xero', 'tracking_category') }}
),

organization as (
    select * from {{ source('xero', 'organization') }}
),

departments as (
    select
        line_tracking.journal_line_id,
        max({{ clean_text('line_tracking.option') }}) as department
    from line_tracking
    inner join tracking_categories
        on line_tracking.tracking_category_id = tracking_categories.tracking_category_id
    where
        lower({{ clean_text('tracking_categories.name') }})
        = lower({{ sql_literal(var("xero_department_category", "Department")) }})
    group by line_tracking.journal_line_id
),

base_currency as (
    select max(upper({{ clean_text('base_currency') }})) as currency_code
    from organization
),

final as (
    select
        {{ clean_text('journal_lines.journal_line_id') }} as id,
        {{ clean_text('journals.journal_date') }} as posted_date,
        coalesce({{ clean_text('journal_lines.account_code') }}, {{ clean_text('accounts.code') }}) as account_code,
        coalesce({{ clean_text('journal_lines.account_name') }}, {{ clean_text('accounts.name') }}) as account_name,
        departments.department,
        {{ clean_text('journal_lines.net_amount') }} as amount,
        coalesce(base_currency.currency_code, {{ sql_literal(var("xero_base_currency", "USD")) }}) as currency_code,
        cast(null as {{ dbt.type_string() }}) as vendor,
        coalesce(
            {{ clean_text('journal_lines._fivetran_synced') }},
            {{ clean_text('journals._fivetran_synced') }},
            {{ clean_text('journals.created_date_utc') }}
        ) as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _connector_reason
    from journal_lines
    left join accounts
        on journal_lines.account_id = accounts.account_id
    left join journals
        on journal_lines.journal_id = journals.journal_id
    left join departments
        on journal_lines.journal_line_id = departments.journal_line_id
    cross join base_currency
    where
        coalesce(
            upper({{ clean_text('accounts.class') }}),
            case
                when upper({{ clean_text('journal_lines.account_type') }}) in ({{ xero_expense_account_types() }})
                    then 'EXPENSE'
            end
        ) = 'EXPENSE'
)

select * from final
