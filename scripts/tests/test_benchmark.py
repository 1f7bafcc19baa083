"""The benchmark's own pieces: the initial/delta split, the floor query and the per-step measurement."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.devtools.benchmark import floor_sql, measure, split
from revenue_warehouse.config import WarehouseError


def _count(path: Path) -> int:
    return duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchone()[0] if path.exists() else 0


def test_split_puts_every_row_in_exactly_one_part(small_raw: Path, tmp_path: Path) -> None:
    """Delta: rows loaded on or after the last invoice load day (the as_of_date the build would pick)."""
    initial, delta = tmp_path / "initial", tmp_path / "delta"
    split(small_raw, initial, delta)
    last_day = duckdb.sql(
        f"select max(cast(_loaded_at as date)) from read_parquet('{small_raw}/raw_billing/invoice.parquet')"
    ).fetchone()[0]
    delta_rows = 0
    for path in sorted(small_raw.glob("raw_*/*.parquet")):
        rel = path.relative_to(small_raw)
        assert _count(initial / rel) + _count(delta / rel) == _count(path), rel
        if (delta / rel).exists():
            first = duckdb.sql(f"select min(cast(_loaded_at as date)) from read_parquet('{delta / rel}')").fetchone()
            assert first[0] >= last_day, rel
            delta_rows += _count(delta / rel)
    assert delta_rows > 0, "the last day's rows form the delta"
    # users and prices are loaded in full at the extract: they stay whole in the initial load
    assert _count(initial / "raw_crm" / "user.parquet") == _count(small_raw / "raw_crm" / "user.parquet")
    assert not (delta / "raw_crm" / "user.parquet").exists()


def test_floor_query_reads_every_raw_table(messy_warehouse: tuple[Path, Path]) -> None:
    _, db = messy_warehouse
    con = duckdb.connect(str(db), read_only=True)
    try:
        customer_months, lines, other_rows = con.execute(floor_sql()).fetchone()
        expected_lines = con.execute(
            "select count(*) from raw_billing.invoice_line_item as l inner join raw_billing.invoice as i "
            "on l.invoice_id = i.id"
        ).fetchone()[0]
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_schema like 'raw_%' "
            "and table_name not in ('invoice', 'invoice_line_item')"
        ).fetchall()
        expected_other = sum(con.execute(f"select count(*) from {s}.{t}").fetchone()[0] for s, t in tables)
    finally:
        con.close()
    assert lines == expected_lines
    assert other_rows == expected_other
    assert 0 < customer_months <= lines


def test_measure_reports_the_childs_own_peak_memory(tmp_path: Path) -> None:
    small = measure([sys.executable, "-c", "pass"])
    big = measure([sys.executable, "-c", "x = bytearray(300 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"])
    assert big.peak_rss_mb > small.peak_rss_mb + 250
    assert small.seconds > 0


def test_measure_fails_with_the_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "step.log"
    with pytest.raises(WarehouseError, match="exit 3") as error:
        measure([sys.executable, "-c", "print('the reason'); raise SystemExit(3)"], log=log)
    assert "the reason" in str(error.value)


@pytest.mark.parametrize("scales", ["ten", "1,-10", ","])
def test_cli_refuses_bad_scales(scales: str, capsys: pytest.CaptureFixture[str]) -> None:
    from revenue_warehouse.cli import main

    assert main(["benchmark", "--scales", scales]) == 1
    assert "--scales must be" in capsys.readouterr().err


def test_sql_floor_runs_models_parents_first_and_skips_other_packages() -> None:
    from revenue_warehouse.devtools.benchmark import models_in_order

    def node(name: str, parents: list[str], package: str = "revenue_warehouse", kind: str = "model") -> dict:
        return {"resource_type": kind, "package_name": package, "name": name, "config": {"materialized": "table"},
                "depends_on": {"nodes": parents}}

    manifest = {"metadata": {"project_name": "revenue_warehouse"}, "nodes": {
        "model.revenue_warehouse.c": node("c", ["model.revenue_warehouse.b", "seed.revenue_warehouse.s"]),
        "model.revenue_warehouse.a": node("a", []),
        "model.revenue_warehouse.b": node("b", ["model.revenue_warehouse.a"]),
        "seed.revenue_warehouse.s": node("s", [], kind="seed"),
        "model.other.x": node("x", [], package="other"),
    }}
    assert [n["name"] for n in models_in_order(manifest)] == ["a", "b", "c"]
