"""``warehouse generate --layout fivetran``: the synthetic company as ELT connectors land it.

The contract-shaped tables (generate.py) are rewritten, one DuckDB ``select`` per connector table, into the
shapes Fivetran's connectors write (docs/connectors.md): Stripe for billing, Salesforce and HubSpot for the
CRM (both written; ``crm_source`` picks one), Xero for the ledger, BambooHR for HR. ``raw_finance.fx_rate``
and ``raw_cs`` have no connector and stay in the contract's folders. Built through the adapter models, every
mart must equal the contract-shaped build (scripts/tests/test_connectors.py, the round trip).

What the shapes carry, as the connectors do: amounts in minor units and lower-case currencies (Stripe),
one row per record (a re-synced record appears once, in its latest version; Stripe subscriptions as
history-mode rows), ``_fivetran_synced`` for ``_loaded_at``. Values the contract's bad-row classes corrupt
pass through as text, so the adapters hand them to staging, which quarantines them as before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from revenue_warehouse.pipeline.load import file_reader
from revenue_warehouse.sql import ident, qualified

__all__ = ["CONNECTORS", "UNREAD", "ledger_in_base_currency", "to_fivetran"]

#: the contract tables each connector stands for (``schema.table``, ``schema.*``); the rest are copied
REPLACES = {"stripe": "raw_billing.*", "salesforce": "raw_crm.*", "hubspot": "raw_crm.*",
            "xero": "raw_finance.gl_entry", "bamboohr": "raw_hr.*"}


def _minor(column: str) -> str:
    """A major-unit amount (text) in minor units (the synthetic currencies have two decimals); other text as is."""
    return f"coalesce(cast(cast(try_cast({column} as decimal(18, 2)) * 100 as bigint) as varchar), {column})"


def _latest(table: str) -> str:
    """One row per record, its latest load (a connector keeps one row per primary key); null ids kept."""
    return (f"(select * from {table} qualify id is null or row_number() over "
            f"(partition by id order by try_cast(_loaded_at as timestamp) desc nulls last) = 1)")


STRIPE = {
    "customer": f"""
        select id, name, email, lower(currency_code) as currency,
            cast(json_object('crm_account_id', crm_account_id) as varchar) as metadata,
            created_at as created, _is_deleted as is_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_billing.customer')}""",
    "product": """
        select id, name, 'false' as is_deleted, _loaded_at as _fivetran_synced from raw_billing.product""",
    "price": f"""
        select id, product_id, lower(currency_code) as currency, {_minor('unit_amount')} as unit_amount,
            billing_interval as recurring_interval, interval_count as recurring_interval_count,
            case when billing_interval is null then 'one_time' else 'recurring' end as type,
            'false' as is_deleted, _loaded_at as _fivetran_synced
        from raw_billing.price""",
    "subscription_history": """
        select id, customer_id, status, created_at as created, start_date, trial_end_date as trial_end,
            canceled_at, ended_at,
            cast(row_number() over (partition by id order by try_cast(_loaded_at as timestamp) desc nulls last) = 1
                as varchar) as _fivetran_active,
            _loaded_at as _fivetran_synced
        from raw_billing.subscription""",
    "invoice": f"""
        select id, customer_id, subscription_id, number, status, lower(currency_code) as currency,
            invoice_date as created, {_minor('subtotal')} as subtotal, {_minor('tax_total')} as tax,
            {_minor('total')} as total, 'false' as is_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_billing.invoice')}""",
    "invoice_line_item": f"""
        select line.id, line.invoice_id,
            -- a fee at a one-time price added to a subscription's first invoice names that subscription
            -- (Stripe's add_invoice_items); its period is the instant it was created
            coalesce(line.subscription_id, case when line.price_id is not null then invoice.subscription_id end)
                as subscription_id,
            line.price_id,
            case when line.line_type = 'subscription' and line.is_proration <> 'true' then 'subscription'
                else 'invoiceitem' end as type,
            line.description, line.quantity, {_minor('line.amount')} as amount,
            lower(invoice.currency_code) as currency,
            case when line.line_type = 'one_time' and line.period_start = line.period_end
                then cast(line.period_start as varchar) || ' 09:30:00' else line.period_start end as period_start,
            case when line.line_type = 'one_time' and line.period_start = line.period_end
                then cast(line.period_end as varchar) || ' 09:30:00' else line.period_end end as period_end,
            line.is_proration as proration, line._loaded_at as _fivetran_synced
        from {_latest('raw_billing.invoice_line_item')} as line
        left join {_latest('raw_billing.invoice')} as invoice on line.invoice_id = invoice.id""",
    "discount": f"""
        select 'di_' || id as id, 'invoice_line_item' as type, id as type_id,
            {_minor('discount_amount')} as amount, invoice_id, _loaded_at as _fivetran_synced
        from {_latest('raw_billing.invoice_line_item')}
        where try_cast(discount_amount as decimal(18, 2)) <> 0 and id is not null""",
    "refund": f"""
        select id, 'ch_' || id as charge_id, {_minor('amount')} as amount, lower(currency_code) as currency,
            refunded_at as created, reason, 'succeeded' as status, _loaded_at as _fivetran_synced
        from raw_billing.refund""",
    "charge": """
        select 'ch_' || id as id, invoice_id, _loaded_at as _fivetran_synced from raw_billing.refund
        where id is not null""",
}

