"""The DuckDB engine (the default): the warehouse file at ``WAREHOUSE_PATH``, written in one transaction."""

from __future__ import annotations

from pathlib import Path

import duckdb

from revenue_warehouse.config import LOADER_COLUMNS, RawTable, WarehouseError
from revenue_warehouse.db import connect
from revenue_warehouse.engines import LoadResult, PreparedTable, target_schemas
from revenue_warehouse.sql import ident, qualified


def _empty_table_sql(table: RawTable, replace: bool) -> str:
    columns = ", ".join(f"{ident(c)} varchar" for c in table.columns)
    return f"create {'or replace table' if replace else 'table if not exists'} {qualified(table.schema, table.name)} ({columns})"


class DuckDBEngine:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.label = str(db_path)

    def write(self, tables: list[PreparedTable], absent: list[RawTable], append: bool) -> list[LoadResult]:
        results: list[LoadResult] = []
        con = connect(self.db_path)
        try:
            con.execute("set TimeZone = 'UTC'")
            con.execute("begin transaction")
            for schema in target_schemas(tables):
                con.execute(f"create schema if not exists {ident(schema)}")
            for prepared in tables:
                name = qualified(prepared.table.schema, prepared.table.name)
                if append:
                    con.execute(_empty_table_sql(prepared.table, replace=False))
                    existing = {r[0] for r in con.execute(f"describe {name}").fetchall()}
                    for column in (r[0] for r in con.execute(f"describe {prepared.select}").fetchall()):
                        if column not in existing and column not in LOADER_COLUMNS:
                            con.execute(f"alter table {name} add column {ident(column)} varchar")
                    rows = con.execute(f"insert into {name} by name {prepared.select}").fetchone()[0]
                else:
                    rows = con.execute(f"create or replace table {name} as {prepared.select}").fetchone()[0]
                results.append(LoadResult(prepared.table.qualified, prepared.path, rows, prepared.empty_file))
            for table in absent:
                con.execute(_empty_table_sql(table, replace=not append))
                results.append(LoadResult(table.qualified, None, 0))
            con.execute("commit")
        except duckdb.Error as exc:
            con.execute("rollback")
            raise WarehouseError(f"load failed, warehouse unchanged: {str(exc).splitlines()[0]}") from None
        finally:
            con.close()
        return results
