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

from revenue_warehouse.db import connect

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
        return {t: con.execute(f"select count(*) from marts.{t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def publish(build_path: Path, publish_path: Path) -> None:
    """Copy marts + data-quality results into a fresh file and swap it in."""
    publish_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in publish_path.parent.glob(f".{publish_path.name}.*.tmp"):
        stale.unlink()
    tmp = publish_path.parent / f".{publish_path.name}.{os.getpid()}.tmp"
    con = connect(tmp)
    try:
        con.execute(f"attach '{build_path}' as build (read_only)")
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
            con.execute(f"create table marts.{table} as select * from build.marts.{table}")
        for table in PUBLISHED_AUDIT_TABLES:
            if table in audit:
                con.execute(f"create table audit.{table} as select * from build.audit.{table}")
        con.execute("detach build")
        con.execute("checkpoint")
    finally:
        con.close()
    os.replace(tmp, publish_path)
