"""Connector adapters (docs/connectors.md): a connector's tables, loaded as its ELT tool lands them, become
the raw contract's tables through an adapter model, so staging, quarantine and row accounting work
unchanged.

Xero: Fivetran's own sample data (scripts/tests/data/fivetran/, Apache-2.0) loaded from DIR/xero/ and built
with finance_source: xero; the ledger cost per month equals an independent sum of the sample's journal
lines on expense accounts, and every adapter row is accounted for.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.config import WarehouseError
from revenue_warehouse.pipeline.build import run_dbt
from revenue_warehouse.pipeline.load import load

SAMPLES = Path(__file__).parent / "data" / "fivetran"


def _csv(name: str) -> str:
    return f"read_csv('{SAMPLES / 'xero' / name}.csv', header = true, all_varchar = true)"


@pytest.fixture(scope="module")
def xero_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xero")
    shutil.copytree(SAMPLES / "xero", root / "raw" / "xero")
    db = root / "warehouse.duckdb"
    results = {r.table: r for r in load(root / "raw", db)}
    assert results["xero.journal_line"].rows == 4033 and results["raw_finance.gl_entry"].path is None
    code = run_dbt(["build", "--quiet", "--select", "+stg_finance__gl_entries", "+raw_row_counts",
                    "+quarantined_rows",
                    "--indirect-selection", "cautious"], db,
                   {"finance_source": "xero", "as_of_date": "2021-01-31"}, extra=["--target-path", str(root / "target")])
    assert code == 0
    return db


def test_xero_ledger_cost_per_month_equals_its_expense_journal_lines(xero_build: Path) -> None:
    with duckdb.connect(str(xero_build), read_only=True) as con:
        expected = con.execute(f"""
            select cast(date_trunc('month', cast(journal.journal_date as date)) as date) as month,
                sum(cast(line.net_amount as decimal(18, 2))) as cost, count(*) as lines
            from {_csv('journal_line')} as line
            inner join {_csv('account')} as account on line.account_id = account.account_id
            inner join {_csv('journal')} as journal on line.journal_id = journal.journal_id
            where upper(account.class) = 'EXPENSE' and coalesce(line.account_code, account.code) is not null
            group by 1 order by 1
        """).fetchall()
        actual = con.execute("""
            select cast(date_trunc('month', posted_date) as date), sum(amount), count(*)
            from staging.stg_finance__gl_entries group by 1 order by 1
        """).fetchall()
    assert len(expected) >= 12 and sum(row[2] for row in expected) > 500
    assert actual == expected


def test_every_xero_expense_line_is_accounted_for(xero_build: Path) -> None:
    with duckdb.connect(str(xero_build), read_only=True) as con:
        expense_lines = con.execute(f"""
            select count(*) from {_csv('journal_line')} as line
            left join {_csv('account')} as account on line.account_id = account.account_id
            where coalesce(upper(account.class), case when upper(line.account_type) in
                ('EXPENSE', 'OVERHEADS', 'DIRECTCOSTS', 'DEPRECIATN', 'WAGESEXPENSE', 'SUPERANNUATIONEXPENSE')
                then 'EXPENSE' end) = 'EXPENSE'
        """).fetchone()[0]
        counts = con.execute("""
            select rows_in, rows_staged, rows_quarantined, rows_superseded, rows_deleted
            from audit.raw_row_counts where source_table = 'raw_finance.gl_entry'
        """).fetchone()
        reasons = dict(con.execute("""
            select reason, count(*) from audit.quarantined_rows
            where source_table = 'raw_finance.gl_entry' group by reason
        """).fetchall())
    assert counts[0] == expense_lines and counts[0] == sum(counts[1:])
    assert set(reasons) <= {"missing_account_code", "missing_posted_date", "duplicate_id"}, reasons


def test_a_connector_folder_is_a_snapshot_of_its_tables(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLES / "xero", raw / "xero")
    db = tmp_path / "w.duckdb"
    load(raw, db)
    (raw / "xero" / "tracking_category.csv").unlink()
    results = {r.table: r for r in load(raw, db)}
    assert results["xero.tracking_category"].path is None
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from xero.tracking_category").fetchone()[0] == 0
        assert con.execute("select count(*) from xero.organization").fetchone()[0] == 1
        columns = [r[0] for r in con.execute("describe xero.organization").fetchall()]
    assert "base_currency" in columns, "a column the sync did not bring loads as nulls"
    (raw / "xero" / "budget.csv").write_text("id\n1\n")
    with pytest.raises(WarehouseError, match=r"budget\.csv: unknown table file"):
        load(raw, db)


def test_finance_source_var_is_checked(xero_build: Path, tmp_path: Path) -> None:
    code = run_dbt(["build", "--quiet", "--select", "stg_finance__gl_entries"], xero_build,
                   {"finance_source": "quickbooks"}, extra=["--target-path", str(tmp_path / "t")])
    assert code != 0


def test_warehouse_sources_names_the_connector_and_the_var(xero_build: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(xero_build, copy)
    result = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "sources"], capture_output=True,
                            text=True, env={"WAREHOUSE_PATH": str(copy), "PATH": str(Path(sys.executable).parent)},
                            check=True)
    assert "xero           6 of 6 tables" in result.stdout
    assert "vars to set: warehouse build --vars '{finance_source: xero}'" in result.stdout


def test_xero_vars_pick_the_department_category_and_the_fallback_currency(xero_build: Path, tmp_path: Path) -> None:
    """At non-default values: departments from tracking category Region, and EUR for an organisation row
    without a base currency (with no EUR rate loaded, every line is quarantined as unknown_currency)."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(xero_build, db)
    code = run_dbt(["build", "--quiet", "--select", "+stg_finance__gl_entries", "+quarantined_rows",
                    "--indirect-selection", "cautious"], db,
                   {"finance_source": "xero", "as_of_date": "2021-01-31", "xero_department_category": "Region",
                    "xero_base_currency": "EUR"}, extra=["--target-path", str(tmp_path / "target")])
    assert code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        departments = {r[0] for r in con.execute(
            "select distinct department from staging.base_finance__gl_entry where department is not null").fetchall()}
        reasons = dict(con.execute("select reason, count(*) from audit.quarantined_rows "
                                   "where source_table = 'raw_finance.gl_entry' group by reason").fetchall())
        staged = con.execute("select count(*) from staging.stg_finance__gl_entries").fetchone()[0]
    assert departments and departments <= {"North America", "Europe", "Asia Pacific", "Latin America"}, departments
    assert staged == 0 and reasons.get("unknown_currency", 0) > 500


def test_freshness_follows_the_connector_not_the_table_it_replaces(xero_build: Path, tmp_path: Path) -> None:
    import json

    run_dbt(["source", "freshness", "--quiet"], xero_build, {"finance_source": "xero"},
            extra=["--target-path", str(tmp_path / "target")])
    checked = {r["unique_id"].split(".", 2)[-1] for r in json.loads((tmp_path / "target" / "sources.json").read_text())["results"]}
    assert "xero.journal" in checked and "xero.journal_line" in checked
    assert "finance.gl_entry" not in checked and "finance.fx_rate" in checked
