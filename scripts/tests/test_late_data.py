"""Late and re-synced rows: loading them after a build and rebuilding gives exactly the warehouse of loading
everything at once.

Warehouse A is built the way production runs: the initial load and a build, then one day of new rows plus
late ones (a customer whose invoice was quarantined as an orphan at the first build, a subscription line for
a period nine months back, an old invoice voided, refunds of old invoices, a corrected EUR rate for March
2023, a rate before a currency's first one, a backdated department change, rows backfilled with an old
`_loaded_at`), appended, and a rebuild. Warehouse B loads the same rows before its only build. Every base,
intermediate and mart table must be identical. Builds are full rebuilds from raw (no incremental state).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.devtools.benchmark import split
from revenue_warehouse.pipeline.build import run_dbt
from revenue_warehouse.synthetic.generate import generate
from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH
from revenue_warehouse.pipeline.load import load

pytestmark = pytest.mark.slow

BUILD = ["build", "--resource-type", "model", "--resource-type", "seed", "--quiet"]


def _late_rows(initial: Path, out: Path, next_nights: tuple[Path, Path, Path], loaded_at: dt.datetime) -> None:
    """Late rows from the initial files, loaded at `loaded_at` (the same nightly sync as the delta), and
    the rows of the three nights after (next_nights)."""
    con = duckdb.connect()
    stamp = f"timestamp '{loaded_at:%Y-%m-%d %H:%M:%S}'"
    src = {name: f"read_parquet('{initial}/{name}.parquet')" for name in (
        "raw_billing/invoice", "raw_billing/invoice_line_item", "raw_billing/refund", "raw_finance/fx_rate",
        "raw_hr/job_history", "raw_crm/opportunity", "raw_crm/lead", "raw_finance/gl_entry")}
    # one counted monthly subscription line (and its invoice) in the last quarter, shifted nine months back
    line_id, invoice_id = con.execute(f"""
        select line.id, invoice.id
        from {src['raw_billing/invoice_line_item']} as line
        inner join {src['raw_billing/invoice']} as invoice on line.invoice_id = invoice.id
        where invoice.status = 'paid' and line.line_type = 'subscription' and not line.is_proration
            and try_cast(invoice.invoice_date as date) >= date '2025-10-01'
            and try_cast(line.amount as decimal(18, 2)) > 0
            and datediff('day', line.period_start, try_cast(line.period_end as date)) between 28 and 31
            -- an invoice of one version (an open invoice paid later has two: copied at one load time, they
            -- would conflict)
            and invoice.id in (select id from {src['raw_billing/invoice']} group by id having count(*) = 1)
        order by line.id limit 1
    """).fetchone()
    # an old paid invoice of an annual subscription (its service months reach past the invoice month), voided now; a refund of another old invoice
    voided = con.execute(f"""
        select invoice.id from {src['raw_billing/invoice']} as invoice
        inner join {src['raw_billing/invoice_line_item']} as line on line.invoice_id = invoice.id
        where invoice.status = 'paid' and try_cast(invoice.invoice_date as date) between date '2024-01-01'
            and date '2024-06-30' and line.line_type = 'subscription'
            and datediff('day', line.period_start, try_cast(line.period_end as date)) > 300
        order by invoice.id limit 1
    """).fetchone()[0]
    refunded = con.execute(f"""
        select id, currency_code from {src['raw_billing/invoice']}
        where status = 'paid' and try_cast(invoice_date as date) between date '2024-07-01' and date '2024-12-31'
            and id <> '{voided}' and try_cast(total as decimal(18, 2)) > 100
        order by id limit 1
    """).fetchone()
    # the currency whose rates start last: a rate for the month before its first one arriving late becomes
    # the rate carried back to every earlier month
    currency, first_invoice_month = con.execute(f"""
        select currency_code, cast(min(rate_month) - interval 1 month as date)
        from {src['raw_finance/fx_rate']}
        group by currency_code
        order by min(rate_month) desc limit 1
    """).fetchone()
    shift = "interval 273 day"
    statements = {
        "raw_billing/invoice": f"""
            select * replace ('late-' || id as id, 'LATE-' || number as number,
                cast(cast(invoice_date as date) - {shift} as date)::varchar as invoice_date, {stamp} as _loaded_at)
            from {src['raw_billing/invoice']} where id = '{invoice_id}'
            union all by name
            select * replace ('void' as status, {stamp} as _loaded_at)
            from {src['raw_billing/invoice']} where id = '{voided}'
        """,
        "raw_billing/invoice_line_item": f"""
            select * replace ('late-' || id as id, 'late-' || invoice_id as invoice_id,
                cast(period_start - {shift} as date) as period_start,
                cast(cast(period_end as date) - {shift} as date)::varchar as period_end, {stamp} as _loaded_at)
            from {src['raw_billing/invoice_line_item']} where id = '{line_id}'
        """,
        "raw_billing/refund": f"""
            select 'late-refund-1' as id, '{refunded[0]}' as invoice_id, '40.00' as amount,
                '{refunded[1]}' as currency_code, timestamp '2025-02-14 10:00:00' as refunded_at,
                'late correction' as reason, {stamp} as _loaded_at
        """,
        "raw_finance/fx_rate": f"""
            select * replace (usd_per_unit * 1.02 as usd_per_unit, {stamp} as _loaded_at)
            from {src['raw_finance/fx_rate']}
            where currency_code = 'EUR' and rate_month = date '2023-03-01'
        """,
        # the opportunity of a history row that arrived before it (early/): the history row turns valid
        "raw_crm/opportunity": f"""
            select * replace ('late-opp-1' as id, {stamp} as _loaded_at)
            from {src['raw_crm/opportunity']} order by id limit 1
        """,
        # a GL posting backdated 400 days
        "raw_finance/gl_entry": f"""
            select * replace ('late-gl-1' as id,
                cast(cast(posted_date as date) - interval 400 day as date)::varchar as posted_date, {stamp} as _loaded_at)
            from {src['raw_finance/gl_entry']}
            where try_cast(posted_date as date) >= date '2025-01-01' and try_cast(amount as decimal(18, 2)) is not null
                and currency_code = 'USD'
            order by id limit 1
        """,
        "raw_hr/job_history": f"""
            select * replace ('late-job-1' as id, date '2025-06-01' as effective_date, 'Customer Success' as department,
                {stamp} as _loaded_at)
            from {src['raw_hr/job_history']}
            where employee_id in (select employee_id from {src['raw_hr/job_history']} where department like 'Sales%')
            order by id limit 1
        """,
    }
    next_stamp = f"timestamp '{loaded_at + dt.timedelta(days=1):%Y-%m-%d %H:%M:%S}'"
    third_stamp = f"timestamp '{loaded_at + dt.timedelta(days=2):%Y-%m-%d %H:%M:%S}'"
    next_night = {
        # a rate for a month before the currency's first one: the amounts converted with the carried-back
        # first rate are converted with it instead
        "raw_finance/fx_rate": f"""
            select * replace (date '{first_invoice_month:%Y-%m-%d}' as rate_month, {next_stamp} as _loaded_at)
            from {src['raw_finance/fx_rate']}
            where currency_code = '{currency}'
            order by rate_month limit 1
        """,
    }
    third_night = {
        # a backfill with an old load time
        "raw_crm/lead": f"""
            select * replace ('backfill-lead-1' as id, timestamp '2023-01-01 00:00:00' as _loaded_at)
            from {src['raw_crm/lead']} order by id limit 1
        """,
        # the same for a line of a recent paid invoice
        "raw_billing/invoice_line_item": f"""
            select * replace ('backfill-line-1' as id, timestamp '2023-01-01 00:00:00' as _loaded_at)
            from {src['raw_billing/invoice_line_item']}
            where invoice_id = '{invoice_id}' order by id limit 1
        """,
    }
    fourth_night = {
        # a refund of an old invoice
        "raw_billing/refund": f"""
            select 'late-refund-2' as id, '{refunded[0]}' as invoice_id, '25.00' as amount,
                '{refunded[1]}' as currency_code, timestamp '2024-11-20 10:00:00' as refunded_at,
                'late correction' as reason, {third_stamp} as _loaded_at
        """,
    }
    for folder, tables in ((out, statements), *zip(next_nights, (next_night, third_night, fourth_night))):
        for name, sql in tables.items():
            path = folder / f"{name}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"copy ({sql}) to '{path}' (format parquet)")
            assert con.execute(f"select count(*) from read_parquet('{path}')").fetchone()[0] >= 1, name
    con.close()


def _orphan_rows(initial: Path, early: Path, late: Path, loaded_at: dt.datetime) -> None:
    """An invoice (and its line) of a customer the billing system exports only later: quarantined as an
    orphan at the first build (early/), valid once the customer arrives with the late rows (late/)."""
    con = duckdb.connect()
    invoices = f"read_parquet('{initial}/raw_billing/invoice.parquet')"
    lines = f"read_parquet('{initial}/raw_billing/invoice_line_item.parquet')"
    customers = f"read_parquet('{initial}/raw_billing/customer.parquet')"
    invoice_id, customer_id = con.execute(f"""
        select invoice.id, invoice.customer_id from {invoices} as invoice
        inner join {lines} as line on line.invoice_id = invoice.id
        inner join {customers} as customer on customer.id = invoice.customer_id
        where invoice.status = 'paid' and line.line_type = 'subscription'
            and try_cast(invoice.invoice_date as date) between date '2022-07-01' and date '2022-12-31'
            and try_cast(line.amount as decimal(18, 2)) > 0
        order by invoice.id limit 1
    """).fetchone()
    early_stamp = f"timestamp '{loaded_at - dt.timedelta(days=2):%Y-%m-%d %H:%M:%S}'"
    late_stamp = f"timestamp '{loaded_at:%Y-%m-%d %H:%M:%S}'"
    for folder in (early / "raw_billing", early / "raw_crm", late / "raw_billing"):
        folder.mkdir(parents=True, exist_ok=True)
    # a stage change of an opportunity the CRM exports only later (late-opp-1, in _late_rows)
    con.execute(f"""copy (
        select * replace ('late-oh-1' as id, 'late-opp-1' as opportunity_id, {early_stamp} as _loaded_at)
        from read_parquet('{initial}/raw_crm/opportunity_history.parquet') order by id limit 1
    ) to '{early}/raw_crm/opportunity_history.parquet' (format parquet)""")
    con.execute(f"""copy (
        select * replace ('orphan-inv-1' as id, 'late-cust-1' as customer_id, 'ORPHAN-1' as number,
            {early_stamp} as _loaded_at)
        from {invoices} where id = '{invoice_id}'
        order by _loaded_at desc limit 1
    ) to '{early}/raw_billing/invoice.parquet' (format parquet)""")
    con.execute(f"""copy (
        select * replace ('orphan-' || id as id, 'orphan-inv-1' as invoice_id, {early_stamp} as _loaded_at)
        from {lines} where invoice_id = '{invoice_id}'
        qualify row_number() over (partition by id order by _loaded_at desc) = 1
    ) to '{early}/raw_billing/invoice_line_item.parquet' (format parquet)""")
    con.execute(f"""copy (
        select * replace ('late-cust-1' as id, 'late-cust-1@example.com' as email, null as crm_account_id,
            {late_stamp} as _loaded_at)
        from {customers} where id = '{customer_id}'
        order by _loaded_at desc limit 1
    ) to '{late}/raw_billing/customer.parquet' (format parquet)""")
    con.close()


def _tables(db: Path) -> list[str]:
    """Every table dbt builds (base, audit, intermediate, marts)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'audit', 'intermediate', 'marts') and table_type = 'BASE TABLE' "
            "order by all"
        ).fetchall()]
    finally:
        con.close()


