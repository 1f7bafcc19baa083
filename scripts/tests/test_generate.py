"""The generator: deterministic, contract-shaped, realistic enough, with documented bad input."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from revenue_warehouse.config import WarehouseError, raw_contract
from revenue_warehouse.synthetic.bad_rows import BAD_ROW_CLASSES
from revenue_warehouse.synthetic.generate import MANIFEST, generate
from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", scale=0.02, seed=5, end_month=FIXTURE_END_MONTH)
    generate(tmp_path / "b", scale=0.02, seed=5, end_month=FIXTURE_END_MONTH)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert [p.relative_to(tmp_path / "a") for p in a] == [p.relative_to(tmp_path / "b") for p in b]
    _, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", [str(p.relative_to(tmp_path / "a")) for p in a], shallow=False)
    assert mismatch == [] and errors == []


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", scale=0.02, seed=5, bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    generate(tmp_path / "b", scale=0.02, seed=6, bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    assert not filecmp.cmp(tmp_path / "a/raw_billing/invoice.parquet", tmp_path / "b/raw_billing/invoice.parquet", shallow=False)


def test_every_contract_table_with_exactly_its_columns(small_raw: Path) -> None:
    for table in raw_contract().values():
        path = small_raw / table.schema / f"{table.name}.parquet"
        assert path.exists(), path
        assert tuple(pq.read_schema(path).names) == table.columns, table.qualified


def test_manifest_counts_match_files(small_raw: Path) -> None:
    manifest = json.loads((small_raw / MANIFEST).read_text())
    for name, rows in manifest["rows"].items():
        schema, table = name.split(".")
        assert pq.read_metadata(small_raw / schema / f"{table}.parquet").num_rows == rows
    assert manifest["injected"] == []


def test_csv_format_and_bad_rows(tmp_path: Path) -> None:
    manifest = generate(tmp_path, scale=0.05, seed=9, fmt="csv", bad_rows_rate=0.02, end_month=FIXTURE_END_MONTH)
    classes = {(c.table, c.reason) for c in BAD_ROW_CLASSES}
    assert {(i["table"], i["reason"]) for i in manifest["injected"]} == classes, "every documented class is injected"
    lines = pacsv.read_csv(tmp_path / "raw_billing/invoice_line_item.csv", convert_options=pacsv.ConvertOptions(strings_can_be_null=False, column_types={"amount": "string"}))
    assert "12,50 EUR" in lines["amount"].to_pylist()
    customer = pacsv.read_csv(tmp_path / "raw_billing/customer.csv")
    assert "legacy_note" in customer.column_names, "an extra column the contract does not name"


def test_scale_one_shape(tmp_path: Path) -> None:
    """Scale 1 is the documented company: ~2,000 customers, ~30,000 leads, ~6,000 opportunities."""
    manifest = generate(tmp_path, scale=1, seed=42, bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    rows = manifest["rows"]
    assert 2000 <= rows["raw_billing.customer"] <= 2100
    assert 28000 <= rows["raw_crm.lead"] <= 32000
    assert 4000 <= rows["raw_crm.opportunity"] <= 8000
    currencies = set(pq.read_table(tmp_path / "raw_billing/customer.parquet")["currency_code"].to_pylist())
    assert {"USD", "EUR", "GBP"} <= currencies
    intervals = set(pq.read_table(tmp_path / "raw_billing/price.parquet")["billing_interval"].to_pylist())
    assert intervals == {"month", "year", None}, "recurring prices, and the onboarding package's one-time ones"
    lines = pq.read_table(tmp_path / "raw_billing/invoice_line_item.parquet").to_pydict()
    fees = [i for i, t in enumerate(lines["line_type"]) if t == "one_time"]
    assert len(fees) > 50 and all(lines["price_id"][i].endswith("-ONCE") for i in fees)
    assert all(lines["period_start"][i] == lines["period_end"][i] for i in fees), "an instant period, as Stripe's"
    assert any(lines["is_proration"]) and any(a < 0 for a in lines["amount"]), "upgrades bill proration credits"
    assert any(d > 0 for d in lines["discount_amount"])
    statuses = set(pq.read_table(tmp_path / "raw_hr/employment_status.parquet")["employment_type"].to_pylist())
    assert statuses == {"full_time", "part_time", "contractor", "intern"}


def test_history_ends_in_the_end_month_and_is_deterministic_for_it(tmp_path: Path) -> None:
    import datetime as dt

    generate(tmp_path / "a", scale=0.02, seed=5, bad_rows_rate=0, end_month="2026-12")
    generate(tmp_path / "b", scale=0.02, seed=5, bad_rows_rate=0, end_month="2026-12")
    assert [p.read_bytes() for p in _files(tmp_path / "a")] == [p.read_bytes() for p in _files(tmp_path / "b")]
    invoices = pq.read_table(tmp_path / "a/raw_billing/invoice.parquet").to_pydict()
    dates = [d for d in invoices["invoice_date"] if isinstance(d, dt.date)]
    loaded = [t for t in invoices["_loaded_at"] if t is not None]
    assert max(dates) <= dt.date(2026, 12, 31) and max(dates) >= dt.date(2026, 12, 1), "invoices reach the end month"
    assert min(dates) >= dt.date(2023, 1, 1), "48 months: 2023-01 .. 2026-12"
    assert max(loaded) == dt.datetime(2026, 12, 31, 23, 0), "the extract runs on the end month's last evening"
    fx = pq.read_table(tmp_path / "a/raw_finance/fx_rate.parquet").to_pydict()
    assert max(fx["rate_month"]) <= dt.date(2026, 12, 31)
    manifest = json.loads((tmp_path / "a" / MANIFEST).read_text())
    assert manifest["end_month"] == "2026-12"
    with pytest.raises(WarehouseError, match="--end-month must look like 2026-12"):
        generate(tmp_path / "c", scale=0.01, end_month="Dec 2026")


def test_history_ends_on_the_end_date_which_defaults_to_warehouse_today(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without an end, the history ends on today as WAREHOUSE_TODAY says (never the wall clock in a test):
    the same files as --end-date that day; a partial last month has fewer invoices than a whole one."""
    import datetime as dt

    monkeypatch.setenv("WAREHOUSE_TODAY", "2027-03-09")
    generate(tmp_path / "today", scale=0.05, seed=5, bad_rows_rate=0)
    generate(tmp_path / "explicit", scale=0.05, seed=5, bad_rows_rate=0, end_date="2027-03-09")
    assert [p.read_bytes() for p in _files(tmp_path / "today")] == [p.read_bytes() for p in _files(tmp_path / "explicit")]
    manifest = json.loads((tmp_path / "today" / MANIFEST).read_text())
    assert (manifest["end_date"], manifest["end_month"], manifest["window"][0]) == ("2027-03-09", "2027-03", "2023-04-01")
    invoices = pq.read_table(tmp_path / "today/raw_billing/invoice.parquet").to_pydict()
    assert dt.date(2027, 3, 1) <= max(invoices["invoice_date"]) <= dt.date(2027, 3, 9), "nothing billed after today"
    assert max(invoices["_loaded_at"]) == dt.datetime(2027, 3, 9, 23, 0), "the extract runs on the end date's evening"
    march = sum(d >= dt.date(2027, 3, 1) for d in invoices["invoice_date"])
    february = sum(dt.date(2027, 2, 1) <= d < dt.date(2027, 3, 1) for d in invoices["invoice_date"])
    assert 0 < march < february, "nine days of March bill less than all of February"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"end_date": "2027-02-30"}, "--end-date must be a date like 2026-12-06"),
    ({"end_date": "9/3/2027"}, "--end-date must be a date like 2026-12-06"),
    ({"end_date": "2027-03-09", "end_month": "2027-03"}, "give --end-month or --end-date, not both"),
])
def test_bad_end_dates_are_one_line(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(WarehouseError, match=message):
        generate(tmp_path, scale=0.01, **kwargs)


def test_a_bad_warehouse_today_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_TODAY", "tomorrow")
    with pytest.raises(WarehouseError, match="WAREHOUSE_TODAY must be a date like 2026-12-06, got 'tomorrow'"):
        generate(tmp_path, scale=0.01)


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"bad_rows_rate": 0.5}, {"fmt": "xlsx"}])
def test_bad_arguments_are_clear_errors(tmp_path: Path, kwargs: dict) -> None:
    with pytest.raises(WarehouseError):
        generate(tmp_path, **{"scale": 0.01, **kwargs})
