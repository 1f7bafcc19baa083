"""Run records (``audit.run_log``) and ``warehouse status``."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from revenue_warehouse.config import WarehouseError, dbt_target_path, utc_now
from revenue_warehouse.db import column_names, connect, table_exists

RUN_LOG_DDL = """
create schema if not exists audit;
create table if not exists audit.run_log (
    run_id varchar, command varchar, started_at timestamp, ended_at timestamp, status varchar,
    dbt_invocation_id varchar, mart_row_counts varchar, message varchar
);
alter table audit.run_log add column if not exists vars varchar;
alter table audit.run_log add column if not exists as_of_date date
"""
RUN_LOG_COLUMNS = ("run_id, command, started_at, ended_at, status, dbt_invocation_id, mart_row_counts, message, "
                   "vars, as_of_date")


@dataclass
class Run:
    command: str
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    started_at: dt.datetime = field(default_factory=utc_now)
    dbt_invocation_id: str | None = None
    mart_row_counts: dict[str, int] = field(default_factory=dict)
    vars: dict | None = None  # a build's or check's --vars (JSON in the log; `check` and `status` reuse them)
    as_of_date: dt.date | None = None  # the as-of date the build resolved (what its marts hold)

    def record(self, db_path: Path, status: str, message: str = "") -> None:
        """Append this run to audit.run_log of the given warehouse file."""
        con = connect(db_path)
        try:
            self.record_into(con, status, message)
        finally:
            con.close()

    def record_into(self, con: duckdb.DuckDBPyConnection, status: str, message: str = "") -> None:
        """Append this run to audit.run_log of an open DuckDB connection."""
        con.execute(RUN_LOG_DDL)
        con.execute(
            f"insert into audit.run_log ({RUN_LOG_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.run_id, self.command, self.started_at, utc_now(), status, self.dbt_invocation_id,
             json.dumps(self.mart_row_counts, sort_keys=True), message[:2000],
             None if self.vars is None else json.dumps(self.vars, sort_keys=True, default=str), self.as_of_date],
        )


def last_build(con: duckdb.DuckDBPyConnection, status: str | None = None) -> tuple[dict, dt.date | None] | None:
    """The vars and as-of date of the latest build recorded in this file's run log (of that ``status``):
    what its marts were built with. None when no build is recorded (or the log predates vars)."""
    if not table_exists(con, "audit", "run_log"):
        return None
    if "vars" not in column_names(con, "audit", "run_log"):
        return None
    row = con.execute(
        "select vars, as_of_date from audit.run_log where command = 'build' and vars is not null"
        + (" and status = ?" if status else "") + " order by started_at desc, ended_at desc limit 1",
        [status] if status else []).fetchone()
    return (json.loads(row[0]), row[1]) if row else None


def last_build_vars(db_path: Path) -> dict:
    """The vars of the last build of this warehouse file (``{}`` when none is recorded)."""
    con = connect(db_path, read_only=True)
    try:
        found = last_build(con)
    finally:
        con.close()
    return found[0] if found else {}


def vars_text(vars_: dict) -> str:
    """Vars as the one-line YAML mapping `--vars` takes."""
    import yaml

    return yaml.safe_dump(vars_, default_flow_style=True, width=10**6).strip() if vars_ else "{}"


def last_dbt_invocation_id() -> str | None:
    path = dbt_target_path() / "run_results.json"
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("metadata", {}).get("invocation_id")


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86400:.1f} days"


def _published_build(publish_path: Path) -> tuple[dict, dt.date | None] | None:
    """The vars and as-of date of the build the published file holds (its own run log's published row)."""
    try:
        con = duckdb.connect(str(publish_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        return last_build(con, "published")
    finally:
        con.close()


def status(build_path: Path, publish_path: Path, limit: int = 10) -> str:
    """What a user asks first: which data (as-of date, window), how the last build went, how old the
    published file is, and the recent runs."""
    if not build_path.exists():
        raise WarehouseError(f"{build_path}: warehouse file not found (run `warehouse demo` or `warehouse load` first)")
    con = connect(build_path, read_only=True)
    try:
        rows = con.execute(
            f"select run_id, command, started_at, ended_at, status, message from audit.run_log "
            f"order by started_at desc limit {int(limit)}"
        ).fetchall() if table_exists(con, "audit", "run_log") else []
        window = con.execute(
            "select (select as_of_date from intermediate.int_as_of_date_resolved), min(month), max(month), count(*), "
            "bool_and(is_month_complete) from intermediate.int_months_windowed"
        ).fetchone() if table_exists(con, "intermediate", "int_months_windowed") else None
        checks = con.execute("""
            select run_id, count(case when status = 'pass' then 1 end), count(case when status = 'warn' then 1 end),
                count(case when status = 'fail' then 1 end)
            from audit.check_results
            where run_id = (select run_id from audit.check_results order by checked_at desc limit 1)
            group by run_id
        """).fetchone() if table_exists(con, "audit", "check_results") else None
        build_info = last_build(con)
    finally:
        con.close()
    now = utc_now()
    lines = [f"build file:       {build_path}"]
    if window and window[1]:
        as_of, first, last, months, complete = window
        lines.append(f"as-of date:       {as_of}   reporting window {first:%Y-%m} .. {last:%Y-%m} ({months} months"
                     f"{'' if complete else f', {last:%Y-%m} not yet complete'})")
    else:
        lines.append("as-of date:       (not built yet: run `warehouse build`)")
    builds = [r for r in rows if r[1] == "build"]
    if builds:
        _, _, started, ended, state, message = builds[0]
        lines.append(f"last build:       {started:%Y-%m-%d %H:%M} UTC, {_age((now - started).total_seconds())} ago: "
                     f"{state} ({message[:70]})")
    if checks:
        lines.append(f"last checks:      {checks[1]} passed, {checks[2]} warnings, {checks[3]} failed (run {checks[0]}; "
                     "details in audit.check_results, or `warehouse check`)")
    if build_info and build_info[0]:
        lines.append(f"build vars:       {vars_text(build_info[0])} (the last build's; `warehouse check` reuses them)")
    if publish_path.exists():
        age = _age(dt.datetime.now().timestamp() - publish_path.stat().st_mtime)
        published = _published_build(publish_path)
        holds = ""
        if published:
            held_vars, held_as_of = published
            holds = f"; as-of {held_as_of or 'unknown'}" + (f", vars {vars_text(held_vars)}" if held_vars else "")
            if window and window[0] and held_as_of and held_as_of != window[0]:
                holds += f"; NOT the build file's as-of {window[0]}: its last build was not published"
        lines.append(f"published marts:  {publish_path} (published {age} ago{holds})")
    else:
        lines.append(f"published marts:  {publish_path} (not published yet)")
    lines.append("")
    lines.append(f"{'run':12}  {'command':8}  {'started (UTC)':19}  {'secs':>6}  {'status':9}  message")
    for run_id, command, started, ended, state, message in rows:
        secs = (ended - started).total_seconds() if ended else float("nan")
        lines.append(f"{run_id:12}  {command:8}  {started:%Y-%m-%d %H:%M:%S}  {secs:6.1f}  {state:9}  {message[:60]}")
    if not rows:
        lines.append("(no runs recorded yet)")
    return "\n".join(lines)
