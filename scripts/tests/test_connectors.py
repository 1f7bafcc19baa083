"""Connector adapters (docs/connectors.md): a connector's tables, loaded as its ELT tool lands them, become
the raw contract's tables through an adapter model, so staging, quarantine and row accounting work
unchanged.

Xero: Fivetran's own sample data (scripts/tests/data/fivetran/, Apache-2.0) loaded from DIR/xero/ and built
with finance_source: xero; the ledger cost per month equals an independent sum of the sample's journal
lines on expense accounts, and every adapter row is accounted for.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from revenue_warehouse.config import PROJECT_ROOT, WarehouseError
from revenue_warehouse.pipeline.build import run_dbt
from conftest import with_unit_tests
from revenue_warehouse.pipeline.load import load

SAMPLES = Path(__file__).parent / "data" / "fivetran"


@pytest.fixture(scope="module", autouse=True)
def _adapters_unit_tests() -> Iterator[None]:
    """Every build of this module runs the unit tests it selects: the adapters' run only in connector builds."""
    with with_unit_tests():
        yield


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
    (raw / "xero" / "budget.csv").write_text("id\n1\n")  # a table of the full export no adapter reads
    results = {r.table: r for r in load(raw, db)}
    assert results["xero.budget"].ignored and results["xero.budget"].rows == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from information_schema.tables where table_name = 'budget'").fetchone()[0] == 0
    (raw / "xero" / "budget.json").write_text("{}")
    with pytest.raises(WarehouseError, match=r"budget\.json: unknown table file"):
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


# --- the round trip: the synthetic company as the connectors land it, built through the adapters ---------------

FIVETRAN_VARS = {"billing_source": "stripe", "crm_source": "salesforce", "finance_source": "xero",
                 "hr_source": "bamboohr"}
ROUND_TRIP_BUILDS = {"contract": {}, "salesforce": FIVETRAN_VARS, "hubspot": {**FIVETRAN_VARS, "crm_source": "hubspot"}}
COUNTS = ("select source_table, rows_staged, rows_quarantined, rows_deleted from audit.raw_row_counts "
          "order by source_table")
REASONS = "select source_table, reason, count(*) from audit.quarantined_rows group by all order by all"
MARTS = "select table_name from information_schema.tables where table_schema = 'marts' order by 1"


