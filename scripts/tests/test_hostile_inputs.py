"""Broken, extreme and hostile input (issue 21; docs/reliability.md): each is refused at load with one line
naming the file and what to do, quarantined with a reason, or blocks publish; no SQL it carries ever runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_warehouse.config import WarehouseError, raw_contract
from revenue_warehouse.pipeline.formats import Formats
from revenue_warehouse.pipeline.check import CheckResult
from revenue_warehouse.pipeline.load import load

GL_HEADER = "id,posted_date,account_code,account_name,department,amount,currency_code,vendor"
GL_ROW = "GL-1,2025-01-15,6000,Advertising,Marketing,1200.50,USD,Müller GmbH"


def _folder(tmp_path: Path, name: str, schema: str, table: str, content: bytes) -> Path:
    raw = tmp_path / name
    (raw / schema).mkdir(parents=True)
    (raw / schema / table).write_bytes(content)
    return raw


def _tables(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
                for s, t in con.execute("select table_schema, table_name from information_schema.tables").fetchall()}


@pytest.fixture()
def loaded(small_raw: Path, tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    load(small_raw, db)
    return db


HOSTILE_HEADERS = [
    'y" varchar; copy raw_hr.employee to \'{out}\'; drop table raw_hr.compensation; commit; --',
    "x'); copy raw_hr.employee to '{out}'; --",
    'a";drop table raw_hr.compensation;--',
]


@pytest.mark.parametrize("append", [True, False], ids=["append", "full load"])
@pytest.mark.parametrize("header", HOSTILE_HEADERS)
def test_sql_in_a_csv_header_is_a_column_name_never_a_statement(loaded: Path, small_raw: Path, tmp_path: Path,
                                                              header: str, append: bool) -> None:
    """Finding 1: a header that closes the identifier and runs SQL lands as a column of that exact name;
    nothing is written to disk and no table is dropped."""
    out = tmp_path / "leak.csv"
    name = header.format(out=out)
    quoted = '"' + name.replace('"', '""') + '"'
    delta = _folder(tmp_path, "delta", "raw_finance", "gl_entry.csv",
                    f"{GL_HEADER},{quoted}\n{GL_ROW},1\n".encode())
    if not append:
        shutil.copytree(small_raw, delta, dirs_exist_ok=True, ignore=shutil.ignore_patterns("gl_entry.*"))
    before = _tables(loaded)
    load(delta, loaded, append=append)
    after = _tables(loaded)
    assert not out.exists(), "the header's COPY ran"
    assert after["raw_hr.compensation"] == before["raw_hr.compensation"] > 0, "the header's DROP ran"
    with duckdb.connect(str(loaded), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe raw_finance.gl_entry").fetchall()]
    assert name in columns


def test_sql_in_a_parquet_column_name_is_a_column_name(loaded: Path, tmp_path: Path) -> None:
    out = tmp_path / "leak.csv"
    name = HOSTILE_HEADERS[0].format(out=out)
    table = pa.table({c: ["x"] for c in GL_HEADER.split(",")} | {name: ["1"]})
    delta = tmp_path / "delta"
    (delta / "raw_finance").mkdir(parents=True)
    pq.write_table(table, delta / "raw_finance/gl_entry.parquet")
    load(delta, loaded, append=True)
    assert not out.exists() and _tables(loaded)["raw_hr.compensation"] > 0


@pytest.mark.parametrize("header", ["id,total,total", "id,Total,total", "id,total, total"])
def test_a_column_named_twice_is_refused(tmp_path: Path, header: str) -> None:
    """Finding 9: which of two `total` columns is right cannot be guessed: refuse, naming the column."""
    columns = [c for c in raw_contract()["raw_billing.invoice"].required_columns if c not in ("id", "total")]
    raw = _folder(tmp_path, "raw", "raw_billing", "invoice.csv",
                  f"{header},{','.join(columns)}\n1,10,20{',x' * len(columns)}\n".encode())
    with pytest.raises(WarehouseError, match=r"invoice\.csv: column 'total' appears 2 times in the header "
                                             r"\(columns 2, 3\); keep one"):
        load(raw, tmp_path / "w.duckdb")
    assert not (tmp_path / "w.duckdb").exists()


def test_a_parquet_column_named_twice_is_refused(tmp_path: Path) -> None:
    names = GL_HEADER.split(",") + ["amount"]
    table = pa.Table.from_arrays([pa.array(["1"])] * len(names), names=names)
    (tmp_path / "raw/raw_finance").mkdir(parents=True)
    pq.write_table(table, tmp_path / "raw/raw_finance/gl_entry.parquet")
    with pytest.raises(WarehouseError, match=r"gl_entry\.parquet: column 'amount' appears 2 times"):
        load(tmp_path / "raw", tmp_path / "w.duckdb")


@pytest.mark.parametrize(("encoding", "message"), [
    ("utf-16", r"gl_entry\.csv: the file is UTF-16 \(Excel's 'Unicode Text'\); save it as 'CSV UTF-8' or load it "
               r"with --encoding utf-16"),
    ("latin-1", r"gl_entry\.csv: not UTF-8 \(byte 0xfc on line 2, e\.g\. Latin-1 or Windows-1252 from Excel\); "
                r"save it as 'CSV UTF-8' or load it with --encoding latin-1"),
])
def test_a_csv_in_another_encoding_is_named_and_read_with_the_flag(tmp_path: Path, encoding: str, message: str) -> None:
    """Finding 13: UTF-16 and Latin-1 exports are refused naming the encoding and the flag, then read right."""
    raw = _folder(tmp_path, "raw", "raw_finance", "gl_entry.csv", f"{GL_HEADER}\n{GL_ROW}\n".encode(encoding))
    with pytest.raises(WarehouseError, match=message):
        load(raw, tmp_path / "w.duckdb")
    load(raw, tmp_path / "w.duckdb", formats=Formats(encoding=encoding))
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select vendor, amount from raw_finance.gl_entry").fetchall() == [("Müller GmbH", "1200.50")]


def test_a_utf8_file_read_as_utf16_is_refused(tmp_path: Path) -> None:
    raw = _folder(tmp_path, "raw", "raw_finance", "gl_entry.csv", f"{GL_HEADER}\n{GL_ROW}\n".encode())
    with pytest.raises(WarehouseError, match="not UTF-16"):
        load(raw, tmp_path / "w.duckdb", formats=Formats(encoding="utf-16"))


def test_one_crlf_line_among_lf_lines_is_read(tmp_path: Path) -> None:
    """Finding 13: a file stitched together on two systems (one CRLF line) loads, values without the CR."""
    rows = [GL_ROW.replace("GL-1", f"GL-{i}") for i in range(1, 5)]
    content = (GL_HEADER + "\n" + rows[0] + "\r\n" + "\n".join(rows[1:]) + "\n").encode()
    raw = _folder(tmp_path, "raw", "raw_finance", "gl_entry.csv", content)
    load(raw, tmp_path / "w.duckdb")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select id, vendor from raw_finance.gl_entry order by id").fetchall() == \
            [(f"GL-{i}", "Müller GmbH") for i in range(1, 5)]


@pytest.mark.parametrize(("column", "values", "kind"), [
    ("invoice_date", pa.array([20220101], pa.int64()), "date"),
    ("total", pa.array([True]), "number"),
    ("_loaded_at", pa.array([1735689600], pa.int64()), "timestamp"),
])
def test_a_typed_parquet_column_of_the_wrong_type_is_refused(tmp_path: Path, column: str, values: pa.Array,
                                                            kind: str) -> None:
    """Finding 7: a typed column is checked like text: an integer 20220101 is not a date (it used to load, then
    quarantine every invoice and crash the checks)."""
    names = list(raw_contract()["raw_billing.invoice"].columns)
    table = pa.table({c: (values if c == column else pa.array(["x"])) for c in names})
    (tmp_path / "raw/raw_billing").mkdir(parents=True)
    pq.write_table(table, tmp_path / "raw/raw_billing/invoice.parquet")
    with pytest.raises(WarehouseError, match=rf"invoice\.parquet: column {column} is [A-Z]+ in the file but a "
                                             rf"{kind} in the contract; export it as a {kind}"):
        load(tmp_path / "raw", tmp_path / "w.duckdb")


def _as_text(raw: Path, schema: str, table: str) -> list[dict]:
    """A raw table's rows as text (the file is rewritten as CSV by _write_text)."""
    data = pq.read_table(raw / schema / f"{table}.parquet")
    return [{k: (None if v is None else str(v)) for k, v in row.items()} for row in data.to_pylist()]


