"""The engines raw files load into, behind one interface: DuckDB (the default), PostgreSQL and Spark.

``pipeline.load`` checks the files and turns each into a DuckDB ``select`` of canonical text
(``PreparedTable``); an engine only writes: ``write(tables, absent, append)`` replaces (or, with
``append``, adds to) each table with a file and, on a full load, empties each contract table without
one. Server engines get the rows as a text CSV written by DuckDB (``text_csv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import duckdb

from revenue_warehouse.config import RawTable, raw_contract
from revenue_warehouse.sql import literal


@dataclass(frozen=True)
class PreparedTable:
    table: RawTable
    path: Path
    select: str  # DuckDB SQL reading the file: every column as canonical text, contract columns first
    empty_file: bool = False


@dataclass(frozen=True)
class LoadResult:
    table: str
    path: Path | None  # None: no file in the folder
    rows: int
    empty_file: bool = False
    ignored: bool = False  # a connector table the warehouse does not read (a full ELT export): not loaded


class Engine(Protocol):
    label: str  # where the rows go, for messages

    def write(self, tables: list[PreparedTable], absent: list[RawTable], append: bool) -> list[LoadResult]:
        """Write the tables (all or nothing where the engine can); empty ``absent`` unless appending."""
        ...


def target_schemas(tables: list[PreparedTable]) -> list[str]:
    """The schemas a load writes into: every raw contract schema and each connector schema it brings."""
    return sorted({t.schema for t in raw_contract().values()} | {p.table.schema for p in tables})


def reader_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that reads the raw files; UTC, so zoned timestamps read as UTC text."""
    con = duckdb.connect(":memory:")
    con.execute("set TimeZone = 'UTC'")
    return con


def text_csv(reader: duckdb.DuckDBPyConnection, prepared: PreparedTable, path: Path) -> list[str]:
    """Write a prepared table's rows as text CSV for a server engine's bulk load; its column names.

    NULL is an empty field and an empty string is ``""``, the distinction PostgreSQL's and Spark's CSV
    readers make.
    """
    reader.execute(f"copy ({prepared.select}) to {literal(path)} (header, delimiter ',')")
    return [row[0] for row in reader.execute(f"describe {prepared.select}").fetchall()]


def engine_for(target: str) -> Engine:
    """The engine named by ``warehouse load --target``."""
    if target == "postgres":
        from revenue_warehouse.engines.postgres import PostgresEngine

        return PostgresEngine()
    if target == "spark":
        from revenue_warehouse.engines.spark import SparkEngine

        return SparkEngine()
    from revenue_warehouse.config import warehouse_path
    from revenue_warehouse.engines.duckdb_engine import DuckDBEngine

    return DuckDBEngine(warehouse_path())
