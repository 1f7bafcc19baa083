"""The semantic layer answers what the marts say: `mf query` (MetricFlow) against a built warehouse.

Monthly, every metric must equal the mart's own column. Quarterly, snapshots must take the quarter's
last month and ratios must be ratios of the quarter's sums, recomputed here from the monthly marts.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from collections import defaultdict
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.config import PROJECT_ROOT

METRICS = ["mrr", "arr", "revenue_per_head", "cac", "cac_3m", "nrr", "win_rate", "bookings", "cac_payback_months",
           "net_new_arr", "quick_ratio", "arr_growth_yoy", "operating_margin_ttm", "rule_of_40",
           "revenue_per_head_growth_yoy", "fte_growth_yoy", "incremental_revenue_per_fte", "csat",
           "product_adoption_rate"]
SNAPSHOTS = ("mrr", "arr", "nrr", "revenue_per_head", "cac", "cac_3m", "cac_payback_months", "arr_growth_yoy",
             "operating_margin_ttm", "rule_of_40", "revenue_per_head_growth_yoy", "fte_growth_yoy",
             "incremental_revenue_per_fte", "product_adoption_rate")


def _mf_query(db: Path, out: Path, grain: str) -> dict[dt.date, dict[str, Decimal | None]]:
    mf = Path(sys.executable).parent / "mf"
    env = {**os.environ, "WAREHOUSE_PATH": str(db)}
    result = subprocess.run(
        [str(mf), "query", "--metrics", ",".join(METRICS), "--group-by", f"metric_time__{grain}",
         "--csv", str(out), "--quiet"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {}
    with open(out) as handle:
        for row in csv.DictReader(handle):
            month = dt.date.fromisoformat(row.pop(f"metric_time__{grain}")[:10])
            rows[month] = {k: Decimal(v) if v not in ("", "None") else None for k, v in row.items()}
    return rows


def _close(a: Decimal | None, b: Decimal | float | None, tolerance: str = "0.000001") -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - Decimal(str(b))) <= Decimal(tolerance) * max(Decimal(1), abs(a))


@pytest.fixture(scope="module")
def marts(clean_warehouse: tuple[Path, Path]) -> dict[dt.date, dict]:
    _, db = clean_warehouse
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        rows = con.execute(
            """
            select u.month, u.mrr_usd, u.arr_usd, p.revenue_per_head_ttm_usd, u.cac_usd, u.cac_3m_usd, u.nrr, f.win_rate,
                   f.bookings_usd, u.cac_payback_months, u.net_new_arr_usd, u.quick_ratio, u.arr_growth_yoy,
                   u.operating_margin_ttm, u.rule_of_40, p.revenue_per_head_growth_yoy, p.fte_growth_yoy,
                   p.incremental_revenue_per_fte_usd, c.csat, c.product_adoption_rate,
                   u.sales_marketing_cost_usd, u.new_customers, f.won_new_business, f.closed_new_business,
                   u.new_mrr_usd + u.reactivation_mrr_usd + u.expansion_mrr_usd,
                   -(u.churned_mrr_usd + u.contraction_mrr_usd), c.csat_satisfied, c.csat_responses
            from marts.fct_unit_economics as u
            inner join marts.fct_customer_success as c on u.month = c.month
            inner join marts.fct_sales_funnel as f on u.month = f.month
            inner join marts.fct_revenue_per_head as p on u.month = p.month and p.function = 'all'
            """
        ).fetchall()
    names = [*METRICS, "sm_cost", "new", "won", "closed", "gained", "lost", "satisfied", "rated"]
    return {r[0]: dict(zip(names, r[1:])) for r in rows}


def test_monthly_metrics_equal_the_marts(clean_warehouse: tuple[Path, Path], marts, tmp_path: Path) -> None:
    queried = _mf_query(clean_warehouse[1], tmp_path / "monthly.csv", "month")
    assert set(queried) == set(marts)
    compared = 0
    for month, row in queried.items():
        for metric in METRICS:
            assert _close(row[metric], marts[month][metric]), (month, metric, row[metric], marts[month][metric])
            compared += row[metric] is not None
    assert compared > 200


def test_quarterly_snapshots_take_the_last_month_and_ratios_sum_the_quarter(
    clean_warehouse: tuple[Path, Path], marts, tmp_path: Path
) -> None:
    queried = _mf_query(clean_warehouse[1], tmp_path / "quarterly.csv", "quarter")
    quarters: dict[dt.date, list[dt.date]] = defaultdict(list)
    for month in sorted(marts):
        quarters[dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)].append(month)
    assert set(queried) == set(quarters)
    for quarter, months in quarters.items():
        last, rows = marts[months[-1]], [marts[m] for m in months]
        got = queried[quarter]
        for snapshot in SNAPSHOTS:
            assert _close(got[snapshot], last[snapshot]), (quarter, snapshot)
        assert _close(got["net_new_arr"], sum(r["net_new_arr"] for r in rows), "0.0000001"), quarter
        lost = sum(r["lost"] for r in rows)
        assert _close(got["quick_ratio"], sum(r["gained"] for r in rows) / lost if lost else None), quarter
        assert _close(got["bookings"], sum(r["bookings"] for r in rows), "0.0000001"), quarter
        closed = sum(r["closed"] for r in rows)
        assert _close(got["win_rate"], Decimal(sum(r["won"] for r in rows)) / closed if closed else None), quarter
        rated = sum(r["rated"] for r in rows)
        assert _close(got["csat"], Decimal(sum(r["satisfied"] for r in rows)) / rated if rated else None), quarter
        # a full quarter's cac_3m is the quarter's S&M cost over its new customers; never a partial sum
        new, costs = sum(r["new"] for r in rows), [r["sm_cost"] for r in rows]
        if len(rows) == 3:
            want = sum(costs) / new if new and None not in costs else None
            assert _close(got["cac_3m"], want), (quarter, got["cac_3m"], want)


def test_segment_metrics_equal_the_segment_mart_and_add_up_to_the_company(
    clean_warehouse: tuple[Path, Path], marts, tmp_path: Path
) -> None:
    """MRR and active customers by segment, monthly: the mart's values, and over the segments the company's."""
    mf = Path(sys.executable).parent / "mf"
    out = tmp_path / "segments.csv"
    result = subprocess.run(
        [str(mf), "query", "--metrics", "segment_mrr,segment_active_customers", "--group-by",
         "metric_time__month,kpi_segment_row__segment", "--csv", str(out), "--quiet"],
        cwd=PROJECT_ROOT, env={**os.environ, "WAREHOUSE_PATH": str(clean_warehouse[1])},
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with closing(duckdb.connect(str(clean_warehouse[1]), read_only=True)) as con:
        mart = {(r[0], r[1], r[2]): r[3] for r in con.execute(
            "select month, segment, kpi_name, kpi_value from marts.fct_kpi_segment_monthly "
            "where kpi_name in ('mrr_usd', 'active_customers')").fetchall()}
    totals: dict[dt.date, Decimal] = defaultdict(Decimal)
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        month, segment = dt.date.fromisoformat(row["metric_time__month"][:10]), row["kpi_segment_row__segment"]
        assert _close(Decimal(row["segment_mrr"]), mart[(month, segment, "mrr_usd")]), (month, segment)
        assert _close(Decimal(row["segment_active_customers"]), mart[(month, segment, "active_customers")])
        totals[month] += Decimal(row["segment_mrr"])
    assert len(rows) == 4 * len(marts)
    for month, total in totals.items():
        assert _close(total, marts[month]["mrr"], "0.00000001"), month
