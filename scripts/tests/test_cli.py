"""The command line: user mistakes are one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.config import PROJECT_ROOT


def _run(*args: str, env_db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "revenue_warehouse.cli", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={"WAREHOUSE_PATH": str(env_db), "PATH": str(Path(sys.executable).parent)},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("build", "--vars", "{as_of_date: [unclosed"), "--vars is not valid YAML"),
        (("build", "--vars", "just-a-string"), "--vars must be a YAML mapping"),
        (("build",), "warehouse file not found"),
        (("load", "--from", "/nonexistent/folder"), "no such folder"),
    ],
)
def test_user_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    if args[0] == "build" and "--vars" in args:
        (tmp_path / "w.duckdb").touch()
    result = _run(*args, env_db=tmp_path / "w.duckdb")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr


def test_wrong_layout_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "exports" / "billing").mkdir(parents=True)  # schema folders must be raw_<source>
    result = _run("load", "--from", str(tmp_path / "exports"), env_db=tmp_path / "w.duckdb")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "unknown schema folder" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def _while_held(db: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI while another process holds the DuckDB file open (read-write)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        return _run(*args, env_db=db)
    finally:
        holder.kill()
        holder.wait()


def test_locked_warehouse_is_one_line(tmp_path: Path, small_raw: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = _while_held(db, "load", "--from", str(small_raw))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "in use by another process" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_demo_summary_shows_cost_kpis_with_targets_or_why_they_are_missing(clean_warehouse: tuple[Path, Path],
                                                                           tmp_path: Path) -> None:
    """The demo's closing lines: every headline KPI as a number (against its target where one is set), or the
    value_status reason it has none, never a bare dash."""
    import duckdb

    from revenue_warehouse.cli import SUMMARY_KPIS, demo_summary
    from revenue_warehouse.pipeline.publish import publish

    published = tmp_path / "published.duckdb"
    publish(clean_warehouse[1], published)
    text = demo_summary(clean_warehouse[1], published)
    with duckdb.connect(str(published), read_only=True) as con:
        latest = dict(con.execute("select kpi_name, value_status from marts.fct_kpi_monthly "
                                  "where month = (select max(month) from marts.fct_kpi_monthly)").fetchall())
    for label in ("revenue per head (TTM)", "gross margin", "LTV:CAC", "CAC payback (months)", "Rule of 40"):
        assert label in text
    assert "–" not in text and "None" not in text
    if latest["ltv_to_cac"] == "ok":
        assert "(target >= 3.00: " in text
    for name in SUMMARY_KPIS:
        if latest[name] == "hidden":
            assert "hidden (privacy" in text


def test_every_option_has_help_and_help_names_the_environment() -> None:
    import argparse

    from revenue_warehouse.cli import parser

    top = parser()
    subparsers = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"warehouse {name} {'/'.join(action.option_strings) or action.dest} has no help"
    text = top.format_help()
    for variable in ("WAREHOUSE_PATH", "WAREHOUSE_PUBLISH_PATH", "DBT_TARGET", "PGHOST", "SPARK_HOME_DIR"):
        assert variable in text


def test_published_file_defaults_next_to_the_build_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from revenue_warehouse.config import publish_path

    monkeypatch.delenv("WAREHOUSE_PUBLISH_PATH", raising=False)
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "acme" / "acme.duckdb"))
    assert publish_path() == tmp_path / "acme" / "published" / "acme.duckdb"
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "beta.duckdb"))
    assert publish_path() == tmp_path / "published" / "beta.duckdb", "a second warehouse gets its own file"
    monkeypatch.setenv("WAREHOUSE_PUBLISH_PATH", str(tmp_path / "bi.duckdb"))
    assert publish_path() == tmp_path / "bi.duckdb"


#: The calendar the demo is tried on (WAREHOUSE_TODAY): a month's first day, the 6th (the day issue 20's
#: NPS went stale), mid-month, a month's last day (a complete month), and a leap day. The generated company
#: is checked on every day (window, nothing after the day, every source fresh); the whole demo runs on the
#: three that differ in kind (month to date of one day, a complete month, a leap day).
CALENDAR = ["2026-12-01", "2026-12-06", "2026-12-15", "2026-12-31", "2028-02-29"]
# the whole demo (about a minute each) on a first of a month and on the last day of one, a leap day; the
# generator and the freshness recomputation run on every day of CALENDAR
WHOLE_DEMO = ["2026-12-01", "2028-02-29"]


def _demo(folder: Path, *options: str, today: str) -> tuple[str, dict]:
    """`warehouse demo` at scale 0.05 in its own folder, on the day ``today`` (the one calendar override)."""
    env = {"WAREHOUSE_PATH": str(folder / "w.duckdb"), "PATH": str(Path(sys.executable).parent),
           "WAREHOUSE_TODAY": today, "DO_NOT_TRACK": "1",
           **{k: os.environ[k] for k in ("DBT_TARGET_PATH",) if k in os.environ}}
    result = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "demo", "--scale", "0.05", *options],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, env=env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    return output, env


def _headline(output: str) -> list[str]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Headline KPIs for"))
    return lines[start:start + 11]


#: columns that record something that happened: none may lie after the day the data were extracted
HAPPENED = ("invoice_date", "created_at", "responded_at", "refunded_at", "effective_date", "started_on",
            "go_live_on", "posted_date", "changed_at", "mql_at", "sql_at", "converted_at", "canceled_at",
            "ended_at", "start_date", "hire_date")


def _latest_per_column(raw: Path) -> dict[str, dt.date]:
    """The latest value of every date/time column that records an event, per raw file (bad rows left out:
    they are text that does not parse)."""
    latest = {}
    with duckdb.connect() as con:
        for path in sorted(raw.glob("raw_*/*.parquet")):
            columns = con.execute("select column_name from (describe select * from read_parquet(?))",
                                  [str(path)]).fetchall()
            for (column,) in columns:
                if column in HAPPENED or column == "_loaded_at":
                    value = con.execute(f'select max(try_cast("{column}" as timestamp)) from read_parquet(?)',
                                        [str(path)]).fetchone()[0]
                    if value is not None:
                        latest[f"{path.parent.name}.{path.stem}.{column}"] = value.date()
    return latest


def _warn_after_days() -> dict[str, int]:
    """Each contract source table's freshness warning age in days, read from the sources' YAML (a table's
    own setting over its source's; ``freshness: null`` exempts it)."""
    import yaml

    days = {"day": 1, "hour": 1 / 24, "minute": 1 / 1440}
    rules = {}
    for path in sorted((PROJECT_ROOT / "models" / "staging").glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text())["sources"]:
            if not str(source.get("schema", "")).startswith("raw_"):
                continue
            default = (source.get("config") or {}).get("freshness") or source.get("freshness")
            for table in source["tables"]:
                config = table.get("config") or {}
                rule = config["freshness"] if "freshness" in config else table.get("freshness", default)
                if rule and rule.get("warn_after"):
                    warn = rule["warn_after"]
                    rules[f"{source['schema']}.{table['name']}"] = warn["count"] * days[warn["period"]]
    return rules


def _stale_tables(raw: Path, day: dt.date) -> dict[str, float]:
    """Tables whose newest ``_loaded_at`` is older than their warning age at the end of ``day`` (the latest
    moment a build that day can check them): an independent recomputation of dbt's source freshness."""
    snapshot = dt.datetime.combine(day, dt.time(23, 59, 59))
    stale = {}
    with duckdb.connect() as con:
        for table, warn_days in _warn_after_days().items():
            files = list(raw.glob(f"{table.replace('.', '/')}.*"))
            assert files, f"{table}: no file generated"
            newest = con.execute("select max(try_cast(_loaded_at as timestamp)) from read_parquet(?)",
                                 [str(files[0])]).fetchone()[0]
            age = (snapshot - newest).total_seconds() / 86400 if newest else float("inf")
            if age >= warn_days:
                stale[table] = round(age, 1)
    return stale


@pytest.mark.parametrize("today", CALENDAR)
def test_the_company_on_any_day_ends_that_day_and_no_source_is_stale(tmp_path: Path, today: str) -> None:
    """The generated company on each calendar day: 48 months ending that day, nothing dated or loaded after
    it, and every source table with a freshness rule loaded recently enough at the end of the day."""
    from revenue_warehouse.synthetic.generate import generate

    day = dt.date.fromisoformat(today)
    manifest = generate(tmp_path / "raw", scale=0.05, end_date=today)
    first = day.year * 12 + day.month - 1 - 47  # 48 months, the last one today's
    assert manifest["end_date"] == today and manifest["window"] == [f"{first // 12:04d}-{first % 12 + 1:02d}-01", today]
    latest = _latest_per_column(tmp_path / "raw")
    assert len(latest) > 25 and max(latest.values()) == day, {k: v for k, v in latest.items() if v > day}
    assert len(_warn_after_days()) >= 12
    assert _stale_tables(tmp_path / "raw", day) == {}


def test_the_stale_recomputation_sees_a_stale_table(tmp_path: Path) -> None:
    """The recomputation above is not vacuous: the same company seven weeks later is stale."""
    from revenue_warehouse.synthetic.generate import generate

    generate(tmp_path / "raw", scale=0.02, end_date="2026-12-06")
    stale = _stale_tables(tmp_path / "raw", dt.date(2027, 1, 24))
    assert "raw_billing.invoice" in stale and stale["raw_billing.invoice"] > 48


@pytest.mark.parametrize("today", WHOLE_DEMO)
def test_the_demo_on_any_day_ends_today_fresh_and_says_whether_its_month_is_over(tmp_path: Path, today: str) -> None:
    """`warehouse demo` (what `make demo` runs) on three kinds of day, all from WAREHOUSE_TODAY, never the
    wall clock: no source is stale (dbt's own freshness), the summary fits one screen without tracebacks
    and headlines the last complete month, saying when today's is month to date; the published KPI mart
    and `warehouse status` name that month and as-of date, and the report is written for it."""
    day = dt.date.fromisoformat(today)
    month_over = (day + dt.timedelta(days=1)).day == 1
    output, env = _demo(tmp_path, today=today)

    manifest = json.loads((tmp_path / "data" / "raw" / "_generation.json").read_text())
    assert manifest["end_date"] == today

    lines = output.strip().splitlines()
    assert len(lines) <= 80, f"{len(lines)} lines:\n{output}"
    assert "Traceback" not in output and " START " not in output, "no dbt node log"
    assert any(line.strip().startswith("dbt: PASS=") for line in lines)
    assert "source_freshness" not in output, "the demo calls its own data stale"
    last_complete = day if month_over else day.replace(day=1) - dt.timedelta(days=1)
    headline = f"Headline KPIs for {last_complete:%B %Y}" + (":" if month_over else
                                                            f" (the last complete month; {day:%B %Y} is month to date")
    assert headline in output and ("month to date" in output) is not month_over, output[-1500:]

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        freshness = con.execute("select status, details from audit.check_results "
                                "where check_name = 'source_freshness'").fetchall()
    assert freshness == [("pass", "all sources fresh")]
    with duckdb.connect(str(tmp_path / "published" / "w.duckdb"), read_only=True) as con:
        assert con.execute("select max(month), bool_and(is_month_complete) filter (where month = "
                           "(select max(month) from marts.fct_kpi_monthly)) from marts.fct_kpi_monthly"
                           ).fetchone() == (day.replace(day=1), month_over)
    report = (tmp_path / "reports" / "index.html").read_text()
    # the board pack and the summary headline the same month; the month to date is in its tables, flagged
    assert f"Figures for {last_complete:%B %Y}, the last complete month." in report
    assert (f"{day:%B %Y} is month to date" in report) is not month_over

    status = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "status"], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, env=env, check=True).stdout
    assert f"as-of date:       {today}" in status, status
    assert (f"{day:%Y-%m} not yet complete" in status) is not month_over, status
    for expected in ("last build:", "published", "last checks:", "published marts:"):
        assert expected in status, status
    if today == CALENDAR[-1]:  # the override reaches dbt's freshness: seven weeks later the same data are stale
        later = {**env, "WAREHOUSE_TODAY": str(day + dt.timedelta(days=49))}
        check = subprocess.run([sys.executable, "-m", "revenue_warehouse.cli", "check"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, env=later)
        assert "WARN source_freshness" in check.stdout and "billing.invoice (error)" in check.stdout, check.stdout


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict, Path]:
    folder = tmp_path_factory.mktemp("demo")
    return (*_demo(folder, today=CALENDAR[1]), folder)


@pytest.mark.connectors
def test_demo_with_the_fivetran_layout_gives_the_same_headline(demo_run: tuple[str, dict, Path],
                                                               tmp_path: Path) -> None:
    """`warehouse demo --layout fivetran`: the same company as Stripe, Salesforce, Xero and BambooHR land it,
    built through the adapters, gives the headline of `warehouse demo`, without stale-source warnings."""
    output, _ = _demo(tmp_path, "--layout", "fivetran", today=CALENDAR[1])
    assert "--vars '{billing_source: stripe, crm_source: salesforce, finance_source: xero, hr_source: bamboohr}'" \
        in output
    assert sorted(p.name for p in (tmp_path / "data" / "raw").iterdir() if p.is_dir()) == \
        ["bamboohr", "hubspot", "raw_cs", "raw_finance", "raw_product", "salesforce", "stripe", "xero"]
    assert _headline(output) == _headline(demo_run[0]) and "$" in _headline(output)[1]
    assert "source_freshness" not in output


def test_locked_build_file_is_one_line_without_dbt_traceback(tmp_path: Path) -> None:
    result = _while_held(tmp_path / "w.duckdb", "build")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "in use by another process" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert len(result.stdout.strip().splitlines()) <= 2
