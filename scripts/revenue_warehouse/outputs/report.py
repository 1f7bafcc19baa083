"""``warehouse report``: the board pack, an offline HTML site read from the published marts only.

One page per role: Executive (``index.html``, linking to the others), Sales, Marketing, Customer success,
People & finance. A KPI's owner (``owner_function`` in ``marts.dim_kpis``) decides the page that holds its
drill-down section: definition and formula, value_status per month, the monthly table with the columns of
its source mart it is made of (and, for efficiency KPIs, the value by function). Every tile and chart links
to the sections of the KPIs it shows. Figures are those of the last complete month; the month to date is
in the tables, flagged, not in the tiles or lines. ``--pdf`` prints the executive page with headless
Chromium. Charts are inline SVG (``charts.py``): no JavaScript, no CDN.
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from revenue_warehouse.config import WarehouseError
from revenue_warehouse.db import column_names, connect, table_exists
from revenue_warehouse.outputs.charts import Series, empty_chart, fmt, line_chart, stacked_bars
from revenue_warehouse.sql import ident

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1360px;color:#222;padding:0 12px}
h1{margin-bottom:0}.sub{color:#666;margin-top:4px}
nav{display:flex;flex-wrap:wrap;gap:4px 18px;border-bottom:1px solid #ddd;padding-bottom:8px;margin-bottom:8px}
nav a{color:#1f5f99;text-decoration:none}nav a.here{font-weight:700;color:#222}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin:20px 0}
.tile{border:1px solid #ddd;border-radius:8px;padding:12px 16px;min-width:150px;max-width:260px;color:inherit;text-decoration:none}
a.tile:hover{box-shadow:0 0 0 2px #1f77b4}
.tile b{display:block;font-size:22px}.tile b.why{font-size:14px;font-weight:600;color:#666;margin:4px 0}.tile.star{border-color:#1f77b4;background:#f0f6fc}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(620px,1fr));gap:16px}
figure.chart{margin:0;border:1px solid #eee;border-radius:8px;padding:8px}
figure.wide{grid-column:1/-1;overflow-x:auto}
figcaption{font-weight:600;margin:4px 8px}
svg{width:100%;height:auto}.grid{stroke:#eee}.line{fill:none;stroke-width:2}
.ylabel{font-size:11px;text-anchor:end;fill:#666}.empty{font-size:14px;text-anchor:middle;fill:#888}.xlabel{font-size:11px;text-anchor:middle;fill:#666}
.legend{font-size:12px;margin:4px 8px}.legend span{margin-right:12px;white-space:nowrap;display:inline-block}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #eee;padding:4px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#2ca02c}.warn{color:#b8860b}.fail{color:#d62728}
.target{stroke:#d62728;stroke-dasharray:6 4;stroke-width:1.5}.target-label{font-size:11px;text-anchor:end;fill:#d62728;paint-order:stroke;stroke:#fff;stroke-width:3px}
.tile small{display:block;color:#666;font-size:12px}.story{max-width:900px;line-height:1.5}
.tile.good{border-color:#2ca02c;background:#effaef}.tile.amber{border-color:#e0a800;background:#fff8e1}
.tile.bad{border-color:#d62728;background:#fdeeee}.hatch{stroke:#bbb;stroke-width:2}
.shade-label{font-size:11px;text-anchor:end;fill:#888}.note{font-size:12px;color:#666;margin:2px 8px}
.url{color:#666;word-break:break-all}
.links{font-size:12px;margin:4px 8px}.links a{color:#1f5f99}
details summary{cursor:pointer;margin:8px 0}.dq{font-size:15px}
section.kpi{border-top:1px solid #ddd;margin-top:28px;padding-top:4px}
section.kpi h3 small{font-weight:400;color:#666;font-size:13px;margin-left:8px}
.meta{font-size:13px;color:#444;max-width:1000px}.scroll{max-height:340px;overflow:auto;display:inline-block;border:1px solid #eee}
tr.partial_window td,tr.hidden td,tr.no_data td{color:#999}tr.mtd td{font-style:italic}
.pages li{margin:4px 0}
@page{size:A4 landscape;margin:10mm}
@media print{nav,.links,.pages{display:none}body{margin:0;max-width:none;padding:0}figure.chart,.tile{break-inside:avoid}
.grid2{grid-template-columns:1fr 1fr}details{display:none}.tile{min-width:0;max-width:none;width:calc(20% - 46px)}
.tile b{font-size:18px}h1{font-size:24px}}
"""

AMBER_MARGIN = 0.10  # a KPI within 10 % of its target is amber, not red
SMALL_GROUP_FTE = 5  # the by-function chart leaves out months of a function with fewer average FTE
STATUS_TEXT = {"hidden": "hidden (privacy: a group below min_group_size)", "partial_window": "partial window",
               "immature": "immature cohort", "no_data": "no data (zero denominator or no input)"}
#: ratio KPIs read as multiples (2.50), not percentages
MULTIPLES = {"ltv_to_cac", "quick_ratio", "magic_number", "burn_multiple", "cost_per_revenue_dollar", "support_ratio"}
#: the period each tile's figure covers, said on the tile (a TTM figure next to a month's is not alike)
PERIODS = {"revenue_per_head_ttm_usd": "TTM", "arr_usd": "at month end", "avg_fte": "month average",
           "nrr": "cohort of 12 months ago", "grr": "cohort of 12 months ago", "gross_margin": "month",
           "ltv_to_cac": "TTM margin, 3-month CAC", "cac_payback_months": "3-month CAC", "rule_of_40": "TTM",
           "burn_multiple": "3 months", "cost_per_revenue_dollar": "month: total cost per $1 of revenue",
           "growth_from_hiring_share": "TTM vs a year before", "month_end_fte": "month end",
           "pipeline_value_usd": "open at month end", "win_rate": "month", "bookings_usd": "month",
           "sales_cycle_days": "deals won in the month", "avg_deal_size_usd": "deals won in the month",
           "mqls": "month", "sqls": "month", "mql_to_sql_rate": "leads that became MQL in the month",
           "cost_per_mql_usd": "month", "cost_per_sql_usd": "month",
           "onboarding_completion_rate": "onboardings started in the month", "nps": "month", "csat": "month",
           "product_adoption_rate": "customers active at month end",
           "weekly_active_users_per_seat": "weeks ending in the month",
           "support_ratio": "month end", "forecast_bookings_next_q_usd": "at month end",
           "forecast_error_pct": "quarter after the month", "commit_forecast_error_pct": "quarter after the month", "ai_tooling_cost_per_fte_usd": "month", "arr_per_fte_usd": "month end"}


