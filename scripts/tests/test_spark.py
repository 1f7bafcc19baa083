"""Spark target (``make test-spark``): the messy fixture built on a local Spark gives DuckDB's marts.

Marked ``spark`` (``pytest -m spark``; a local pyspark and Java 17, see ``make test-spark``); deselected
otherwise. The same raw files are loaded into Spark and into DuckDB, dbt builds both, and every mart
must agree: same rows, money to the cent, other numbers to 6 decimals.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pytest

from revenue_warehouse.pipeline.build import run_dbt
from conftest import MESSY, _generated, with_unit_tests
from revenue_warehouse.devtools.marts_compare import differences

pytestmark = pytest.mark.spark

HEADLINE = ["fct_revenue_monthly", "fct_mrr_movements", "fct_revenue_per_head", "fct_unit_economics",
            "fct_sales_funnel", "fct_customer_success", "fct_kpi_monthly", "fct_kpi_segment_monthly", "dim_customers",
            "dim_employees"]


class SparkConnection:
    """``execute(sql).fetchall()`` over a SparkSession, like a DuckDB connection."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def execute(self, sql: str) -> "SparkConnection":
        self._rows = [tuple(row) for row in self._session.sql(sql).collect()]
        return self

    def fetchall(self) -> list[tuple]:
        return self._rows

    def close(self) -> None:
        self._session.stop()


@pytest.fixture(scope="module")
def spark_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkConnection]:
    from revenue_warehouse.engines.spark import session

    raw = _generated(tmp_path_factory, "messy_spark", MESSY)
    home = raw.parent / "spark"
    os.environ["SPARK_HOME_DIR"] = str(home)
    # each step in its own process: the embedded metastore admits one JVM at a time
    warehouse = Path(sys.executable).parent / "warehouse"
    subprocess.run([str(warehouse), "load", "--from", str(raw), "--target", "spark"], check=True,
                   capture_output=True)
    # seeds, models and unit tests; the data tests' logic is engine-independent and runs on DuckDB and
    # PostgreSQL in CI: here the proof is that every mart equals DuckDB's (and the unit tests pass)
    env = {"DBT_TARGET": "spark", "SPARK_HOME_DIR": str(home)}
    command = ["build", "--exclude", "test_type:data", "--quiet", "--target-path", str(home / "target")]
    with with_unit_tests():
        code = run_dbt(command, raw.parent / "unused.duckdb", env=env)
    assert code == 0, "dbt build failed on Spark"
    con = SparkConnection(session())
    yield con
    con.close()


def test_headline_marts_agree_with_duckdb(messy_warehouse: tuple[Path, Path], spark_built: SparkConnection) -> None:
    _, duck_path = messy_warehouse
    with closing(duckdb.connect(str(duck_path), read_only=True)) as duck:
        assert differences(duck, spark_built, HEADLINE) == []
