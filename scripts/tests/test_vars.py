"""Every documented var works at a non-default value, through plain `dbt build` and through `warehouse build`,
and each has its effect; a bad value stops the run with one line naming the var.

The clean fixture (built with the defaults) is copied twice; one copy is rebuilt with plain dbt, the other
with `warehouse build` (which also publishes), both with every var set away from its default:
as_of_date mid-window and mid-month, include_contractors true, min_group_size 3, benefits_load_rate 0.25,
north_star_kpi arr_usd, quarantine thresholds 0.05 / 0.5 / 3 rows, adoption_min_core_features 2.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.pipeline.build import run_dbt
from revenue_warehouse.config import PROJECT_ROOT
from conftest import with_unit_tests

VARS = {"as_of_date": "2025-06-15", "include_contractors": True, "min_group_size": 3,
        "benefits_load_rate": 0.25, "north_star_kpi": "arr_usd", "quarantine_warn_rate": 0.05,
        "quarantine_error_rate": 0.5, "quarantine_error_min_rows": 3, "adoption_min_core_features": 2}
VARS_TEXT = ("{as_of_date: '2025-06-15', include_contractors: true, min_group_size: 3, "
             "benefits_load_rate: 0.25, north_star_kpi: arr_usd, quarantine_warn_rate: 0.05, "
             "quarantine_error_rate: 0.5, quarantine_error_min_rows: 3, adoption_min_core_features: 2}")


def _copy(clean_warehouse: tuple[Path, Path], folder: Path) -> Path:
    folder.mkdir(parents=True)
    db = folder / clean_warehouse[1].name  # keep the file name: dbt-duckdb's views name their catalog
    shutil.copy(clean_warehouse[1], db)
    return db


def _cli_process(args: list[str], db: Path, published: Path) -> subprocess.Popen:
    env = {**os.environ, "WAREHOUSE_PATH": str(db), "WAREHOUSE_PUBLISH_PATH": str(published)}
    return subprocess.Popen([sys.executable, "-m", "revenue_warehouse.cli", *args], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _cli(args: list[str], db: Path, published: Path) -> subprocess.CompletedProcess:
    process = _cli_process(args, db, published)
    stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture(scope="module")
def builds(clean_warehouse: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("vars")
    plain = _copy(clean_warehouse, root / "plain")
    with with_unit_tests():  # the unit tests at these vars (those pinned to a default still pass)
        code = run_dbt(["build", "--quiet"], plain, VARS, extra=["--target-path", str(root / "target")])
    assert code == 0
    cli = _copy(clean_warehouse, root / "cli")
    published = root / "cli" / "published.duckdb"
    result = _cli(["build", "--vars", VARS_TEXT], cli, published)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"default": clean_warehouse[1], "plain": plain, "cli": cli, "published": published}


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("build", ["plain", "cli", "published"])
def test_as_of_date_ends_the_window_in_a_whole_incomplete_month(builds: dict[str, Path], build: str) -> None:
    default_end = _query(builds["default"], "select max(month) from marts.fct_revenue_monthly")[0][0]
    end, complete = _query(builds[build], "select month, is_month_complete from marts.fct_revenue_monthly "
                                          "order by month desc limit 1")[0]
    assert default_end > dt.date(2025, 6, 1)
    assert (end, complete) == (dt.date(2025, 6, 1), False)
    assert _query(builds[build], "select bool_and(is_month_complete) from marts.fct_kpi_monthly "
                                 "where month < '2025-06-01'")[0][0] is True


@pytest.mark.parametrize("build", ["plain", "cli"])
def test_as_of_month_is_evaluated_whole(builds: dict[str, Path], build: str) -> None:
    """Mid-month as_of: June's HR counts every day of June (the default build's June, with the same vars'
    people rules, is the reference: the rows loaded are the same)."""
    june_end = _query(builds[build], "select month_end_headcount from intermediate.int_headcount_summed "
                                     "where month = '2025-06-01' and function = 'all'")[0][0]
    assert june_end > 0, "month-end headcount of the as_of month must not be cut at as_of_date"


@pytest.mark.parametrize("build", ["plain", "cli"])
def test_contractors_are_counted(builds: dict[str, Path], build: str) -> None:
    sql = ("select count(*) from intermediate.int_employee_segments_built "
           "where is_counted and employment_type in ('contractor', 'intern')")
    assert _query(builds["default"], sql)[0][0] == 0
    assert _query(builds[build], sql)[0][0] > 0


@pytest.mark.parametrize("build", ["plain", "cli"])
def test_smaller_min_group_size_hides_fewer_rows(builds: dict[str, Path], build: str) -> None:
    sql = ("select count(case when is_suppressed then 1 end) from marts.fct_revenue_per_head "
           "where month <= '2025-05-01'")
    default, smaller = _query(builds["default"], sql)[0][0], _query(builds[build], sql)[0][0]
    assert smaller < default
    # customer segments: fewer segment-months are too small to publish their ratios
    sql = ("select count(*) from marts.fct_kpi_segment_monthly where value_status = 'hidden' "
           "and month <= '2025-05-01'")
    default, smaller = _query(builds["default"], sql)[0][0], _query(builds[build], sql)[0][0]
    assert 0 < smaller < default


@pytest.mark.parametrize("build", ["plain", "cli"])
def test_benefits_load_rate_scales_payroll(builds: dict[str, Path], build: str) -> None:
    """Payroll x 1.25 / 1.20 wherever the people counted are the same in both builds (no contractor or
    intern in the function that month)."""
    with duckdb.connect(str(builds[build]), read_only=True) as con:
        con.execute(f"attach '{builds['default']}' as base (read_only)")
        rows = con.execute("""
            with mixed as (
                select distinct spine.month, segments.function
                from intermediate.int_employee_segments_built as segments
                inner join intermediate.int_months_windowed as spine
                    on segments.segment_start <= spine.month_end and segments.segment_end > spine.month
                where segments.is_counted and segments.employment_type in ('contractor', 'intern')
            )
            select loaded.month, loaded.function, loaded.payroll_cost_usd, base_row.payroll_cost_usd
            from intermediate.int_headcount_summed as loaded
            inner join base.intermediate.int_headcount_summed as base_row
                on loaded.month = base_row.month and loaded.function = base_row.function
            where loaded.function <> 'all' and base_row.payroll_cost_usd > 1000
                and not exists (select 1 from mixed where mixed.month = loaded.month and mixed.function = loaded.function)
        """).fetchall()
    assert len(rows) > 20
    for month, function, loaded, base in rows:
        assert abs(float(loaded) / float(base) - 1.25 / 1.20) < 1e-6, (month, function, loaded, base)


@pytest.mark.parametrize("build", ["plain", "cli", "published"])
def test_north_star_follows_the_var(builds: dict[str, Path], build: str) -> None:
    assert _query(builds[build], "select distinct kpi_name from marts.fct_kpi_monthly where is_north_star") \
        == [("arr_usd",)]


@pytest.mark.parametrize("build", ["plain", "cli"])
def test_fewer_core_features_adopt_more_customers(builds: dict[str, Path], build: str) -> None:
    """adoption_min_core_features 2: every month's adopted customers are at least the default build's (3), more
    in some month; the same customers are active (months before the as_of month, which ends on 15 June here)."""
    sql = ("select month, adoption_active_customers, adopted_customers from marts.fct_customer_success "
           "where month < '2025-06-01' and adoption_active_customers > 0 order by month")
    default, changed = _query(builds["default"], sql), _query(builds[build], sql)
    assert len(changed) >= 6 and [r[:2] for r in changed] == [r[:2] for r in default]
    assert all(c[2] >= d[2] for c, d in zip(changed, default))
    assert any(c[2] > d[2] for c, d in zip(changed, default))


@pytest.mark.parametrize("build", ["plain", "cli"])
def test_quarantine_thresholds_reach_the_check(builds: dict[str, Path], build: str) -> None:
    rows = _query(builds[build], "select distinct quarantine_warn_rate, quarantine_error_rate, quarantine_error_min_rows "
                                 "from audit.raw_row_counts")
    assert [tuple(float(v) for v in row) for row in rows] == [(0.05, 0.5, 3.0)]
    if build == "cli":
        thresholds = _query(builds[build], "select distinct threshold from audit.check_results "
                                           "where check_name like 'quarantine_rate:%'")
        assert thresholds == [(0.05,)], "the check used the build's warn rate"


@pytest.mark.parametrize("bad, messages", [
    ("{as_of_date: '2025-02-30', min_group_size: 0, north_star_kpi: revenue, include_contractors: maybe, "
     "benefits_load_rate: -0.1}",
     ["invalid var: as_of_date must be a real calendar date", "invalid var: min_group_size must be a whole number >= 3",
      "invalid var: north_star_kpi must name a KPI of fct_kpi_monthly",
      "invalid var: include_contractors must be true or false", "invalid var: benefits_load_rate must be a number >= 0"]),
    ("{as_of_date: June}", ["invalid var: as_of_date must be a date like 2025-12-31"]),
    ("{min_group_size: 2, adoption_min_core_features: 0}",
     ["invalid var: min_group_size must be a whole number >= 3, the privacy floor",
      "invalid var: adoption_min_core_features must be a whole number >= 1"]),
    ("{quarantine_warn_rate: 2, quarantine_error_min_rows: -1}",
     ["invalid var: quarantine_warn_rate must be a share between 0 and 1",
      "invalid var: quarantine_error_min_rows must be a whole number >= 0"]),
])
def test_a_bad_value_stops_the_build_naming_the_var(clean_warehouse: tuple[Path, Path], tmp_path: Path,
                                                    bad: str, messages: list[str]) -> None:
    db = _copy(clean_warehouse, tmp_path / "w")
    published = tmp_path / "published.duckdb"
    result = _cli(["build", "--vars", bad], db, published)
    assert result.returncode != 0
    for message in messages:
        assert message in result.stdout + result.stderr
    assert not published.exists()