@pytest.fixture(scope="module")
def round_trip_raw(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The messy fixture company (conftest.MESSY) as contract files, their contract twin (the ledger as one
    Xero organisation books it) and their fivetran layout; nothing built yet."""
    from conftest import MESSY, _generated
    from revenue_warehouse.synthetic.fivetran import ledger_in_base_currency, to_fivetran

    contract_raw = _generated(tmp_path_factory, "round_trip_messy", MESSY)
    root = contract_raw.parent
    twin = root / "contract_raw"
    shutil.copytree(contract_raw, twin)
    ledger_in_base_currency(twin)
    rows = to_fivetran(contract_raw, root / "fivetran_raw", "csv")
    assert rows["stripe.invoice_line_item"] > 100 and rows["hubspot.deal_property_history"] > 100
    # a full export: the tables no adapter reads are there too (and the salesforce build's load lists them)
    assert rows["hubspot.engagement"] > 100 and rows["stripe.balance_transaction"] > 100
    with duckdb.connect() as con:  # one-off invoice items as Stripe lands them: a one-time price, an instant period
        assert con.execute(f"""
            select count(*) from read_csv('{root / "fivetran_raw" / "stripe" / "invoice_line_item.csv"}',
                all_varchar = true) as line
            inner join read_csv('{root / "fivetran_raw" / "stripe" / "price.csv"}', all_varchar = true) as price
                on line.price_id = price.id
            where line.type = 'invoiceitem' and price.type = 'one_time' and line.period_start = line.period_end
                and line.subscription_id is not null""").fetchone()[0] >= 5
    return {"root": root, "contract": twin, "fivetran": root / "fivetran_raw"}


#: the HubSpot build reads a Fivetran destination: schemas as a company names its connectors, not their names
DESTINATION_SCHEMAS = {"stripe": "stripe_live", "hubspot": "hubspot_eu", "salesforce": "salesforce",
                       "xero": "xero_acme", "bamboohr": "bamboo_hr"}


def _as_fivetran_destination(fivetran_raw: Path, db: Path) -> None:
    """Write the fivetran layout straight into a DuckDB file as a Fivetran destination holds it, with no
    `warehouse load`: one schema per connector (named as in DESTINATION_SCHEMAS), the file's columns and every
    other column of the connector's table (those the sync did not fill are null), the company's fx rates and CS tables
    in raw_finance / raw_cs, as another pipeline of theirs would write them."""
    from revenue_warehouse.config import connector_tables, raw_contract

    tables = {**raw_contract(), **connector_tables()}
    with duckdb.connect(str(db)) as con:
        for folder in sorted(p for p in fivetran_raw.iterdir() if p.is_dir()):
            schema = DESTINATION_SCHEMAS.get(folder.name, folder.name)
            con.execute(f'create schema if not exists "{schema}"')
            for path in sorted(folder.glob("*.csv")):
                table = tables.get(f"{folder.name}.{path.stem}")  # None: a table no adapter reads
                reader = f"read_csv('{path}', header = true, all_varchar = true)"
                have = {r[0] for r in con.execute(f"describe select * from {reader}").fetchall()}
                absent = [f'cast(null as varchar) as "{c}"' for c in (table.columns if table else ()) if c not in have]
                con.execute(f'create table "{schema}"."{path.stem}" as select {", ".join(["*", *absent])} from {reader}')


def _round_trip_build(raw: dict[str, Path], name: str) -> Path:
    db = raw["root"] / name / "warehouse.duckdb"
    db.parent.mkdir()
    if name == "hubspot":  # the ELT database path: typed connector schemas, nothing loaded by the warehouse
        _as_fivetran_destination(raw["fivetran"], db)
        _type_connector_columns(db, DESTINATION_SCHEMAS)
        return _built_from_the_database(db)
    results = load(raw["contract"] if name == "contract" else raw["fivetran"], db)
    if name != "contract":
        from revenue_warehouse.synthetic.fivetran import UNREAD

        assert {r.table for r in results if r.ignored} == {f"{c}.{t}" for c, tables in UNREAD.items() for t in tables}
    # column tests belong to the fixture builds (and the marts are compared whole); the singular tests
    # (every raw row accounted for, ...) and the adapters' unit tests run here
    no_adapters = ["--exclude-resource-type", "unit_test"] if name == "contract" else []  # no adapter to test
    code = run_dbt(["build", "--quiet", "--exclude", "test_type:generic", *no_adapters], db, ROUND_TRIP_BUILDS[name],
                   extra=["--target-path", str(db.parent / "target")])
    assert code == 0, f"dbt build failed on the {name} round-trip build"
    return db


def _built_from_the_database(db: Path) -> Path:
    """What docs/connectors.md tells a Fivetran user: `warehouse sources --database` finds the connector
    schemas and prints the vars; `warehouse build --vars` with that line builds, checks and publishes."""
    import subprocess
    import sys

    env = {**os.environ, "WAREHOUSE_PATH": str(db), "WAREHOUSE_PUBLISH_PATH": str(db.parent / "published.duckdb"),
           "DBT_TARGET_PATH": str(db.parent / "target"), "WAREHOUSE_TODAY": "2025-12-31"}
    found = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "sources", "--database"],
                           cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True).stdout
    vars_line = next(line for line in found.splitlines() if line.startswith("vars to set: warehouse build --vars"))
    vars_text = vars_line.split("--vars ", 1)[1].strip("'")
    import yaml

    assert yaml.safe_load(vars_text) == {**ROUND_TRIP_BUILDS["hubspot"], "stripe_schema": "stripe_live",
                                         "hubspot_schema": "hubspot_eu", "xero_schema": "xero_acme",
                                         "bamboohr_schema": "bamboo_hr"}, found
    assert "(crm_source: hubspot or salesforce: more than one is present, choose one)" in found, found
    build = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "build", "--vars",
                            vars_text.replace("crm_source: salesforce", "crm_source: hubspot")],
                           cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert build.returncode == 0, (build.stdout + build.stderr)[-3000:]
    assert (db.parent / "published.duckdb").exists()
    # finding 4: `check` and `status` after a connector build use its vars (freshness of the connector's
    # tables, not of the empty contract tables they replace) and say what the published file holds
    check = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "check"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True)
    assert "(those of the last build)" in check.stdout and "hubspot_schema: hubspot_eu" in check.stdout, check.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        freshness = con.execute("select details from audit.check_results where check_name = 'source_freshness' "
                                "order by checked_at").fetchall()
    assert len(freshness) == 2 and freshness[0] == freshness[1] == ("all sources fresh",), freshness
    status = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "status"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, check=True).stdout
    assert "build vars:       {" in status and "crm_source: hubspot" in status, status
    assert "; as-of 2025-12-31, vars {" in status, status
    return db


@pytest.fixture(scope="module")
def twin_build(round_trip_raw: dict[str, Path]) -> Path:
    return _round_trip_build(round_trip_raw, "contract")


@pytest.fixture(scope="module")
def round_trip(round_trip_raw: dict[str, Path], twin_build: Path) -> dict[str, Path]:
    """The contract twin and the fivetran layout built with Salesforce (files loaded by `warehouse load`, as
    text, plain `dbt build`) and with HubSpot (the ELT database path: typed tables in a Fivetran destination's
    schemas of other names, nothing loaded by the warehouse, `warehouse sources --database` then `warehouse
    build`). Every connector build also runs the adapters' unit tests."""
    return {"contract": twin_build, **{crm: _round_trip_build(round_trip_raw, crm) for crm in ("salesforce", "hubspot")}}


def _is_key(column: str) -> bool:
    return column in ("id", "type_id") or column.endswith("_id")


def _type_connector_columns(db: Path, schemas: dict[str, str] | None = None) -> None:
    """Give every connector table the types its source YAML declares (timestamps, booleans, integers,
    decimals), as a Fivetran destination writes them, instead of the loader's text: every column whose values
    all fit its type (a column holding one of the fixture's bad values stays text, as a destination would
    land a column that changed type). Keys stay text: HubSpot's are numbers, the synthetic company's are not."""
    from revenue_warehouse.config import connector_tables

    with duckdb.connect(str(db)) as con:
        for table in connector_tables().values():
            schema = (schemas or {}).get(table.schema, table.schema)
            present = {r[0] for r in con.execute(
                f"select column_name from information_schema.columns where table_schema = '{schema}' "
                f"and table_name = '{table.name}'").fetchall()}
            candidates = [(c, t) for c, t in zip(table.columns, table.types)
                          if c in present and t != "varchar" and not _is_key(c)]
            typed = [f'cast("{c}" as {t}) as "{c}"' for c, t in candidates if con.execute(
                f'select count(*) from "{schema}"."{table.name}" '
                f'where "{c}" is not null and try_cast("{c}" as {t}) is null').fetchone()[0] == 0]
            if typed:
                con.execute(f'create or replace table "{schema}"."{table.name}" as '
                            f'select * replace ({", ".join(typed)}) from "{schema}"."{table.name}"')


@pytest.mark.connectors
@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_round_trip_every_mart_equals_the_contract_build(round_trip: dict[str, Path], crm: str) -> None:
    """Stripe + Salesforce|HubSpot + Xero + BambooHR, built through the adapters: every mart, every row,
    every column equal to the contract-shaped build (money to the cent; by segment, the totals, since a connector
    has no account history). The Salesforce build reads the
    connector tables as loaded files (text), the HubSpot one typed as a Fivetran destination holds them."""

    with duckdb.connect(str(round_trip["contract"]), read_only=True) as contract, \
            duckdb.connect(str(round_trip[crm]), read_only=True) as connectors:
        marts = [r[0] for r in contract.execute(MARTS).fetchall()]
        assert marts == [r[0] for r in connectors.execute(MARTS).fetchall()] and len(marts) >= 10
        _assert_marts_equal(contract, connectors, marts)
        # nothing lost on the way: the same rows staged, quarantined (for the same reasons) and deleted;
        # only re-synced versions differ (a connector keeps one row per record)
        assert connectors.execute(COUNTS).fetchall() == contract.execute(COUNTS).fetchall()
        assert connectors.execute(REASONS).fetchall() == contract.execute(REASONS).fetchall()
        quarantined = connectors.execute("select count(*) from audit.quarantined_rows").fetchone()[0]
    assert quarantined > 50, "the messy fixture's bad rows reach staging through the adapters"


@pytest.mark.connectors
def test_round_trip_reads_the_connectors_not_the_contract(round_trip: dict[str, Path]) -> None:
    """The connector builds hold no contract billing, CRM or HR rows: every staged row came through an adapter."""
    with duckdb.connect(str(round_trip["salesforce"]), read_only=True) as con:
        contract_rows = {table: con.execute(f"select count(*) from {table}").fetchone()[0]
                         for table in ("raw_billing.invoice", "raw_crm.opportunity", "raw_hr.employee",
                                       "raw_finance.gl_entry")}
        adapters = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_name like 'base\\_%\\_\\_%' escape '\\'"
        ).fetchall()}
    assert set(contract_rows.values()) == {0}, contract_rows
    assert {"base_stripe__invoice_line_item", "base_salesforce__opportunity", "base_bamboohr__compensation",
            "base_xero__gl_entry"} <= adapters


