"""Inline SVG charts for the report (no JavaScript, no CDN, works offline): monthly lines and stacked bars."""

from __future__ import annotations

import datetime as dt
import html
import math

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 640, 260, 70, 20, 30, 40

Series = dict[str, list[tuple[dt.date, float | None]]]


def fmt(value: float | None, kind: str) -> str:
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


def empty_chart(title: str, reason: str, links: str = "") -> str:
    """A chart frame that says why it has nothing to plot (the values' value_status), not a blank."""
    return (f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>'
            f'<svg viewBox="0 0 {WIDTH} {HEIGHT // 3}" role="img" aria-label="{html.escape(title)}">'
            f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT // 6}" class="empty">No values to plot: {html.escape(reason)}</text>'
            f'</svg>{links}</figure>')


def line_chart(title: str, series: Series, kind: str, reference: tuple[str, float] | None = None,
               empty_reason: str = "no data", shaded: tuple[str, list[dt.date]] | None = None,
               note: str = "", links: str = "", keys: list[str] | None = None) -> str:
    """A line chart of monthly series (gaps where a value is null), one unit per chart; `reference` draws
    a labelled horizontal line (a target such as LTV:CAC 3); `shaded` hatches months whose values are not
    final yet (e.g. immature cohorts), with its label; `note` explains what is left out; `links` goes under
    the legend (to the KPIs' drill-down); `keys` names each series' KPI (data-kpi on its line)."""
    months = sorted({m for points in series.values() for m, _ in points})
    values = [v for points in series.values() for _, v in points if v is not None]
    if not months or not values:
        return empty_chart(title, empty_reason, links)
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
    for i, (color, (name, points)) in enumerate(zip(PALETTE * 3, series.items())):
        path, pen_down = [], False
        for m, v in sorted(points):
            if v is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{x_of[m]:.1f},{PAD_TOP + y(v):.1f}")
            pen_down = True
        key = f' data-kpi="{html.escape(keys[i])}"' if keys else ""
        parts.append(f'<path d="{" ".join(path)}" stroke="{color}" class="line"{key}><title>{html.escape(name)}</title></path>')
    parts.append(target_label)
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{html.escape(n)}</span>' for c, n in zip(PALETTE * 3, series))
    caption = f'<p class="note">{html.escape(note)}</p>' if note else ""
    return (f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>{"".join(parts)}'
            f'<div class="legend">{legend}</div>{caption}{links}</figure>')


def stacked_bars(title: str, months: list[dt.date], stacks: dict[str, list[float]], links: str = "") -> str:
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
                f'{html.escape(fmt(v, "usd"))}</title></rect>'
            )
            if v >= 0:
                up += v
            else:
                down += v
        if i % max(1, len(months) // 6) == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 12}" class="xlabel">{m:%b %y}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span><i style="background:{c}"></i>{html.escape(n)}</span>' for c, n in zip(PALETTE, stacks))
    return (f'<figure class="chart"><figcaption>{html.escape(title)}</figcaption>{"".join(parts)}'
            f'<div class="legend">{legend}</div>{links}</figure>')