def _write_text(raw: Path, schema: str, table: str, rows: list[dict]) -> None:
    import pyarrow.csv as pacsv

    (raw / schema / f"{table}.parquet").unlink()
    columns = list(rows[0])
    pacsv.write_csv(pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns}),
                    raw / schema / f"{table}.csv")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small clean company with one of each extreme row the input guards catch, loaded and built."""
    from revenue_warehouse.pipeline.build import run_dbt
    from revenue_warehouse.synthetic.generate import generate
    from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH

    root = tmp_path_factory.mktemp("guarded")
    raw = root / "raw"
    generate(raw, scale=0.02, seed=3, bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    invoices = _as_text(raw, "raw_billing", "invoice")
    paid = [r for r in invoices if r["status"] == "paid"]
    invoices += [
        {**paid[0], "id": "INV-ANCIENT", "invoice_date": "0001-01-01"},
        {**paid[1], "id": "INV-FAR-FUTURE", "invoice_date": "2999-01-01"},
        {**paid[2], "id": "INV-HUGE", "total": "1e15"},
        {**paid[3], "id": "INV-BEYOND-TYPE", "total": "1e20"},
        {**paid[4], "total": str(float(paid[4]["total"]) + 100)},  # same id and load, another total
        dict(paid[5]),  # an exact copy: collapses
    ]
    _write_text(raw, "raw_billing", "invoice", invoices)
    lines = _as_text(raw, "raw_billing", "invoice_line_item")
    subscription = [r for r in lines if r["line_type"] == "subscription" and float(r["amount"]) > 0
                    and r["invoice_id"] not in {p["id"] for p in paid[:6]}]
    lines += [
        {**subscription[0], "id": "IL-NEGATIVE", "amount": "-50.00", "discount_amount": "0", "is_proration": "false"},
        {**subscription[1], "id": "IL-FOREVER", "period_end": "9999-12-31"},
    ]
    _write_text(raw, "raw_billing", "invoice_line_item", lines)
    gl = _as_text(raw, "raw_finance", "gl_entry")
    _write_text(raw, "raw_finance", "gl_entry", gl + [{**gl[0], "id": "GL-HUGE", "amount": "1e15"}])
    statuses = _as_text(raw, "raw_hr", "employment_status")
    _write_text(raw, "raw_hr", "employment_status",
                statuses + [{**statuses[0], "id": "ES-1985", "effective_date": "1985-03-01"}])
    db = root / "warehouse.duckdb"
    load(raw, db)
    assert run_dbt(["build", "--quiet"], db) == 0, "the build failed"
    return db


def _reasons(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select record_id, reason from audit.quarantined_rows "
                                "where record_id in ('INV-ANCIENT', 'INV-FAR-FUTURE', 'INV-HUGE', 'INV-BEYOND-TYPE', "
                                "'IL-NEGATIVE', 'IL-FOREVER', 'GL-HUGE', 'ES-1985')").fetchall())


def test_implausible_dates_are_quarantined_and_the_window_stays_the_datas(guarded: Path) -> None:
    """Finding 3: 0001-01-01, 2999-01-01, a service period to 9999-12-31 and a 1985 status change are
    quarantined implausible_date; the reporting window stays the company's 48 months."""
    reasons = _reasons(guarded)
    assert {k: reasons.get(k) for k in ("INV-ANCIENT", "INV-FAR-FUTURE", "IL-FOREVER", "ES-1985")} == \
        dict.fromkeys(("INV-ANCIENT", "INV-FAR-FUTURE", "IL-FOREVER", "ES-1985"), "implausible_date")
    with duckdb.connect(str(guarded), read_only=True) as con:
        first, last, months = con.execute("select min(month), max(month), count(*) from marts.fct_revenue_monthly").fetchone()
    assert months <= 48 and first.year >= 2022 and last.year == 2025