def test_generate_fivetran_layout_writes_connector_folders(tmp_path: Path) -> None:
    from revenue_warehouse.synthetic.generate import generate
    from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH

    out = tmp_path / "raw"
    generate(out, scale=0.01, seed=5, fmt="parquet", bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    manifest = generate(out, scale=0.01, seed=5, fmt="parquet", bad_rows_rate=0, end_month=FIXTURE_END_MONTH,
                        layout="fivetran")
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["bamboohr", "hubspot", "raw_cs", "raw_finance", "raw_product", "salesforce", "stripe", "xero"]
    assert [p.name for p in (out / "raw_finance").iterdir()] == ["fx_rate.parquet"]
    assert manifest["layout"] == "fivetran" and manifest["connector_rows"]["stripe.invoice"] > 0
    generate(out, scale=0.01, seed=5, fmt="parquet", bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    assert not (out / "stripe").exists(), "a contract layout replaces an earlier fivetran one"


# --- Fivetran's own sample data: tiny and unlinked, so most rows are quarantined, each with its reason ---------

def _sample_build(root: Path, folders: dict[str, str], vars_: dict) -> Path:
    """Load the samples' whole exports: every table the adapters read is loaded, every other is listed as
    not used (and not loaded), none is refused."""
    from revenue_warehouse.config import connector_tables

    for target, sample in folders.items():
        shutil.copytree(SAMPLES / sample, root / "raw" / target, dirs_exist_ok=True)
    db = root / "warehouse.duckdb"
    results = load(root / "raw", db)
    read = set(connector_tables())
    for target, sample in folders.items():
        files = {f"{target}.{p.stem}" for p in (SAMPLES / sample).glob("*.csv")}
        assert {r.table for r in results if r.ignored and r.table.startswith(target + ".")} == files - read
        assert {r.table for r in results if r.path is not None and not r.ignored
                and r.table.startswith(target + ".")} == files & read
    return db


@pytest.mark.parametrize(("connector", "unused"), [("hubspot", 48), ("stripe", 16), ("salesforce", 9), ("xero", 11)])
def test_a_full_fivetran_export_loads_what_the_warehouse_reads_and_lists_the_rest(
        tmp_path: Path, connector: str, unused: int) -> None:
    """Finding 2 of issue 22: a connector folder holding the whole export (Fivetran's samples, every table)
    loads; the tables no adapter reads are listed in one line per connector, never refused."""
    import subprocess
    import sys

    shutil.copytree(SAMPLES / connector, tmp_path / "raw" / connector)
    result = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "load", "--from", str(tmp_path / "raw")],
                            cwd=PROJECT_ROOT, capture_output=True, text=True,
                            env={**os.environ, "WAREHOUSE_PATH": str(tmp_path / "w.duckdb")})
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "not used by the warehouse" in line]
    assert len(lines) == 1 and lines[0].strip().startswith(f"{connector}: {unused} table(s) not used"), result.stdout
    stood_for = [line for line in result.stdout.splitlines() if "stand for them" in line]
    assert len(stood_for) == 1 and f"the {connector} folder(s) stand for them" in stood_for[0], result.stdout
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        schemas = {r[0] for r in con.execute("select table_name from information_schema.tables "
                                             "where table_schema = ?", [connector]).fetchall()}
    assert "engagement" not in schemas and "balance_transaction" not in schemas and len(schemas) >= 4


