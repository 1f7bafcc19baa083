{#-
    Non-payroll cost per month of the reporting window, function, cost category and cost type from the ledger (docs/metrics.md,
    "Headcount and people cost"): gl_entry amounts posted in the month at the month's rate. Department
    -> function by seed department_functions (else `unmapped`); account -> cost type by seed gl_accounts
    (else `unmapped`); the category is the account's fixed one, else the function's (seed
    function_cost_categories), else `unmapped`.
-#}
with

gl_entries as (
    select * from {{ ref('stg_finance__gl_entries') }}
),

gl_accounts as (
    select * from {{ ref('gl_accounts') }}
),

department_functions as (
    select * from {{ ref('department_functions') }}
),

function_cost_categories as (
    select * from {{ ref('function_cost_categories') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

spine as (
    select * from {{ ref('int_months_windowed') }}
),

mapped as (
    select
        gl_entries.gl_entry_id,
        gl_entries.amount,
        gl_entries.currency_code,
        cast({{ dbt.date_trunc('month', 'gl_entries.posted_date') }} as date) as month,
        coalesce(department_functions.function, 'unmapped') as function,
        coalesce(gl_accounts.cost_type, 'unmapped') as cost_type,
        -- an empty (or blank) cost_category in the seed means "by the department's function"
        coalesce(
            {{ clean_text('gl_accounts.cost_category') }}, function_cost_categories.cost_category, 'unmapped'
        ) as cost_category
    from gl_entries
    left join gl_accounts
        on trim(gl_entries.account_code) = trim(gl_accounts.account_code)
    left join department_functions
        on lower(trim(gl_entries.department)) = lower(trim(department_functions.department))
    left join function_cost_categories
        on department_functions.function = function_cost_categories.function
),

final as (
    select
        mapped.month,
        mapped.function,
        mapped.cost_category,
        mapped.cost_type,
        count(*) as entries,
        count(case when fx_rates.usd_per_unit is null then 1 end) as entries_without_rate,
        {{ money('sum(mapped.amount * fx_rates.usd_per_unit)') }} as cost_usd
    from mapped
    inner join spine
        on mapped.month = spine.month
    left join fx_rates
        on
            mapped.currency_code = fx_rates.currency_code
            and mapped.month = fx_rates.month
    group by mapped.month, mapped.function, mapped.cost_category, mapped.cost_type
)

select * from final