def test_amounts_beyond_range_are_quarantined_not_a_failed_build(guarded: Path) -> None:
    """Finding 4: 1e15 (beyond what the marts can sum) and 1e20 (beyond decimal(18,2)) are out_of_range; the
    build passes (the fixture asserts it) and every other row is accounted for."""
    reasons = _reasons(guarded)
    assert {k: reasons.get(k) for k in ("INV-HUGE", "INV-BEYOND-TYPE", "GL-HUGE")} == \
        dict.fromkeys(("INV-HUGE", "INV-BEYOND-TYPE", "GL-HUGE"), "out_of_range")


def test_a_negative_subscription_line_that_is_no_proration_credit_is_quarantined(guarded: Path) -> None:
    """Finding 5: it would clamp MRR to 0 and read as a churn and a reactivation."""
    assert _reasons(guarded).get("IL-NEGATIVE") == "negative_line_without_credit_target"


def test_conflicting_duplicates_are_all_quarantined_exact_ones_collapse(guarded: Path) -> None:
    """Finding 8: two rows with one id and one _loaded_at but different totals: no winner by row order, both
    quarantined conflicting_duplicate; an exact copy is superseded by its twin (one staged)."""
    with duckdb.connect(str(guarded), read_only=True) as con:
        conflicting = con.execute("select record_id, count(*) from audit.quarantined_rows "
                                  "where reason = 'conflicting_duplicate' group by record_id").fetchall()
        dispositions = con.execute("""
            select invoice_id, list(_disposition order by _disposition)
            from staging.base_billing__invoice
            where invoice_id in (select record_id from audit.quarantined_rows where reason = 'conflicting_duplicate')
               or invoice_id in (select invoice_id from staging.base_billing__invoice group by invoice_id, _raw_row
                                 having count(*) = 2)
            group by invoice_id
        """).fetchall()
    assert len(conflicting) == 1 and conflicting[0][1] == 2, conflicting
    assert sorted(d for _, d in dispositions) == [["quarantined", "quarantined"], ["staged", "superseded"]]
    from revenue_warehouse.pipeline.check import conflicting_duplicates

    with duckdb.connect(str(guarded), read_only=True) as con:
        [result] = conflicting_duplicates(con)
    assert result.status == "warn" and f"raw_billing.invoice: 1 record(s) ({conflicting[0][0]})" in result.details