def test_an_unknown_file_in_a_contract_folder_is_refused_with_the_closest_name(tmp_path: Path) -> None:
    from revenue_warehouse.config import WarehouseError

    (tmp_path / "raw" / "raw_billing").mkdir(parents=True)
    (tmp_path / "raw" / "raw_billing" / "invoices.csv").write_text("id\n")
    with pytest.raises(WarehouseError, match=r"invoices.csv: unknown table file \(did you mean invoice.csv"):
        load(tmp_path / "raw", tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()


def _dispositions(db: Path) -> tuple[dict, dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {r[0]: r[1:] for r in con.execute(
            "select source_table, rows_in, rows_staged, rows_quarantined, rows_superseded, rows_deleted "
            "from audit.raw_row_counts where rows_in > 0").fetchall()}
        reasons = {(r[0], r[1]): r[2] for r in con.execute(REASONS).fetchall()}
    return counts, reasons


def _build_staging(db: Path, vars_: dict, target: Path) -> None:
    """Staging and the audit tables, with the nothing-lost test and the adapters' unit tests (the column
    tests of staging are the fixture builds' business: on these unlinked samples they only warn)."""
    code = run_dbt(["build", "--quiet", "--select", "+raw_row_counts", "+quarantined_rows",
                    "--exclude", "test_type:generic", "--indirect-selection", "cautious"], db,
                   {**vars_, "as_of_date": "2021-01-31"}, extra=["--target-path", str(target)])
    assert code == 0


def _csv_rows(*parts: str) -> int:
    with open(SAMPLES.joinpath(*parts), newline="", encoding="utf-8") as handle:
        import csv

        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.mark.connectors
def test_fivetran_samples_stripe_salesforce_xero(tmp_path: Path) -> None:
    vars_ = {"billing_source": "stripe", "crm_source": "salesforce", "finance_source": "xero"}
    db = _sample_build(tmp_path, {"stripe": "stripe", "salesforce": "salesforce", "xero": "xero"}, vars_)
    _build_staging(db, vars_, tmp_path / "target")
    counts, reasons = _dispositions(db)
    for table, (rows_in, *dispositions) in counts.items():
        assert rows_in == sum(dispositions), table
    assert counts["raw_billing.customer"][0] == _csv_rows("stripe", "customer.csv")
    assert counts["raw_crm.account"][0] == _csv_rows("salesforce", "account.csv")
    assert counts["raw_finance.gl_entry"][:2] == (1121, 1121)
    assert counts["raw_crm.opportunity"][4] == 10, "the sample's opportunities are all in the recycle bin"
    assert reasons[("raw_crm.user", "deleted_in_source")] == 5
    assert reasons[("raw_billing.customer", "missing_currency_code")] == 11, "customers never charged"
    assert reasons[("raw_billing.refund", "missing_invoice_id")] == 4, "refunded charges not from invoices"
    prices = _csv_rows("stripe", "price.csv")
    assert counts["raw_billing.price"][:3] == (prices, prices - 1, 1), "a one-time price is a price (METRICS §10.1)"
    assert reasons[("raw_billing.price", "unknown_currency")] == 1, "the EUR price: the sample has no EUR rate"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select price_type, billing_interval from staging.stg_billing__prices "
                           "where price_id = 'price_1'").fetchall() == [("one_time", None)]


@pytest.mark.connectors
def test_fivetran_samples_stripe_hubspot_xero_at_non_default_tables_and_schema(tmp_path: Path) -> None:
    """HubSpot as the CRM; Stripe's legacy plan and subscription tables (stripe_price_table: plan,
    stripe_subscription_table: subscription) read from a schema named by stripe_schema."""
    vars_ = {"billing_source": "stripe", "crm_source": "hubspot", "finance_source": "xero",
             "stripe_price_table": "plan", "stripe_subscription_table": "subscription", "stripe_schema": "stripe_eu"}
    db = _sample_build(tmp_path, {"stripe": "stripe", "hubspot": "hubspot", "xero": "xero"}, vars_)
    with duckdb.connect(str(db)) as con:
        con.execute("create schema stripe_eu")
        for (table,) in con.execute("select table_name from information_schema.tables "
                                    "where table_schema = 'stripe'").fetchall():
            con.execute(f'create table stripe_eu."{table}" as select * from stripe."{table}"')
            con.execute(f'drop table stripe."{table}"')
    _build_staging(db, vars_, tmp_path / "target")
    counts, reasons = _dispositions(db)
    for table, (rows_in, *dispositions) in counts.items():
        assert rows_in == sum(dispositions), table
    assert counts["raw_billing.price"][0] == _csv_rows("stripe", "plan.csv")
    assert counts["raw_billing.subscription"][0] == _csv_rows("stripe", "subscription.csv")
    companies, owners = _csv_rows("hubspot", "company.csv"), _csv_rows("hubspot", "owner.csv")
    assert counts["raw_crm.account"][:2] == (companies, companies) and counts["raw_crm.user"][:2] == (owners, owners)
    assert counts["raw_crm.lead"][0] == _csv_rows("hubspot", "contact.csv")
    assert reasons[("raw_crm.opportunity", "unparseable__loaded_at")] == _csv_rows("hubspot", "deal.csv"), \
        "the sample's deals carry no _fivetran_synced"


@pytest.mark.connectors
def test_salesforce_history_mode_reads_current_versions_and_their_history(tmp_path: Path) -> None:
    vars_ = {"crm_source": "salesforce", "salesforce_history_mode": True}
    root = tmp_path
    shutil.copytree(SAMPLES / "salesforce", root / "raw" / "salesforce")
    shutil.copy(SAMPLES / "salesforce_history_mode" / "opportunity.csv", root / "raw" / "salesforce" / "opportunity.csv")
    db = root / "warehouse.duckdb"
    load(root / "raw", db)
    code = run_dbt(["build", "--quiet", "--select", "+base_crm__opportunity_history", "--exclude",
                    "test_type:generic", "--indirect-selection", "cautious"], db, vars_,
                   extra=["--target-path", str(tmp_path / "target")])
    assert code == 0
    with duckdb.connect(str(db), read_only=True) as con:
        active, versions, ids = con.execute(
            "select count(*) filter (where _fivetran_active = 'true'), count(*), count(distinct id) "
            "from salesforce.opportunity").fetchone()
        opportunities = con.execute("select count(*) from staging.base_crm__opportunity").fetchone()[0]
        history = con.execute("select count(*), count(distinct opportunity_id) "
                              "from staging.base_crm__opportunity_history").fetchone()
    assert opportunities == active < versions
    assert history == (versions, ids), "one history row per version, of every opportunity"


@pytest.mark.connectors
def test_warehouse_sources_offers_the_vars_of_every_connector_loaded(round_trip: dict[str, Path],
                                                                     tmp_path: Path) -> None:
    import subprocess
    import sys

    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(round_trip["salesforce"], copy)
    result = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "sources"], capture_output=True,
                            text=True, env={"WAREHOUSE_PATH": str(copy), "PATH": str(Path(sys.executable).parent)},
                            check=True)
    assert "var billing_source: stripe replaces raw_billing.*" in result.stdout
    assert ("vars to set: warehouse build --vars '{billing_source: stripe, crm_source: hubspot, "
            "finance_source: xero, hr_source: bamboohr}'") in result.stdout
    assert "(crm_source: hubspot or salesforce: more than one is loaded, choose one)" in result.stdout


