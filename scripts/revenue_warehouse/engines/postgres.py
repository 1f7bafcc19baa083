"""The PostgreSQL target: connect with the standard libpq variables and load raw files into a database.

The DuckDB file stays the default warehouse; this module lets the same raw folder, the same dbt project
and the same tests run on a PostgreSQL server (``make test-postgres``). Connection settings come from
``PGHOST``, ``PGPORT``, ``PGUSER``, ``PGPASSWORD`` and ``PGDATABASE`` (defaults: 127.0.0.1, 5432,
warehouse, warehouse, warehouse — what ``scripts/postgres_up.sh`` creates), the same variables the
``postgres`` target of ``profiles.example.yml`` reads.

Loading keeps the loader's guarantees (``revenue_warehouse.pipeline.load``): every file is checked
first, values land as canonical text, and all tables are replaced in one transaction.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import psycopg2
import psycopg2.extensions

from revenue_warehouse.config import RawTable, WarehouseError
from revenue_warehouse.engines import LoadResult, PreparedTable, reader_connection, target_schemas, text_csv
from revenue_warehouse.sql import ident, qualified

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
            cur.execute(f"drop database if exists {ident(database)} with (force)")
            cur.execute(f"create database {ident(database)}")
    finally:
        con.close()


def _create_table_sql(table: RawTable, columns: list[str]) -> str:
    return f"create table {qualified(table.schema, table.name)} ({', '.join(ident(c) + ' text' for c in columns)})"


class PostgresEngine:
    """A PostgreSQL database (``database``, default PGDATABASE): every table replaced in one transaction."""

    def __init__(self, database: str | None = None) -> None:
        self.database = database
        env = pg_env(database)
        self.label = f"PostgreSQL {env['PGHOST']}:{env['PGPORT']}/{env['PGDATABASE']}"

    def write(self, tables: list[PreparedTable], absent: list[RawTable], append: bool) -> list[LoadResult]:
        if append:
            raise WarehouseError("--append is DuckDB-only for now; load the full folder into PostgreSQL")
        results: list[LoadResult] = []
        reader = reader_connection()
        con = connect(self.database)
        try:
            with tempfile.TemporaryDirectory() as tmp, con.cursor() as cur:
                for schema in target_schemas(tables):
                    cur.execute(f"create schema if not exists {ident(schema)}")
                for prepared in tables:
                    table = prepared.table
                    csv = Path(tmp) / f"{table.qualified}.csv"
                    columns = text_csv(reader, prepared, csv)
                    cur.execute(f"drop table if exists {qualified(table.schema, table.name)}")
                    cur.execute(_create_table_sql(table, columns))
                    with open(csv, encoding="utf-8") as handle:
                        cur.copy_expert(
                            f"copy {qualified(table.schema, table.name)} from stdin with (format csv, header true)",
                            handle,
                        )
                    results.append(LoadResult(table.qualified, prepared.path, cur.rowcount, prepared.empty_file))
                for table in absent:
                    cur.execute(f"drop table if exists {qualified(table.schema, table.name)}")
                    cur.execute(_create_table_sql(table, list(table.columns)))
                    results.append(LoadResult(table.qualified, None, 0))
            con.commit()
        except (psycopg2.Error, duckdb.Error) as exc:
            con.rollback()
            raise WarehouseError(
                f"load into PostgreSQL failed, database unchanged: {str(exc).strip().splitlines()[0]}"
            ) from None
        finally:
            con.close()
            reader.close()
        return results
