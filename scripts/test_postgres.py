"""PostgreSQL target (``make test-postgres``): the marts agree with DuckDB's, and the BI role reads marts only.

Runs with ``WAREHOUSE_TEST_ENGINE=postgres`` against the server ``scripts/postgres_up.sh`` starts; skipped
otherwise. The recomputation tests (test_revenue, test_people, test_staging) run on PostgreSQL in the
same session through the ``messy_sql`` / ``clean_sql`` fixtures.
"""

from __future__ import annotations

import datetime as dt
import os
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg2
import pytest

from scripts.conftest import ENGINE, Connect

pytestmark = pytest.mark.skipif(ENGINE != "postgres", reason="needs WAREHOUSE_TEST_ENGINE=postgres (make test-postgres)")

#: money is compared to the cent; every other number (ratios, FTE, days) to the 6 decimals the marts keep
CENT, MICRO = Decimal("0.005"), Decimal("0.000002")


def _mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()]


def _rows(con, table: str, columns: list[str]) -> list[tuple]:
    """Every row, in an order both engines agree on: by the columns that are not fractional numbers."""
    rows = con.execute(f"select {', '.join(columns)} from marts.{table}").fetchall()
    exact = [i for i, v in enumerate(rows[0]) if not isinstance(v, (Decimal, float))] if rows else []
    return sorted(rows, key=lambda r: [(r[i] is None, str(r[i])) for i in exact])


def _same(column: str, a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (Decimal, float)) or isinstance(b, (Decimal, float)):
        tolerance = CENT if column.endswith(("_usd", "_local")) else MICRO
        return abs(Decimal(str(a)) - Decimal(str(b))) <= tolerance
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return a == b


def test_every_mart_agrees_with_duckdb(messy_warehouse: tuple[Path, Path], messy_sql: tuple[Path, Connect]) -> None:
    """Same raw files, both engines: same marts, same columns, same rows, money equal to the cent."""
    _, duck_path = messy_warehouse
    _, connect = messy_sql
    with closing(duckdb.connect(str(duck_path), read_only=True)) as duck, closing(connect()) as pg:
        marts = _mart_names(duck)
        assert marts == [r[0] for r in pg.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
        ).fetchall()]
        assert len(marts) >= 9
        for mart in marts:
            columns = [r[0] for r in duck.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' "
                f"and table_name = '{mart}' order by ordinal_position"
            ).fetchall()]
            # loaded_at-style audit timestamps differ per load; every mart column is compared
            duck_rows, pg_rows = _rows(duck, mart, columns), _rows(pg, mart, columns)
            assert len(duck_rows) == len(pg_rows) > 0, mart
            for duck_row, pg_row in zip(duck_rows, pg_rows):
                for column, a, b in zip(columns, duck_row, pg_row):
                    assert _same(column, a, b), (mart, column, duck_row[:3], a, b)


def _as_reader(database: str, sql: str) -> list[tuple]:
    from scripts.postgres import connect

    con = connect(database, user="bi_reader", password=os.environ.get("BI_READER_PASSWORD", "bi_reader"))
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


def test_bi_reader_reads_marts_and_nothing_else(messy_sql: tuple[Path, Connect]) -> None:
    _, connect = messy_sql
    with closing(connect()) as con:
        database = con.execute("select current_database()").fetchall()[0][0]
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()]
        others = con.execute(
            "select table_schema, min(table_name) from information_schema.tables "
            "where table_schema in ('raw_hr', 'raw_billing', 'staging', 'intermediate', 'audit') group by 1"
        ).fetchall()
    for mart in marts:
        assert _as_reader(database, f"select count(*) from marts.{mart}")[0][0] >= 0
    assert _as_reader(database, "select count(*) from marts.fct_revenue_per_head")[0][0] > 0
    refused = [("raw_hr", "compensation"), *others]
    assert len(refused) == 6
    for schema, table in refused:
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            _as_reader(database, f"select * from {schema}.{table} limit 1")
