"""PostgreSQL target (``make test-postgres``): the marts agree with DuckDB's, and the BI role reads marts only.

Runs with ``WAREHOUSE_TEST_ENGINE=postgres`` against the server ``scripts/postgres_up.sh`` starts; skipped
otherwise. The recomputation tests (test_revenue, test_people, test_staging) run on PostgreSQL in the
same session through the ``messy_sql`` / ``clean_sql`` fixtures.
"""

from __future__ import annotations

import os
from contextlib import closing
from pathlib import Path

import duckdb
import psycopg2
import pytest

from scripts.build import run_dbt
from scripts.conftest import ENGINE, Connect
from scripts.marts_compare import differences

MARTS = "select table_name from information_schema.tables where table_schema = 'marts' order by 1"

pytestmark = pytest.mark.skipif(ENGINE != "postgres", reason="needs WAREHOUSE_TEST_ENGINE=postgres (make test-postgres)")


def test_every_mart_agrees_with_duckdb(messy_warehouse: tuple[Path, Path], messy_sql: tuple[Path, Connect]) -> None:
    """Same raw files, both engines: same marts, same columns, same rows, money equal to the cent."""
    _, duck_path = messy_warehouse
    _, connect = messy_sql
    with closing(duckdb.connect(str(duck_path), read_only=True)) as duck, closing(connect()) as pg:
        marts = [r[0] for r in duck.execute(MARTS).fetchall()]
        assert marts == [r[0] for r in pg.execute(MARTS).fetchall()]
        assert len(marts) >= 10
        assert differences(duck, pg, marts) == []


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


def test_daily_incremental_build_equals_full_build(messy_sql: tuple[Path, Connect], tmp_path: Path) -> None:
    """The incremental paths on PostgreSQL: new and re-synced rows appended, a daily build, then a
    --full-refresh build on the same rows must give identical marts. It changes the shared messy database,
    so `make test-postgres` runs this module after the others."""
    from scripts.postgres import pg_env

    _, connect = messy_sql
    with closing(connect()) as con:
        database = con.execute("select current_database()").fetchall()[0][0]
        stamp = con.execute("select to_char(now() at time zone 'utc', 'YYYY-MM-DD HH24:MI:SS')").fetchall()[0][0]
        for sql in (
            # a paid invoice voided in the billing system (re-synced), a corrected EUR rate for an old month,
            # and a lead backfilled with an old load time (the base model must notice and start over)
            "create temp table resync as select * from raw_billing.invoice where id = "
            "(select min(id) from raw_billing.invoice where status = 'paid' and invoice_date < '2024-06-01')",
            f"update resync set status = 'void', _loaded_at = '{stamp}'",
            "insert into raw_billing.invoice select * from resync",
            "create temp table rate as select * from raw_finance.fx_rate where currency_code = 'EUR' "
            "and rate_month = (select min(rate_month) from raw_finance.fx_rate where currency_code = 'EUR' "
            "and rate_month >= '2023-01-01')",
            f"update rate set usd_per_unit = '1.5', _loaded_at = '{stamp}'",
            "insert into raw_finance.fx_rate select * from rate",
            "create temp table backfill as select * from raw_crm.lead where id = (select min(id) from raw_crm.lead)",
            "update backfill set id = 'backfill-lead-1', _loaded_at = '2023-01-01 00:00:00'",
            "insert into raw_crm.lead select * from backfill",
        ):
            con.execute(sql)
        voided_id = con.execute("select id from resync").fetchall()[0][0]
        assert con.execute("select count(*) from raw_billing.invoice where _loaded_at = %s", [stamp]).fetchall()[0][0] == 1
    env = {**pg_env(database), "DBT_TARGET": "postgres"}
    args = ["build", "--quiet", "--exclude-resource-type", "unit_test", "--target-path", str(tmp_path / "t")]
    assert run_dbt(args, tmp_path / "unused.duckdb", env=env) == 0, "daily build failed on PostgreSQL"
    with closing(connect()) as con:
        marts = [r[0] for r in con.execute(MARTS).fetchall()]
        con.execute("drop schema if exists daily_copy cascade")
        con.execute("create schema daily_copy")
        for mart in marts:
            con.execute(f"create table daily_copy.{mart} as select * from marts.{mart}")
        counts = dict(con.execute("select model_name, count(*) from audit.incremental_watermarks group by 1").fetchall())
        leftovers = con.execute("select count(*) from information_schema.tables "
                                "where right(table_name, 11) = '__reprocess'").fetchall()[0][0]
        voided = con.execute("select _disposition from staging.base_billing__invoice where _record_id = %s "
                             "and status = 'void'", [voided_id]).fetchall()
    assert set(counts.values()) == {2} and "base_billing__invoice" in counts and leftovers == 0
    assert voided == [("staged",)]
    assert run_dbt([*args, "--full-refresh"], tmp_path / "unused.duckdb", env=env) == 0
    with closing(connect()) as con:
        try:
            for mart in marts:
                for a, b in ((f"marts.{mart}", f"daily_copy.{mart}"), (f"daily_copy.{mart}", f"marts.{mart}")):
                    extra = con.execute(f"select count(*) from (select * from {a} except all select * from {b}) as d"
                                        ).fetchall()[0][0]
                    assert extra == 0, f"{mart}: {extra} rows of the {a.split('.')[0]} build are not in the other"
        finally:
            con.execute("drop schema daily_copy cascade")
