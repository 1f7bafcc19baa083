"""PostgreSQL target (``make test-postgres``): the marts agree with DuckDB's, and the BI role reads marts only.

Marked ``postgres`` (``pytest -m postgres``, ``make test-postgres``), against the server
``scripts/postgres_up.sh`` starts. The recomputation tests (test_revenue, test_people, test_staging) run on
PostgreSQL in the same session through the postgres variants of the ``messy_sql`` / ``clean_sql`` fixtures.
"""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

import duckdb
import psycopg2
import pytest

from revenue_warehouse.pipeline.build import run_dbt
from conftest import Connect
from revenue_warehouse.devtools.marts_compare import differences

MARTS = "select table_name from information_schema.tables where table_schema = 'marts' order by 1"

pytestmark = pytest.mark.postgres


def test_every_mart_agrees_with_duckdb(messy_warehouse: tuple[Path, Path], messy_postgres: tuple[Path, Connect]) -> None:
    """Same raw files, both engines: same marts, same columns, same rows, money equal to the cent."""
    _, duck_path = messy_warehouse
    _, connect = messy_postgres
    with closing(duckdb.connect(str(duck_path), read_only=True)) as duck, closing(connect()) as pg:
        marts = [r[0] for r in duck.execute(MARTS).fetchall()]
        assert marts == [r[0] for r in pg.execute(MARTS).fetchall()]
        assert len(marts) >= 10
        assert differences(duck, pg, marts) == []


def _as_reader(database: str, sql: str) -> list[tuple]:
    from revenue_warehouse.engines.postgres import connect

    con = connect(database, user="bi_reader", password=os.environ.get("BI_READER_PASSWORD", "bi_reader"))
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


def test_bi_reader_reads_marts_and_nothing_else(messy_postgres: tuple[Path, Connect]) -> None:
    _, connect = messy_postgres
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


def test_formats_and_snapshot_load_the_same_on_postgresql(tmp_path: Path) -> None:
    """The loader's format flags and snapshot semantics hold through the PostgreSQL engine (its rows go
    through DuckDB's text CSV): US dates and numbers rewritten, offsets to UTC, absent tables emptied."""
    from revenue_warehouse.engines.postgres import Connection, PostgresEngine, recreate_database
    from revenue_warehouse.pipeline.formats import Formats
    from revenue_warehouse.pipeline.load import load

    raw = tmp_path / "raw"
    (raw / "raw_finance").mkdir(parents=True)
    (raw / "raw_finance/gl_entry.csv").write_text(
        "id,posted_date,account_code,account_name,department,amount,currency_code,vendor,_loaded_at\n"
        'G1,01/13/2022,6000,Ads,Marketing,"1,234.50",USD,X,2022-01-14T06:00:00-08:00\n'
        "G2,2022-02-03,6000,Ads,Marketing,12,USD,X,\n"
    )
    database = "warehouse_test_formats"
    recreate_database(database)
    results = {r.table: r for r in load(raw, PostgresEngine(database),
                                       formats=Formats(date_order="mdy", number_format="us"))}
    assert results["raw_billing.invoice"].path is None and results["raw_billing.invoice"].rows == 0
    con = Connection(database)
    try:
        rows = con.execute("select id, posted_date, amount, _loaded_at from raw_finance.gl_entry order by id").fetchall()
        assert rows == [("G1", "2022-01-13", "1234.50", "2022-01-14 14:00:00"), ("G2", "2022-02-03", "12", None)]
        assert con.execute("select count(*) from raw_billing.invoice").fetchall() == [(0,)]
    finally:
        con.close()


def test_sql_in_a_header_is_a_column_name_on_postgresql(tmp_path: Path) -> None:
    """Issue 21, finding 1 on the PostgreSQL engine: a header that closes the identifier and runs SQL is a
    column of that exact name; the table it tries to drop is still there."""
    from revenue_warehouse.engines.postgres import Connection, PostgresEngine, recreate_database
    from revenue_warehouse.pipeline.load import load

    hostile = 'y" text; drop table raw_hr.compensation; --'
    raw = tmp_path / "raw"
    (raw / "raw_finance").mkdir(parents=True)
    (raw / "raw_finance/gl_entry.csv").write_text(
        "id,posted_date,account_code,account_name,department,amount,currency_code,vendor,"
        + '"' + hostile.replace('"', '""') + '"\nG1,2022-01-13,6000,Ads,Marketing,12,USD,X,1\n')
    database = "warehouse_test_hostile"
    recreate_database(database)
    load(raw, PostgresEngine(database))
    con = Connection(database)
    try:
        columns = [r[0] for r in con.execute("select column_name from information_schema.columns where "
                                             "table_schema = 'raw_finance' and table_name = 'gl_entry'").fetchall()]
        assert hostile in columns
        assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw_hr' "
                           "and table_name = 'compensation'").fetchall() == [(1,)]
    finally:
        con.close()
