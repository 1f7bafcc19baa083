"""The BI recipes of docs/bi.md work on a published file: the DuckDB CLI read-only, SQLAlchemy with
duckdb-engine (Superset's URI, reflection of schema `marts`, typed columns, two readers at once), pandas."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from revenue_warehouse.pipeline.publish import publish


@pytest.fixture(scope="module")
def published(clean_warehouse: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bi")
    build_file = folder / clean_warehouse[1].name
    shutil.copy(clean_warehouse[1], build_file)
    target = folder / "published" / "warehouse.duckdb"
    publish(build_file, target)
    return target


def test_duckdb_cli_reads_the_published_file_read_only(published: Path) -> None:
    cli = Path(sys.executable).parent / "duckdb"
    result = subprocess.run([str(cli), "-readonly", str(published), "-csv", "-c",
                             "select count(*) from marts.fct_kpi_monthly where is_north_star"],
                            capture_output=True, text=True, check=True)
    months = int(result.stdout.strip().splitlines()[-1])
    assert months >= 12
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("v1.5."), "the CLI of the file format BI tools embed"


def test_superset_uri_reflects_typed_marts_and_allows_two_readers(published: Path) -> None:
    import pandas as pd
    import sqlalchemy

    uri = f"duckdb:///{published}?access_mode=read_only"
    first, second = sqlalchemy.create_engine(uri), sqlalchemy.create_engine(uri)
    with first.connect() as one, second.connect() as two:  # read-only: readers do not lock each other out
        inspector = sqlalchemy.inspect(one)
        tables = set(inspector.get_table_names(schema="marts"))
        assert {"fct_kpi_monthly", "fct_revenue_per_head", "fct_unit_economics"} <= tables
        types = {c["name"]: c["type"] for c in inspector.get_columns("fct_kpi_monthly", schema="marts")}
        assert isinstance(types["kpi_value"], sqlalchemy.Numeric) and isinstance(types["month"], sqlalchemy.Date)
        frame = pd.read_sql("select month, kpi_value::double as kpi_value from marts.fct_kpi_monthly "
                            "where is_north_star order by month", two)
        assert len(frame) >= 12 and frame["kpi_value"].dtype.kind == "f"
        with pytest.raises(Exception, match="read-only"):
            one.execute(sqlalchemy.text("create table marts.scratch (x integer)"))
    first.dispose()  # the pool would keep the file open with duckdb-engine's configuration
    second.dispose()


def test_pandas_recipe(published: Path) -> None:
    import duckdb

    with duckdb.connect(str(published), read_only=True) as con:
        kpis = con.sql("select * from marts.fct_kpi_monthly where is_north_star").df()
    assert len(kpis) >= 12 and set(kpis["kpi_name"]) == {"revenue_per_head_ttm_usd"}