PG_TYPES = {"VARCHAR": "text", "BOOLEAN": "boolean", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision",
            "TIMESTAMP": "timestamp", "DATE": "date"}


def _copy_destination_to_postgres(duck_path: Path, database: str) -> None:
    """A Fivetran PostgreSQL destination: the typed connector schemas (and the company's raw_finance / raw_cs)
    of a DuckDB destination file, created and filled with COPY, without `warehouse load`."""
    from revenue_warehouse.engines.postgres import connect

    pg = connect(database)
    try:
        with duckdb.connect(str(duck_path), read_only=True) as duck, pg.cursor() as cur:
            tables = duck.execute("select table_schema, table_name from information_schema.tables "
                                  "order by 1, 2").fetchall()
            for schema, table in tables:
                columns = duck.execute(f'describe "{schema}"."{table}"').fetchall()
                types = [PG_TYPES.get(t, "numeric" if t.startswith("DECIMAL") else "text") for _, t, *_ in columns]
                cur.execute(f'create schema if not exists "{schema}"')
                cur.execute(f'create table "{schema}"."{table}" ('
                            + ", ".join(f'"{c[0]}" {t}' for c, t in zip(columns, types)) + ")")
                csv = duck_path.parent / f"{schema}.{table}.csv"
                duck.execute(f"copy \"{schema}\".\"{table}\" to '{csv}' (header, delimiter ',')")
                with open(csv, encoding="utf-8") as handle:
                    cur.copy_expert(f'copy "{schema}"."{table}" from stdin with (format csv, header true)', handle)
        pg.commit()
    finally:
        pg.close()


