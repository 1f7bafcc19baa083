"""``warehouse check``: data-quality checks on the built warehouse, stored in ``audit.check_results``.

Only what dbt's tests cannot express lives here (thresholds with severities, cross-layer reconciliation,
anomalies, freshness, the privacy differencing audit); invariants a dbt test states (every raw row
accounted for, the MRR bridge) are dbt tests and fail the build itself.

Each check has a severity: ``error`` blocks publishing, ``warn`` is reported. Results carry the observed
value, the threshold and details, per run, so a BI tool can chart data quality over time.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import duckdb

from revenue_warehouse.config import dbt_target_path, utc_now
from revenue_warehouse.db import table_exists

ANOMALY_MADS = 3.5  # modified z-score cut-off (Iglewicz & Hoaglin): |move - median| > 3.5 x 1.4826 x MAD
ANOMALY_SKIP_MONTHS = 12  # the first year of the window is a ramp-up (ttm values are partial)
HEADLINE_KPIS = ("revenue_per_head_ttm_usd", "arr_usd", "revenue_usd", "avg_fte", "cac_3m_usd", "nrr")


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    severity: str  # error | warn
    passed: bool
    observed_value: float | None
    threshold: float | None
    details: str

    @property
    def status(self) -> str:
        return "pass" if self.passed else ("fail" if self.severity == "error" else "warn")


Check = Callable[[duckdb.DuckDBPyConnection], list[CheckResult]]


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    return con.execute(sql).fetchone()


def quarantine_rates(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Share of each raw table's rows quarantined: a warning above var quarantine_warn_rate, an error
    when the share exceeds quarantine_error_rate and at least quarantine_error_min_rows rows are
    quarantined (thresholds ride on audit.raw_row_counts). The details name the top reasons. (That every
    row is accounted for is the dbt test rows_accounted_for on audit.raw_row_counts, not repeated here.)
    Rows a connector's adapter brought name it too (raw_billing.refund's rows from stripe)."""
    rows = con.execute("""
        select source_table, rows_in, rows_quarantined, quarantine_warn_rate, quarantine_error_rate,
            quarantine_error_min_rows, loaded_from
        from audit.raw_row_counts order by source_table
    """).fetchall()
    reasons: dict[str, list[tuple[str, int]]] = {}
    for table, reason, count in con.execute("""
        select source_table, reason, count(*) from audit.quarantined_rows
        group by source_table, reason order by source_table, count(*) desc, reason
    """).fetchall():
        reasons.setdefault(table, []).append((reason, count))
    results = []
    for table, rows_in, quarantined, warn_rate, error_rate, min_rows, loaded_from in rows:
        rate = quarantined / rows_in if rows_in else 0.0
        is_error = rate > error_rate and quarantined >= min_rows
        top = ", ".join(f"{reason} {count}" for reason, count in reasons.get(table, [])[:3])
        where = f"; see audit.quarantined_rows where source_table = '{table}'" if quarantined else ""
        rule = (f"error: > {error_rate:.0%} and >= {min_rows} rows" if is_error
                else f"warn > {warn_rate:.0%}; error > {error_rate:.0%} and >= {min_rows} rows")
        results.append(CheckResult(
            f"quarantine_rate:{table}", "error" if is_error else "warn", rate <= warn_rate and not is_error, rate,
            error_rate if is_error else warn_rate,
            (f"rows from {loaded_from}: " if loaded_from != table else "")
            + f"{quarantined:,} of {rows_in:,} rows quarantined ({rate:.1%}; {rule})" + (f": {top}" if top else "") + where,
        ))
    return results


#: What each raw table feeds, for the empty-table warning (every contract table feeds a KPI).
FEEDS = {
    "raw_crm": "funnel KPIs (MQLs, SQLs, win rate, pipeline) and customer identities",
    "raw_billing": "revenue, MRR/ARR, NRR, churn and every per-head ratio",
    "raw_hr": "headcount, FTE, payroll cost and every per-head ratio",
    "raw_finance": "FX conversion and non-payroll cost (CAC, margins)",
    "raw_cs": "onboarding, NPS and CSAT KPIs",
    "raw_product": "product adoption KPIs",
}