@dataclass(frozen=True)
class Page:
    file: str
    title: str
    owner: str | None  # the owner_function whose KPIs' drill-downs this page holds (None: the executive page)
    tiles: tuple[str, ...]
    intro: str


PAGES = (
    Page("index.html", "Executive", None,
         ("revenue_per_head_ttm_usd", "growth_from_hiring_share", "arr_usd", "nrr", "gross_margin", "ltv_to_cac",
          "cac_payback_months", "rule_of_40", "burn_multiple"),
         "Is the company growing efficiently, and is the growth worth what it costs?"),
    Page("sales.html", "Sales", "sales",
         ("pipeline_value_usd", "pipeline_velocity_usd_per_day", "win_rate", "sales_cycle_days", "avg_deal_size_usd",
          "bookings_usd", "bookings_growth_mom", "forecast_accuracy", "forecast_bookings_next_q_usd", "forecast_error_pct",
          "commit_forecast_error_pct"),
         "Pipeline velocity: how much pipeline there is, how fast it closes, and how well the team forecasts it."),
    Page("marketing.html", "Marketing", "marketing",
         ("mqls", "sqls", "mql_to_sql_rate", "mql_to_sql_days", "cost_per_mql_usd", "cost_per_sql_usd"),
         "Lead-generation efficiency: leads, their conversion to sales-qualified, and what each costs."),
    Page("customer-success.html", "Customer success", "customer_success",
         ("onboarding_completion_rate", "time_to_value_days", "nps", "csat", "product_adoption_rate",
          "weekly_active_users_per_seat", "logo_churn_rate", "gross_mrr_churn_rate", "nrr", "grr", "expansion_mrr_usd"),
         "Onboarding, satisfaction and retention: who stays, who grows, who leaves."),
    Page("people-finance.html", "People & finance", "general_administrative",
         ("revenue_per_head_ttm_usd", "avg_fte", "month_end_fte", "support_ratio", "ai_tooling_cost_per_fte_usd",
          "cost_per_revenue_dollar", "arr_per_fte_usd", "operating_margin_ttm"),
         "Revenue per head by function, headcount, and what the company spends per dollar it earns."),
)


BAND_LABELS = {"lt_1m": "under $1M", "1m_5m": "$1-5M", "5m_20m": "$5-20M", "20m_50m": "$20-50M",
               "50m_100m": "$50-100M", "gt_100m": "$100M and more"}
POSITION_TEXT = {"below_p25": "bottom quartile (below p25)", "p25_p50": "between p25 and the median",
                 "p50_p75": "between the median and p75", "above_p75": "top quartile (at or above p75)",
                 "above_p50": "at or above the median (p75 not published)",
                 "below_p50": "below the median (p25 not published)"}
SEGMENT_LABELS = {"smb": "SMB", "mid_market": "Mid-market", "enterprise": "Enterprise", "unknown": "Unknown (no CRM account)"}
SEGMENT_COLUMN_LABELS = {"active_customers": "active customers", "mrr_usd": "MRR", "new_customers": "new",
                         "customers_moved_in": "moved in", "customers_moved_out": "moved out", "nrr": "NRR",
                         "grr": "GRR", "logo_churn_rate": "logo churn", "arpa_usd": "ARPA", "win_rate": "win rate",
                         "product_adoption_rate": "adoption"}


def kind_of(name: str, unit: str) -> str:
    """How a KPI's value is written: usd, pct, x (a multiple) or n."""
    if unit in ("usd", "usd_per_day"):
        return "usd"
    if unit == "ratio":
        return "x" if name in MULTIPLES else "pct"
    return "n"


def _change(points: list[tuple[dt.date, float | None]], months_back: int, pct: bool) -> str | None:
    """The last value against the one ``months_back`` earlier: points for a percentage, else a relative change."""
    if len(points) <= months_back:
        return None
    (month, now), (then_month, then) = points[-1], points[-1 - months_back]
    if now is None or then is None or (not pct and then == 0):
        return None
    when = f"{then_month:%b}" if months_back == 1 else f"{then_month:%b %Y}"
    return f"vs {when} {(now - then) * 100:+.1f} pts" if pct else f"vs {when} {now / then - 1:+.1%}"


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


def _num(value) -> float | None:
    return float(value) if value is not None else None


@dataclass
class Marts:
    """What the report reads from the published file, once."""
    kpis: dict[str, dict]                      # dim_kpis rows by kpi_name, in catalogue order
    values: dict[str, list[tuple[dt.date, float | None]]]
    status: dict[str, dict[dt.date, str]]
    months: list[dt.date]
    headline: dt.date                          # the last complete month (or the only month there is)
    month_to_date: dt.date | None              # the month not over yet, if the window ends in one
    components: dict[str, dict[dt.date, dict[str, float | None]]]  # source mart -> month -> column -> value
    by_function: dict[str, dict[str, list[tuple[dt.date, float | None]]]]  # column -> function -> points
    bridge: list[tuple]
    checks: list[tuple]
    north_star: str
    null_reasons: dict[str, str] = field(default_factory=dict)
    # fct_kpi_segment_monthly: kpi_name -> segment -> [(month, value, value_status)], and each KPI's unit
    segments: dict[str, dict[str, list[tuple[dt.date, float | None, str]]]] = field(default_factory=dict)
    segment_units: dict[str, str] = field(default_factory=dict)
    # fct_kpi_monthly's peer benchmarks: kpi_name -> [(month, arr_band, p25, p50, p75, position, source, year, url)]
    benchmarks: dict[str, list[tuple]] = field(default_factory=dict)


