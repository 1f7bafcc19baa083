"""Write-audit-publish: the published file changes only after a fully checked build, atomically."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

import revenue_warehouse.pipeline.build as build_module
import revenue_warehouse.pipeline.check as check_module
from revenue_warehouse.pipeline.check import CheckResult
from revenue_warehouse.config import PROJECT_ROOT, WarehouseError
from revenue_warehouse.pipeline.publish import publish

PERSONAL_COLUMNS = {"first_name", "last_name", "work_email", "user_name", "annual_base_salary", "raw_row", "email"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _already_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy is already built: build() runs no dbt (neither the build nor source freshness) and takes
    every mart as rebuilt."""
    monkeypatch.setattr(build_module, "run_dbt_quietly", lambda *args, **kwargs: 0)
    monkeypatch.setattr(build_module, "run_dbt", lambda *args, **kwargs: 0)
    monkeypatch.setattr(build_module, "marts_not_rebuilt", lambda: [])


@pytest.fixture()
def built(clean_warehouse: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of a built warehouse and a path for its published file (already published once).

    The copy keeps the file name: dbt-duckdb's views name their catalog, which is the file's stem.
    """
    db = tmp_path / "build" / clean_warehouse[1].name
    db.parent.mkdir()
    shutil.copy(clean_warehouse[1], db)
    published = tmp_path / "published" / "warehouse.duckdb"
    publish(db, published)
    return db, published


def test_published_file_holds_marts_and_quality_results_only(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    db, published = built
    _already_built(monkeypatch)
    build_module.build(db, target=published)
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        columns = {r[0] for r in con.execute("select column_name from information_schema.columns").fetchall()}
        runs = con.execute("select status from audit.run_log").fetchall()
        checks = con.execute("select count(*) from audit.check_results").fetchone()[0]
    assert {schema for schema, _ in tables} == {"marts", "audit"}
    assert {name for schema, name in tables if schema == "audit"} == {"check_results", "run_log"}
    assert {"fct_kpi_monthly", "fct_revenue_per_head", "dim_employees"} <= {name for _, name in tables}
    assert not columns & PERSONAL_COLUMNS, "no pay, no person's name, no raw rows in the published file"
    assert ("published",) in runs and checks > 10


def test_failed_checks_leave_the_published_file_untouched(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    db, published = built
    before = _digest(published)
    _already_built(monkeypatch)
    broken = lambda con: [CheckResult("always_fails", "error", False, 1.0, 0.0, "test")]  # noqa: E731
    monkeypatch.setattr(check_module, "CHECKS", (broken,))
    with pytest.raises(WarehouseError, match="check\\(s\\) failed; published marts unchanged"):
        build_module.build(db, target=published)
    assert _digest(published) == before
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select status from audit.run_log order by started_at desc limit 1").fetchone() == ("failed",)


def test_failed_dbt_build_leaves_the_published_file_untouched(built: tuple[Path, Path]) -> None:
    db, published = built
    before = _digest(published)
    with pytest.raises(WarehouseError, match="dbt build failed"):
        build_module.build(db, vars_text="{north_star_kpi: not_a_kpi}", extra=["--quiet"], target=published)
    assert _digest(published) == before


def test_a_failing_dbt_test_leaves_the_published_file_untouched(built: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt build exits 1 when a data test fails: nothing is checked or published."""
    db, published = built
    before = _digest(published)
    calls: list[list[str]] = []
    monkeypatch.setattr(build_module, "run_dbt_quietly", lambda command, *args, **kwargs: calls.append(command) or 1)
    monkeypatch.setattr(build_module, "run_dbt", lambda command, *args, **kwargs: calls.append(command) or 1)
    with pytest.raises(WarehouseError, match=r"dbt build failed \(exit 1\); published marts unchanged"):
        build_module.build(db, target=published)
    assert calls == [["build"]] and _digest(published) == before


def test_a_second_concurrent_build_is_refused(built: tuple[Path, Path]) -> None:
    db, published = built
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX); print('ready', flush=True); time.sleep(60)",
         str(db) + ".lock"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(WarehouseError, match="another warehouse build is running"):
            build_module.build(db, target=published)
    finally:
        holder.kill()
        holder.wait()


