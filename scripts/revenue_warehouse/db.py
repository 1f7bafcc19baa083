"""The one place that opens the DuckDB warehouse file, turning lock and I/O errors into clear messages."""

from __future__ import annotations

from pathlib import Path

import duckdb

from revenue_warehouse.config import WarehouseError


def connect(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    if read_only and not db_path.exists():
        raise WarehouseError(f"{db_path}: warehouse file not found (run `warehouse load` or `make demo` first)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc).splitlines()[0]
        if "lock" in message.lower():
            raise WarehouseError(f"{db_path}: the warehouse file is in use by another process ({message})") from None
        raise WarehouseError(f"{db_path}: cannot open the warehouse file ({message})") from None


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                            [schema, name]).fetchone()[0])


def column_names(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> set[str]:
    """The columns of schema.name (empty when it does not exist): what a file published by an older version has."""
    return {r[0] for r in con.execute("select column_name from information_schema.columns "
                                      "where table_schema = ? and table_name = ?", [schema, name]).fetchall()}
