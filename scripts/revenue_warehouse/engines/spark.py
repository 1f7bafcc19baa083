"""The Spark target: a local pyspark session that shares its tables with dbt-spark's ``session`` method.

Both use the folder ``SPARK_HOME_DIR`` (default ``build/spark``): table files under ``warehouse/`` and the
embedded Hive metastore in ``metastore_db/`` (one process at a time: load, then build). Raw files are
loaded as the loader does for every engine: each file checked first, values as text.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from revenue_warehouse.config import PROJECT_ROOT, WarehouseError, raw_contract
from revenue_warehouse.pipeline.load import LoadResult, discover, load_timestamp, write_text_csv


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


def load_spark(source_dir: Path) -> list[LoadResult]:
    """Replace the raw tables with the files under source_dir (text columns, via CSV written by DuckDB)."""
    files = discover(source_dir)
    loaded_at = load_timestamp()
    spark = session()
    reader = duckdb.connect(":memory:")
    results: list[LoadResult] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for schema in sorted({t.schema for t in raw_contract().values()}):
                spark.sql(f"create database if not exists {schema}")
            for raw in files:
                csv = Path(tmp) / f"{raw.table.qualified}.csv"
                write_text_csv(reader, raw, loaded_at, csv)
                frame = (spark.read.option("header", True).option("escape", '"').option("multiLine", True)
                         .csv(str(csv)))
                frame.write.mode("overwrite").format("parquet").saveAsTable(raw.table.qualified)
                results.append(LoadResult(raw.table.qualified, raw.path, frame.count()))
            present = {raw.table.qualified for raw in files}
            for table in raw_contract().values():
                if table.qualified not in present:
                    columns = ", ".join(f"`{c}` string" for c in table.columns)
                    spark.sql(f"create table if not exists {table.qualified} ({columns}) using parquet")
                    results.append(LoadResult(table.qualified, None, 0))
    except Exception as exc:  # py4j / analysis errors: one line for the user
        raise WarehouseError(f"load into Spark failed: {str(exc).strip().splitlines()[0]}") from None
    finally:
        reader.close()
        spark.stop()
    return results
