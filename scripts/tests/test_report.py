"""The KPI report: self-contained, offline, rendered by a real headless browser without console errors."""

from __future__ import annotations

import html
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
def published(clean_warehouse: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("published") / "published.duckdb"
    publish(clean_warehouse[1], path)
    return path


@pytest.fixture(scope="module")
def report(published: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The executive page (index.html); the role pages are beside it."""
    return write_report(published, tmp_path_factory.mktemp("report") / "site")


def _chromium() -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium not installed (apt-get install chromium)")
    return chromium


#: run in the browser after layout: every pair of SVG texts whose boxes intersect (labels drawn over labels),
#: legend items broken over two lines, tiles whose text overflows them
LAYOUT_PROBE = """<script>(function () {
  var found = [];
  document.querySelectorAll('svg').forEach(function (svg) {
    var boxes = Array.prototype.map.call(svg.querySelectorAll('text'), function (t) {
      return {text: t.textContent, r: t.getBoundingClientRect()};
    }).filter(function (b) { return b.r.width > 0; });
    for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
      var a = boxes[i].r, b = boxes[j].r;
      var w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) found.push('overlap in ' + svg.getAttribute('aria-label') + ': ' + boxes[i].text + ' / ' + boxes[j].text);
    }
  });
  document.querySelectorAll('.legend span').forEach(function (s) {
    if (s.getClientRects().length > 1 || s.getBoundingClientRect().height > 24) found.push('legend item wraps: ' + s.textContent);
  });
  document.querySelectorAll('.tile').forEach(function (t) {
    if (t.scrollWidth > t.clientWidth + 1) found.push('tile overflows: ' + t.textContent);
  });
  var out = document.createElement('pre'); out.id = 'layout-probe'; out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
})();</script>"""


def _rendered(chromium: str, page: Path, profile: Path) -> tuple[str, list[str]]:
    """The DOM a real browser built from the page with the layout probe appended, and its console errors."""
    probed = page.with_name("probed-" + page.name)
    probed.write_text(page.read_text().replace("</body>", LAYOUT_PROBE + "</body>"))
    flags = CHROMIUM_FLAGS + [f"--user-data-dir={profile}", "--window-size=1400,2400", "--virtual-time-budget=3000"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=120)
    probed.unlink()
    assert dom.returncode == 0, dom.stderr[-2000:]
    return dom.stdout, [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


def test_report_is_self_contained_with_charts(report: Path) -> None:
    for page in sorted(report.parent.glob("*.html")):
        text = page.read_text()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), f"{page.name}: no CDN or remote asset"
        assert "<script" not in text, page.name
        assert text.count("<svg") >= 4, f"{page.name}: charts, not just tables"
    page = report.read_text()
    assert page.count("<svg") >= 8
    assert "Revenue per head" in page and "MRR bridge" in page and "Data quality" in page


def test_every_page_renders_in_headless_chromium_with_no_overlap_and_no_broken_link(report: Path, tmp_path: Path) -> None:
    """Issue 23: each page rendered by a real browser: no console error, no two labels drawn over each other, no
    legend item broken, every link (tiles, charts' links, navigation) resolving to a page and an id that the
    browser built; a screenshot of each page, looked at."""
    import json

    chromium = _chromium()
    pages = sorted(p.name for p in report.parent.glob("*.html"))
    assert pages == ["customer-success.html", "index.html", "marketing.html", "people-finance.html", "sales.html"]
    doms, links = {}, []
    for name in pages:
        dom, errors = _rendered(chromium, report.parent / name, tmp_path / "profile")
        assert errors == [], (name, errors)
        problems = json.loads(html.unescape(re.search(r'<pre id="layout-probe">(.*?)</pre>', dom, re.S).group(1)))
        assert problems == [], (name, problems)
        assert len(re.findall(r'<path d="M[0-9.]+,[0-9.]+ L', dom)) >= 3, f"{name}: the line charts were drawn"
        doms[name] = dom
        links += [(name, href) for href in re.findall(r'<a [^>]*href="([^"]+)"', dom)]
    ids = {name: set(re.findall(r' id="([^"]+)"', dom)) for name, dom in doms.items()}
    assert len(links) > 150
    for source, href in links:
        target, _, anchor = html.unescape(href).partition("#")
        target = target or source
        assert target in ids, f"{source}: link to a missing page {href}"
        assert not anchor or anchor in ids[target], f"{source}: link to a missing section {href}"
    index = doms["index.html"]
    assert "North star: Revenue per head (TTM)" in index and 'class="target"' in index
    assert '<details id="data-quality">' in index
    assert 'fill="url(#hatch)"' in doms["marketing.html"], "immature cohorts hatched"
    for name in pages:
        shot = tmp_path / name.replace(".html", ".png")
        done = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                               "--window-size=1400,2400", f"--screenshot={shot}", (report.parent / name).as_uri()],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0 and shot.stat().st_size > 50_000, f"{name}: a rendered page, not a blank one"


def test_axis_ticks_are_1_2_5_steps_with_the_decimals_they_need() -> None:
    from revenue_warehouse.outputs.charts import nice_ticks, tick_label

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
    tiles = re.findall(r'<a class="tile( good| amber| bad)?" href="[^"]*">(LTV:CAC|CAC payback \(months\)|'
                       r'Net revenue retention|Rule of 40)(?: \([^)<]*\))?<b(?: class="why")?>([^<]*)</b>'
                       r'<small>([^<]*)</small>', page)
    assert len(tiles) == 4
    reasons = ("hidden", "partial", "no data", "immature")
    for css, name, value, note in tiles:  # red/amber/green, or the reason there is no value (or no final one) to judge
        assert css or value.startswith(reasons) or note.startswith(reasons), (name, value, note)
        assert not (css and note.startswith(reasons)), "a value that is not final is not judged against its target"
    assert any(css for css, *_ in tiles)
    assert "target &gt;= 3.00" in page and 'class="target"' in page, "targets as reference lines"
    marketing = (report.parent / "marketing.html").read_text()
    assert "immature: cohort still converting" in marketing and 'fill="url(#hatch)"' in marketing
    assert "fewer than 5 FTE are left out" in (report.parent / "people-finance.html").read_text()
    assert '<details id="data-quality">' in page and "checks passed" in page
    for other in report.parent.glob("*.html"):
        assert not re.search(r"\$-\d", other.read_text()), "negative money reads -$44k, not $-44k"


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
    tile = r'<a class="tile[^"]*" href="([^"]*)">([^<]*)<b[^>]*>[^<]*</b><small>([^<]*)</small></a>'
    page = report.read_text()
    tiles = re.findall(tile, page)
    assert len(tiles) == 9, tiles  # the executive KPIs (and, apart, the data-quality tile)
    assert '<a class="tile" href="#data-quality">Data quality' in page
    for _, text, _ in tiles:
        assert "(" in text, f"tile without its period: {text}"
    assert sum(" · vs " in n or n.startswith("vs ") for _, _, n in tiles) >= 6, tiles
    people = re.findall(tile, (report.parent / "people-finance.html").read_text())
    assert any("month: total cost per $1 of revenue" in t for _, t, _ in people)
    assert any("target &lt;= 1.00" in n for _, t, n in people if t.startswith("Cost per revenue dollar")), people
    assert "fct_kpi_monthly" not in page.split('<div class="tiles">')[0], "the subtitle speaks to a CFO, not of tables"
    first = page.split('<div class="tiles">')[0]
    assert '<p class="story"><b>Of the +' in first and "came from adding people" in first, "the verdict leads the page"


def test_target_label_is_drawn_over_the_lines_and_legend_items_do_not_wrap() -> None:
    """Issue 23, finding 5: the target's label is painted after the lines (with a white halo) so no line crosses
    it, and moves below its line when the line is near the plot's top; a legend swatch stays with its label."""
    import datetime as dt

    from revenue_warehouse.outputs.charts import line_chart
    from revenue_warehouse.outputs.report import CSS

    months = [dt.date(2024, m, 1) for m in range(1, 13)]
    svg = line_chart("Win rate", {"win rate": [(m, 0.2 + m.month / 100) for m in months]}, "pct",
                     reference=("win-rate target >= 25.0%", 0.25))
    assert svg.rindex('class="target-label"') > svg.rindex('class="line"')
    high = line_chart("NRR", {"nrr": [(m, 0.9) for m in months]}, "pct", reference=("target", 1.0))
    label_y = float(re.search(r'y="([\d.]+)" class="target-label"', high).group(1))
    line_y = float(re.search(r'y1="([\d.]+)" y2="[\d.]+" class="target"', high).group(1))
    assert label_y > line_y, "at the top of the plot the label sits under its line"
    assert "paint-order:stroke" in CSS and ".legend span{margin-right:12px;white-space:nowrap" in CSS


def test_each_kpi_has_one_drill_down_on_its_owners_page_with_components_from_the_marts(report: Path, published: Path) -> None:
    """Issue 23: a KPI's owner_function (dim_kpis) decides the page of its section; the section has the definition
    (its source column's YAML description), its status per month, the monthly table and the components, whose
    values are the source mart's own (NRR: expansion, contraction, churn of the cohort)."""
    import duckdb

    from revenue_warehouse.outputs.report import PAGES

    con = duckdb.connect(str(published), read_only=True)
    kpis = con.execute("select kpi_name, owner_function, definition, component_columns from marts.dim_kpis").fetchall()
    headline = con.execute("select max(month) from marts.fct_kpi_monthly where is_month_complete").fetchone()[0]
    nrr_parts = con.execute(
        "select nrr, nrr_base_mrr_usd, nrr_expansion_mrr_usd, nrr_contraction_mrr_usd, nrr_churned_mrr_usd "
        "from marts.fct_unit_economics where month = ?", [headline]).fetchone()
    won_closed = con.execute("select won_new_business, closed_new_business - won_new_business, closed_new_business "
                             "from marts.fct_sales_funnel where month = ?", [headline]).fetchone()
    con.close()
    pages = {p.owner: (report.parent / p.file).read_text() for p in PAGES}
    for name, owner, definition, _ in kpis:
        for page_owner, text in pages.items():
            assert text.count(f'id="kpi-{name}"') == (1 if page_owner == owner else 0), (name, page_owner)
        section = pages[owner].split(f'id="kpi-{name}"')[1].split("</section>")[0]
        assert html.escape(definition) in section and "Status by month:" in section, name
    for owner, text in pages.items():
        if owner:
            owned = sum(1 for _, o, _, _ in kpis if o == owner)
            assert f"KPI ({owned})" in text or f"KPIs ({owned})" in text, owner
            assert text.count('<section class="kpi"') == owned
    nrr = pages["customer_success"].split('id="kpi-nrr"')[1].split("</section>")[0]
    assert "<th>nrr_expansion_mrr_usd</th>" in nrr and "<th>nrr_churned_mrr_usd</th>" in nrr
    base, expansion, contraction, churned = (float(v) for v in nrr_parts[1:])
    assert abs(float(nrr_parts[0]) - (base + expansion - contraction - churned) / base) < 1e-6, "the parts explain NRR"
    row = re.search(rf"<tr class=\"[a-z_]+\"><td>{headline:%b %Y}</td>(.*?)</tr>", nrr).group(1)
    from revenue_warehouse.outputs.charts import fmt
    assert [html.unescape(c) for c in re.findall(r'<td class="num">([^<]*)</td>', row)] == [
        fmt(float(nrr_parts[0]), "pct"), *(fmt(v, "usd") for v in (base, expansion, contraction, churned))]
    win = pages["sales"].split('id="kpi-win_rate"')[1].split("</section>")[0]
    row = re.search(rf"<tr class=\"[a-z_]+\"><td>{headline:%b %Y}</td>(.*?)</tr>", win).group(1)
    assert re.findall(r'<td class="num">([^<]*)</td>', row)[1:] == [f"{n:,}" for n in won_closed], "won, lost, closed"
    rph = pages["general_administrative"].split('id="kpi-revenue_per_head_ttm_usd"')[1].split("</section>")[0]
    assert "<b>By function</b>" in rph and "<td>sales</td>" in rph


def test_lines_draw_exactly_the_comparable_values_of_complete_months(report: Path, published: Path) -> None:
    """Issue 23, finding 2 in every chart of every page: a line of a KPI has one point per month whose value
    is ok or immature (hatched), through the last complete month; no partial_window, hidden or month-to-date value."""
    import duckdb

    con = duckdb.connect(str(published), read_only=True)
    drawable = dict(con.execute("""
        select kpi_name, count(*) from marts.fct_kpi_monthly
        where value_status in ('ok', 'immature') and kpi_value is not null
            and month <= (select max(month) from marts.fct_kpi_monthly where is_month_complete)
        group by 1
    """).fetchall())
    con.close()
    year_over_year = {"revenue_per_head_growth_yoy", "fte_growth_yoy", "incremental_revenue_per_fte_usd"}
    checked = 0
    for page in report.parent.glob("*.html"):
        for path, kpi in re.findall(r'<path d="([^"]*)" stroke="[^"]*" class="line" data-kpi="([a-z0-9_]+)"', page.read_text()):
            points = len(re.findall(r"[ML][0-9.]+,[0-9.]+", path))
            if kpi in year_over_year:  # their first 23 months compare a partial year: fewer points
                assert points <= drawable.get(kpi, 0), (page.name, kpi)
            else:
                assert points == drawable.get(kpi, 0), (page.name, kpi, points, drawable.get(kpi))
            checked += 1
    assert checked >= 30



def test_executive_page_places_revenue_per_head_among_its_band_peers(report: Path, published: Path) -> None:
    """Issue 24 (METRICS 10.7): the executive page charts ARR per FTE against its ARR band's quartiles and says,
    for the headline month, the band, the position the mart gives, and every benchmark's source and address."""
    import duckdb

    from revenue_warehouse.outputs.report import BAND_LABELS, POSITION_TEXT

    con = duckdb.connect(str(published), read_only=True)
    rows = con.execute("""
        select kpi_name, arr_band, benchmark_position, benchmark_source, benchmark_url from marts.fct_kpi_monthly
        where benchmark_p50 is not null
            and month = (select max(month) from marts.fct_kpi_monthly where is_month_complete)
    """).fetchall()
    con.close()
    page = html.unescape(report.read_text())
    assert "Revenue per head against peers: ARR per FTE vs its ARR band" in page
    assert 'data-kpi="benchmark-p50"' in report.read_text()
    by_kpi = {r[0]: r for r in rows}
    assert "arr_per_fte_usd" in by_kpi, sorted(by_kpi)
    _, band, position, _, _ = by_kpi["arr_per_fte_usd"]
    assert f"ARR band {BAND_LABELS[band]}" in page
    assert (POSITION_TEXT[position] if position else "not placed") in page
    for _, _, _, source, url in rows:
        assert source in page and url in page, url


def test_report_pdf_is_the_executive_page_printed_by_chromium(published: Path, tmp_path: Path) -> None:
    """`warehouse report --pdf`: headless Chromium prints index.html into board-pack.pdf."""
    _chromium()
    index = write_report(published, tmp_path / "site", pdf=True)
    pdf = index.parent / "board-pack.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 50_000
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 1 <= pages <= 8, pages
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Executive" in text and "revenue per head board pack" in text and "Of the +" in text


def test_pdf_without_chromium_says_what_to_install(published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from revenue_warehouse.config import WarehouseError

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(WarehouseError, match="apt-get install chromium"):
        write_report(published, tmp_path / "site", pdf=True)


def test_the_layout_probe_finds_overlapping_labels_and_wrapped_legends(tmp_path: Path) -> None:
    """The browser test's probe is not blind: two labels drawn on one spot and a legend item broken over two
    lines are reported."""
    import json

    chromium = _chromium()
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html><body><svg viewBox="0 0 200 100" width="200" aria-label="bad chart">'
                    '<text x="10" y="20">target 25%</text><text x="14" y="22">Jan 24</text></svg>'
                    '<div class="legend" style="width:40px"><span>revenue per head</span></div></body></html>')
    dom, errors = _rendered(chromium, page, tmp_path / "profile")
    problems = json.loads(html.unescape(re.search(r'<pre id="layout-probe">(.*?)</pre>', dom, re.S).group(1)))
    assert errors == [] and len(problems) == 2, problems
    assert problems[0].startswith("overlap in bad chart: target 25% / Jan 24") and problems[1].startswith("legend item wraps")