def _case(column: str, values: dict[str, str]) -> str:
    """The column with contract values replaced by the connector's (seed connector_values maps them back)."""
    whens = " ".join(f"when '{contract}' then '{theirs}'" for contract, theirs in values.items())
    return f"case {column} {whens} else {column} end"


SALESFORCE_STAGES = {"Discovery": "Qualification", "Proposal": "Proposal/Price Quote", "Negotiation": "Negotiation/Review"}
SALESFORCE_FORECAST = {"pipeline": "Pipeline", "best_case": "BestCase", "commit": "Forecast", "closed": "Closed",
                       "omitted": "Omitted"}
SALESFORCE_TYPES = {"new_business": "New Business", "expansion": "Existing Business", "renewal": "Renewal"}

SALESFORCE = {
    "account": f"""
        select id, name, 'https://www.' || website_domain || '/' as website, industry, segment as segment__c,
            billing_country as billing_country_code, owner_user_id as owner_id, created_at as created_date,
            _is_deleted as is_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.account')}""",
    "lead": f"""
        select id, email, company, lead_source, created_at as created_date, mql_at as mql_at__c,
            sql_at as sql_at__c, is_converted, converted_at as converted_date, converted_account_id,
            converted_opportunity_id, owner_user_id as owner_id, _is_deleted as is_deleted,
            _loaded_at as _fivetran_synced
        from {_latest('raw_crm.lead')}""",
    "opportunity": f"""
        select id, account_id, name, {_case('type', SALESFORCE_TYPES)} as type,
            {_case('stage_name', SALESFORCE_STAGES)} as stage_name, amount, currency_code as currency_iso_code,
            probability, {_case('forecast_category', SALESFORCE_FORECAST)} as forecast_category,
            created_at as created_date, close_date, is_closed, is_won, owner_user_id as owner_id, lead_source,
            _is_deleted as is_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.opportunity')}""",
    "opportunity_history": f"""
        select id, opportunity_id, changed_at as created_date, {_case('stage_name', SALESFORCE_STAGES)} as stage_name,
            amount, close_date, {_case('forecast_category', SALESFORCE_FORECAST)} as forecast_category,
            'false' as is_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.opportunity_history')}""",
    "user": f"""
        select crm_user.id, crm_user.name, crm_user.email, employee.employee_number, crm_user.is_active,
            'false' as _fivetran_deleted, crm_user._loaded_at as _fivetran_synced
        from {_latest('raw_crm.user')} as crm_user
        left join {_latest('raw_hr.employee')} as employee on crm_user.employee_id = employee.id""",
}

HUBSPOT_STAGES = {"Prospecting": "Appointment Scheduled", "Discovery": "Qualified To Buy",
                  "Proposal": "Decision Maker Bought-In", "Negotiation": "Contract Sent"}
HUBSPOT_FORECAST = {"pipeline": "PIPELINE", "best_case": "BEST_CASE", "commit": "COMMIT", "closed": "CLOSED",
                    "omitted": "OMIT"}
HUBSPOT_TYPES = {"new_business": "newbusiness", "expansion": "existingbusiness", "renewal": "renewal"}
_HUBSPOT_STAGE_ID = "'stage-' || md5(coalesce({column}, ''))"
_HUBSPOT_STAGE_LABELS = f"""
    select distinct stage_name from {_latest('raw_crm.opportunity')}
    union select distinct stage_name from raw_crm.opportunity_history"""
#: one deal_property_history row per property of each contract history row
_HUBSPOT_PROPERTIES = {"dealstage": _HUBSPOT_STAGE_ID.format(column=_case("stage_name", HUBSPOT_STAGES)), "amount": "amount",
                       "closedate": "close_date", "hs_manual_forecast_category": _case("forecast_category", HUBSPOT_FORECAST)}

