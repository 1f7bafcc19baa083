"""Run records (``audit.run_log``) and ``warehouse status``."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from revenue_warehouse.config import PROJECT_ROOT, WarehouseError
from revenue_warehouse.db import connect

RUN_LOG_DDL = """
create schema if not exists audit;
create table if not exists audit.run_log (
    run_id varchar, command varchar, started_at timestamp, ended_at timestamp, status varchar,
    dbt_invocation_id varchar, mart_row_counts varchar, message varchar
)
"""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass
class Run:
    command: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started_at: dt.datetime = field(default_factory=utc_now)
    dbt_invocation_id: str | None = None
    mart_row_counts: dict[str, int] = field(default_factory=dict)

    def record(self, db_path: Path, status: str, message: str = "") -> None:
        """Append this run to audit.run_log of the given warehouse file."""
        con = connect(db_path)
        try:
            con.execute(RUN_LOG_DDL)
            con.execute(
                "insert into audit.run_log values (?, ?, ?, ?, ?, ?, ?, ?)",
                [self.run_id, self.command, self.started_at, utc_now(), status, self.dbt_invocation_id,
                 json.dumps(self.mart_row_counts, sort_keys=True), message[:2000]],
            )
        finally:
            con.close()


def last_dbt_invocation_id() -> str | None:
    path = PROJECT_ROOT / "target" / "run_results.json"
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("metadata", {}).get("invocation_id")


def status(build_path: Path, publish_path: Path, limit: int = 10) -> str:
    lines = []
    if not build_path.exists():
        raise WarehouseError(f"{build_path}: warehouse file not found (run `warehouse demo` or `warehouse load` first)")
    con = connect(build_path, read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'audit' and table_name = 'run_log'"
        ).fetchone()[0]
        rows = con.execute(
            f"select run_id, command, started_at, ended_at, status, message from audit.run_log "
            f"order by started_at desc limit {int(limit)}"
        ).fetchall() if exists else []
    finally:
        con.close()
    lines.append(f"build file: {build_path}")
    lines.append(f"{'run':12}  {'command':8}  {'started (UTC)':19}  {'secs':>6}  {'status':9}  message")
    for run_id, command, started, ended, state, message in rows:
        secs = (ended - started).total_seconds() if ended else float("nan")
        lines.append(f"{run_id:12}  {command:8}  {started:%Y-%m-%d %H:%M:%S}  {secs:6.1f}  {state:9}  {message[:60]}")
    if not rows:
        lines.append("(no runs recorded yet)")
    if publish_path.exists():
        age = dt.datetime.now() - dt.datetime.fromtimestamp(publish_path.stat().st_mtime)
        lines.append(f"published marts: {publish_path} (published {age.total_seconds() / 3600:.1f} hours ago)")
    else:
        lines.append(f"published marts: {publish_path} (not published yet)")
    return "\n".join(lines)
