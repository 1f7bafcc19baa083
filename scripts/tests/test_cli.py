"""The command line: user mistakes are one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_locked_warehouse_is_one_line(tmp_path: Path, small_raw: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = _run("load", "--from", str(small_raw), env_db=db)
    finally:
        holder.kill()
        holder.wait()
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
