"""Export: one file per published mart, readable by any Parquet reader, with the same rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from revenue_warehouse.config import WarehouseError
from revenue_warehouse.outputs.export import export
from revenue_warehouse.pipeline.publish import publish


def test_every_mart_exported_as_parquet(clean_warehouse: tuple[Path, Path], tmp_path: Path) -> None:
    published = tmp_path / "published.duckdb"
    publish(clean_warehouse[1], published)
    rows = export(published, tmp_path / "files")
    with duckdb.connect(str(published), read_only=True) as con:
        marts = {r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
        assert set(rows) == marts and "fct_kpi_monthly" in marts
        for table, count in rows.items():
            assert pq.read_metadata(tmp_path / "files" / f"{table}.parquet").num_rows == count
        columns = [r[0] for r in con.execute("describe marts.fct_revenue_per_head").fetchall()]
    assert pq.read_schema(tmp_path / "files" / "fct_revenue_per_head.parquet").names == columns


def test_export_without_published_marts_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="no published marts yet"):
        export(tmp_path / "missing.duckdb", tmp_path / "files")


def test_export_into_an_existing_file_is_one_line(clean_warehouse: tuple[Path, Path], tmp_path: Path) -> None:
    """Finding 13: `export --out <a file>` names the mistake instead of a Python error."""
    published = tmp_path / "published.duckdb"
    publish(clean_warehouse[1], published)
    (tmp_path / "report.csv").write_text("keep me")
    with pytest.raises(WarehouseError, match=r"report\.csv: is a file; --out names a folder"):
        export(published, tmp_path / "report.csv")
    assert (tmp_path / "report.csv").read_text() == "keep me"
