"""The Spark target: a local pyspark session that shares its tables with dbt-spark's ``session`` method.

Both use the folder ``SPARK_HOME_DIR`` (default ``build/spark``): table files under ``warehouse/`` and the
embedded Hive metastore in ``metastore_db/`` (one process at a time: load, then build). Raw files are
loaded as the loader does for every engine (``revenue_warehouse.pipeline.load``): each file checked
first, values as canonical text.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from revenue_warehouse.config import PROJECT_ROOT, RawTable, WarehouseError
from revenue_warehouse.engines import LoadResult, PreparedTable, reader_connection, target_schemas, text_csv


def spark_home() -> Path:
    return Path(os.environ.get("SPARK_HOME_DIR", PROJECT_ROOT / "build" / "spark")).resolve()


def session() -> Any:
    """A SparkSession configured like the profile's ``spark`` target."""
    from pyspark.sql import SparkSession

    home = spark_home()
    return (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.warehouse.dir", str(home / "warehouse"))
        .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                f"jdbc:derby:;databaseName={home / 'metastore_db'};create=true")
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "3g"))
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .enableHiveSupport()
        .getOrCreate()
    )


class SparkEngine:
    """Spark tables under ``SPARK_HOME_DIR`` (no transactions: a failed load can leave some tables new)."""

    def __init__(self) -> None:
        self.label = f"Spark tables under {spark_home()}"

    def write(self, tables: list[PreparedTable], absent: list[RawTable], append: bool) -> list[LoadResult]:
        if append:
            raise WarehouseError("--append is DuckDB-only for now; load the full folder into Spark")
        spark = session()
        reader = reader_connection()
        results: list[LoadResult] = []
        try:
            with tempfile.TemporaryDirectory() as tmp:
                for schema in target_schemas(tables):
                    spark.sql(f"create database if not exists {schema}")
                for prepared in tables:
                    csv = Path(tmp) / f"{prepared.table.qualified}.csv"
                    text_csv(reader, prepared, csv)
                    frame = (spark.read.option("header", True).option("escape", '"').option("multiLine", True)
                             .csv(str(csv)))
                    frame.write.mode("overwrite").format("parquet").saveAsTable(prepared.table.qualified)
                    results.append(LoadResult(prepared.table.qualified, prepared.path, frame.count(),
                                              prepared.empty_file))
                for table in absent:
                    columns = ", ".join(f"`{c}` string" for c in table.columns)
                    spark.sql(f"drop table if exists {table.qualified}")
                    spark.sql(f"create table {table.qualified} ({columns}) using parquet")
                    results.append(LoadResult(table.qualified, None, 0))
        except Exception as exc:  # py4j / analysis errors: one line for the user
            raise WarehouseError(f"load into Spark failed: {str(exc).strip().splitlines()[0]}") from None
        finally:
            reader.close()
            spark.stop()
        return results
