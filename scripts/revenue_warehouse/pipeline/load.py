"""``warehouse load``: bring a folder of raw exports into the raw schemas of the warehouse.

Layout: ``DIR/<schema>/<table>.parquet`` or ``.csv`` (schema and table names from the raw contract).
Files and folders whose names start with ``_`` or ``.`` are ignored (e.g. the generator's manifest).

Every file is checked before anything is written: an unknown folder or table, an unreadable file or a
missing contract column fails with a message naming the file (and column), and the warehouse is left as
it was. Then every table is written in **one transaction** (rolled back on any error), so readers and
later builds see either the previous raw data or the new, never a mix.

Values land as text, exactly as the file has them: parsing, validation and quarantine are staging's job,
so a value like ``12,50 EUR`` never makes a file fail to load. Columns the contract does not name are
kept (as text) and ignored by the models. ``_loaded_at`` and ``_is_deleted`` are the loader's columns:
a file that lacks them gets the load time and ``false``.

A full load replaces each table present in the folder (re-loading the same folder is idempotent);
contract tables without a file are created empty if missing and otherwise left alone. ``append=True``
inserts the rows as a delta (late rows, re-syncs) with their own ``_loaded_at``: staging keeps the latest
version of each record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from revenue_warehouse.config import LOADER_COLUMNS, RawTable, WarehouseError, raw_contract
from revenue_warehouse.db import connect

FORMATS = {".parquet": "read_parquet", ".csv": "read_csv"}


@dataclass(frozen=True)
class RawFile:
    table: RawTable
    path: Path
    columns: tuple[str, ...]  # as the file has them


@dataclass(frozen=True)
class LoadResult:
    table: str
    path: Path | None
    rows: int


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix == ".csv":
        return f"read_csv('{quoted}', all_varchar = true, header = true)"
    return f"read_parquet('{quoted}')"


def discover(source_dir: Path) -> list[RawFile]:
    """Find and check every raw file under source_dir; raise WarehouseError on the first problem."""
    if not source_dir.is_dir():
        raise WarehouseError(f"{source_dir}: no such folder (expected DIR/<schema>/<table>.parquet|csv)")
    contract = raw_contract()
    schemas = sorted({t.schema for t in contract.values()})
    found: dict[str, RawFile] = {}
    probe = duckdb.connect(":memory:")
    try:
        for entry in sorted(source_dir.iterdir()):
            if entry.name.startswith(("_", ".")):
                continue
            if not entry.is_dir() or entry.name not in schemas:
                raise WarehouseError(f"{entry}: unknown schema folder (expected one of: {', '.join(schemas)})")
            for path in sorted(entry.iterdir()):
                if path.name.startswith(("_", ".")):
                    continue
                qualified = f"{entry.name}.{path.stem}"
                if path.suffix not in FORMATS or qualified not in contract:
                    known = sorted(t.name for t in contract.values() if t.schema == entry.name)
                    raise WarehouseError(
                        f"{path}: unknown table file (expected <table>.parquet or .csv with table one of: {', '.join(known)})"
                    )
                if qualified in found:
                    raise WarehouseError(f"{path}: {qualified} also comes from {found[qualified].path}; keep one file per table")
                try:
                    columns = tuple(row[0] for row in probe.execute(f"describe select * from {_reader(path)}").fetchall())
                except duckdb.Error as exc:
                    raise WarehouseError(f"{path}: cannot read the file: {str(exc).splitlines()[0]}") from None
                table = contract[qualified]
                missing = [c for c in table.required_columns if c not in columns]
                if missing:
                    raise WarehouseError(f"{path}: missing required column(s) {', '.join(missing)} of {qualified}")
                found[qualified] = RawFile(table=table, path=path, columns=columns)
    finally:
        probe.close()
    if not found:
        raise WarehouseError(f"{source_dir}: no raw tables found (expected DIR/<schema>/<table>.parquet|csv)")
    return list(found.values())


def _select_as_text(raw: RawFile, loaded_at: str) -> str:
    """The file's rows with every column as text, the contract's columns first, loader columns filled."""
    contract_cols = list(raw.table.columns)
    extra = [c for c in raw.columns if c not in contract_cols]
    parts = []
    for column in contract_cols + extra:
        quoted = '"' + column.replace('"', '""') + '"'
        if column in raw.columns:
            parts.append(f"cast({quoted} as varchar) as {quoted}")
        elif column == "_loaded_at":
            parts.append(f"'{loaded_at}' as {quoted}")
        elif column == "_is_deleted":
            parts.append(f"'false' as {quoted}")
    return f"select {', '.join(parts)} from {_reader(raw.path)}"


def load_timestamp() -> str:
    """The ``_loaded_at`` given to rows whose file lacks it: now, UTC, to the second (every engine)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")


def write_text_csv(reader: duckdb.DuckDBPyConnection, raw: RawFile, loaded_at: str, path: Path) -> list[str]:
    """Write a raw file's rows as text CSV (contract columns first) for a server engine's bulk load.

    NULL is an empty field and an empty string is ``""``, the distinction PostgreSQL's and Spark's CSV
    readers make. Returns the column names in file order.
    """
    select = _select_as_text(raw, loaded_at)
    reader.execute(f"copy ({select}) to '{path}' (header, delimiter ',')")
    return [row[0] for row in reader.execute(f"describe {select}").fetchall()]


def _empty_table_sql(table: RawTable) -> str:
    columns = ", ".join('"' + c + '" varchar' for c in table.columns)
    return f"create table if not exists {table.qualified} ({columns})"


def load(source_dir: Path, db_path: Path, append: bool = False) -> list[LoadResult]:
    files = discover(source_dir)
    loaded_at = load_timestamp()
    results: list[LoadResult] = []
    con = connect(db_path)
    try:
        con.execute("begin transaction")
        for schema in sorted({t.schema for t in raw_contract().values()}):
            con.execute(f"create schema if not exists {schema}")
        for raw in files:
            select = _select_as_text(raw, loaded_at)
            if append:
                con.execute(_empty_table_sql(raw.table))
                existing = {r[0] for r in con.execute(f"describe {raw.table.qualified}").fetchall()}
                for column in raw.columns:
                    if column not in existing and column not in LOADER_COLUMNS:
                        con.execute(f'alter table {raw.table.qualified} add column "{column}" varchar')
                rows = con.execute(f"insert into {raw.table.qualified} by name {select}").fetchone()[0]
            else:
                rows = con.execute(f"create or replace table {raw.table.qualified} as {select}").fetchone()[0]
            results.append(LoadResult(raw.table.qualified, raw.path, rows))
        present = {raw.table.qualified for raw in files}
        for table in raw_contract().values():
            if table.qualified not in present:
                con.execute(_empty_table_sql(table))
                results.append(LoadResult(table.qualified, None, 0))
        con.execute("commit")
    except duckdb.Error as exc:
        con.execute("rollback")
        raise WarehouseError(f"load failed, warehouse unchanged: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return results