@pytest.mark.postgres
def test_a_fivetran_postgresql_destination_builds_with_plain_dbt(round_trip_raw: dict[str, Path],
                                                                twin_build: Path) -> None:
    """Issue 22, finding 3: a PostgreSQL database a Fivetran destination fills (typed tables, schemas named as
    the company set its connectors up, nothing loaded by the warehouse). `warehouse sources --database
    --target postgres` finds the schemas and prints the vars; plain `dbt build` with them builds there the
    marts of the contract twin built on DuckDB, to the cent."""
    import subprocess
    import sys

    import yaml

    from revenue_warehouse.engines.postgres import Connection, pg_env, recreate_database

    destination = round_trip_raw["root"] / "pg-destination" / "destination.duckdb"
    destination.parent.mkdir()
    _as_fivetran_destination(round_trip_raw["fivetran"], destination)
    _type_connector_columns(destination, DESTINATION_SCHEMAS)
    database = "warehouse_test_destination"
    recreate_database(database)
    _copy_destination_to_postgres(destination, database)
    env = {**pg_env(database), "DBT_TARGET": "postgres"}
    found = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "sources", "--database", "--target",
                            "postgres"], cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True,
                           text=True, check=True).stdout
    vars_line = next(line for line in found.splitlines() if line.startswith("vars to set:"))
    vars_ = yaml.safe_load(vars_line.split("--vars ", 1)[1].strip("'"))
    assert vars_ == {**FIVETRAN_VARS, "crm_source": vars_["crm_source"], "stripe_schema": "stripe_live",
                     "hubspot_schema": "hubspot_eu", "xero_schema": "xero_acme", "bamboohr_schema": "bamboo_hr"}, found
    target = round_trip_raw["root"] / "pg-target"
    assert run_dbt(["build", "--quiet"], round_trip_raw["root"] / "unused.duckdb", vars_,
                   extra=["--target-path", str(target)], env=env) == 0
    pg = Connection(database)
    with duckdb.connect(str(twin_build), read_only=True) as duck:
        marts = [r[0] for r in duck.execute(MARTS).fetchall()]
        assert len(marts) >= 10
        _assert_marts_equal(duck, pg, marts)
    pg.close()


