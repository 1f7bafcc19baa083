"""Export formats at load (``pipeline.formats``): each format read right with its flag, refused without it
(one line naming file, column, a sample and the flag; the warehouse unchanged), and a whole export
rewritten in US and in European formats loads to exactly the raw tables of the ISO export."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from revenue_warehouse.config import WarehouseError, raw_contract
from revenue_warehouse.pipeline.formats import Formats
from revenue_warehouse.pipeline.load import load
from revenue_warehouse.synthetic.generate import generate
from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH

GL_HEADER = "id,posted_date,account_code,account_name,department,amount,currency_code,vendor"


def _gl(tmp_path: Path, rows: list[str], name: str = "raw") -> Path:
    raw = tmp_path / name
    (raw / "raw_finance").mkdir(parents=True)
    (raw / "raw_finance/gl_entry.csv").write_text(GL_HEADER + "\n" + "\n".join(rows) + "\n")
    return raw


def _leads(tmp_path: Path, rows: list[dict[str, str]]) -> Path:
    """raw_crm/lead.csv with the contract's columns: the given timestamps, the rest filled in."""
    raw = tmp_path / "raw"
    (raw / "raw_crm").mkdir(parents=True)
    columns = [c for c in raw_contract()["raw_crm.lead"].required_columns]
    with open(raw / "raw_crm/lead.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns, restval="")
        writer.writeheader()
        for number, row in enumerate(rows, 1):
            writer.writerow({"id": f"L{number}", **row})
    return raw


def _column(db: Path, sql: str) -> list:
    with duckdb.connect(str(db), read_only=True) as con:
        return [r[0] for r in con.execute(sql).fetchall()]


def test_us_dates_refused_without_flag_and_read_with_mdy(tmp_path: Path) -> None:
    raw = _gl(tmp_path, ["G1,01/13/2022,6000,Ads,Marketing,10.00,USD,X", "G2,2/3/2022,6000,Ads,Marketing,5.00,USD,X"])
    db = tmp_path / "w.duckdb"
    with pytest.raises(WarehouseError) as err:
        load(raw, db)
    message = str(err.value)
    assert "gl_entry.csv: column posted_date has dates like '01/13/2022'" in message
    assert "--date-order mdy" in message, "the second part above 12 says month first"
    assert not db.exists() or _column(db, "select count(*) from information_schema.tables "
                                          "where table_schema = 'raw_finance'") == [0]
    load(raw, db, formats=Formats(date_order="mdy"))
    assert _column(db, "select posted_date from raw_finance.gl_entry order by id") == ["2022-01-13", "2022-02-03"]


def test_day_first_dates_read_with_dmy_and_the_wrong_order_is_named(tmp_path: Path) -> None:
    raw = _gl(tmp_path, ["G1,13/01/2022,6000,Ads,Marketing,10.00,USD,X", "G2,03.02.2022,6000,Ads,Marketing,5.00,USD,X"])
    db = tmp_path / "w.duckdb"
    with pytest.raises(WarehouseError, match=r"posted_date has dates like .*--date-order dmy"):
        load(raw, db)
    with pytest.raises(WarehouseError, match=r"first part is above 12: day first, so --date-order dmy, not mdy"):
        load(raw, db, formats=Formats(date_order="mdy"))
    load(raw, db, formats=Formats(date_order="dmy"))
    assert _column(db, "select posted_date from raw_finance.gl_entry order by id") == ["2022-01-13", "2022-02-03"]


def test_year_first_dates_with_slashes_are_read_without_a_flag(tmp_path: Path) -> None:
    raw = _gl(tmp_path, ["G1,2022/01/13,6000,Ads,Marketing,10.00,USD,X", "G2,2022.2.3 9:05,6000,Ads,Marketing,5.00,USD,X"])
    db = tmp_path / "w.duckdb"
    load(raw, db)
    assert _column(db, "select posted_date from raw_finance.gl_entry order by id") == ["2022-01-13", "2022-02-03 09:05"]


def test_us_timestamps_with_am_pm_and_iso_mixed_in(tmp_path: Path) -> None:
    raw = _leads(tmp_path, [
        {"created_at": "1/13/2022 2:05 PM", "mql_at": "01/13/2022 12:30:15 AM", "sql_at": "2022-01-20 09:00:00"},
        {"created_at": "12/31/2021 23:59"},
    ])
    db = tmp_path / "w.duckdb"
    load(raw, db, formats=Formats(date_order="mdy"))
    rows = duckdb.connect(str(db), read_only=True).execute(
        "select created_at, mql_at, sql_at from raw_crm.lead order by id").fetchall()
    assert rows == [("2022-01-13 14:05:00", "2022-01-13 00:30:15", "2022-01-20 09:00:00"),
                    ("2021-12-31 23:59:00", None, None)]


def test_time_zone_offsets_become_utc(tmp_path: Path) -> None:
    raw = _leads(tmp_path, [
        {"created_at": "2021-12-02T11:42:18-08:00", "mql_at": "2021-12-02T11:42:18Z", "sql_at": "2021-12-02 23:30:00+05:30"},
        {"created_at": "2021-12-31T20:00:00.250-0500", "mql_at": "2021-12-02 11:42:18", "sql_at": "2021-12-02T25:99:00+01:00"},
    ])
    db = tmp_path / "w.duckdb"
    load(raw, db)
    rows = duckdb.connect(str(db), read_only=True).execute(
        "select created_at, mql_at, sql_at from raw_crm.lead order by id").fetchall()
    assert rows[0] == ("2021-12-02 19:42:18", "2021-12-02 11:42:18", "2021-12-02 18:00:00")
    assert rows[1] == ("2022-01-01 01:00:00.25", "2021-12-02 11:42:18", "2021-12-02T25:99:00+01:00"), \
        "the offset crosses the year; an impossible time is left as it is, for staging to quarantine"


def test_zoned_parquet_timestamps_become_utc(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    (raw / "raw_finance").mkdir(parents=True)
    zoned = pa.array([dt.datetime(2022, 1, 13, 2, 0, tzinfo=dt.timezone.utc)], type=pa.timestamp("s", tz="America/Los_Angeles"))
    table = pa.table({"id": ["G1"], "posted_date": ["2022-01-13"], "account_code": ["6000"], "account_name": ["Ads"],
                      "department": ["Marketing"], "amount": [10.0], "currency_code": ["USD"], "vendor": ["X"],
                      "_loaded_at": zoned})
    pq.write_table(table, raw / "raw_finance/gl_entry.parquet")
    db = tmp_path / "w.duckdb"
    load(raw, db)
    assert _column(db, "select _loaded_at from raw_finance.gl_entry") == ["2022-01-13 02:00:00"]


def test_thousands_separators_need_us_and_decimal_commas_need_eu(tmp_path: Path) -> None:
    us = _gl(tmp_path, ['G1,2022-01-13,6000,Ads,Marketing,"1,234.50",USD,X', "G2,2022-01-13,6000,Ads,Marketing,-12.5,USD,X",
                        'G3,2022-01-13,6000,Ads,Marketing,"1,234,567",USD,X'], "us")
    db = tmp_path / "w.duckdb"
    with pytest.raises(WarehouseError, match=r"column amount has numbers like '1,234[.,0-9]*' with separators; "
                                              r"read them with --number-format us"):
        load(us, db)
    with pytest.raises(WarehouseError, match=r"a decimal point, so --number-format us"):
        load(us, db, formats=Formats(number_format="eu"))
    load(us, db, formats=Formats(number_format="us"))
    assert _column(db, "select amount from raw_finance.gl_entry order by id") == ["1234.50", "-12.5", "1234567"]

    eu = _gl(tmp_path, ['G1,2022-01-13,6000,Ads,Marketing,"1.234,50",USD,X', 'G2,2022-01-13,6000,Ads,Marketing,"-12,5",USD,X',
                        "G3,2022-01-13,6000,Ads,Marketing,1.234.567,USD,X", "G4,2022-01-13,6000,Ads,Marketing,7,USD,X"], "eu")
    with pytest.raises(WarehouseError, match=r"numbers like '-12,5' with separators; read them with --number-format eu"):
        load(eu, db)
    with pytest.raises(WarehouseError, match=r"a decimal comma, so --number-format eu"):
        load(eu, db, formats=Formats(number_format="us"))
    load(eu, db, formats=Formats(number_format="eu"))
    assert _column(db, "select amount from raw_finance.gl_entry order by id") == ["1234.50", "-12.5", "1234567", "7"]


def test_ambiguous_comma_names_both_flags_and_two_digit_years_are_refused(tmp_path: Path) -> None:
    raw = _gl(tmp_path, ['G1,1/13/22,6000,Ads,Marketing,"1,234",USD,X'])
    with pytest.raises(WarehouseError) as err:
        load(raw, tmp_path / "w.duckdb", formats=Formats(date_order="mdy"))
    message = str(err.value)
    assert "dates with two-digit years like '1/13/22'" in message
    assert "--number-format us (1,234.50) or eu (1.234,50)" in message, "every problem of the folder is listed"


def test_values_in_no_format_land_as_they_are(tmp_path: Path) -> None:
    raw = _gl(tmp_path, ['G1,not a date,6000,Ads,Marketing,"12,50 EUR",USD,X', "G2,2024-02-31,6000,Ads,Marketing,n/a,USD,X"])
    db = tmp_path / "w.duckdb"
    load(raw, db)
    rows = duckdb.connect(str(db), read_only=True).execute(
        "select posted_date, amount from raw_finance.gl_entry order by id").fetchall()
    assert rows == [("not a date", "12,50 EUR"), ("2024-02-31", "n/a")], "staging quarantines them with a reason"


def test_a_full_load_is_a_snapshot_and_an_empty_file_is_an_empty_table(tmp_path: Path) -> None:
    full = tmp_path / "full"
    generate(full, scale=0.02, seed=3, bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    db = tmp_path / "w.duckdb"
    load(full, db)
    assert _column(db, "select count(*) from raw_cs.onboarding")[0] > 0
    partial = tmp_path / "partial"
    shutil.copytree(full, partial)
    shutil.rmtree(partial / "raw_cs")
    (partial / "raw_billing/refund.parquet").unlink()
    (partial / "raw_billing/refund.csv").write_bytes(b"")
    results = {r.table: r for r in load(partial, db)}
    assert results["raw_cs.onboarding"].path is None and results["raw_cs.nps_response"].path is None
    assert results["raw_billing.refund"].empty_file and results["raw_billing.refund"].rows == 0
    for table in ("raw_cs.onboarding", "raw_cs.nps_response", "raw_billing.refund"):
        assert _column(db, f"select count(*) from {table}") == [0], f"{table} ends empty: the load is a snapshot"
    with duckdb.connect(str(db), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe raw_billing.refund").fetchall()]
    assert columns == list(raw_contract()["raw_billing.refund"].columns)


def _rewrite(source: Path, target: Path, dates: str, numbers: str) -> None:
    """Copy a CSV export, writing dates as M/D/YYYY or D.M.YYYY and numbers as 1,234.50 or 1.234,50."""
    contract = raw_contract()
    for path in source.glob("*/*.csv"):
        table = contract[f"{path.parent.name}.{path.stem}"]
        kinds = dict(zip(table.columns, table.types))
        out = target / path.parent.name / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(path, newline="") as src, open(out, "w", newline="") as dst:
            reader = csv.DictReader(src)
            writer = csv.DictWriter(dst, reader.fieldnames)
            writer.writeheader()
            for row in reader:
                for column, value in row.items():
                    kind = kinds.get(column, "varchar")
                    if not value:
                        continue
                    if kind in ("date", "timestamp"):
                        day = dt.date.fromisoformat(value[:10])
                        shown = f"{day.month}/{day.day}/{day.year}" if dates == "mdy" else f"{day.day:02d}.{day.month:02d}.{day.year}"
                        row[column] = shown + value[10:]
                    elif kind.startswith("decimal") and "." in value:
                        whole, frac = value.split(".")
                        sign = "-" if whole.startswith("-") else ""
                        grouped = f"{int(whole.lstrip('-')):,}"
                        row[column] = sign + (f"{grouped}.{frac}" if numbers == "us"
                                              else f"{grouped.replace(',', '.')},{frac}")
                writer.writerow(row)


@pytest.mark.parametrize("dates, numbers", [("mdy", "us"), ("dmy", "eu")])
def test_a_whole_export_in_local_formats_loads_to_the_iso_tables(tmp_path: Path, dates: str, numbers: str) -> None:
    iso = tmp_path / "iso"
    generate(iso, scale=0.02, seed=5, fmt="csv", bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    local = tmp_path / "local"
    _rewrite(iso, local, dates, numbers)
    expected, actual = tmp_path / "iso.duckdb", tmp_path / "local.duckdb"
    load(iso, expected)
    with pytest.raises(WarehouseError, match="nothing loaded"):
        load(local, actual)
    load(local, actual, formats=Formats(date_order=dates, number_format=numbers))
    with duckdb.connect(str(actual)) as con:
        con.execute(f"attach '{expected}' as iso (read_only)")
        for name, table in raw_contract().items():
            columns = ", ".join(f'"{c}"' for c in table.columns if c != "_loaded_at")
            diff = con.execute(f"select count(*) from (select {columns} from {name} "
                               f"except all select {columns} from iso.{name})").fetchone()[0]
            assert diff == 0, f"{name}: {diff} rows differ from the ISO export"