def read_marts(published: Path) -> Marts:
    if not published.exists():
        raise WarehouseError(f"{published}: no published marts yet (run `warehouse build` first)")
    con = connect(published, read_only=True)
    try:
        if not table_exists(con, "marts", "dim_kpis"):
            raise WarehouseError(f"{published}: has no marts.dim_kpis (published by an older version): "
                                 "run `warehouse build` to publish it again")
        cursor = con.execute("select * from marts.dim_kpis order by catalogue_order")
        names = [d[0] for d in cursor.description]
        kpis = {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}
        values: dict[str, list] = {}
        status: dict[str, dict] = {}
        complete: dict[dt.date, bool] = {}
        for name, month, value, st, is_complete in con.execute(
            "select kpi_name, month, kpi_value, value_status, is_month_complete from marts.fct_kpi_monthly order by month"
        ).fetchall():
            values.setdefault(name, []).append((month, _num(value)))
            status.setdefault(name, {})[month] = st
            complete[month] = bool(is_complete)
        if not complete:
            raise WarehouseError(f"{published}: fct_kpi_monthly is empty: nothing to report")
        months = sorted(complete)
        finished = [m for m in months if complete[m]]
        headline = finished[-1] if finished else months[-1]
        month_to_date = months[-1] if not complete[months[-1]] else None
        # the components of each KPI: columns of its source mart, named by dim_kpis, checked against the
        # mart's own columns before they are quoted into the query
        components: dict[str, dict] = {}
        for source in sorted({k["source_model"] for k in kpis.values()}):
            present = column_names(con, "marts", source)
            wanted = sorted({c for k in kpis.values() if k["source_model"] == source
                             for c in (k["component_columns"] or "").split(",") if c} & present)
            where = " where function = 'all'" if "function" in present else ""
            rows = con.execute(f"select month{''.join(', ' + ident(c) for c in wanted)} from marts.{ident(source)}{where}"
                               ).fetchall()
            components[source] = {r[0]: dict(zip(wanted, map(_num, r[1:]))) for r in rows}
        per_head = column_names(con, "marts", "fct_revenue_per_head")
        efficiency = sorted({k["kpi_name"] for k in kpis.values() if k["source_model"] == "fct_revenue_per_head"}
                            & per_head)
        by_function: dict[str, dict[str, list]] = {}
        rows = con.execute(
            f"select function, month, avg_fte{''.join(', ' + ident(c) for c in efficiency)} "
            "from marts.fct_revenue_per_head where function <> 'all' order by function, month").fetchall()
        for function, month, fte, *vals in rows:
            for column, value in zip(["avg_fte_raw"] + efficiency, [fte] + vals):
                by_function.setdefault(column, {}).setdefault(function, []).append((month, _num(value)))
        bridge = con.execute("""
            select month, new_mrr_usd, expansion_mrr_usd, reactivation_mrr_usd, contraction_mrr_usd,
                churned_mrr_usd, fx_adjustment_mrr_usd
            from marts.fct_unit_economics where month <= ? order by month desc limit 12
        """, [headline]).fetchall()[::-1]
        checks = con.execute("""
            select check_name, severity, status, details from audit.check_results
            where run_id = (select run_id from audit.check_results order by checked_at desc limit 1)
            order by case status when 'fail' then 0 when 'warn' then 1 else 2 end, check_name
        """).fetchall() if table_exists(con, "audit", "check_results") else []
        null_reasons: dict[str, str] = {}
        for name, st, _ in con.execute("""
            select kpi_name, value_status, count(*) from marts.fct_kpi_monthly
            where kpi_value is null group by all order by 3, 2
        """).fetchall():
            null_reasons[name] = st
        segments: dict[str, dict[str, list]] = {}
        segment_units: dict[str, str] = {}
        if table_exists(con, "marts", "fct_kpi_segment_monthly"):
            for name, unit, segment, month, value, st in con.execute(
                "select kpi_name, unit, segment, month, kpi_value, value_status from marts.fct_kpi_segment_monthly "
                "order by kpi_name, segment, month"
            ).fetchall():
                segments.setdefault(name, {}).setdefault(segment, []).append((month, _num(value), st))
                segment_units[name] = unit
        benchmarks: dict[str, list[tuple]] = {}
        if "benchmark_p50" in column_names(con, "marts", "fct_kpi_monthly"):
            for name, month, band, p25, p50, p75, position, source, year, url in con.execute(
                "select kpi_name, month, arr_band, benchmark_p25, benchmark_p50, benchmark_p75, benchmark_position, "
                "benchmark_source, benchmark_source_year, benchmark_url from marts.fct_kpi_monthly "
                "where benchmark_p50 is not null order by kpi_name, month"
            ).fetchall():
                benchmarks.setdefault(name, []).append(
                    (month, band, _num(p25), _num(p50), _num(p75), position, source, year, url))
    finally:
        con.close()
    north_star = next((n for n, k in kpis.items() if k["is_north_star"]), "revenue_per_head_ttm_usd")
    return Marts(kpis, values, status, months, headline, month_to_date, components, by_function, bridge, checks,
                 north_star, null_reasons, segments, segment_units, benchmarks)