def _assert_marts_equal(contract, connectors, marts: list[str]) -> None:
    """Every mart of a connector build equals the contract build's, but fct_kpi_segment_monthly: a connector keeps
    one row per account, so no segment history (docs/connectors.md), and each customer is in its account's
    current segment all along; the segments still add up to the same company, KPI by KPI and month by month."""
    from revenue_warehouse.devtools.marts_compare import differences

    assert differences(contract, connectors, [m for m in marts if m != "fct_kpi_segment_monthly"]) == []
    totals = ("select month, kpi_name, sum(kpi_value) from marts.fct_kpi_segment_monthly where is_additive "
              "group by month, kpi_name order by month, kpi_name")
    ours, theirs = contract.execute(totals).fetchall(), connectors.execute(totals).fetchall()
    assert len(ours) == len(theirs) > 100
    for mine, other in zip(ours, theirs):
        assert mine[:2] == other[:2] and abs(float(mine[2] or 0) - float(other[2] or 0)) < 0.01, (mine, other)


@pytest.mark.parametrize(("vars_", "message"), [
    ({"xero_department_category": "x' || error('injected') || '"},
     "invalid var: xero_department_category: no tracking category named 'x' || error('injected') || '' in "),
    ({"xero_schema": "xero_prod"},
     "invalid var: xero_schema: schema 'xero_prod' holds none of xero's tables (account, journal, journal_line, "
     "journal_line_has_tracking_category, organization, tracking_category); schemas that do: xero"),
    ({"xero_schema": "xero; drop table raw_finance.fx_rate; --"}, "invalid var: xero_schema must be a plain name"),
    ({"xero_base_currency": "USD') or ('1"}, "invalid var: xero_base_currency must be an ISO 4217 code"),
], ids=["value with SQL", "typo'd schema", "schema with SQL", "currency with SQL"])
def test_connector_vars_are_checked_before_anything_runs(xero_build: Path, tmp_path: Path, vars_: dict,
                                                         message: str) -> None:
    """Finding 2: a connector var never runs as SQL. A value is a quoted literal and must name something
    real (a tracking category the organisation has); a schema or field var must be a plain name and the
    schema must hold the connector's tables. One line, before any model runs, the warehouse unchanged."""
    import json
    import subprocess
    import sys

    db = tmp_path / "warehouse.duckdb"
    shutil.copy(xero_build, db)
    with duckdb.connect(str(db), read_only=True) as con:
        before = con.execute("select count(*), sum(amount) from staging.stg_finance__gl_entries").fetchone()
    env = {**os.environ, "WAREHOUSE_PATH": str(db), "WAREHOUSE_PUBLISH_PATH": str(tmp_path / "p.duckdb"),
           "DBT_TARGET_PATH": str(tmp_path / "target")}
    result = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "build", "--vars",
                             json.dumps({"finance_source": "xero", "as_of_date": "2021-01-31", **vars_})],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and message in output, output[-2000:]
    assert output.count("invalid var:") == 1 and "Traceback" not in output
    assert "nodes" not in output, "a model ran before the vars were checked"
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), sum(amount) from staging.stg_finance__gl_entries").fetchone() == before
        assert con.execute("select count(*) from raw_finance.fx_rate").fetchone()[0] >= 0
    assert not (tmp_path / "p.duckdb").exists()