def test_kill_9_mid_build_leaves_the_published_file_intact(built: tuple[Path, Path]) -> None:
    db, published = built
    before = _digest(published)
    env = {**os.environ, "WAREHOUSE_PATH": str(db), "WAREHOUSE_PUBLISH_PATH": str(published)}
    process = subprocess.Popen(
        [sys.executable, "-m", "revenue_warehouse.cli", "build", "--", "--quiet"], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    time.sleep(8)  # dbt is parsing or building by now
    assert process.poll() is None, "the build finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert _digest(published) == before
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_kpi_monthly").fetchone()[0] > 0


def test_a_reader_keeps_its_snapshot_while_a_new_file_is_published(built: tuple[Path, Path]) -> None:
    db, published = built
    reader = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys\n"
         "con = duckdb.connect(sys.argv[1], read_only=True)\n"
         "q = 'select count(*) from marts.fct_kpi_monthly'\n"
         "print(con.execute(q).fetchone()[0], flush=True)\n"
         "sys.stdin.readline()\n"
         "print(con.execute(q).fetchone()[0], flush=True)\n",
         str(published)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    first = int(reader.stdout.readline())
    with duckdb.connect(str(db)) as con:  # change the build so the next publish differs
        con.execute("delete from marts.fct_kpi_monthly where kpi_name = 'nps'")
    publish(db, published)
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert int(reader.stdout.readline()) == first, "the open reader still sees its snapshot"
    reader.wait()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_kpi_monthly").fetchone()[0] < first


def _last_run(db: Path) -> tuple[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select status, message from audit.run_log order by started_at desc limit 1").fetchone()


@pytest.mark.parametrize("failure", ["destination is a folder", "disk full"])
def test_a_failed_publish_is_recorded_failed_and_leaves_nothing_behind(built: tuple[Path, Path], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      failure: str) -> None:
    """Finding 11: an unwritable destination or a full disk is one line, the run is recorded failed (never
    "published"), no temporary or WAL file is left, and the old published file stays intact."""
    db, published = built
    before = _digest(published)
    _already_built(monkeypatch)
    passing = lambda con: [CheckResult("always_passes", "error", True, 0.0, 0.0, "test")]  # noqa: E731
    monkeypatch.setattr(check_module, "CHECKS", (passing,))
    target = published
    if failure == "disk full":
        def full(*args: object) -> None:
            raise OSError(28, "No space left on device")
        monkeypatch.setattr("revenue_warehouse.pipeline.publish.os.replace", full)
    else:
        target = tmp_path / "a-folder"
        (target / "inside").mkdir(parents=True)
    with pytest.raises(WarehouseError) as raised:
        build_module.build(db, target=target)
    message = str(raised.value)
    assert len(message.splitlines()) == 1 and "the published file is unchanged" in message
    assert ("No space left on device" if failure == "disk full" else "Is a directory") in message
    status, logged = _last_run(db)
    assert status == "failed" and "publish to" in logged
    assert _digest(published) == before
    assert not [p for p in target.parent.iterdir() if ".tmp" in p.name], "a temporary file was left behind"


def test_an_apostrophe_in_the_paths_is_a_path(built: tuple[Path, Path], tmp_path: Path) -> None:
    """Finding 12: /data/o'brien/w.duckdb publishes (the path is quoted by the one helper, never pasted)."""
    db, _ = built
    folder = tmp_path / "o'brien; drop table marts.fct_kpi_monthly; --"
    folder.mkdir()
    moved = folder / db.name
    shutil.copy(db, moved)
    publish(moved, folder / "published" / "w'1.duckdb")
    with duckdb.connect(str(folder / "published" / "w'1.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_kpi_monthly").fetchone()[0] > 0
    with duckdb.connect(str(moved), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_kpi_monthly").fetchone()[0] > 0


def test_a_selected_build_never_publishes(built: tuple[Path, Path]) -> None:
    """Finding 10b: `warehouse build -- --select staging` rebuilds no mart, so the marts in the build file
    (perhaps built with other vars) are not published; the run says so and is recorded "built"."""
    db, published = built
    before = _digest(published)
    env = {**os.environ, "WAREHOUSE_PATH": str(db), "WAREHOUSE_PUBLISH_PATH": str(published)}
    result = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "build", "--", "--select",
                             "stg_billing__invoices"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "not published: this build did not rebuild" in result.stdout and "fct_kpi_monthly" not in result.stderr
    assert _digest(published) == before
    assert _last_run(db)[0] == "built"


def _dbt_children(db: Path) -> list[int]:
    """dbt processes working on this warehouse file (their environment names it, bare in its folder: dbt runs
    there, build.dbt_process)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes().split(b"\0")
            cmdline = (proc / "cmdline").read_bytes()
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        names_it = f"WAREHOUSE_PATH={db}".encode() in environ or (
            f"WAREHOUSE_PATH={db.name}".encode() in environ and cwd == db.resolve().parent)
        if names_it and b"dbt" in cmdline and b"revenue_warehouse.cli" not in cmdline:
            found.append(int(proc.name))
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_build_takes_its_dbt_child_with_it(built: tuple[Path, Path], sig: signal.Signals) -> None:
    """Finding 13: `kill` (or kill -9) of `warehouse build` leaves no dbt running on the build file."""
    db, published = built
    env = {**os.environ, "WAREHOUSE_PATH": str(db), "WAREHOUSE_PUBLISH_PATH": str(published)}
    process = subprocess.Popen([sys.executable, "-m", "revenue_warehouse.cli", "build"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not _dbt_children(db) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _dbt_children(db), "dbt never started"
    process.send_signal(sig)  # the warehouse process only, not its group
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _dbt_children(db) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _dbt_children(db), "dbt kept running after its warehouse build was killed"


def test_dbt_children_send_no_usage_statistics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 13: dbt's anonymous usage tracking is off for every dbt the tooling starts, and in
    dbt_project.yml for a plain `dbt build`."""
    import yaml

    monkeypatch.delenv("DO_NOT_TRACK", raising=False)
    env = build_module.dbt_env(tmp_path / "w.duckdb")
    assert env["DO_NOT_TRACK"] == "1" and env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"
    project = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())
    assert project["flags"]["send_anonymous_usage_stats"] is False


def test_status_says_which_as_of_and_vars_the_published_file_holds(tmp_path: Path) -> None:
    """Issue 22, finding 4: every build records its vars and as-of date; `status` shows the last build's
    vars and the published file's own as-of date and vars, and says when they are not the build file's."""
    import datetime as dt

    from revenue_warehouse.pipeline.runs import Run, last_build_vars, status

    build, published = tmp_path / "w.duckdb", tmp_path / "p.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema intermediate")
        con.execute("create table intermediate.int_as_of_date_resolved as select date '2025-11-30' as as_of_date")
        con.execute("create table intermediate.int_months_windowed as select range::date as month, true as "
                    "is_month_complete from range(date '2024-12-01', date '2025-12-01', interval 1 month)")
    old = Run("build", vars={"finance_source": "xero"}, as_of_date=dt.date(2025, 10, 31))
    old.record(build, "published", "published")
    with duckdb.connect(str(published)) as con:
        old.record_into(con, "published", "published")
    Run("build", vars={"finance_source": "xero", "as_of_date": "2025-11-30"},
        as_of_date=dt.date(2025, 11, 30)).record(build, "failed", "checks failed")
    assert last_build_vars(build) == {"finance_source": "xero", "as_of_date": "2025-11-30"}
    text = status(build, published)
    assert "build vars:       {as_of_date: '2025-11-30', finance_source: xero}" in text, text
    assert ("; as-of 2025-10-31, vars {finance_source: xero}; NOT the build file's as-of 2025-11-30: its last "
            "build was not published") in text, text
