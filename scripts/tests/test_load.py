"""The loader: clear errors naming file and column, all-or-nothing, idempotent, append as a delta."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_warehouse.config import WarehouseError, raw_contract
from revenue_warehouse.pipeline.load import load


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in raw_contract()}


@pytest.fixture()
def raw(small_raw: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "raw"
    shutil.copytree(small_raw, copy)
    return copy


def test_load_is_idempotent_and_lands_text(raw: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(raw, db)
    first = _counts(db)
    load(raw, db)
    assert _counts(db) == first
    assert first["raw_billing.invoice"] == pq.read_metadata(raw / "raw_billing/invoice.parquet").num_rows
    with duckdb.connect(str(db), read_only=True) as con:
        types = {r[1] for r in con.execute("describe raw_billing.invoice_line_item").fetchall()}
    assert types == {"VARCHAR"}, "values land as text; staging parses them"


def test_missing_required_column_names_file_and_column(raw: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(raw, db)
    before = _counts(db)
    path = raw / "raw_billing/invoice.parquet"
    pq.write_table(pq.read_table(path).drop(["invoice_date"]), path)
    with pytest.raises(WarehouseError, match=r"invoice\.parquet: missing required column\(s\) invoice_date"):
        load(raw, db)
    assert _counts(db) == before, "a refused load leaves the warehouse as it was"


def test_unknown_table_and_schema_are_refused(raw: Path, tmp_path: Path) -> None:
    (raw / "raw_billing/coupons.parquet").write_bytes(b"")
    with pytest.raises(WarehouseError, match=r"coupons\.parquet: unknown table file"):
        load(raw, tmp_path / "w.duckdb")
    (raw / "raw_billing/coupons.parquet").unlink()
    (raw / "raw_marketing").mkdir()
    with pytest.raises(WarehouseError, match=r"raw_marketing: unknown schema folder"):
        load(raw, tmp_path / "w.duckdb")


def test_unreadable_file_is_refused_and_nothing_changes(raw: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(raw, db)
    before = _counts(db)
    (raw / "raw_crm/lead.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(WarehouseError, match=r"lead\.parquet: cannot read the file"):
        load(raw, db)
    assert _counts(db) == before


def test_wrong_layout_and_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no such folder"):
        load(tmp_path / "nope", tmp_path / "w.duckdb")
    (tmp_path / "empty").mkdir()
    with pytest.raises(WarehouseError, match="no raw tables found"):
        load(tmp_path / "empty", tmp_path / "w.duckdb")


def test_csv_header_only_is_valid_and_bad_values_land(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "raw_billing").mkdir(parents=True)
    table = raw_contract()["raw_billing.refund"]
    (raw / "raw_billing/refund.csv").write_text(",".join(table.columns) + "\n")
    (raw / "raw_finance").mkdir()
    (raw / "raw_finance/gl_entry.csv").write_text(
        "id,posted_date,account_code,account_name,department,amount,currency_code,vendor,notes\n"
        "GL-1,not a date,6000,Advertising,Marketing,\"12,50 EUR\",EUR,Google,extra column\n"
    )
    db = tmp_path / "w.duckdb"
    results = {r.table: r.rows for r in load(raw, db)}
    assert results["raw_billing.refund"] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute("select posted_date, amount, notes, _loaded_at from raw_finance.gl_entry").fetchone()
        assert row[:3] == ("not a date", "12,50 EUR", "extra column")
        assert row[3] is not None, "a file without _loaded_at gets the load time"
        assert con.execute("select count(*) from raw_crm.account").fetchone()[0] == 0, "absent tables exist, empty"


def test_append_adds_a_delta_with_its_own_loaded_at(raw: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(raw, db)
    before = _counts(db)
    delta = tmp_path / "delta"
    (delta / "raw_billing").mkdir(parents=True)
    invoices = pq.read_table(raw / "raw_billing/invoice.parquet").slice(0, 3)
    late = pa.array(["2026-01-02 06:00:00"] * 3)
    invoices = invoices.set_column(invoices.schema.get_field_index("_loaded_at"), "_loaded_at", late)
    pq.write_table(invoices, delta / "raw_billing/invoice.parquet")
    load(delta, db, append=True)
    after = _counts(db)
    assert after["raw_billing.invoice"] == before["raw_billing.invoice"] + 3
    assert {k: v for k, v in after.items() if k != "raw_billing.invoice"} == {k: v for k, v in before.items() if k != "raw_billing.invoice"}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw_billing.invoice where _loaded_at = '2026-01-02 06:00:00'").fetchone()[0] == 3


def test_locked_warehouse_is_a_clear_error(raw: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(raw, db)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseError, match="in use by another process"):
            load(raw, db)
    finally:
        holder.kill()
        holder.wait()