class Site:
    """Builds the pages from one Marts."""

    def __init__(self, marts: Marts) -> None:
        self.m = marts
        self.owner_page = {p.owner: p.file for p in PAGES if p.owner}

    # -- values ---------------------------------------------------------------------------------------------
    def label(self, name: str) -> str:
        return self.m.kpis[name]["kpi_label"] if name in self.m.kpis else name.replace("_", " ")

    def kind(self, name: str) -> str:
        return kind_of(name, self.m.kpis[name]["unit"]) if name in self.m.kpis else "n"

    def upto(self, name: str) -> list[tuple[dt.date, float | None]]:
        """The KPI's values through the headline month (the month to date is not over: not a point yet)."""
        return [(m, v) for m, v in self.m.values.get(name, []) if m <= self.m.headline]

    def line(self, name: str) -> list[tuple[dt.date, float | None]]:
        """What a chart draws: through the headline month, without partial_window values (a TTM of three
        months is not a trend; the caption says so: partial_note)."""
        return _ok_only(self.upto(name), self.m.status.get(name, {}))

    def value(self, name: str) -> float | None:
        return dict(self.m.values.get(name, [])).get(self.m.headline)

    def status(self, name: str) -> str:
        return self.m.status.get(name, {}).get(self.m.headline, "no_data")

    def target(self, name: str) -> tuple[str, float] | None:
        k = self.m.kpis.get(name)
        return (k["target_comparison"], float(k["target_value"])) if k and k["target_value"] is not None else None

    def shown(self, name: str) -> str:
        """The value, or why there is none (its value_status), never a bare dash."""
        if self.value(name) is None:
            return STATUS_TEXT.get(self.status(name), "no data")
        return fmt(self.value(name), self.kind(name))

    def target_note(self, name: str) -> str:
        t = self.target(name)
        return f"target {t[0]} {fmt(t[1], self.kind(name))}" if t else ""

    def rag(self, name: str) -> str:
        """green on target, amber within AMBER_MARGIN of it, red beyond; no class without a target or value."""
        t, value = self.target(name), self.value(name)
        if t is None or value is None:
            return ""
        comparison, target = t
        gap = (target - value) if comparison == ">=" else (value - target)
        return " good" if gap <= 0 else " amber" if gap <= abs(target) * AMBER_MARGIN else " bad"

    def href(self, name: str, here: str) -> str:
        page = self.owner_page.get(self.m.kpis.get(name, {}).get("owner_function"), "index.html")
        return f"{'' if page == here else page}#kpi-{name}"

    # -- pieces ---------------------------------------------------------------------------------------------
    def tile(self, name: str, here: str) -> str:
        period = PERIODS.get(name)
        label = self.label(name)
        text = f"{label} ({period})" if period and f"({period})" not in label else label
        if name == self.m.north_star:
            text, css = f"North star: {text}", " star"
        else:
            css = self.rag(name)
        series = self.upto(name)
        pct = self.kind(name) == "pct"
        # a value that is there but not final or not comparable (immature cohort, partial window) says so
        # first, and is not judged against its target
        caveat = STATUS_TEXT.get(self.status(name), "") if self.value(name) is not None else ""
        if caveat and css != " star":
            css = ""
        note = " · ".join(p for p in (caveat, self.target_note(name), _change(series, 1, pct), _change(series, 12, pct))
                          if p)
        why = "" if self.value(name) is not None else ' class="why"'  # a reason, not a figure: smaller
        return (f'<a class="tile{css}" href="{html.escape(self.href(name, here))}">{html.escape(text)}'
                f'<b{why}>{html.escape(self.shown(name))}</b><small>{html.escape(note)}</small></a>')

    def links(self, names: list[str], here: str) -> str:
        return ('<p class="links">Details: ' + " · ".join(
            f'<a href="{html.escape(self.href(n, here))}">{html.escape(self.label(n))}</a>' for n in names
            if n in self.m.kpis) + "</p>")

    def months_with(self, status: str, *names: str) -> list[dt.date]:
        return sorted({m for n in names for m, st in self.m.status.get(n, {}).items()
                       if st == status and m <= self.m.headline})

    def partial_note(self, *names: str) -> str:
        partial = self.months_with("partial_window", *names)
        return (f"{len(partial)} month(s) left out ({partial[0]:%b %Y} .. {partial[-1]:%b %Y}): their window "
                "(TTM, 3 months, a year ago) starts before the data, so the value would not be comparable."
                ) if partial else ""

    def hidden_note(self, *names: str) -> str:
        hidden = self.months_with("hidden", *names)
        return (f"{len(hidden)} month(s) not shown: privacy hides a cost of fewer than min_group_size people "
                f"({hidden[0]:%b %Y}{' .. ' + format(hidden[-1], '%b %Y') if len(hidden) > 1 else ''})") if hidden else ""

    def notes(self, *names: str) -> str:
        return " ".join(n for n in (self.partial_note(*names), self.hidden_note(*names)) if n)

    def cac_based_note(self, name: str) -> str:
        """Why LTV:CAC or payback can be hidden where CAC (3 months) is shown: they also need the TTM cost of
        revenue (gross margin), which privacy hides in its own months."""
        shown_cac = {m for m, v in self.upto("cac_3m_usd") if v is not None}
        differ = [m for m in self.months_with("hidden", name) if m in shown_cac]
        return self.notes(name) + (
            f" In {len(differ)} of those months CAC (3 months) is shown: {self.label(name)} also needs the TTM cost "
            "of revenue (for the gross margin), hidden where it covers fewer than min_group_size people."
            if differ else "")

    def why(self, *names: str) -> str:
        reasons = [STATUS_TEXT.get(self.m.null_reasons[n], n) for n in names if n in self.m.null_reasons]
        return reasons[0] if reasons else "no data"

    def chart(self, title: str, names: list[str], here: str, target_of: str | None = None, note: str | None = None,
              series: Series | None = None, keys: list[str] | None = None, empty_reason: str | None = None) -> str:
        """A line chart of KPIs (one unit), the first KPI's target as its reference line, its immature
        cohort months hatched, and links to the KPIs' drill-downs."""
        names = [n for n in names if n in self.m.kpis]
        if not names:
            return ""
        target_of = target_of if target_of is not None else names[0]
        t = self.target(target_of) if target_of else None
        reference = (f"target {t[0]} {fmt(t[1], self.kind(target_of))}", t[1]) if t else None
        immature = self.months_with("immature", *names)
        shaded = ("immature: cohort still converting", immature) if immature else None
        if series is None:
            series, keys = {self.label(n): self.line(n) for n in names}, names
        return line_chart(title, series, self.kind(names[0]), reference=reference, shaded=shaded,
                          empty_reason=empty_reason or self.why(*names),
                          note=self.notes(*names) if note is None else note, links=self.links(names, here), keys=keys)

    def by_function_chart(self, here: str) -> str:
        """Revenue per head (TTM) of each named function, without months in which it is too small."""
        rph, ftes = self.m.by_function.get("revenue_per_head_ttm_usd", {}), self.m.by_function.get("avg_fte_raw", {})
        status = self.m.status.get("revenue_per_head_ttm_usd", {})
        series = {}
        for function in sorted(f for f in rph if f != "unmapped"):  # a tiny `unmapped` group would dwarf them
            rows = [(m, v, fte) for (m, v), (_, fte) in zip(rph[function], ftes[function]) if m <= self.m.headline]
            series[function] = _ok_only(_small_groups_left_out(rows), status)
        return line_chart("Revenue per head (TTM) by function", series, "usd",
                          note=f"Months in which a function averages fewer than {SMALL_GROUP_FTE} FTE are left out: "
                               "one hire or leaver moves its ratio by a whole head. "
                               + self.partial_note("revenue_per_head_ttm_usd"),
                          links=self.links(["revenue_per_head_ttm_usd"], here))

    def bridge_chart(self, here: str) -> str:
        b = self.m.bridge
        return stacked_bars(f"MRR bridge — 12 months to {self.m.headline:%b %Y}", [r[0] for r in b], {
            "new": [float(r[1]) for r in b], "expansion": [float(r[2]) for r in b],
            "reactivation": [float(r[3]) for r in b], "contraction": [float(r[4]) for r in b],
            "churned": [float(r[5]) for r in b], "fx adjustment": [float(r[6]) for r in b],
        }, links=self.links(["mrr_usd", "new_mrr_usd", "expansion_mrr_usd", "churned_mrr_usd"], here))

    def by_segment_chart(self, name: str, here: str) -> str:
        """One KPI by customer segment: published (ok) values of complete months only; a segment-month
        with fewer than min_group_size customers is hidden in the mart and not drawn."""
        by_segment = self.m.segments.get(name, {})
        series = {SEGMENT_LABELS.get(seg, seg): [(m, v if st == "ok" else None) for m, v, st in points
                                                 if m <= self.m.headline]
                  for seg, points in sorted(by_segment.items(), key=lambda kv: list(SEGMENT_LABELS).index(kv[0])
                                            if kv[0] in SEGMENT_LABELS else 99)}
        return line_chart(f"{self.label(name)} by customer segment", series, self.kind(name),
                          empty_reason=self.why(name),
                          note="Each customer in its CRM account's segment at the start of the month (NRR: at the "
                               "start of the cohort's month). A segment-month with fewer than min_group_size active "
                               "customers is hidden, so not drawn.",
                          links=self.links([name], here))

    def segment_table(self) -> str:
        """The headline month by segment: totals and the customer-level KPIs (hidden ones say so)."""
        columns = ["active_customers", "mrr_usd", "new_customers", "customers_moved_in", "customers_moved_out", "nrr",
                   "grr", "logo_churn_rate", "arpa_usd", "win_rate", "product_adoption_rate"]
        columns = [c for c in columns if c in self.m.segments]
        if not columns:
            return ""
        head = "".join(f"<th>{html.escape(SEGMENT_COLUMN_LABELS.get(c) or self.label(c))}</th>" for c in columns)
        rows = []
        for seg, label in SEGMENT_LABELS.items():
            cells = []
            for c in columns:
                point = next((p for p in self.m.segments[c].get(seg, []) if p[0] == self.m.headline), None)
                value, st = (point[1], point[2]) if point else (None, "no_data")
                is_count = self.m.segment_units.get(c) == "count"
                text = ("hidden" if st == "hidden" else f"{value:,.0f}" if is_count and value is not None
                        else fmt(value, kind_of(c, self.m.segment_units.get(c, ""))))
                cells.append(f'<td class="num{" hidden" if st == "hidden" else ""}">{html.escape(text)}</td>')
            rows.append(f"<tr><td>{html.escape(label)}</td>{''.join(cells)}</tr>")
        return (f'<figure class="chart wide" id="segments"><figcaption>By customer segment — {self.m.headline:%B %Y}'
                f'</figcaption><table><tr><th>segment</th>{head}</tr>{"".join(rows)}</table>'
                '<p class="note">The segment is the CRM account\'s at the start of the month; moved in / out: '
                'customers active last month whose segment changed. "hidden": fewer than min_group_size active '
                'customers in the segment. MRR, customers and moves add up to the company '
                '(marts.fct_kpi_segment_monthly).</p></figure>')

    def benchmark_chart(self, here: str) -> str:
        """Revenue per head against peers: ARR per FTE (what the surveys publish) with its ARR band's quartiles
        month by month (the band, and so the quartiles, step when the company's ARR crosses a band)."""
        name = "arr_per_fte_usd"
        points = [p for p in self.m.benchmarks.get(name, []) if p[0] <= self.m.headline]
        if name not in self.m.kpis or not points:
            return ""
        series: Series = {self.label(name): self.line(name)}
        keys = [name]
        for index, label, key in ((4, "peers' top quartile (p75)", "benchmark-p75"),
                                  (3, "peers' median (p50)", "benchmark-p50"),
                                  (2, "peers' bottom quartile (p25)", "benchmark-p25")):
            line = [(p[0], p[index]) for p in points]
            if any(v is not None for _, v in line):
                series[label], keys = line, keys + [key]
        last = points[-1]
        return line_chart("Revenue per head against peers: ARR per FTE vs its ARR band's quartiles", series, "usd",
                          empty_reason=self.why(name),
                          note=f"{self.m.headline:%B %Y}: ARR band {BAND_LABELS.get(last[1], last[1])}, "
                               f"{POSITION_TEXT.get(last[5] or '', 'not placed (value not ok)')}. Surveys publish ARR "
                               "per FTE (month-end ARR / month-end FTE), so it is the one compared, not TTM revenue "
                               "per head. Quartiles: seed kpi_benchmarks, sources in the table below.",
                          links=self.links([name], here), keys=keys)

    def benchmark_table(self) -> str:
        """The headline month's KPIs that have a peer benchmark: value, band quartiles, position, source."""
        rows, band = [], None
        for name, points in self.m.benchmarks.items():
            point = next((p for p in points if p[0] == self.m.headline), None)
            if point is None or name not in self.m.kpis:
                continue
            _, band, p25, p50, p75, position, source, year, url = point  # one band a month, the same for each KPI
            kind, value = self.kind(name), self.value(name)
            cells = "".join(f'<td class="num">{html.escape(fmt(v, kind))}</td>' for v in (value, p25, p50, p75))
            text = POSITION_TEXT.get(position or "", f"not placed ({self.status(name).replace('_', ' ')})")
            rows.append(f"<tr><td>{html.escape(self.label(name))}</td>{cells}<td>{html.escape(text)}</td>"
                        f'<td>{html.escape(source)} ({year}), <span class="url">{html.escape(url)}</span></td></tr>')
        if not rows:
            return ""
        return (f'<figure class="chart wide" id="benchmarks"><figcaption>Against peers — {self.m.headline:%B %Y}, '
                f'ARR band {html.escape(BAND_LABELS.get(band or "", "unknown"))}</figcaption><table><tr><th>KPI</th>'
                '<th>value</th><th>p25</th><th>p50</th><th>p75</th><th>position</th><th>source</th></tr>'
                f'{"".join(rows)}</table><p class="note">Quartiles of performance: p75 is where the top quartile '
                'starts, so for CAC payback (lower is better) it is the smallest number. "–": the source publishes '
                'no such quartile. A value that is not ok (partial, hidden, no data) is not placed. Figures from '
                'seed kpi_benchmarks (marts.fct_kpi_monthly: arr_band, benchmark_*); the addresses are printed, '
                'not linked: the pack loads nothing from outside.</p></figure>')

    def charts(self, page: Page) -> list[str]:
        h = page.file
        year_ago_note = ("Year-over-year lines start in the window's 24th month: before it, the year-ago TTM "
                         "covers fewer than 12 months (the mart has those values, flagged by month_number).")
        yoy = ["revenue_per_head_growth_yoy", "fte_growth_yoy"]
        if page.owner is None:
            return [
                self.chart("Revenue per head (TTM) — company", ["revenue_per_head_ttm_usd"], h),
                self.benchmark_chart(h),
                self.chart("Is growth efficient? Revenue per head vs FTE, year over year", yoy, h, note=year_ago_note,
                           series={self.label(n): _from_full_year_ago(self.line(n)) for n in yoy}, keys=yoy,
                           empty_reason="the comparison needs two full years of history"),
                self.chart("Where revenue growth came from: hiring vs revenue per head",
                           ["growth_from_hiring_share", "growth_from_efficiency_share"], h),
                self.chart("Net and gross revenue retention", ["nrr", "grr"], h),
                self.chart("LTV:CAC", ["ltv_to_cac"], h, note=self.cac_based_note("ltv_to_cac")),
                self.chart("CAC payback (months)", ["cac_payback_months"], h, note=self.cac_based_note("cac_payback_months")),
                self.chart("Rule of 40", ["rule_of_40", "arr_growth_yoy", "operating_margin_ttm"], h,
                           note=self.notes("rule_of_40", "operating_margin_ttm")),
                self.chart("Burn multiple", ["burn_multiple"], h),
                self.bridge_chart(h),
                self.benchmark_table(),
            ]
        if page.owner == "sales":
            return [
                self.chart("Win rate", ["win_rate"], h),
                self.chart("Bookings and open pipeline", ["bookings_usd", "pipeline_value_usd"], h),
                self.chart("Pipeline velocity ($ per day)", ["pipeline_velocity_usd_per_day"], h),
                self.chart("Sales cycle (days)", ["sales_cycle_days"], h),
                self.chart("Average deal size", ["avg_deal_size_usd"], h),
                self.chart("Commit forecast accuracy", ["forecast_accuracy"], h),
                self.chart("Bookings forecast for the next quarter (weighted by stage win rates)",
                           ["forecast_bookings_next_q_usd"], h),
                self.chart("Forecast error, next quarter: weighted model vs commit",
                           ["forecast_error_pct", "commit_forecast_error_pct"], h),
            ]
        if page.owner == "marketing":
            return [
                self.chart("MQLs and SQLs", ["mqls", "sqls"], h),
                self.chart("MQL→SQL rate", ["mql_to_sql_rate"], h),
                self.chart("Days from MQL to SQL", ["mql_to_sql_days"], h),
                self.chart("Cost per MQL and per SQL", ["cost_per_mql_usd", "cost_per_sql_usd"], h),
            ]
        if page.owner == "customer_success":
            return [
                self.chart("Net and gross revenue retention", ["nrr", "grr"], h),
                self.chart("Logo and gross MRR churn (monthly)", ["logo_churn_rate", "gross_mrr_churn_rate"], h),
                self.chart("Onboarding completion", ["onboarding_completion_rate"], h),
                self.chart("Time to value (days)", ["time_to_value_days"], h),
                self.chart("NPS", ["nps", "nps_3m"], h),
                self.chart("CSAT: ratings of 4 or 5", ["csat", "csat_3m"], h),
                self.chart("Product adoption: customers using enough core features", ["product_adoption_rate"], h),
                self.chart("Logo churn (monthly) of customers that had adopted the product vs not",
                           ["logo_churn_rate_adopted", "logo_churn_rate_not_adopted"], h),
                self.chart("Weekly active users per seat", ["weekly_active_users_per_seat"], h),
                self.by_segment_chart("nrr", h),
                self.segment_table(),
                self.bridge_chart(h),
            ]
        return [
            self.by_function_chart(h),
            self.chart("Average FTE — company", ["avg_fte"], h),
            self.chart("Revenue per added FTE vs revenue per head (TTM)",
                       ["incremental_revenue_per_fte_usd", "revenue_per_head_ttm_usd"], h, note=year_ago_note,
                       series={self.label("incremental_revenue_per_fte_usd"):
                               _from_full_year_ago(self.line("incremental_revenue_per_fte_usd")),
                               self.label("revenue_per_head_ttm_usd"): self.line("revenue_per_head_ttm_usd")},
                       keys=["incremental_revenue_per_fte_usd", "revenue_per_head_ttm_usd"]),
            self.chart("Cost per revenue dollar", ["cost_per_revenue_dollar"], h),
            self.chart("Gross margin (month)", ["gross_margin"], h),
            self.chart("Operating margin (TTM)", ["operating_margin_ttm"], h),
            self.chart("Revenue-support FTE per quota carrier", ["support_ratio"], h),
            self.chart("AI tooling cost per FTE", ["ai_tooling_cost_per_fte_usd"], h),
            self.chart("CAC (3 months)", ["cac_3m_usd"], h),
        ]

    # -- drill-down -----------------------------------------------------------------------------------------
    def section(self, name: str) -> str:
        k, m = self.m.kpis[name], self.m
        kind = self.kind(name)
        components = [c for c in (k["component_columns"] or "").split(",") if c]
        counts: dict[str, int] = {}
        for st in m.status.get(name, {}).values():
            counts[st] = counts.get(st, 0) + 1
        status_line = " · ".join(f"{st.replace('_', ' ')} {n}" + (
            f" ({self.span(name, st)})" if st != "ok" else "") for st, n in sorted(counts.items(), key=lambda i: -i[1]))
        window = (f"needs {k['min_months']} months of history (earlier months: partial window)"
                  if k["min_months"] > 1 else "needs no earlier month")
        meta = [f"Unit: {k['unit']}", f"stage: {k['stage'].replace('_', ' ')}",
                f"owner: {k['owner_function'].replace('_', ' ')}", f"restated from {k['source_model']}", window]
        if k["is_cohort_rate"]:
            meta.append("a cohort rate: its last three months are immature")
        if self.target(name):
            meta.append(self.target_note(name))
        meta.append("no data without: " + ", ".join((k["required_raw_tables"] or "").split(",")))
        source = m.components.get(k["source_model"], {})
        head = "".join(f"<th>{html.escape(c)}</th>" for c in components)
        rows = []
        for month, value in reversed(m.values.get(name, [])):
            st = m.status[name][month]
            on_target = ""
            if self.target(name) and value is not None:
                comparison, target = self.target(name)
                on_target = "yes" if (value >= target if comparison == ">=" else value <= target) else "no"
            mtd = month == m.month_to_date
            cells = "".join(f'<td class="num">{html.escape(self.component(c, source.get(month, {}).get(c)))}</td>'
                            for c in components)
            rows.append(f'<tr class="{st}{" mtd" if mtd else ""}"><td>{month:%b %Y}{" (to date)" if mtd else ""}</td>'
                        f'<td class="num">{html.escape(fmt(value, kind))}</td><td>{st}</td><td>{on_target}</td>{cells}</tr>')
        by_function = ""
        if k["source_model"] == "fct_revenue_per_head" and name in m.by_function:
            functions = sorted(m.by_function[name])
            recent = [mo for mo in m.months if mo <= m.headline][-12:]
            fn_rows = "".join(
                f"<tr><td>{html.escape(f)}</td>" + "".join(
                    f'<td class="num">{html.escape(fmt(dict(m.by_function[name][f]).get(mo), kind))}</td>' for mo in recent)
                + "</tr>" for f in functions)
            by_function = (f"<p><b>By function</b> (last 12 complete months; a function of fewer than "
                           f"{SMALL_GROUP_FTE} FTE swings by a whole head):</p><div class=\"scroll\"><table><tr><th>function</th>"
                           + "".join(f"<th>{mo:%b %y}</th>" for mo in recent) + f"</tr>{fn_rows}</table></div>")
        return (f'<section class="kpi" id="kpi-{html.escape(name)}"><h3>{html.escape(self.label(name))}'
                f'<small>{html.escape(name)}</small></h3>'
                f'<p><b>Definition.</b> {html.escape(k["definition"])}</p>'
                f'<p class="meta">{html.escape(" · ".join(meta))}</p>'
                f'<p class="meta"><b>Status by month:</b> {html.escape(status_line)}</p>'
                f'<div class="scroll"><table><tr><th>month</th><th>{html.escape(self.label(name))}</th><th>status</th>'
                f'<th>on target</th>{head}</tr>{"".join(rows)}</table></div>{by_function}'
                '<p class="links"><a href="#top">back to the top</a></p></section>')

    def span(self, name: str, status: str) -> str:
        months = sorted(mo for mo, st in self.m.status.get(name, {}).items() if st == status)
        return f"{months[0]:%b %Y}" + (f" .. {months[-1]:%b %Y}" if len(months) > 1 else "")

    def component(self, column: str, value: float | None) -> str:
        if column in self.m.kpis:
            return fmt(value, self.kind(column))
        if column.endswith("_usd"):
            return fmt(value, "usd")
        if value is not None and ("margin" in column or column.endswith("_rate")):
            return fmt(value, "pct")
        return "–" if value is None else f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"

    # -- pages ----------------------------------------------------------------------------------------------
    def subtitle(self) -> str:
        m = self.m
        mtd = (f" {m.month_to_date:%B %Y} is month to date: its revenue is not all billed yet, so it is in the "
               "tables (in italics), not in the tiles or the lines.") if m.month_to_date else ""
        return (f"Figures for {m.headline:%B %Y}, the last complete month.{mtd} Each figure says the period it covers "
                "and how it moved against the month before and a year earlier; coloured ones against the company's "
                "target. Click a figure or a chart's link for its definition, monthly values and components.")

    def page(self, page: Page) -> str:
        here = ' class="here"'
        nav = "".join(f'<a href="{p.file}"{here if p is page else ""}>{html.escape(p.title)}</a>' for p in PAGES)
        tiles = "".join(self.tile(n, page.file) for n in page.tiles if n in self.m.kpis)
        owned = [n for n, k in self.m.kpis.items() if k["owner_function"] == page.owner] if page.owner else []
        body = ""
        if page.owner is None:
            counts = {s: sum(1 for c in self.m.checks if c[2] == s) for s in ("pass", "warn", "fail")}
            tiles += (f'<a class="tile" href="#data-quality">Data quality (latest run)<b><span class="pass">{counts["pass"]}'
                      f'</span> / <span class="warn">{counts["warn"]}</span> / <span class="fail">{counts["fail"]}</span>'
                      '</b><small>pass / warn / fail</small></a>')
            pages = "".join(
                f'<li><a href="{p.file}">{html.escape(p.title)}</a>: {html.escape(p.intro)} '
                f'({sum(1 for k in self.m.kpis.values() if k["owner_function"] == p.owner)} KPIs)</li>'
                for p in PAGES if p.owner)
            rows = "".join(
                f'<tr><td>{html.escape(n)}</td><td>{s}</td><td class="{st}">{st}</td><td>{html.escape(d)}</td></tr>'
                for n, s, st, d in self.m.checks)
            story = growth_story(self.value, self.line, {n: self.status(n) for n in self.m.kpis})
            body = (f'<p class="story"><b>{html.escape(story)}</b></p>' if story else "")
            footer = (f'<h2>The other pages</h2><ul class="pages">{pages}</ul>'
                      f'<p class="dq">Data quality of the latest run: {counts["pass"]} checks passed, {counts["warn"]} '
                      f'warnings, {counts["fail"]} failed.</p>'
                      f'<details id="data-quality"><summary>Data quality of the latest run: {len(self.m.checks)} checks '
                      f'— show details</summary><table><tr><th>check</th><th>severity</th><th>status</th><th>details'
                      f'</th></tr>{rows}</table></details>')
        else:
            footer = (f'<h2 id="drill-down">Every {html.escape(page.title.lower())} KPI ({len(owned)})</h2>'
                      + "".join(self.section(n) for n in owned))
        return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(page.title)} — revenue per head board pack {self.m.headline:%B %Y}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body id="top">
