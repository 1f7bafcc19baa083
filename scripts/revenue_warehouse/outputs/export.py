"""``warehouse export``: every published mart as a file, for tools that read files (one file per mart)."""

from __future__ import annotations

from pathlib import Path

from revenue_warehouse.config import WarehouseError
from revenue_warehouse.db import connect
from revenue_warehouse.sql import ident

FORMATS = {"parquet": "(format parquet, compression zstd)", "csv": "(format csv, header true)"}


def export(published: Path, out_dir: Path, fmt: str = "parquet") -> dict[str, int]:
    """Write marts.<table> of the published file to out_dir/<table>.<fmt>; return rows per file."""
    if fmt not in FORMATS:
        raise WarehouseError(f"--format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if not published.exists():
        raise WarehouseError(f"{published}: no published marts yet (run `warehouse build` first)")
    if out_dir.exists() and not out_dir.is_dir():
        raise WarehouseError(f"{out_dir}: is a file; --out names a folder (one file per mart goes into it)")
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect(published, read_only=True)
    rows: dict[str, int] = {}
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by table_name"
        ).fetchall()]
        for table in tables:
            path = out_dir / f"{table}.{fmt}"
            tmp = out_dir / f".{table}.{fmt}.tmp"
            con.execute(f"copy (select * from marts.{ident(table)}) to ? {FORMATS[fmt]}", [str(tmp)])
            tmp.replace(path)  # a reader never sees a half-written file
            rows[table] = con.execute(f"select count(*) from marts.{ident(table)}").fetchone()[0]
    finally:
        con.close()
    return rows