def test_a_failed_hr_export_publishes_its_pay_kpis_as_no_data(small_raw: Path, tmp_path: Path) -> None:
    """Finding 6a: a 0-byte compensation.csv (payroll 0) once published a +70 % TTM operating margin marked ok.
    Every KPI that needs pay is null and no_data (the catalogue's inputs), in the build and the published
    file; revenue, which needs no pay, stays ok."""
    from revenue_warehouse.pipeline import build as build_module

    raw, db, published = tmp_path / "raw", tmp_path / "w.duckdb", tmp_path / "published.duckdb"
    shutil.copytree(small_raw, raw)
    (raw / "raw_hr/compensation.parquet").unlink()
    (raw / "raw_hr/compensation.csv").write_bytes(b"")
    load(raw, db)
    build_module.build(db, target=published)
    with duckdb.connect(str(published), read_only=True) as con:
        statuses = dict(con.execute("""
            select kpi_name, string_agg(distinct value_status, ',' order by value_status) from marts.fct_kpi_monthly
            where kpi_name in ('operating_margin_ttm', 'rule_of_40', 'cac_usd', 'gross_margin', 'operating_margin',
                               'cost_per_revenue_dollar', 'revenue_usd')
            group by kpi_name""").fetchall())
        values = con.execute("select count(*) from marts.fct_kpi_monthly where kpi_name in ('operating_margin_ttm', "
                             "'operating_margin', 'rule_of_40') and kpi_value is not null").fetchone()[0]
    for kpi in ("operating_margin_ttm", "rule_of_40", "cac_usd", "gross_margin", "operating_margin",
                "cost_per_revenue_dollar"):
        assert "ok" not in statuses[kpi].split(","), (kpi, statuses[kpi])
    assert values == 0 and "ok" in statuses["revenue_usd"].split(","), "revenue needs no pay"


def _volume(tmp_path: Path, before: dict[str, int], now: dict[str, int], rate: float) -> CheckResult:
    from revenue_warehouse.pipeline.check import volume_guard

    with duckdb.connect(str(tmp_path / "counts.duckdb")) as con:
        con.execute("create schema audit")
        con.execute("create table audit.raw_row_counts (source_table varchar, rows_in bigint, "
                    "volume_drop_error_rate double)")
        con.executemany("insert into audit.raw_row_counts values (?, ?, ?)", [(t, n, rate) for t, n in now.items()])
        con.execute("create table audit.published_raw_counts (run_id varchar, source_table varchar, rows_in bigint)")
        con.executemany("insert into audit.published_raw_counts values ('r1', ?, ?)", list(before.items()))
        [result] = volume_guard(con)
    return result