<nav>{nav}</nav>
<h1>{html.escape(page.title)} — revenue per head board pack</h1>
<p class="sub">{html.escape(page.intro)} {html.escape(self.subtitle())}</p>
{body}
<div class="tiles">{tiles}</div>
<div class="grid2">{"".join(self.charts(page))}</div>
{footer}
</body></html>
"""


def growth_story(f: Callable[[str], float | None], kpi: Callable[[str], list], statuses: dict[str, str]) -> str:
    """The executive page's first line: where TTM revenue growth came from, as the mart's decomposition says
    (growth_from_hiring_share, docs/metrics.md), never a verdict picked by a comparison."""
    hiring, rph_growth = f("growth_from_hiring_share"), f("revenue_per_head_growth_yoy")
    ttm = [v for _, v in kpi("ttm_revenue_usd")]
    if hiring is not None and rph_growth is not None and len(ttm) >= 13 and ttm[-1] and ttm[-13]:
        g_rev = ttm[-1] / ttm[-13] - 1
        g_fte = (1 + g_rev) / (1 + rph_growth) - 1
        mostly = ("mostly from adding people" if hiring > 0.5 else "mostly from each head bringing more revenue")
        return (f"Of the {g_rev:+.1%} growth in revenue (TTM) over the last twelve months, "
                f"{fmt(hiring, 'pct')} came from adding people (mean FTE {g_fte:+.1%}) and "
                f"{fmt(1 - hiring, 'pct')} from revenue per head ({rph_growth:+.1%}): growth is coming "
                f"{mostly}.")
    status = statuses.get("growth_from_hiring_share", "no_data")
    if status == "partial_window":
        return ("Fewer than 25 months of history: where revenue growth came from (hiring or revenue per head) "
                "needs two whole years of TTM revenue.")
    return ("Revenue (TTM) did not grow over the last twelve months: there is no growth to split between hiring "
            f"and revenue per head (revenue per head {fmt(rph_growth, 'pct')} against a year ago).")


def build_site(published: Path) -> dict[str, str]:
    """Every page of the site: file name -> HTML."""
    site = Site(read_marts(published))
    return {p.file: site.page(p) for p in PAGES}


def chromium() -> str:
    found = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if not found:
        raise WarehouseError("--pdf prints with headless Chromium, which is not installed "
                             "(Debian/Ubuntu: apt-get install chromium); or open index.html and print it from a browser")
    return found


def print_pdf(page: Path, pdf: Path) -> Path:
    """The page as a PDF, printed by headless Chromium: A4 landscape (the page's @page rule), tiles five to a
    row and charts two to a row (its print CSS), no navigation or links."""
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=180)
    if done.returncode != 0 or not pdf.exists() or pdf.stat().st_size == 0:
        raise WarehouseError(f"chromium could not print {page} to {pdf}: {done.stderr.strip()[-500:]}")
    return pdf


def write_report(published: Path, out_dir: Path, pdf: bool = False) -> Path:
    """Writes the site into out_dir (index.html is the executive page) and, with pdf, board-pack.pdf."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in build_site(published).items():
        (out_dir / name).write_text(text, encoding="utf-8")
    index = out_dir / "index.html"
    if pdf:
        print_pdf(index, out_dir / "board-pack.pdf")
    return index