def _dispositions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """How the late and orphan rows were disposed: record id -> disposition (or quarantine reason)."""
    rows = con.execute("""
        select _record_id, coalesce(quarantine_reason, _disposition) from staging.base_crm__opportunity_history
        where _record_id = 'late-oh-1'
        union all
        select _record_id, coalesce(quarantine_reason, _disposition) from staging.base_billing__invoice
        where _record_id = 'orphan-inv-1'
        union all
        select _record_id, coalesce(quarantine_reason, _disposition) from staging.base_finance__gl_entry
        where _record_id = 'late-gl-1'
        union all
        select _record_id, coalesce(quarantine_reason, _disposition) from staging.base_crm__lead
        where _record_id = 'backfill-lead-1'
    """).fetchall()
    return dict(rows)


@pytest.fixture(scope="module")
def raw_parts(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Path]]:
    root = tmp_path_factory.mktemp("late_data")
    generate(root / "full", scale=0.03, seed=5, bad_rows_rate=0.01, end_month=FIXTURE_END_MONTH)
    split(root / "full", root / "initial", root / "delta")
    loaded_at = duckdb.sql(
        f"select max(_loaded_at) from read_parquet('{root}/delta/raw_billing/invoice.parquet')"
    ).fetchone()[0]
    nights = [root / "night_2", root / "night_3", root / "night_4"]
    _late_rows(root / "initial", root / "late", tuple(nights), loaded_at)
    _orphan_rows(root / "initial", root / "early", root / "late_customers", loaded_at)
    return root / "initial", root / "early", [root / "delta", root / "late", root / "late_customers", *nights]