def empty_raw_tables(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Raw tables with no rows (a first load without the file, or a snapshot without it): their KPIs
    come out null or zero, which must not pass unnoticed."""
    empty = [r[0] for r in con.execute(
        "select source_table from audit.raw_row_counts where rows_in = 0 order by source_table").fetchall()]
    feeds = sorted({FEEDS[t.split(".")[0]] for t in empty if t.split(".")[0] in FEEDS})
    details = (f"{len(empty)} raw table(s) empty: {', '.join(empty)}; affects {'; '.join(feeds)}" if empty
               else "every raw table has rows")
    return [CheckResult("empty_raw_tables", "warn", not empty, float(len(empty)), 0.0, details)]


def volume_guard(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """A raw table that fed the last published build and is empty now, or lost more than var
    volume_drop_error_rate of its rows, fails the build (docs/reliability.md): a failed export (a 0-byte
    compensation file) must not publish a company without payroll."""
    if not table_exists(con, "audit", "published_raw_counts"):
        return [CheckResult("volume_guard", "error", True, 0.0, None, "no earlier publish to compare with")]
    rows = con.execute("""
        select now.source_table, before.rows_in, now.rows_in, now.volume_drop_error_rate
        from audit.raw_row_counts as now
        inner join audit.published_raw_counts as before on now.source_table = before.source_table
        where before.rows_in > 0
        order by now.source_table
    """).fetchall()
    rate = rows[0][3] if rows else 0.5
    dropped = [(table, before, after) for table, before, after, limit in rows
               if (after == 0 and limit < 1) or (before - after) / before > limit]
    shown = "; ".join(f"{table}: {before:,} rows at the last publish, {after:,} now" for table, before, after in dropped)
    details = (f"{shown}: a failed export? Load the full file; if the drop is real, build with "
               f"--vars '{{volume_drop_error_rate: 1}}' (var volume_drop_error_rate, now {rate:g})" if dropped
               else f"no raw table emptied or lost more than {rate:.0%} of its rows since the last publish")
    return [CheckResult("volume_guard", "error", not dropped, float(len(dropped)), float(rate), details)]


def conflicting_duplicates(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Records loaded twice at the same time with different values (quarantined conflicting_duplicate, so
    neither version counts): named, so the source can be asked which one is right."""
    rows = con.execute("""
        select source_table, count(distinct record_id), string_agg(distinct record_id, ', ' order by record_id)
        from audit.quarantined_rows where reason = 'conflicting_duplicate'
        group by source_table order by source_table
    """).fetchall()
    details = "; ".join(f"{table}: {count} record(s) ({ids[:120]})" for table, count, ids in rows)
    total = sum(row[1] for row in rows)
    return [CheckResult("conflicting_duplicates", "warn", not rows, float(total), 0.0,
                        f"loaded twice at the same time with different values, neither counted: {details}" if rows
                        else "no record loaded twice at the same time with different values")]


def billing_money_reconciles(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Money in (counted lines' net, less refunds) = revenue recognized to date + deferred, to the cent.

    Per currency in local money (exact), and in USD: recognized to date (months up to as_of) plus
    deferred (later months) equals all recognized revenue, each part at its own month's rate.
    """
    local_gap, currencies = _one(con, """
        with billed as (
            select currency_code, sum(net_amount_local) as net
            from intermediate.int_invoice_lines_normalized group by currency_code
        ),
        refunded as (
            select refunds.currency_code, sum(refunds.amount) as refunds
            from staging.stg_billing__refunds as refunds
            inner join staging.stg_billing__invoices as invoices on refunds.invoice_id = invoices.invoice_id
            where invoices.status in ('open', 'paid') group by refunds.currency_code
        ),
        recognized as (
            select currency_code, sum(revenue_local) as revenue
            from intermediate.int_revenue_recognized_monthly group by currency_code
        )
        select max(abs(billed.net - coalesce(refunded.refunds, 0) - coalesce(recognized.revenue, 0))), count(*)
        from billed
        left join refunded on billed.currency_code = refunded.currency_code
        left join recognized on billed.currency_code = recognized.currency_code
    """)
    to_date, deferred, total = _one(con, """
        select
            sum(case when revenue.month <= as_of.as_of_month then revenue.revenue_usd else 0 end),
            sum(case when revenue.month > as_of.as_of_month then revenue.revenue_usd else 0 end),
            sum(revenue.revenue_usd)
        from intermediate.int_revenue_recognized_monthly as revenue
        cross join intermediate.int_as_of_date_resolved as as_of
    """)
    gap = float(local_gap or 0)
    usd_gap = abs(float(total or 0) - float(to_date or 0) - float(deferred or 0))
    return [
        CheckResult("billing_money_reconciles:local", "error", gap < 0.01, gap, 0.01,
                    f"max gap over {currencies} currencies between net billed less refunds and recognized revenue"),
        CheckResult("billing_money_reconciles:usd", "error", usd_gap < 0.01, usd_gap, 0.01,
                    f"recognized to date {float(to_date or 0):,.2f} + deferred {float(deferred or 0):,.2f} USD"),
    ]


def headcount_adds_up(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    bad, months = _one(con, """
        with totals as (
            select month,
                sum(case when function = 'all' then month_end_headcount else 0 end) as company,
                sum(case when function <> 'all' then month_end_headcount else 0 end) as functions
            from marts.fct_revenue_per_head group by month
        )
        select count(case when company <> functions then 1 end), count(*) from totals
    """)
    return [CheckResult("headcount_adds_up", "error", bad == 0, float(bad), 0.0,
                        f"{bad} months (of {months}) where `all` month-end headcount differs from the sum of functions")]


def identities_resolved(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    unresolved, total = _one(con, """
        select count(case when crm_account_id is null then 1 end), count(*) from marts.dim_customers
    """)
    return [CheckResult("unresolved_customer_identities", "warn", unresolved == 0, float(unresolved), 0.0,
                        f"{unresolved} of {total} billing customers have no CRM account (dim_customers.identity_resolution)")]


def deal_owners_linked(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Opportunity owners that match no employee (HubSpot links an owner by work e-mail only, Salesforce by
    employee number or e-mail): a seller outside HR, or an e-mail that differs between the two systems.
    Integration users that own no deal are not counted."""
    owners, deals, total = _one(con, """
        select count(distinct opportunities.owner_user_id), count(*),
            (select count(distinct owner_user_id) from staging.stg_crm__opportunities)
        from staging.stg_crm__opportunities as opportunities
        left join staging.stg_crm__users as users on opportunities.owner_user_id = users.user_id
        where users.employee_id is null and opportunities.owner_user_id is not null
    """)
    return [CheckResult("deal_owners_without_employee", "warn", owners == 0, float(owners), 0.0,
                        f"{owners} of {total} opportunity owners ({deals:,} opportunities) match no employee "
                        "(stg_crm__users.employee_id: the HR employee number, else the work e-mail)")]


def mappings_complete(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    departments = con.execute("""
        select distinct coalesce(department, '(no job row)') from intermediate.int_employee_segments_built
        where is_counted and function = 'unmapped'
        union
        select distinct coalesce(department, '(none)') from staging.stg_finance__gl_entries as gl
        where not exists (
            select 1 from staging.department_functions as map
            where lower(trim(map.department)) = lower(trim(gl.department))
        )
    """).fetchall()
    accounts = con.execute("""
        select distinct gl.account_code from staging.stg_finance__gl_entries as gl
        where not exists (select 1 from staging.gl_accounts as map where trim(map.account_code) = trim(gl.account_code))
    """).fetchall()
    days, months, first, last = _one(con, """
        select coalesce(sum(days_without_compensation), 0), count(case when days_without_compensation > 0 then 1 end),
            min(case when days_without_compensation > 0 then month end),
            max(case when days_without_compensation > 0 then month end)
        from intermediate.int_headcount_summed where function = 'all'
    """)

    def listed(kind: str, seed: str, names: list[str]) -> str:
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        return f"{len(names)} {kind} missing from seed {seed}" + (f": {shown}" if names else "")

    return [
        CheckResult("unmapped_departments", "warn", not departments, float(len(departments)), 0.0,
                    listed("departments", "department_functions", sorted(d[0] for d in departments))),
        CheckResult("unmapped_gl_accounts", "warn", not accounts, float(len(accounts)), 0.0,
                    listed("accounts", "gl_accounts", sorted(str(a[0]) for a in accounts))),
        CheckResult("days_without_compensation", "warn", days == 0, float(days), 0.0,
                    f"{int(days):,} counted employee-days with no pay in force, in {months} months"
                    + (f" ({first:%Y-%m}..{last:%Y-%m})" if months else "")
                    + "; they cost 0 (int_headcount_summed.days_without_compensation)"),
    ]


def fx_rate_carried_back(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Amounts dated before their currency's first fx rate, converted with that first rate (docs/metrics.md,
    "Conventions"): kept and counted, but the rate is a stand-in, so they are reported."""
    rows = con.execute("""
        with carried as (
            select currency_code, month from intermediate.int_fx_rates_filled where is_carried_back
        ),
        amounts as (
            select currency_code, month from intermediate.int_revenue_recognized_monthly
            union all
            select currency_code, month from intermediate.int_customer_mrr_expanded where mrr_local <> 0
            union all
            select currency_code, cast(date_trunc('month', posted_date) as date) from staging.stg_finance__gl_entries
            union all
            select currency_code, cast(date_trunc('month', close_date) as date) from staging.stg_crm__opportunities
            where amount is not null
            union all
            select segments.salary_currency_code, spine.month
            from intermediate.int_employee_segments_built as segments
            inner join intermediate.int_months_windowed as spine
                on segments.segment_start <= spine.month_end and segments.segment_end > spine.month
            where segments.is_counted and segments.annual_base_salary is not null
        )
        select amounts.currency_code, count(*), min(amounts.month), max(amounts.month)
        from amounts
        inner join carried
            on amounts.currency_code = carried.currency_code and amounts.month = carried.month
        group by amounts.currency_code
        order by amounts.currency_code
    """).fetchall()
    total = sum(row[1] for row in rows)
    details = "; ".join(f"{code}: {count} amounts in {first:%Y-%m}..{last:%Y-%m} converted with its first rate"
                        for code, count, first, last in rows) or "every amount converted with a rate of its month or earlier"
    return [CheckResult("fx_rate_carried_back", "warn", total == 0, float(total), 0.0, details)]


def privacy_differencing(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """No linear combination of the published cost figures isolates fewer than min_group_size people
    (pipeline/privacy_audit.py, independent of the policy model). An error: a leak must not be published."""
    from revenue_warehouse.pipeline.privacy_audit import check

    leaks, k = check(con)
    shown = "; ".join(f"{leak.month:%Y-%m} {'+'.join(leak.functions)} ({leak.people} people)" for leak in leaks[:5])
    details = (f"{len(leaks)} combinations of published cost figures isolate fewer than {k} people: {shown}"
               if leaks else f"no combination of published cost figures isolates fewer than {k} people")
    return [CheckResult("privacy_differencing", "error", not leaks, float(len(leaks)), 0.0, details)]


def kpi_anomalies(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """Month-over-month moves of headline KPIs far outside their usual range (median absolute deviation)."""
    results = []
    for kpi in HEADLINE_KPIS:
        series = [(m, float(v)) for m, v in con.execute(
            "select month, kpi_value from marts.fct_kpi_monthly where kpi_name = ? and kpi_value is not null order by month", [kpi]
        ).fetchall()][ANOMALY_SKIP_MONTHS:]
        changes = [(m, v / p - 1) for (_, p), (m, v) in zip(series, series[1:]) if p]
        if len(changes) < 6:
            continue
        values = [c for _, c in changes]
        median = statistics.median(values)
        mad = statistics.median(abs(c - median) for c in values) * 1.4826
        limit = ANOMALY_MADS * mad
        flagged = [(m, c) for m, c in changes if mad > 0 and abs(c - median) > limit]
        worst = max((abs(c - median) for c in values), default=0.0)
        results.append(CheckResult(
            f"kpi_anomaly:{kpi}", "warn", not flagged, worst, limit,
            "; ".join(f"{m:%Y-%m} {c:+.1%}" for m, c in flagged) or "no unusual month-over-month move",
        ))
    return results


def source_freshness(con: duckdb.DuckDBPyConnection) -> list[CheckResult]:
    """dbt's source freshness (sources.json of the last `dbt source freshness`), reported as warnings."""
    path = dbt_target_path() / "sources.json"
    if not path.exists():
        return [CheckResult("source_freshness", "warn", False, None, None, "dbt source freshness has not run")]
    results = json.loads(path.read_text()).get("results", [])
    stale = sorted(f"{r['unique_id'].split('.', 2)[-1]} ({r['status']})" for r in results
                   if r.get("status") in ("warn", "error", "runtime error"))
    shown = ", ".join(stale[:4]) + (f" and {len(stale) - 4} more" if len(stale) > 4 else "")
    details = f"{len(stale)} of {len(results)} sources stale: {shown}" if stale else "all sources fresh"
    return [CheckResult("source_freshness", "warn", not stale, float(len(stale)), 0.0, details)]


CHECKS: tuple[Check, ...] = (
    quarantine_rates, empty_raw_tables, volume_guard, conflicting_duplicates, billing_money_reconciles, headcount_adds_up,
    identities_resolved, deal_owners_linked, mappings_complete, fx_rate_carried_back, privacy_differencing, kpi_anomalies,
    source_freshness,
)

RESULTS_DDL = """
create schema if not exists audit;
create table if not exists audit.check_results (
    run_id varchar, checked_at timestamp, check_name varchar, severity varchar, status varchar,
    observed_value double, threshold double, details varchar
)
"""


def run_checks(con: duckdb.DuckDBPyConnection, run_id: str) -> list[CheckResult]:
    results = [result for check in CHECKS for result in check(con)]
    con.execute(RESULTS_DDL)
    now = utc_now()
    con.executemany(
        "insert into audit.check_results values (?, ?, ?, ?, ?, ?, ?, ?)",
        [(run_id, now, r.check_name, r.severity, r.status, r.observed_value, r.threshold, r.details) for r in results],
    )
    return results


def summary(results: list[CheckResult]) -> str:
    failed = [r for r in results if r.status == "fail"]
    warned = [r for r in results if r.status == "warn"]
    lines = [f"checks: {len(results) - len(failed) - len(warned)} passed, {len(warned)} warnings, {len(failed)} failed"]
    for r in failed + warned:
        lines.append(f"  {r.status.upper():4} {r.check_name}: {r.details}")
    return "\n".join(lines)


#: DuckDB's memory for the checks: half the machine, at most 8 GB (it spills to disk beyond; a check must
#: never take the machine down, as one 0001-01-01 invoice once did through a 24,300-month window).
CHECK_MEMORY_FRACTION, CHECK_MEMORY_CAP_GB = 0.5, 8


def check_memory_limit() -> str:
    import os

    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 4 << 30
    return f"{max(1, min(CHECK_MEMORY_CAP_GB, int(total * CHECK_MEMORY_FRACTION) >> 30))}GB"


def check_path(db_path: Path, run_id: str) -> list[CheckResult]:
    from revenue_warehouse.db import connect

    con = connect(db_path)
    try:
        con.execute(f"set memory_limit = '{check_memory_limit()}'")  # a number and a unit, never input
        return run_checks(con, run_id)
    finally:
        con.close()