HUBSPOT = {
    "company": f"""
        select id, name as property_name, website_domain as property_domain, industry as property_industry,
            segment as property_segment, billing_country as property_country,
            owner_user_id as property_hubspot_owner_id, created_at as property_createdate,
            _is_deleted as is_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.account')}""",
    "contact": f"""
        select id, email as property_email, company as property_company, lead_source as property_hs_analytics_source,
            created_at as property_createdate, mql_at as property_hs_lifecyclestage_marketingqualifiedlead_date,
            sql_at as property_hs_lifecyclestage_salesqualifiedlead_date,
            converted_at as property_hs_lifecyclestage_opportunity_date,
            converted_account_id as property_associatedcompanyid, owner_user_id as property_hubspot_owner_id,
            _is_deleted as _fivetran_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.lead')}""",
    "deal": f"""
        select id as deal_id, {_HUBSPOT_STAGE_ID.format(column=_case('stage_name', HUBSPOT_STAGES))} as deal_pipeline_stage_id,
            owner_user_id as owner_id, name as property_dealname, {_case('type', HUBSPOT_TYPES)} as property_dealtype,
            amount as property_amount, currency_code as property_deal_currency_code,
            cast(try_cast(probability as decimal(9, 4)) / 100 as decimal(9, 4)) as property_hs_deal_stage_probability,
            {_case('forecast_category', HUBSPOT_FORECAST)} as property_hs_manual_forecast_category,
            lead_source as property_hs_analytics_source, created_at as property_createdate,
            close_date as property_closedate, _is_deleted as is_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.opportunity')}""",
    "deal_company": f"""
        select id as deal_id, account_id as company_id, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.opportunity')} where account_id is not null""",
    "deal_contact": f"""
        select converted_opportunity_id as deal_id, id as contact_id, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.lead')} where converted_opportunity_id is not null""",
    "deal_pipeline_stage": f"""
        select {_HUBSPOT_STAGE_ID.format(column=_case('stage_name', HUBSPOT_STAGES))} as stage_id,
            {_case('stage_name', HUBSPOT_STAGES)} as label,
            cast(stage_name in ('Closed Won', 'Closed Lost') as varchar) as is_closed,
            cast(stage_name = 'Closed Won' as varchar) as closed_won, null as probability,
            (select max(_loaded_at) from raw_crm.opportunity) as _fivetran_synced
        from ({_HUBSPOT_STAGE_LABELS}) where stage_name is not null""",
    "deal_property_history": " union all ".join(f"""
        select opportunity_id as deal_id, '{name}' as name, changed_at as timestamp,
            {value} as value,
            _loaded_at as _fivetran_synced
        from {_latest('raw_crm.opportunity_history')}""" for name, value in _HUBSPOT_PROPERTIES.items()),
    "owner": f"""
        select id as owner_id, split_part(name, ' ', 1) as first_name,
            nullif(substr(name, length(split_part(name, ' ', 1)) + 2), '') as last_name, email,
            case when is_active = 'true' then 'u-' || id end as active_user_id, _loaded_at as _fivetran_synced
        from {_latest('raw_crm.user')}""",
}

BAMBOOHR_LABELS = """case status
    when 'active' then case employment_type when 'full_time' then 'Full-Time' when 'part_time' then 'Part-Time'
        when 'contractor' then 'Contractor' when 'intern' then 'Intern' else employment_type end
    when 'leave' then 'Leave of Absence' when 'terminated' then 'Terminated' else status end"""

BAMBOOHR = {
    "employee": f"""
        select id, employee_number, first_name, last_name, work_email, country_code as country,
            _is_deleted as _fivetran_deleted, _loaded_at as _fivetran_synced
        from {_latest('raw_hr.employee')}""",
    "employment_status": f"""
        select id, employee_id, effective_date as date, {BAMBOOHR_LABELS} as employment_status, fte,
            employment_type, _loaded_at as _fivetran_synced
        from {_latest('raw_hr.employment_status')}""",
    "job_info": f"""
        select id, employee_id, effective_date as date, department, job_title, role_family,
            manager_employee_id as reports_to_id, _loaded_at as _fivetran_synced
        from {_latest('raw_hr.job_history')}""",
    "compensation": f"""
        select id, employee_id, effective_date as start_date, annual_base_salary as rate_value,
            currency_code as rate_currency, 'Year' as pay_per, _loaded_at as _fivetran_synced
        from {_latest('raw_hr.compensation')}""",
}