@pytest.mark.connectors
def test_a_destination_without_contract_tables_builds_them_empty(tmp_path: Path) -> None:
    """Finding 3: a Fivetran destination holding only a connector's schema (no raw_finance.fx_rate, no raw_cs,
    nothing loaded by the warehouse): plain `dbt build` creates the contract tables the run reads, empty, and
    says so; the tables the connector stands for are not created."""
    import subprocess
    import sys

    db = tmp_path / "warehouse.duckdb"
    from revenue_warehouse.config import connector_tables

    with duckdb.connect(str(db)) as con:
        con.execute("create schema xero_books")
        for table in (t for t in connector_tables().values() if t.schema == "xero"):
            have = {r[0] for r in con.execute(f"describe select * from {_csv(table.name)}").fetchall()}
            absent = "".join(f', cast(null as varchar) as "{c}"' for c in table.columns if c not in have)
            con.execute(f"create table xero_books.{table.name} as select *{absent} from {_csv(table.name)}")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "dbt"), "build", "--select", "+stg_cs__nps_responses",
         "+stg_finance__fx_rates", "+stg_finance__gl_entries", "--indirect-selection", "cautious", "--project-dir", str(PROJECT_ROOT), "--profiles-dir",
         str(PROJECT_ROOT), "--target-path", str(tmp_path / "target"), "--vars",
         "{finance_source: xero, xero_schema: xero_books, as_of_date: '2021-01-31'}"],
        env={**os.environ, "WAREHOUSE_PATH": str(db)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "raw table raw_cs.nps_response does not exist: created empty" in result.stdout
    with duckdb.connect(str(db), read_only=True) as con:
        raw = {r[0] for r in con.execute("select table_schema || '.' || table_name from information_schema.tables "
                                         "where table_schema like 'raw\\_%' escape '\\'").fetchall()}
        assert con.execute("select count(*) from staging.stg_cs__nps_responses").fetchone()[0] == 0
        assert con.execute("select count(*) from staging.stg_finance__gl_entries").fetchone()[0] > 500
    assert {"raw_cs.nps_response", "raw_cs.onboarding", "raw_finance.fx_rate", "raw_billing.invoice"} <= raw
    assert "raw_finance.gl_entry" not in raw, "the table Xero stands for is not created"
