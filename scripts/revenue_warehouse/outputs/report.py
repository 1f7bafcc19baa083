"""``warehouse report``: a self-contained HTML page a CFO reads, from the published marts only.

Charts are inline SVG drawn here (no JavaScript, no CDN, works offline): the north star and revenue per
head against FTE, revenue per head by function, the MRR bridge, unit economics, the funnel, and the
data-quality status of the latest run.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from pathlib import Path
from typing import Callable

from revenue_warehouse.config import WarehouseError
from revenue_warehouse.db import connect, table_exists

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 640, 260, 70, 20, 30, 40

Series = dict[str, list[tuple[dt.date, float | None]]]


def _fmt(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "usd":
        sign, value = ("-" if value < 0 else ""), abs(value)
        return sign + (f"${value / 1e6:,.2f}M" if value >= 1e6 else f"${value / 1e3:,.1f}k" if value >= 1e4 else f"${value:,.0f}")
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "x":
        return f"{value:.2f}"
    return f"{value:,.1f}"


def nice_ticks(lo: float, hi: float, most: int = 6) -> list[float]:
    """Axis ticks at 1, 2 or 5 times a power of ten covering lo..hi (at most ``most`` ticks)."""
    span = (hi - lo) or abs(hi) or 1.0
    raw = span / (most - 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    start, end = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    return [round(start + i * step, 12) for i in range(int(round((end - start) / step)) + 1)]


def tick_label(value: float, kind: str, step: float) -> str:
    """An axis label with just the decimals the step needs (57.2 / 114.4 never appear; 50 / 100 do)."""
    def decimals(unit_step: float) -> int:
        return max(0, -math.floor(math.log10(unit_step) + 1e-9)) if unit_step < 1 else 0

    if kind == "usd":
        top = max(abs(value), step)
        scale, suffix = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e3 else (1.0, "")
        return f"{'-' if value < 0 else ''}${abs(value) / scale:,.{decimals(step / scale)}f}{suffix}"
    if kind == "pct":
        return f"{value * 100:.{decimals(step * 100)}f}%"
    return f"{value:,.{decimals(step)}f}"


def _scale(lo: float, hi: float, size: float, flip: bool = False):
    span = (hi - lo) or 1.0
    return (lambda v: size - (v - lo) / span * size) if flip else (lambda v: (v - lo) / span * size)


def empty_chart(title: str, reason: str) -> str:
    """A chart frame that says why it has nothing to plot (the values' value_status), not a blank."""
    return (f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {WIDTH} {HEIGHT // 3}" role="img" aria-label="{html.escape(title)}">'
            f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT // 6}" class="empty">No values to plot: {html.escape(reason)}</text>'
            f'</svg></figure>')


def line_chart(title: str, series: Series, kind: str, reference: tuple[str, float] | None = None,
               empty_reason: str = "no data", shaded: tuple[str, list[dt.date]] | None = None,
               note: str = "") -> str:
    """A line chart of monthly series (gaps where a value is null), one unit per chart; `reference` draws
    a labelled horizontal line (a target such as LTV:CAC 3); `shaded` hatches months whose values are not
    final yet (e.g. immature cohorts), with its label; `note` explains what is left out."""
    months = sorted({m for points in series.values() for m, _ in points})
    values = [v for points in series.values() for _, v in points if v is not None]
    if not months or not values:
        return empty_chart(title, empty_reason)
    lo, hi = min(0.0, min(values)), max(values)
    if reference is not None:
        lo, hi = min(lo, reference[1]), max(hi, reference[1])
    ticks = nice_ticks(lo, hi)
    lo, hi, step = ticks[0], ticks[-1], ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    x_of = {m: PAD_LEFT + i * inner_w / max(len(months) - 1, 1) for i, m in enumerate(months)}
    y = _scale(lo, hi, inner_h, flip=True)
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{html.escape(title)}">',
             '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
             'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>']
    if shaded and [m for m in shaded[1] if m in x_of]:
        inside = [x_of[m] for m in shaded[1] if m in x_of]
        half = inner_w / max(len(months) - 1, 1) / 2
        x0, x1 = max(min(inside) - half, PAD_LEFT), min(max(inside) + half, WIDTH - PAD_RIGHT)
        parts.append(f'<rect x="{x0:.1f}" y="{PAD_TOP}" width="{x1 - x0:.1f}" height="{inner_h}" fill="url(#hatch)" '
                     f'class="shaded"><title>{html.escape(shaded[0])}</title></rect>')
        parts.append(f'<text x="{x1 - 2:.1f}" y="{PAD_TOP - 6}" class="shade-label">{html.escape(shaded[0])}</text>')
    for value in ticks:  # horizontal grid at 1-2-5 steps
        py = PAD_TOP + y(value)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{py:.1f}" y2="{py:.1f}" class="grid"/>')
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{py + 4:.1f}" class="ylabel">{html.escape(tick_label(value, kind, step))}</text>')
    for m in months[:: max(1, len(months) // 8)]:
        parts.append(f'<text x="{x_of[m]:.1f}" y="{HEIGHT - 12}" class="xlabel">{m:%b %y}</text>')
    if reference is not None:
        py = PAD_TOP + y(reference[1])
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{py:.1f}" y2="{py:.1f}" class="target"/>')
        # the label goes on top of the lines (drawn last, with a white halo), above the target line, or below
        # it when the line is near the plot's top, where the shaded band's label sits
        label_y = py - 5 if py - 5 > PAD_TOP + 14 else py + 14
        target_label = (f'<text x="{WIDTH - PAD_RIGHT - 4}" y="{label_y:.1f}" class="target-label">'
                        f'{html.escape(reference[0])}</text>')
    else:
        target_label = ""
    for color, (name, points) in zip(PALETTE * 3, series.items()):
        path, pen_down = [], False
        for m, v in sorted(points):
            if v is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x_of[m]:.1f},{PAD_TOP + y(v):.1f}")
            pen_down = True
        parts.append(f'<path d="{" ".join(path)}" stroke="{color}" class="line"><title>{html.escape(name)}</title></path>')
    parts.append(target_label)
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{html.escape(n)}</span>' for c, n in zip(PALETTE * 3, series))
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>{"".join(parts)}'
            f'<div class="legend">{legend}</div>{caption}</figure>')


def stacked_bars(title: str, months: list[dt.date], stacks: dict[str, list[float]]) -> str:
    """Positive parts stacked up, negative parts stacked down, per month."""
    if not months:
        return f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption><p>No data.</p></figure>'
    ups = [sum(max(s[i], 0) for s in stacks.values()) for i in range(len(months))]
    downs = [sum(min(s[i], 0) for s in stacks.values()) for i in range(len(months))]
    ticks = nice_ticks(min(downs + [0.0]), max(ups + [0.0]))
    lo, hi, step = ticks[0], ticks[-1], ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    inner_w, inner_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    y = _scale(lo, hi, inner_h, flip=True)
    bar_w = inner_w / len(months) * 0.7
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{html.escape(title)}">']
    for value in ticks:
        py = PAD_TOP + y(value)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{py:.1f}" y2="{py:.1f}" class="grid"/>')
        parts.append(f'<text x="{PAD_LEFT - 6}" y="{py + 4:.1f}" class="ylabel">{html.escape(tick_label(value, "usd", step))}</text>')
    for i, m in enumerate(months):
        x = PAD_LEFT + i * inner_w / len(months)
        up, down = 0.0, 0.0
        for color, (name, values) in zip(PALETTE, stacks.items()):
            v = values[i]
            base = up if v >= 0 else down
            top, bottom = (base + v, base) if v >= 0 else (base, base + v)
            parts.append(
                f'<rect x="{x:.1f}" y="{PAD_TOP + y(top):.1f}" width="{bar_w:.1f}" '
                f'height="{max(y(bottom) - y(top), 0):.1f}" fill="{color}"><title>{m:%b %Y} {html.escape(name)}: '
                f'{html.escape(_fmt(v, "usd"))}</title></rect>'
            )
            if v >= 0:
                up += v
            else:
                down += v
        if i % max(1, len(months) // 6) == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 12}" class="xlabel">{m:%b %y}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{html.escape(n)}</span>' for c, n in zip(PALETTE, stacks))
    return f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>{"".join(parts)}<div class="legend">{legend}</div></figure>'


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1360px;color:#222}
h1{margin-bottom:0}.sub{color:#666;margin-top:4px}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0}
.tile{border:1px solid #ddd;border-radius:8px;padding:12px 16px;min-width:150px}
.tile b{display:block;font-size:22px}.tile.star{border-color:#1f77b4;background:#f0f6fc}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(620px,1fr));gap:16px}
figure.chart{margin:0;border:1px solid #eee;border-radius:8px;padding:8px}
figcaption{font-weight:600;margin:4px 8px}
svg{width:100%;height:auto}.grid{stroke:#eee}.line{fill:none;stroke-width:2}
.ylabel{font-size:11px;text-anchor:end;fill:#666}.empty{font-size:14px;text-anchor:middle;fill:#888}.xlabel{font-size:11px;text-anchor:middle;fill:#666}
.legend{font-size:12px;margin:4px 8px}.legend span{margin-right:12px;white-space:nowrap;display:inline-block}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left}
.pass{color:#2ca02c}.warn{color:#b8860b}.fail{color:#d62728}
.target{stroke:#d62728;stroke-dasharray:6 4;stroke-width:1.5}.target-label{font-size:11px;text-anchor:end;fill:#d62728;paint-order:stroke;stroke:#fff;stroke-width:3px}
.tile small{display:block;color:#666;font-size:12px}.story{max-width:900px;line-height:1.5}
.tile.good{border-color:#2ca02c;background:#effaef}.tile.amber{border-color:#e0a800;background:#fff8e1}
.tile.bad{border-color:#d62728;background:#fdeeee}.hatch{stroke:#bbb;stroke-width:2}
.shade-label{font-size:11px;text-anchor:end;fill:#888}.note{font-size:12px;color:#666;margin:2px 8px}
details summary{cursor:pointer;margin:8px 0}.dq{font-size:15px}
"""


SMALL_GROUP_FTE = 5  # the by-function chart leaves out months of a function with fewer average FTE
AMBER_MARGIN = 0.10  # a KPI within 10 % of its target is amber, not red
STATUS_TEXT = {"hidden": "hidden (privacy: a group below min_group_size)", "partial_window": "partial window",
               "immature": "immature cohort", "no_data": "no data (zero denominator)"}
PCT_KPIS = {"nrr", "grr", "gross_margin", "rule_of_40", "logo_churn_rate", "win_rate"}
#: the period each tile's figure covers, said on the tile (a TTM figure next to a month's is not alike)
PERIODS = {"revenue_per_head_ttm_usd": "TTM", "arr_usd": "at month end", "avg_fte": "month average",
           "nrr": "cohort of 12 months ago", "gross_margin": "month", "ltv_to_cac": "TTM margin, 3-month CAC",
           "cac_payback_months": "3-month CAC", "rule_of_40": "TTM",
           "cost_per_revenue_dollar": "month: total cost per $1 of revenue"}


def _change(points: list[tuple[dt.date, float | None]], months_back: int, pct: bool) -> str | None:
    """The last value against the one ``months_back`` earlier: points for a percentage, else a relative change."""
    if len(points) <= months_back:
        return None
    (month, now), (then_month, then) = points[-1], points[-1 - months_back]
    if now is None or then is None or (not pct and then == 0):
        return None
    when = f"{then_month:%b}" if months_back == 1 else f"{then_month:%b %Y}"
    return f"vs {when} {(now - then) * 100:+.1f} pts" if pct else f"vs {when} {now / then - 1:+.1%}"


def _series(con, sql: str, params: list | None = None) -> list[tuple[dt.date, float | None]]:
    return [(m, float(v) if v is not None else None) for m, v in con.execute(sql, params or []).fetchall()]


def _small_groups_left_out(rows: list[tuple]) -> list[tuple[dt.date, float | None]]:
    """(month, ttm ratio) with None where the mean FTE over the ttm months is below SMALL_GROUP_FTE."""
    points, ftes = [], []
    for month, value, fte in rows:
        ftes.append(float(fte or 0))
        mean_fte = sum(ftes[-12:]) / len(ftes[-12:])
        points.append((month, float(value) if value is not None and mean_fte >= SMALL_GROUP_FTE else None))
    return points


def _ok_only(points: list[tuple[dt.date, float | None]], status: dict[dt.date, str]) -> list[tuple[dt.date, float | None]]:
    """The points without those whose value_status is partial_window (the mart keeps them, flagged)."""
    return [(m, None if status.get(m) == "partial_window" else v) for m, v in points]


def _from_full_year_ago(points: list[tuple[dt.date, float | None]]) -> list[tuple[dt.date, float | None]]:
    """A year-over-year series of ttm figures without the months whose year-ago ttm covers < 12 months
    (months 13-23 of the window compare a full year with a partial one: a spike, not a trend)."""
    return [(m, v if i >= 23 else None) for i, (m, v) in enumerate(points)]


def build_report(published: Path) -> str:
    if not published.exists():
        raise WarehouseError(f"{published}: no published marts yet (run `warehouse build` first)")
    con = connect(published, read_only=True)
    try:
        latest = con.execute("""
            select kpi_name, kpi_value, value_status, target_value, target_comparison
            from marts.fct_kpi_monthly
            where month = (select max(month) from marts.fct_kpi_monthly)
        """).fetchall()
        kpis = {r[0]: r[1] for r in latest}
        statuses = {r[0]: r[2] for r in latest}
        targets = {r[0]: (r[4], float(r[3])) for r in latest if r[3] is not None}
        as_of, as_of_complete = con.execute(
            "select max(month), bool_and(is_month_complete) filter (where month = (select max(month) from "
            "marts.fct_kpi_monthly)) from marts.fct_kpi_monthly").fetchone()
        north_star = con.execute("select kpi_name from marts.fct_kpi_monthly where is_north_star limit 1").fetchone()[0]
        # why a KPI's values are null, the most frequent reason over the window (for empty charts)
        null_reasons: dict[str, str] = {}
        for name, status, _ in con.execute("""
            select kpi_name, value_status, count(*) from marts.fct_kpi_monthly
            where kpi_value is null group by all order by 3, 2
        """).fetchall():
            null_reasons[name] = status
        all_kpis: Series = {}
        month_status: dict[str, dict[dt.date, str]] = {}
        labels: dict[str, str] = {}
        for name, month, value, status, label in con.execute(
            "select kpi_name, month, kpi_value, value_status, kpi_label from marts.fct_kpi_monthly order by month"
        ).fetchall():
            all_kpis.setdefault(name, []).append((month, float(value) if value is not None else None))
            month_status.setdefault(name, {})[month] = status
            labels[name] = label
        functions = [r[0] for r in con.execute(  # named functions; a tiny `unmapped` group would dwarf them
            "select distinct function from marts.fct_revenue_per_head where function not in ('all', 'unmapped') order by 1"
        ).fetchall()]
        # a function of a few people swings its ratio by a whole salary's worth of revenue per hire: its
        # months below SMALL_GROUP_FTE are left out rather than plotted as if meaningful
        # (the ratio's denominator is the mean FTE over the ttm months, so that mean is what must be large)
        by_function = {f: _small_groups_left_out(con.execute(
            "select month, revenue_per_head_ttm_usd, avg_fte from marts.fct_revenue_per_head "
            "where function = ? order by month", [f]).fetchall()) for f in functions}
        bridge = con.execute("""
            select month, new_mrr_usd, expansion_mrr_usd, reactivation_mrr_usd, contraction_mrr_usd,
                churned_mrr_usd, fx_adjustment_mrr_usd
            from marts.fct_unit_economics order by month desc limit 12
        """).fetchall()[::-1]
        has_checks = table_exists(con, "audit", "check_results")
        checks = con.execute("""
            select check_name, severity, status, details from audit.check_results
            where run_id = (select run_id from audit.check_results order by checked_at desc limit 1)
            order by case status when 'fail' then 0 when 'warn' then 1 else 2 end, check_name
        """).fetchall() if has_checks else []
    finally:
        con.close()

    f = lambda name: float(kpis[name]) if kpis.get(name) is not None else None  # noqa: E731
    def kpi(name: str) -> list[tuple[dt.date, float | None]]:
        """The KPI's monthly values, without those whose window reaches before the data (partial_window):
        a TTM of three months is not a trend (caption: partial_note)."""
        return _ok_only(all_kpis.get(name, []), month_status.get(name, {}))

    def shown(name: str, kind: str) -> str:
        """The value, or why there is none (its value_status), never a bare dash."""
        if f(name) is None:
            return STATUS_TEXT.get(statuses.get(name, "no_data"), "no data")
        return _fmt(f(name), kind)

    def target_note(name: str) -> str:
        if name not in targets:
            return ""
        comparison, value = targets[name]
        return f"target {comparison} {_fmt(value, 'pct' if name in PCT_KPIS else 'x')}"

    def rag(name: str) -> str:
        """green on target, amber within AMBER_MARGIN of it, red beyond; no class without a target or value."""
        if name not in targets or f(name) is None:
            return ""
        comparison, target = targets[name]
        value, slack = f(name), abs(target) * AMBER_MARGIN
        gap = (target - value) if comparison == ">=" else (value - target)
        return " good" if gap <= 0 else " amber" if gap <= slack else " bad"

    def label(name: str) -> str:
        return labels.get(name, name.replace("_", " "))

    def tile_note(name: str) -> str:
        """Target, then the change against the previous month and a year ago."""
        series = all_kpis.get(name, [])
        parts = [target_note(name), _change(series, 1, name in PCT_KPIS), _change(series, 12, name in PCT_KPIS)]
        return " · ".join(p for p in parts if p)

    def tile_label(name: str) -> str:
        period = PERIODS.get(name)
        return f"{label(name)} ({period})" if period and f"({period})" not in label(name) else label(name)

    star_kind = "usd" if north_star.endswith("usd") else "pct" if north_star in PCT_KPIS else "x"
    tiles = [(f"North star: {tile_label(north_star)}", shown(north_star, star_kind), " star", tile_note(north_star))] + [
        (tile_label(name), shown(name, kind), rag(name), tile_note(name))
        for name, kind in (("arr_usd", "usd"), ("avg_fte", "n"), ("nrr", "pct"), ("gross_margin", "pct"),
                           ("ltv_to_cac", "x"), ("cac_payback_months", "n"), ("rule_of_40", "pct"),
                           ("cost_per_revenue_dollar", "x"))
    ]
    story = growth_story(f, kpi, statuses)
    counts = {s: sum(1 for c in checks if c[2] == s) for s in ("pass", "warn", "fail")}
    months = [r[0] for r in bridge]
    def why(*names: str) -> str:
        reasons = [STATUS_TEXT.get(null_reasons[n], n) for n in names if n in null_reasons]
        return reasons[0] if reasons else "no data"

    def months_with(status: str, *names: str) -> list[dt.date]:
        return sorted({m for n in names for m, st in month_status.get(n, {}).items() if st == status})

    def hidden_note(*names: str) -> str:
        hidden = months_with("hidden", *names)
        return (f"{len(hidden)} month(s) not shown: privacy hides a cost of fewer than min_group_size people "
                f"({hidden[0]:%b %Y}{' .. ' + format(hidden[-1], '%b %Y') if len(hidden) > 1 else ''})") if hidden else ""

    def partial_note(*names: str) -> str:
        partial = months_with("partial_window", *names)
        return (f"{len(partial)} month(s) left out ({partial[0]:%b %Y} .. {partial[-1]:%b %Y}): their window "
                "(TTM, 3 months, a year ago) starts before the data, so the value would not be comparable."
                ) if partial else ""

    def notes(*names: str) -> str:
        return " ".join(n for n in (partial_note(*names), hidden_note(*names)) if n)

    def cac_based_note(name: str) -> str:
        """Why LTV:CAC or payback can be hidden where CAC (3 months) is shown: they also need the TTM cost of
        revenue (gross margin), which privacy hides in its own months."""
        shown_cac = {m for m, v in all_kpis.get("cac_3m_usd", []) if v is not None}
        differ = [m for m in months_with("hidden", name) if m in shown_cac]
        return notes(name) + (f" In {len(differ)} of those months CAC (3 months) is shown: {label(name)} also needs "
                              "the TTM cost of revenue (for the gross margin), hidden where it covers fewer than "
                              "min_group_size people." if differ else "")

    def reference(name: str, text: str) -> tuple[str, float] | None:
        return (f"{text} {targets[name][0]} {_fmt(targets[name][1], 'pct' if name in PCT_KPIS else 'x')}",
                targets[name][1]) if name in targets else None

    immature = ("immature: cohort still converting", months_with("immature", "mql_to_sql_rate"))
    year_ago_note = ("Year-over-year lines start in the window's 24th month: before it, the year-ago TTM "
                     "covers fewer than 12 months (the mart has those values, flagged by month_number).")

    charts = [
        line_chart("Revenue per head (TTM) — company", {"revenue per head (TTM)": kpi("revenue_per_head_ttm_usd")}, "usd",
                   note=notes("revenue_per_head_ttm_usd")),
        line_chart("Average FTE — company", {"average FTE": kpi("avg_fte")}, "n"),
        line_chart("Revenue per head (TTM) by function",
                   {f: _ok_only(points, month_status.get("revenue_per_head_ttm_usd", {}))
                    for f, points in by_function.items()}, "usd",
                   note=f"Months in which a function averages fewer than {SMALL_GROUP_FTE} FTE are left out: "
                        "one hire or leaver moves its ratio by a whole head. " + partial_note("revenue_per_head_ttm_usd")),
        stacked_bars("MRR bridge — last 12 months", months, {
            "new": [float(r[1]) for r in bridge], "expansion": [float(r[2]) for r in bridge],
            "reactivation": [float(r[3]) for r in bridge], "contraction": [float(r[4]) for r in bridge],
            "churned": [float(r[5]) for r in bridge], "fx adjustment": [float(r[6]) for r in bridge],
        }),
        line_chart("Is growth efficient? Revenue per head vs FTE, year over year",
                   {label("revenue_per_head_growth_yoy"): _from_full_year_ago(kpi("revenue_per_head_growth_yoy")),
                    label("fte_growth_yoy"): _from_full_year_ago(kpi("fte_growth_yoy"))},
                   "pct", empty_reason="the comparison needs two full years of history", note=year_ago_note),
        line_chart("Revenue per added FTE vs revenue per head (TTM)",
                   {label("incremental_revenue_per_fte_usd"): _from_full_year_ago(kpi("incremental_revenue_per_fte_usd")),
                    label("revenue_per_head_ttm_usd"): kpi("revenue_per_head_ttm_usd")}, "usd", note=year_ago_note),
        line_chart(label("cac_3m_usd"), {label("cac_3m_usd"): kpi("cac_3m_usd")}, "usd",
                   empty_reason=why("cac_3m_usd"), note=notes("cac_3m_usd")),
        line_chart(label("ltv_to_cac"), {label("ltv_to_cac"): kpi("ltv_to_cac")}, "x",
                   reference=reference("ltv_to_cac", "target"), empty_reason=why("ltv_to_cac"),
                   note=cac_based_note("ltv_to_cac")),
        line_chart(label("cac_payback_months"), {label("cac_payback_months"): kpi("cac_payback_months")}, "n",
                   reference=reference("cac_payback_months", "target"), empty_reason=why("cac_payback_months"),
                   note=cac_based_note("cac_payback_months")),
        line_chart("Net and gross revenue retention", {label("nrr"): kpi("nrr"), label("grr"): kpi("grr")}, "pct",
                   reference=reference("nrr", "NRR target"), note=notes("nrr")),
        line_chart(label("rule_of_40"), {label("rule_of_40"): kpi("rule_of_40"),
                                         label("arr_growth_yoy"): kpi("arr_growth_yoy"),
                                         label("operating_margin_ttm"): kpi("operating_margin_ttm")}, "pct",
                   reference=reference("rule_of_40", "target"), empty_reason=why("rule_of_40"),
                   note=notes("rule_of_40", "operating_margin_ttm")),
        line_chart("Funnel: MQLs and SQLs", {label("mqls"): kpi("mqls"), label("sqls"): kpi("sqls")}, "n"),
        line_chart("Win rate and MQL→SQL rate", {label("win_rate"): kpi("win_rate"),
                                                  label("mql_to_sql_rate"): kpi("mql_to_sql_rate")}, "pct",
                   reference=reference("win_rate", "win-rate target"), shaded=immature),
        line_chart("Bookings and pipeline", {label("bookings_usd"): kpi("bookings_usd"),
                                             label("pipeline_value_usd"): kpi("pipeline_value_usd")}, "usd"),
    ]
    rows = "".join(
        f'<tr><td>{html.escape(name)}</td><td>{sev}</td><td class="{st}">{st}</td><td>{html.escape(details)}</td></tr>'
        for name, sev, st, details in checks
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Revenue per head — KPI report {as_of:%B %Y}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body>
<h1>Revenue per head — KPI report</h1>
<p class="sub">As of {as_of:%B %Y}{'' if as_of_complete is not False else ' (month to date: the month is not over, so its revenue is not all billed yet)'}. Each figure says the period it covers and
how it moved against the month before and a year earlier; coloured ones against the company's target. How each is
defined: docs/metrics.md.</p>
<p class="story"><b>{html.escape(story)}</b></p>
<div class="tiles">{"".join(f'<div class="tile{css}">{html.escape(text)}<b>{html.escape(value)}</b><small>{html.escape(note)}</small></div>' for text, value, css, note in tiles)}
<div class="tile">Data quality<b><span class="pass">{counts["pass"]}</span> / <span class="warn">{counts["warn"]}</span> / <span class="fail">{counts["fail"]}</span></b>pass / warn / fail</div></div>
<p class="dq">Data quality of the latest run: {counts["pass"]} checks passed, {counts["warn"]} warnings,
{counts["fail"]} failed (details at the end of the page).</p>
<div class="grid2">{"".join(charts)}</div>
<details id="data-quality"><summary>Data quality of the latest run: {len(checks)} checks — show details</summary>
<table><tr><th>check</th><th>severity</th><th>status</th><th>details</th></tr>{rows}</table></details>
</body></html>
"""


def growth_story(f: Callable[[str], float | None], kpi: Callable[[str], list], statuses: dict[str, str]) -> str:
    """The report's first line: where TTM revenue growth came from, as the mart's decomposition says
    (growth_from_hiring_share, docs/metrics.md), never a verdict picked by a comparison."""
    hiring, rph_growth = f("growth_from_hiring_share"), f("revenue_per_head_growth_yoy")
    ttm = [v for _, v in kpi("ttm_revenue_usd")]
    if hiring is not None and rph_growth is not None and len(ttm) >= 13 and ttm[-1] and ttm[-13]:
        g_rev = ttm[-1] / ttm[-13] - 1
        g_fte = (1 + g_rev) / (1 + rph_growth) - 1
        mostly = ("mostly from adding people" if hiring > 0.5 else "mostly from each head bringing more revenue")
        return (f"Of the {g_rev:+.1%} growth in revenue (TTM) over the last twelve months, "
                f"{_fmt(hiring, 'pct')} came from adding people (mean FTE {g_fte:+.1%}) and "
                f"{_fmt(1 - hiring, 'pct')} from revenue per head ({rph_growth:+.1%}): growth is coming "
                f"{mostly}.")
    status = statuses.get("growth_from_hiring_share", "no_data")
    if status == "partial_window":
        return ("Fewer than 25 months of history: where revenue growth came from (hiring or revenue per head) "
                "needs two whole years of TTM revenue.")
    return ("Revenue (TTM) did not grow over the last twelve months: there is no growth to split between hiring "
            f"and revenue per head (revenue per head {_fmt(rph_growth, 'pct')} against a year ago).")


def write_report(published: Path, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "index.html"
    path.write_text(build_report(published), encoding="utf-8")
    return path