#: The ledger as one Xero organisation books it (view ``xero_ledger``, made by _xero_ledger): Xero keeps one
#: currency per organisation (USD here), so a foreign-currency entry is booked at its month's rate (the latest
#: rate at or before the month, else the first: the warehouse's own rule), rounded to the cent; an entry whose
#: currency has no rate at all cannot be booked and is left out. ``ledger_in_base_currency`` writes the same
#: ledger in the contract's shape: the contract twin the Xero build must equal.
XERO_LEDGER = f"""
    with entries as (select * from {_latest('raw_finance.gl_entry')}),
    rates as (
        select currency_code, cast(rate_month as date) as rate_month, cast(usd_per_unit as decimal(18, 8)) as rate
        from raw_finance.fx_rate
        union all select 'USD', date '1900-01-01', 1
    ),
    first_rates as (select currency_code, arg_min(rate, rate_month) as rate from rates group by all),
    dated as (
        select entries.*, date_trunc('month', try_cast(posted_date as date)) as _month,
            upper(trim(currency_code)) as _currency
        from entries
    ),
    priced as (
        select dated.*, coalesce(latest.rate, first_rates.rate) as _rate
        from dated
        asof left join rates as latest on dated._currency = latest.currency_code and dated._month >= latest.rate_month
        left join first_rates on dated._currency = first_rates.currency_code
    )
    select id, posted_date, account_code, account_name, department,
        coalesce(cast(round(try_cast(amount as decimal(18, 2)) * _rate, 2) as varchar), amount) as amount,
        'USD' as currency_code, vendor, _loaded_at
    from priced
    where _rate is not null or _currency is null or _month is null"""

XERO = {
    "journal": """
        select 'J-' || id as journal_id, _loaded_at as created_date_utc, posted_date as journal_date,
            row_number() over (order by id) as journal_number, 'MANJOURNAL' as source_type,
            _loaded_at as _fivetran_synced
        from xero_ledger where id is not null""",
    "journal_line": """
        select id as journal_line_id, 'J-' || id as journal_id, 'acc-' || account_code as account_id, account_code,
            account_name, 'EXPENSE' as account_type, amount as net_amount, amount as gross_amount,
            '0' as tax_amount, _loaded_at as _fivetran_synced
        from xero_ledger""",
    "account": """
        select 'acc-' || account_code as account_id, account_code as code, max(account_name) as name,
            'EXPENSE' as type, 'EXPENSE' as class, max(_loaded_at) as _fivetran_synced
        from xero_ledger where account_code is not null group by account_code""",
    "tracking_category": """
        select 'tc-department' as tracking_category_id, 'Department' as name, 'ACTIVE' as status,
            max(_loaded_at) as _fivetran_synced
        from xero_ledger""",
    "journal_line_has_tracking_category": """
        select 'J-' || id as journal_id, id as journal_line_id, 'tc-department' as tracking_category_id,
            'opt-' || department as tracking_category_option_id, department as option, _loaded_at as _fivetran_synced
        from xero_ledger where department is not null and id is not null""",
    "organization": """
        select 'org-1' as organisation_id, 'USD' as base_currency, max(_loaded_at) as _fivetran_synced
        from xero_ledger""",
}

CONNECTORS: dict[str, dict[str, str]] = {"stripe": STRIPE, "salesforce": SALESFORCE, "hubspot": HUBSPOT,
                                         "bamboohr": BAMBOOHR, "xero": XERO}

