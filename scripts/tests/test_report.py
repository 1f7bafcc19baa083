"""The KPI report: self-contained, offline, rendered by a real headless browser without console errors."""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from revenue_warehouse.pipeline.publish import publish
from revenue_warehouse.outputs.report import write_report

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]


@pytest.fixture(scope="module")
def report(clean_warehouse: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    published = out / "published.duckdb"
    publish(clean_warehouse[1], published)
    return write_report(published, out / "site")


def test_report_is_self_contained_with_charts(report: Path) -> None:
    page = report.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "no CDN or remote asset: works offline"
    assert "<script" not in page
    assert page.count("<svg") >= 10, "charts, not just tables"
    assert "Revenue per head" in page and "MRR bridge" in page and "Data quality" in page


def test_report_renders_in_headless_chromium_without_console_errors(report: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    flags = CHROMIUM_FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console_errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console_errors == []
    assert dom.stdout.count("<svg") >= 10
    assert len(re.findall(r'<path d="M[0-9.]+,[0-9.]+ L', dom.stdout)) >= 10, "the line charts were drawn"
    rendered = dom.stdout  # what the browser built: labels, targets, hatching and the folded checks
    assert "North star: Revenue per head (TTM)" in rendered and 'class="target"' in rendered
    assert 'fill="url(#hatch)"' in rendered and '<details id="data-quality">' in rendered
    shot = tmp_path / "report.png"
    screenshot = subprocess.run(
        [chromium, *flags, "--window-size=1400,2400", f"--screenshot={shot}", report.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert screenshot.returncode == 0 and shot.stat().st_size > 50_000, "a rendered page, not a blank one"


def test_axis_ticks_are_1_2_5_steps_with_the_decimals_they_need() -> None:
    from revenue_warehouse.outputs.report import nice_ticks, tick_label

    assert nice_ticks(0, 171.6) == [0, 50, 100, 150, 200]
    assert nice_ticks(-44_000, 180_000) == [-50_000, 0, 50_000, 100_000, 150_000, 200_000]
    assert nice_ticks(0, 0.137) == [0, 0.05, 0.1, 0.15]
    assert nice_ticks(0.5, 3.2)[:2] == [0, 1] and nice_ticks(0.5, 3.2)[-1] == 4
    for lo, hi in [(0, 1), (-3.7, 12.2), (0, 2_670_000), (0.01, 0.013)]:
        ticks = nice_ticks(lo, hi)
        step = ticks[1] - ticks[0]
        mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
        assert round(mantissa, 9) in (1, 2, 5) and ticks[0] <= lo and ticks[-1] >= hi and len(ticks) <= 6
    assert tick_label(-50_000, "usd", 50_000) == "-$50k" and tick_label(2_500_000, "usd", 500_000) == "$2.5M"
    assert tick_label(100, "n", 50) == "100" and tick_label(0.15, "pct", 0.05) == "15%"
    assert tick_label(0.025, "pct", 0.005) == "2.5%" and tick_label(1.5, "x", 0.5) == "1.5"


def test_report_labels_targets_statuses_and_small_groups(report: Path) -> None:
    page = report.read_text()
    assert "North star: Revenue per head (TTM)" in page and "revenue per head ttm usd" not in page
    tiles = re.findall(r'<div class="tile( good| amber| bad)?">(LTV:CAC|CAC payback \(months\)|Net revenue retention|'
                       r'Rule of 40)(?: \([^)<]*\))?<b>([^<]*)</b>', page)
    assert len(tiles) == 4
    for css, name, value in tiles:  # red/amber/green, or the reason there is no value to judge
        assert css or value.startswith(("hidden", "partial", "no data", "immature")), (name, value)
    assert any(css for css, _, _ in tiles)
    assert "target &gt;= 3.00" in page and 'class="target"' in page, "targets as reference lines"
    assert "immature: cohort still converting" in page and 'fill="url(#hatch)"' in page
    assert "fewer than 5 FTE are left out" in page
    assert '<details id="data-quality">' in page and "checks passed" in page
    assert not re.search(r"\$-\d", page), "negative money reads -$44k, not $-44k"


def test_the_first_line_splits_revenue_growth_into_hiring_and_revenue_per_head() -> None:
    """Issue 23, finding 1: the verdict is the mart's decomposition, not a comparison. By hand: TTM revenue
    1,000,000 -> 1,580,000 (+58 %) with mean FTE +44 %, so revenue per head 1.58 / 1.44 - 1 = +9.7 % and the
    hiring share ln 1.44 / ln 1.58 = 0.797."""
    import math

    from revenue_warehouse.outputs.report import growth_story

    ttm = [(i, 1_000_000.0 if i == 0 else 1_100_000.0) for i in range(12)] + [(12, 1_580_000.0)]
    values = {"growth_from_hiring_share": math.log(1.44) / math.log(1.58), "revenue_per_head_growth_yoy": 1.58 / 1.44 - 1}
    story = growth_story(values.get, lambda name: ttm if name == "ttm_revenue_usd" else [], {})
    assert story == ("Of the +58.0% growth in revenue (TTM) over the last twelve months, 79.7% came from adding "
                     "people (mean FTE +44.0%) and 20.3% from revenue per head (+9.7%): growth is coming mostly "
                     "from adding people."), story
    assert "needs two whole years" in growth_story(lambda n: None, lambda n: [], {"growth_from_hiring_share": "partial_window"})
    fell = growth_story({"revenue_per_head_growth_yoy": -0.05}.get, lambda n: [], {"growth_from_hiring_share": "no_data"})
    assert fell.startswith("Revenue (TTM) did not grow over the last twelve months")


def test_partial_window_values_are_left_out_of_the_lines_and_said_so(report: Path) -> None:
    """Issue 23, finding 2: a value whose window reaches before the data (value_status partial_window: a TTM of
    three months) is not drawn as a real point; the chart's caption says which months are left out and why."""
    import datetime as dt

    from revenue_warehouse.outputs.report import _ok_only

    points = [(dt.date(2024, m, 1), float(m)) for m in (1, 2, 3)]
    status = {dt.date(2024, 1, 1): "partial_window", dt.date(2024, 2, 1): "ok", dt.date(2024, 3, 1): "immature"}
    assert _ok_only(points, status) == [(dt.date(2024, 1, 1), None), (dt.date(2024, 2, 1), 2.0),
                                        (dt.date(2024, 3, 1), 3.0)]
    page = report.read_text()
    captions = re.findall(r"(\d+) month\(s\) left out \(([A-Z][a-z]{2} \d{4}) \.\. ([A-Z][a-z]{2} \d{4})\): their window", page)
    assert captions and ("11", "Jan 2022", "Nov 2022") in captions, captions


def test_tiles_name_their_period_and_their_change(report: Path) -> None:
    """Issue 23, finding 4: every tile says the period its figure covers and how it moved against the month
    before and a year earlier; cost per revenue dollar says what it is and has a target."""
    import datetime as dt

    from revenue_warehouse.outputs.report import _change

    points = [(dt.date(2024, m, 1), v) for m, v in zip(range(1, 13), [1.0] * 11 + [1.2])] + [(dt.date(2025, 1, 1), 1.5)]
    assert _change(points, 1, False) == "vs Dec +25.0%" and _change(points, 12, False) == "vs Jan 2024 +50.0%"
    assert _change(points, 1, True) == "vs Dec +30.0 pts" and _change(points[:1], 1, False) is None
    page = report.read_text()
    tiles = re.findall(r'<div class="tile[^"]*">([^<]*)<b>[^<]*</b><small>([^<]*)</small></div>', page)
    assert len(tiles) == 9, tiles
    for text, note in tiles:
        assert "(" in text, f"tile without its period: {text}"
    assert any("month: total cost per $1 of revenue" in t for t, _ in tiles)
    assert any("target &lt;= 1.00" in n for t, n in tiles if t.startswith("Cost per revenue dollar")), tiles
    assert sum(" · vs " in n or n.startswith("vs ") for _, n in tiles) >= 6, tiles
    assert "fct_kpi_monthly" not in page.split('<div class="tiles">')[0], "the subtitle speaks to a CFO, not of tables"
    first = page.split('<div class="tiles">')[0]
    assert '<p class="story"><b>Of the +' in first and "came from adding people" in first, "the verdict leads the page"


def test_target_label_is_drawn_over_the_lines_and_legend_items_do_not_wrap() -> None:
    """Issue 23, finding 5: the target's label is painted after the lines (with a white halo) so no line crosses
    it, and moves below its line when the line is near the plot's top; a legend swatch stays with its label."""
    import datetime as dt

    from revenue_warehouse.outputs.report import CSS, line_chart

    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    svg = line_chart("Win rate", {"win rate": [(m, 0.2 + m.month / 100) for m in months]}, "pct",
                     reference=("win-rate target >= 25.0%", 0.25))
    assert svg.rindex('class="target-label"') > svg.rindex('class="line"')
    high = line_chart("NRR", {"nrr": [(m, 0.9) for m in months]}, "pct", reference=("target", 1.0))
    label_y = float(re.search(r'y="([\d.]+)" class="target-label"', high).group(1))
    line_y = float(re.search(r'y1="([\d.]+)" y2="[\d.]+" class="target"', high).group(1))
    assert label_y > line_y, "at the top of the plot the label sits under its line"
    assert "paint-order:stroke" in CSS and ".legend span{margin-right:12px;white-space:nowrap" in CSS
