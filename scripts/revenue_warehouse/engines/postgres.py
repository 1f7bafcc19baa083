"""The PostgreSQL target: connect with the standard libpq variables and load raw files into a database.

The DuckDB file stays the default warehouse; this module lets the same raw folder, the same dbt project
and the same tests run on a PostgreSQL server (``make test-postgres``). Connection settings come from
``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD`` and ``PGDATABASE`` (defaults: 127.0.0.1, 5432,
warehouse, warehouse, warehouse — what ``scripts/postgres_up.sh`` creates), the same variables the
``postgres`` target of ``profiles.example.yml`` reads.

Loading keeps the loader's guarantees: every file is checked first (``revenue_warehouse.pipeline.load.discover``), values land
as text exactly as the file has them, and all tables are replaced in one transaction.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.extensions

from revenue_warehouse.config import RawTable, WarehouseError, raw_contract
from revenue_warehouse.pipeline.load import LoadResult, discover, load_timestamp, write_text_csv

DEFAULTS = {"PGHOST": "127.0.0.1", "PGPORT": "5432", "PGUSER": "warehouse", "PGPASSWORD": "warehouse",
            "PGDATABASE": "warehouse"}


def pg_env(database: str | None = None) -> dict[str, str]:
    """The libpq variables for dbt and psycopg2, defaults filled in; ``database`` overrides PGDATABASE."""
    env = {key: os.environ.get(key, default) for key, default in DEFAULTS.items()}
    if database:
        env["PGDATABASE"] = database
    return env


def connect(database: str | None = None, user: str | None = None,
            password: str | None = None) -> psycopg2.extensions.connection:
    env = pg_env(database)
    try:
        return psycopg2.connect(host=env["PGHOST"], port=int(env["PGPORT"]), dbname=env["PGDATABASE"],
                                user=user or env["PGUSER"], password=password or env["PGPASSWORD"])
    except psycopg2.OperationalError as exc:
        raise WarehouseError(
            f"cannot connect to PostgreSQL {env['PGHOST']}:{env['PGPORT']}/{env['PGDATABASE']}: "
            f"{str(exc).strip().splitlines()[0]} (start one with scripts/postgres_up.sh)"
        ) from None


class Connection:
    """A DB-API connection that answers ``execute(sql, params).fetchall()`` like a DuckDB connection.

    Lets the same test code read a DuckDB file or a PostgreSQL database (``?`` placeholders work).
    """

    def __init__(self, database: str | None = None) -> None:
        self._con = connect(database)
        self._con.autocommit = True

    def execute(self, sql: str, params: list | tuple | None = None) -> psycopg2.extensions.cursor:
        cursor = self._con.cursor()
        cursor.execute(sql.replace("?", "%s") if params else sql, params)
        return cursor

    def close(self) -> None:
        self._con.close()


def recreate_database(database: str) -> None:
    """Drop and create an empty database owned by the connecting user (tests use one per fixture)."""
    con = connect("postgres")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(f'drop database if exists "{database}" with (force)')
            cur.execute(f'create database "{database}"')
    finally:
        con.close()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_table_sql(table: RawTable, columns: list[str]) -> str:
    return f"create table {table.schema}.{_quote(table.name)} ({', '.join(_quote(c) + ' text' for c in columns)})"


def load_postgres(source_dir: Path, database: str | None = None) -> list[LoadResult]:
    """Replace the raw tables of ``database`` with the files under source_dir, in one transaction."""
    files = discover(source_dir)
    loaded_at = load_timestamp()
    results: list[LoadResult] = []
    reader = duckdb.connect(":memory:")
    con = connect(database)
    try:
        with tempfile.TemporaryDirectory() as tmp, con.cursor() as cur:
            for schema in sorted({t.schema for t in raw_contract().values()}):
                cur.execute(f"create schema if not exists {schema}")
            for raw in files:
                csv = Path(tmp) / f"{raw.table.qualified}.csv"
                columns = write_text_csv(reader, raw, loaded_at, csv)
                cur.execute(f"drop table if exists {raw.table.schema}.{_quote(raw.table.name)}")
                cur.execute(_create_table_sql(raw.table, columns))
                with open(csv, encoding="utf-8") as handle:
                    cur.copy_expert(
                        f"copy {raw.table.schema}.{_quote(raw.table.name)} from stdin with (format csv, header true)",
                        handle,
                    )
                results.append(LoadResult(raw.table.qualified, raw.path, cur.rowcount))
            present = {raw.table.qualified for raw in files}
            for table in raw_contract().values():
                if table.qualified not in present:
                    cur.execute(f"select to_regclass('{table.qualified}')")
                    if cur.fetchone()[0] is None:
                        cur.execute(_create_table_sql(table, list(table.columns)))
                    results.append(LoadResult(table.qualified, None, 0))
        con.commit()
    except (psycopg2.Error, duckdb.Error) as exc:
        con.rollback()
        raise WarehouseError(f"load into PostgreSQL failed, database unchanged: {str(exc).strip().splitlines()[0]}") from None
    finally:
        con.close()
        reader.close()
    return results