#: A connector lands many more tables than the adapters read (Fivetran's HubSpot schema has dozens:
#: engagements, e-mail events, tickets ...): a few of each, so a generated folder is a full export and
#: `warehouse load` must load what it reads and list the rest (docs/connectors.md).
UNREAD: dict[str, dict[str, str]] = {
    "stripe": {
        "balance_transaction": f"""
            select 'txn_' || id as id, {_minor('total')} as amount, lower(currency_code) as currency,
                'charge' as type, invoice_date as created, _loaded_at as _fivetran_synced
            from {_latest('raw_billing.invoice')} where status = 'paid'""",
        "subscription_item": """
            select distinct 'si_' || subscription_id || '_' || price_id as id, subscription_id, price_id as plan_id,
                max(_loaded_at) over (partition by subscription_id, price_id) as _fivetran_synced
            from raw_billing.invoice_line_item
            where line_type = 'subscription' and subscription_id is not null and price_id is not null""",
        "card": f"""
            select 'card_' || id as id, id as customer_id, 'visa' as brand, '4242' as last4,
                _loaded_at as _fivetran_synced
            from {_latest('raw_billing.customer')}""",
        "coupon": """
            select * from (values ('SAVE10', '10', 'forever', '2022-01-01 00:00:00'),
                ('SAVE20', '20', 'once', '2022-01-01 00:00:00')) as t(id, percent_off, duration, _fivetran_synced)""",
    },
    "salesforce": {
        "contact": f"""
            select 'C' || id as id, converted_account_id as account_id, email, created_at as created_date,
                'false' as is_deleted, _loaded_at as _fivetran_synced
            from {_latest('raw_crm.lead')} where is_converted = 'true'""",
        "task": f"""
            select 'T' || id as id, opportunity_id as what_id, 'Call' as type, changed_at as activity_date,
                'false' as is_deleted, _loaded_at as _fivetran_synced
            from {_latest('raw_crm.opportunity_history')}""",
    },
    "hubspot": {
        "engagement": f"""
            select 'eng-' || id as id, 'EMAIL' as type, created_at as timestamp, _loaded_at as _fivetran_synced
            from {_latest('raw_crm.lead')}""",
        "email_event": f"""
            select 'ev-' || id as id, 'OPEN' as type, email as recipient, created_at as created,
                _loaded_at as _fivetran_synced
            from {_latest('raw_crm.lead')} where mql_at is not null""",
        "ticket": f"""
            select 'tk-' || id as id, 'Onboarding question' as property_subject, created_at as property_createdate,
                _loaded_at as _fivetran_synced
            from {_latest('raw_crm.account')}""",
    },
    "xero": {
        "contact": f"""
            select 'xc-' || id as contact_id, name, email as email_address, _loaded_at as _fivetran_synced
            from {_latest('raw_billing.customer')}""",
        "invoice": f"""
            select 'xi-' || id as invoice_id, 'ACCREC' as type, 'xc-' || customer_id as contact_id,
                invoice_date as date, total, upper(status) as status, _loaded_at as _fivetran_synced
            from {_latest('raw_billing.invoice')}""",
    },
    "bamboohr": {
        "time_off_request": f"""
            select 'to-' || id as id, id as employee_id, 'Vacation' as type, 'approved' as status,
                _loaded_at as _fivetran_synced
            from {_latest('raw_hr.employee')}""",
    },
}


def _contract_views(con: duckdb.DuckDBPyConnection, contract_dir: Path) -> None:
    """Every contract file as a view ``<schema>.<table>`` with all columns as text (as the loader reads it)."""
    for path in sorted(contract_dir.glob("raw_*/*.*")):
        schema, table = path.parent.name, path.stem
        con.execute(f"create schema if not exists {ident(schema)}")
        con.execute(f"create or replace view {qualified(schema, table)} as select columns(*)::varchar from {file_reader(path)}")


def _write(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    options = "(format parquet, compression zstd)" if path.suffix == ".parquet" else "(format csv, header true)"
    return con.execute(f"copy ({sql}) to ? {options}", [str(path)]).fetchone()[0]  # COPY answers the rows written


def ledger_in_base_currency(contract_dir: Path) -> None:
    """Rewrite ``contract_dir``'s gl_entry as Xero books it (XERO_LEDGER): the contract twin of a Xero build."""
    con = duckdb.connect()
    try:
        _contract_views(con, contract_dir)
        (path,) = contract_dir.glob("raw_finance/gl_entry.*")
        con.execute(f"create table ledger as {XERO_LEDGER}")
        _write(con, "select * from ledger", path)
    finally:
        con.close()


def to_fivetran(contract_dir: Path, out: Path, fmt: str) -> dict[str, int]:
    """Write the contract-layout company in ``contract_dir`` as connector tables under ``out``; return the rows
    per ``<connector>.<table>``. The contract tables no connector stands for are copied as they are."""
    rows: dict[str, int] = {}
    con = duckdb.connect()
    try:
        _contract_views(con, contract_dir)
        con.execute(f"create table xero_ledger as {XERO_LEDGER}")
        for connector, tables in CONNECTORS.items():
            folder = out / connector
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for table, sql in {**tables, **UNREAD[connector]}.items():
                rows[f"{connector}.{table}"] = _write(con, sql, folder / f"{table}.{fmt}")
    finally:
        con.close()
    replaced = {REPLACES[c] for c in CONNECTORS}
    for path in sorted(contract_dir.glob("raw_*/*.*")):
        schema, table = path.parent.name, path.stem
        if f"{schema}.*" not in replaced and f"{schema}.{table}" not in replaced:
            (out / schema).mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, out / schema / path.name)
    return rows