def test_late_rows_appended_and_rebuilt_equal_loading_everything_at_once(
        raw_parts: tuple[Path, Path, list[Path]], tmp_path: Path) -> None:
    initial, early, later = raw_parts
    daily, at_once = tmp_path / "daily.duckdb", tmp_path / "at_once.duckdb"

    load(initial, daily)
    load(early, daily, append=True)
    assert run_dbt(BUILD, daily, extra=["--target-path", str(tmp_path / "t1")]) == 0
    with duckdb.connect(str(daily), read_only=True) as con:
        before = _dispositions(con)
    assert before["orphan-inv-1"] == "orphan_customer_id" and before["late-oh-1"] == "orphan_opportunity_id"
    for folder in later:
        load(folder, daily, append=True)
    assert run_dbt(BUILD, daily, extra=["--target-path", str(tmp_path / "t1")]) == 0
    with duckdb.connect(str(daily), read_only=True) as con:
        after = _dispositions(con)
    # the parents that arrived late turned their children valid; the backdated rows count
    assert after["orphan-inv-1"] == "staged" and after["late-oh-1"] == "staged"
    assert after["late-gl-1"] == "staged"
    assert after["backfill-lead-1"] in ("staged", "superseded", "deleted")

    load(initial, at_once)
    for folder in (early, *later):
        load(folder, at_once, append=True)
    assert run_dbt(BUILD, at_once, extra=["--target-path", str(tmp_path / "t2")]) == 0

    tables = _tables(at_once)
    assert _tables(daily) == tables and {"marts.fct_mrr_movements", "staging.base_crm__lead"} <= set(tables)
    con = duckdb.connect(str(daily), read_only=True)
    con.execute(f"attach '{at_once}' as at_once (read_only)")
    try:
        for table in tables:
            for a, b in ((table, f"at_once.{table}"), (f"at_once.{table}", table)):
                extra = con.execute(f"select count(*) from (select * from {a} except all "
                                    f"select * from {b})").fetchone()[0]
                assert extra == 0, f"{table}: {extra} rows of {a} are not in {b}"
        # the late rows made a difference (the test is not vacuous)
        assert con.execute("select count(*) from intermediate.int_invoice_lines_normalized "
                           "where invoice_line_item_id like 'late-%'").fetchone()[0] == 1
        assert con.execute("select count(*) from intermediate.int_invoice_lines_normalized "
                           "where invoice_line_item_id = 'backfill-line-1'").fetchone()[0] == 1
        assert con.execute("select count(*) from intermediate.int_invoice_lines_normalized "
                           "where invoice_id = 'orphan-inv-1'").fetchone()[0] >= 1
    finally:
        con.close()