@pytest.mark.parametrize(("now", "rate", "fails"), [
    ({"raw_hr.compensation": 0, "raw_billing.invoice": 900}, 0.5, True),  # emptied
    ({"raw_hr.compensation": 190, "raw_billing.invoice": 900}, 0.5, True),  # lost 62 %
    ({"raw_hr.compensation": 300, "raw_billing.invoice": 900}, 0.5, False),  # lost 40 %
    ({"raw_hr.compensation": 300, "raw_billing.invoice": 900}, 0.3, True),  # the var, stricter
    ({"raw_hr.compensation": 0, "raw_billing.invoice": 900}, 1.0, False),  # the var accepts a real drop
])
def test_the_volume_guard_blocks_a_table_that_emptied_or_lost_too_much(tmp_path: Path, now: dict[str, int],
                                                                      rate: float, fails: bool) -> None:
    """Finding 6b: a raw table that fed the last published build and is empty now, or lost more than
    volume_drop_error_rate of its rows, fails the (error) check, naming it, the counts and the var."""
    result = _volume(tmp_path, {"raw_hr.compensation": 500, "raw_billing.invoice": 1000, "raw_billing.refund": 0},
                     now, rate)
    assert result.severity == "error" and (result.status == "fail") is fails, result.details
    if fails:
        assert f"raw_hr.compensation: 500 rows at the last publish, {now['raw_hr.compensation']} now" in \
            result.details and "--vars '{volume_drop_error_rate: 1}'" in result.details
        assert "raw_billing.invoice" not in result.details


def test_a_published_build_remembers_its_raw_counts_for_the_next_volume_guard(clean_warehouse: tuple[Path, Path],
                                                                              tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The counts the guard compares with are the ones of the build that was published (after the swap)."""
    from revenue_warehouse.pipeline import build as build_module

    db = tmp_path / clean_warehouse[1].name
    shutil.copy(clean_warehouse[1], db)
    monkeypatch.setattr(build_module, "run_dbt_quietly", lambda *args, **kwargs: 0)
    monkeypatch.setattr(build_module, "run_dbt", lambda *args, **kwargs: 0)
    monkeypatch.setattr(build_module, "marts_not_rebuilt", lambda: [])  # the copy is already built
    results = build_module.build(db, target=tmp_path / "published.duckdb")
    assert [r.details for r in results if r.check_name == "volume_guard"] == ["no earlier publish to compare with"]
    with duckdb.connect(str(db), read_only=True) as con:
        remembered = con.execute("select source_table, rows_in from audit.published_raw_counts order by 1").fetchall()
        counted = con.execute("select source_table, rows_in from audit.raw_row_counts order by 1").fetchall()
    assert remembered == counted and len(counted) == len(raw_contract())


def test_every_check_survives_empty_marts(small_raw: Path, tmp_path: Path) -> None:
    """Finding 7: when every invoice is quarantined (dates no flag reads), dbt passes with empty marts and
    every check runs to a clear result (the privacy check used to die on int(None)); the quarantine check
    blocks publishing, naming the table and the reason."""
    from revenue_warehouse.pipeline import build as build_module

    raw = tmp_path / "raw"
    shutil.copytree(small_raw, raw)
    invoices = _as_text(raw, "raw_billing", "invoice")
    _write_text(raw, "raw_billing", "invoice", [{**row, "invoice_date": "not a date"} for row in invoices])
    db = tmp_path / "w.duckdb"
    load(raw, db)
    with pytest.raises(WarehouseError, match=r"error-severity check\(s\) failed; published marts unchanged"):
        build_module.build(db, target=tmp_path / "p.duckdb")
    with duckdb.connect(str(db), read_only=True) as con:
        results = dict(con.execute("select check_name, status from audit.check_results").fetchall())
        revenue = con.execute("select count(*) from marts.fct_revenue_monthly").fetchone()[0]
    assert revenue == 0 and results["quarantine_rate:raw_billing.invoice"] == "fail"
    assert results["privacy_differencing"] == "pass" and "headcount_adds_up" in results and len(results) > 20
    assert not (tmp_path / "p.duckdb").exists()


def test_checks_run_under_a_memory_limit(guarded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 3: every Python check runs under DuckDB's memory_limit (half the machine, at most 8 GB)."""
    import revenue_warehouse.pipeline.check as check_module

    limit = check_module.check_memory_limit()
    assert limit.endswith("GB") and 1 <= int(limit[:-2]) <= 8
    seen = []
    real_run_checks = check_module.run_checks
    monkeypatch.setattr(check_module, "run_checks", lambda con, run_id: seen.append(
        con.execute("select current_setting('memory_limit')").fetchone()[0]) or real_run_checks(con, run_id))
    (guarded.parent / "copy").mkdir(exist_ok=True)
    copy = guarded.parent / "copy" / guarded.name  # the same file name: dbt-duckdb's views name their catalog
    shutil.copy(guarded, copy)
    assert check_module.check_path(copy, "memory-test")
    value, unit = seen[0].split()  # DuckDB reports it in binary units, e.g. '7.4 GiB' for 8GB
    assert unit == "GiB" and abs(float(value) * 2**30 - int(limit[:-2]) * 1e9) < 0.1 * 2**30, seen[0]
