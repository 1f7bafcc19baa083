"""Write-audit-publish: the file BI tools read is replaced atomically, and only by a checked build.

dbt builds into the private build file (WAREHOUSE_PATH: raw, staging, intermediate, marts, audit).
After the build and every error-severity check pass, the marts and the data-quality results (never
raw, staging, intermediate or quarantined rows) are copied into a new file beside the published one,
checkpointed and closed, then moved over it with os.replace. A reader that has the old file open keeps
its snapshot; a new reader sees the new file; nobody ever sees a half-written mart. A failed or killed
build never touches the published file (a leftover temporary file is removed by the next publish).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from revenue_warehouse.config import WarehouseError
from revenue_warehouse.db import connect
from revenue_warehouse.pipeline.runs import Run
from revenue_warehouse.sql import ident, literal

#: Tables of the build file's audit schema that are safe to publish (aggregates, no raw rows).
PUBLISHED_AUDIT_TABLES = ("check_results", "run_log")


def mart_row_counts(build_path: Path) -> dict[str, int]:
    """Rows per mart table of the build file."""
    con = connect(build_path, read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' "
            "and table_type = 'BASE TABLE' order by table_name"
        ).fetchall()]
        return {t: con.execute(f"select count(*) from marts.{ident(t)}").fetchone()[0] for t in tables}
    finally:
        con.close()


def publish(build_path: Path, publish_path: Path, run: Run | None = None) -> None:
    """Copy marts + data-quality results into a fresh file and swap it in. On any failure (an unwritable
    folder, a full disk) nothing is left behind, the published file is as it was, and the error is one line.
    ``run``: the build publishing, logged as published in the new file's run log (visible only once swapped
    in; the build file records it after the swap)."""
    leftovers = f".{publish_path.name}.*.tmp*"  # the temporary file and its write-ahead log
    tmp = publish_path.parent / f".{publish_path.name}.{os.getpid()}.tmp"
    try:
        publish_path.parent.mkdir(parents=True, exist_ok=True)
        for stale in publish_path.parent.glob(leftovers):
            stale.unlink()
        _write_marts(build_path, tmp, run, publish_path)
        os.replace(tmp, publish_path)
    except (OSError, duckdb.Error, WarehouseError) as exc:
        for leftover in publish_path.parent.glob(leftovers) if publish_path.parent.is_dir() else ():
            leftover.unlink(missing_ok=True)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).strip().splitlines()[0]
        raise WarehouseError(f"publish to {publish_path} failed ({reason}); the published file is unchanged") \
            from None


def _write_marts(build_path: Path, tmp: Path, run: Run | None, publish_path: Path) -> None:
    con = connect(tmp)
    try:
        con.execute(f"attach {literal(build_path)} as build (read_only)")  # ATTACH cannot bind a path
        marts = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'build' "
            "and table_schema = 'marts' and table_type = 'BASE TABLE' order by table_name"
        ).fetchall()]
        audit = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_catalog = 'build' and table_schema = 'audit'"
        ).fetchall()}
        con.execute("create schema marts")
        con.execute("create schema audit")
        for table in marts:
            con.execute(f"create table marts.{ident(table)} as select * from build.marts.{ident(table)}")
        for table in PUBLISHED_AUDIT_TABLES:
            if table in audit:
                con.execute(f"create table audit.{ident(table)} as select * from build.audit.{ident(table)}")
        con.execute("detach build")
        if run is not None:
            run.record_into(con, "published", f"published to {publish_path}")
        con.execute("checkpoint")
    finally:
        con.close()


def remember_published_counts(build_path: Path, run_id: str) -> None:
    """Keep, in the build file, the raw row counts of the build just published: the volume guard of the next
    build compares with them (audit.published_raw_counts; private, never published)."""
    con = connect(build_path)
    try:
        con.execute("create table if not exists audit.published_raw_counts "
                    "(run_id varchar, source_table varchar, rows_in bigint)")
        con.execute("delete from audit.published_raw_counts")
        con.execute("insert into audit.published_raw_counts select ?, source_table, rows_in from audit.raw_row_counts",
                    [run_id])
    finally:
        con.close()
