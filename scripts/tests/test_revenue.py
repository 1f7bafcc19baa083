"""Revenue core, recomputed independently in plain Python from the staged tables and compared with the marts.

Nothing here reuses the models' SQL: MRR per customer-month (line MRR, coverage of the month end, floor
at 0, FX carried forward), the movement of every customer-month, and recognized revenue per month
(daily-even spreading, one-time lines, refunds) follow docs/metrics.md line by line.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

COUNTED = {"open", "paid"}


def _month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(d.day, (next_first - dt.timedelta(days=1)).day))


def _month_end(m: dt.date) -> dt.date:
    return _add_months(m, 1) - dt.timedelta(days=1)


class Independent:
    """The revenue definitions, computed row by row from staging."""

    def __init__(self, con) -> None:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        self.invoices = {r[0]: r[1:] for r in q("select invoice_id, customer_id, status, currency_code, invoice_date from staging.stg_billing__invoices")}
        self.prices = {r[0]: r[1:] for r in q("select price_id, billing_interval, interval_count from staging.stg_billing__prices")}
        self.unit_amounts = dict(q("select price_id, unit_amount from staging.stg_billing__prices"))
        self.lines = q("select invoice_id, price_id, line_type, is_proration, amount, discount_amount, period_start, period_end from staging.stg_billing__invoice_line_items")
        # per line of the same order: id, subscription and quantity (for the proration rate, metrics §2)
        self.line_keys = q("select invoice_line_item_id, subscription_id, quantity from staging.stg_billing__invoice_line_items")
        self.refunds = q("select invoice_id, amount, refunded_at from staging.stg_billing__refunds")
        self.customer_currency = dict(q("select customer_id, currency_code from staging.stg_billing__customers"))
        published: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
        for currency, month, rate in q("select currency_code, rate_month, usd_per_unit from staging.stg_finance__fx_rates order by rate_month"):
            published[currency].append((month, float(rate)))
        self.published = published
        latest = q("select max(cast(_loaded_at as timestamp)) from raw_billing.invoice")[0][0]
        self.as_of_month = _month(latest.date())

    def rate(self, currency: str, month: dt.date) -> float:
        if currency == "USD":
            return 1.0
        earlier = [r for m, r in self.published[currency] if m <= month]
        assert self.published[currency], f"no rate at all for {currency}"
        # before the currency's first rate, that first rate (carried back)
        return earlier[-1] if earlier else self.published[currency][0][1]

    def counted_lines(self):
        for invoice_id, price_id, line_type, is_proration, amount, discount, start, end in self.lines:
            customer, status, currency, invoice_date = self.invoices[invoice_id]
            if status in COUNTED:
                yield customer, currency, invoice_date, price_id, line_type, is_proration, Decimal(amount) - Decimal(discount), start, end

    def mrr_local(self) -> dict[tuple[str, dt.date], Fraction]:
        """Customer MRR of every month whose last day a counted subscription line covers, floored at 0.

        Exact rational arithmetic: a month is flat only when its MRR is exactly last month's.
        """
        total: dict[tuple[str, dt.date], Fraction] = defaultdict(Fraction)
        counted = []
        for (invoice_id, price_id, line_type, is_proration, amount, discount, start, end), (_, sub, qty) in zip(self.lines, self.line_keys):
            customer, status, _, _ = self.invoices[invoice_id]
            if status in COUNTED and line_type == "subscription":
                counted.append((customer, sub, price_id, is_proration, Fraction(amount), Fraction(amount) - Fraction(discount), qty, start, end))
        for customer, sub, price_id, is_proration, amount, net, qty, start, end in counted:
            unit, count = self.prices[price_id]
            months = count * (12 if unit == "year" else 1)
            mrr = net / months
            unit_amount = self.unit_amounts[price_id]
            if is_proration and amount == 0:
                mrr = Fraction(0)
            elif is_proration and unit_amount:
                # the rate of the price it prorates; a credit with its discount inside the amount takes the
                # discount of the regular line it credits
                factor = net / amount
                if amount < 0 and net == amount:
                    credited = [n / a for c, s2, p2, pr, a, n, _, s0, e0 in counted
                                if s2 == sub and sub is not None and p2 == price_id and not pr and a > 0 and s0 <= start < e0]
                    factor = max(credited) if credited else factor
                mrr = (1 if amount > 0 else -1) * qty * Fraction(unit_amount) * factor / months
            elif is_proration:
                mrr *= Fraction((_add_months(start, months) - start).days, (end - start).days)
            m = _month(start)
            while m <= _month(end):
                if start <= _month_end(m) < end:
                    total[(customer, m)] += mrr
                m = _add_months(m, 1)
        return {key: max(value, Fraction(0)) for key, value in total.items()}

    def revenue_by_month(self) -> dict[dt.date, float]:
        revenue: dict[dt.date, float] = defaultdict(float)
        for _, currency, invoice_date, _, line_type, _, net, start, end in self.counted_lines():
            if line_type == "one_time":
                revenue[_month(invoice_date)] += float(net) * self.rate(currency, _month(invoice_date))
                continue
            per_day = float(net) / (end - start).days
            day = start
            while day < end:  # day by day: the most literal reading of "spread evenly per day"
                revenue[_month(day)] += per_day * self.rate(currency, _month(day))
                day += dt.timedelta(days=1)
        for invoice_id, amount, refunded_at in self.refunds:
            customer, status, currency, _ = self.invoices[invoice_id]
            if status in COUNTED:
                month = _month(refunded_at.date())
                revenue[month] -= float(amount) * self.rate(currency, month)
        return revenue


@pytest.fixture(scope="module")
def built(messy_sql):
    _, connect = messy_sql
    con = connect()
    yield Independent(con), con
    con.close()


def test_mrr_and_movements_match_an_independent_recomputation(built) -> None:
    calc, con = built
    local = calc.mrr_local()
    first_month = min(m for (_, m), v in local.items() if v > 0)
    window = []
    m = first_month
    while m <= calc.as_of_month:
        window.append(m)
        m = _add_months(m, 1)
    expected = {}
    for customer in {c for c, _ in local}:
        currency = calc.customer_currency[customer]
        was_active = False
        for i, m in enumerate(window):
            cur = local.get((customer, m), Fraction(0))
            prev_month = _add_months(m, -1)
            prev = local.get((customer, prev_month), Fraction(0))
            if cur != 0 or prev != 0:
                r_m = calc.rate(currency, m)
                r_prev = calc.rate(currency, prev_month) if prev != 0 else r_m
                cur_f, prev_f = float(cur), float(prev)
                opening, current = prev_f * r_m, cur_f * r_m
                if prev == 0 and cur > 0:
                    kind = "reactivation" if was_active else "new"
                elif prev > 0 and cur > prev:
                    kind = "expansion"
                elif 0 < cur < prev:
                    kind = "contraction"
                elif prev > 0 and cur == 0:
                    kind = "churn"
                else:
                    kind = "flat"
                movement = {"new": current, "reactivation": current, "expansion": current - opening,
                            "contraction": current - opening, "churn": -opening, "flat": 0.0}[kind]
                expected[(m, customer)] = (kind, current, prev_f * r_prev, opening, movement, prev_f * (r_m - r_prev))
            was_active = was_active or cur > 0
    actual = {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "select month, customer_id, movement_type, mrr_usd, previous_mrr_usd, opening_mrr_usd, "
            "new_mrr_usd + reactivation_mrr_usd + expansion_mrr_usd + contraction_mrr_usd + churned_mrr_usd, "
            "fx_adjustment_mrr_usd from marts.fct_mrr_movements"
        ).fetchall()
    }
    assert len(expected) > 500
    assert set(actual) == set(expected)
    for key, (kind, *amounts) in expected.items():
        got_kind, *got_amounts = actual[key]
        assert got_kind == kind, key
        assert all(abs(float(g) - e) < 1e-4 for g, e in zip(got_amounts, amounts)), (key, got_amounts, amounts)


def test_recognized_revenue_per_month_matches_an_independent_recomputation(built) -> None:
    calc, con = built
    revenue = calc.revenue_by_month()
    marts = dict(con.execute("select month, revenue_usd from marts.fct_revenue_monthly").fetchall())
    assert len(marts) >= 24
    for month, value in marts.items():
        assert abs(float(value) - revenue.get(month, 0.0)) < 0.01, month
    ttm = dict(con.execute("select month, ttm_revenue_usd from marts.fct_revenue_monthly").fetchall())
    months = sorted(marts)
    for i, month in enumerate(months):
        window = months[max(0, i - 11): i + 1]
        assert abs(float(ttm[month]) - sum(revenue.get(m, 0.0) for m in window)) < 0.01, month


def test_growth_kpis_match_an_independent_recomputation(built) -> None:
    """Net new ARR, ARR growth, quick ratio and new customers' ARPA from the independently computed MRR."""
    calc, con = built
    local = calc.mrr_local()
    months = [r[0] for r in con.execute("select month from marts.fct_unit_economics order by month").fetchall()]
    mrr = defaultdict(float)
    gained, lost, new_mrr, new_count = defaultdict(float), defaultdict(float), defaultdict(float), defaultdict(int)
    customers = {c for c, _ in local}
    for customer in customers:
        currency = calc.customer_currency[customer]
        active_before = False
        for m in months:
            cur, prev = local.get((customer, m), Fraction(0)), local.get((customer, _add_months(m, -1)), Fraction(0))
            r = calc.rate(currency, m)
            mrr[m] += float(cur) * r
            if prev == 0 and cur > 0:
                gained[m] += float(cur) * r
                if not active_before:
                    new_mrr[m] += float(cur) * r
                    new_count[m] += 1
            elif prev > 0 and cur > prev:
                gained[m] += float(cur - prev) * r
            elif cur < prev:
                lost[m] += float(prev - cur) * r
            active_before = active_before or cur > 0
    rows = con.execute("select month, net_new_arr_usd, arr_growth_yoy, quick_ratio, new_customer_arpa_3m_usd "
                       "from marts.fct_unit_economics order by month").fetchall()
    for i, (month, net_new, growth, quick, arpa) in enumerate(rows):
        previous = mrr[months[i - 1]] if i else 0.0
        assert abs(float(net_new) - 12 * (mrr[month] - previous)) < 0.01, month
        if i >= 12:
            assert abs(float(growth) - (mrr[month] / mrr[months[i - 12]] - 1)) < 1e-5, month
        else:
            assert growth is None, month
        if lost[month]:
            assert abs(float(quick) - gained[month] / lost[month]) < 1e-5 * max(1.0, gained[month] / lost[month]), month
        else:
            assert quick is None, month
        window = months[max(0, i - 2): i + 1]
        count = sum(new_count[m] for m in window)
        if count:
            assert abs(float(arpa) - sum(new_mrr[m] for m in window) / count) < 1e-4, month
        else:
            assert arpa is None, month


def test_nrr_grr_and_their_components_match_an_independent_recomputation(built) -> None:
    """The 12-month cohort at constant FX (both months at m's rate), customer by customer from the independent
    MRR: NRR, GRR and what moved the cohort (expansion, contraction, churn; all >= 0)."""
    calc, con = built
    local = calc.mrr_local()
    customers = {c for c, _ in local}
    rows = con.execute("select month, nrr, grr, nrr_base_mrr_usd, nrr_expansion_mrr_usd, nrr_contraction_mrr_usd, "
                       "nrr_churned_mrr_usd from marts.fct_unit_economics order by month").fetchall()
    checked = 0
    for i, (month, nrr, grr, *parts) in enumerate(rows):
        if i < 12:
            assert nrr is None and grr is None and parts == [None] * 4, month
            continue
        base = expansion = contraction = churned = current_total = 0.0
        for customer in customers:
            then = local.get((customer, _add_months(month, -12)), Fraction(0))
            if then <= 0:
                continue
            rate = calc.rate(calc.customer_currency[customer], month)
            b, c = float(then) * rate, float(local.get((customer, month), Fraction(0))) * rate
            base, current_total = base + b, current_total + c
            if c > b:
                expansion += c - b
            elif c == 0:
                churned += b
            elif c < b:
                contraction += b - c
        assert abs(float(parts[0]) - base) < 0.01 and abs(float(parts[1]) - expansion) < 0.01, month
        assert abs(float(parts[2]) - contraction) < 0.01 and abs(float(parts[3]) - churned) < 0.01, month
        assert abs(float(nrr) - current_total / base) < 2e-6, month
        assert abs(float(grr) - (base - contraction - churned) / base) < 2e-6, month
        checked += 1
    assert checked >= 12


def test_segment_kpis_match_an_independent_recomputation(built) -> None:
    """METRICS 10.5 on the messy data: each customer in its CRM account's segment at the start of the month (the
    account's usable versions: the last one loaded on or before that day, else the first; unknown without an
    account), MRR, active customers and logo churn by segment, NRR by the segment of the cohort's base month,
    customer-level values hidden below min_group_size (5) active customers; the MRR of the segments adds up."""
    calc, con = built
    local = calc.mrr_local()
    account_of = dict(con.execute("select customer_id, crm_account_id from marts.dim_customers").fetchall())
    current = {r[0] for r in con.execute("select account_id from staging.stg_crm__accounts").fetchall()}
    versions: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    for account, segment, loaded_at in con.execute(
            "select account_id, segment, _loaded_at from staging.base_crm__account where _disposition in "
            "('staged', 'superseded') and _reason is null and not _is_deleted and not _is_conflicting").fetchall():
        if account in current:
            versions[account].append((loaded_at, segment or "unknown"))
    for history in versions.values():
        history.sort()

    def segment(customer: str, day: dt.date) -> str:
        history = versions.get(account_of.get(customer) or "")
        if not history:
            return "unknown"
        known = [s for loaded_at, s in history if loaded_at.date() <= day]
        return known[-1] if known else history[0][1]

    published = {(r[0], r[1], r[2]): (r[3], r[4]) for r in con.execute(
        "select month, segment, kpi_name, kpi_value, value_status from marts.fct_kpi_segment_monthly "
        "where kpi_name in ('mrr_usd', 'active_customers', 'logo_churn_rate', 'nrr')").fetchall()}
    months = sorted({m for m, _, _ in published})
    customers = {c for c, _ in local}
    checked = moved = 0
    for i, month in enumerate(months):
        mrr: dict[str, float] = defaultdict(float)
        active: dict[str, int] = defaultdict(int)
        opening: dict[str, int] = defaultdict(int)
        churned: dict[str, int] = defaultdict(int)
        base: dict[str, float] = defaultdict(float)
        now: dict[str, float] = defaultdict(float)
        for customer in customers:
            s = segment(customer, month)
            rate = calc.rate(calc.customer_currency[customer], month)
            cur, prev = local.get((customer, month), Fraction(0)), local.get((customer, _add_months(month, -1)), Fraction(0))
            mrr[s] += float(cur) * rate
            active[s] += cur > 0
            opening[s] += prev > 0
            churned[s] += prev > 0 and cur == 0
            moved += prev > 0 and s != segment(customer, _add_months(month, -1))
            then = local.get((customer, _add_months(month, -12)), Fraction(0))
            if i >= 12 and then > 0:
                s12 = segment(customer, _add_months(month, -12))
                base[s12] += float(then) * rate
                now[s12] += float(cur) * rate
        for s in ("smb", "mid_market", "enterprise", "unknown"):
            assert abs(float(published[(month, s, "mrr_usd")][0]) - mrr[s]) < 0.01, (month, s)
            assert published[(month, s, "active_customers")][0] == active[s], (month, s)
            hidden = active[s] < 5
            churn, churn_status = published[(month, s, "logo_churn_rate")]
            nrr, nrr_status = published[(month, s, "nrr")]
            if hidden:
                assert churn is None and churn_status == nrr_status == "hidden" and nrr is None, (month, s)
                continue
            if i >= 1:
                assert churn is not None and abs(float(churn) - churned[s] / opening[s]) < 2e-6, (month, s)
            if i >= 12:
                assert nrr is not None and abs(float(nrr) - now[s] / base[s]) < 2e-6, (month, s)
                checked += 1
        company = con.execute("select kpi_value from marts.fct_kpi_monthly where month = ? and kpi_name = 'mrr_usd'",
                              [month]).fetchone()[0]
        assert abs(sum(mrr.values()) - float(company)) < 0.01, month
    assert checked >= 12 and moved >= 1, "the messy data has segment moves and published NRR by segment"


def test_benchmark_positions_match_an_independent_recomputation(built) -> None:
    """METRICS 10.7: each month's ARR band from the independent MRR (12 x month-end MRR in USD), the band's
    quartiles read straight from the seed files (not the seed tables), and the position of every ok value
    recomputed in the direction of the KPI's target comparison; a value that is not ok is never placed."""
    calc, con = built
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    with open(seeds / "kpi_benchmarks.csv", newline="") as f:
        quartiles = {(r["kpi_name"], r["arr_band"]): tuple(float(r[k]) if r[k] else None for k in ("p25", "p50", "p75"))
                     for r in csv.DictReader(f)}
    with open(seeds / "kpi_targets.csv", newline="") as f:
        direction = {r["kpi_name"]: 1 if r["comparison"] == ">=" else -1 for r in csv.DictReader(f)}
    arr: dict[dt.date, float] = defaultdict(float)
    for (customer, month), mrr in calc.mrr_local().items():
        arr[month] += 12 * float(mrr) * calc.rate(calc.customer_currency[customer], month)
    bounds = [(1e6, "lt_1m"), (5e6, "1m_5m"), (20e6, "5m_20m"), (50e6, "20m_50m"), (100e6, "50m_100m")]

    def band(value: float) -> str:
        return next((name for bound, name in bounds if value < bound), "gt_100m")

    def position(value: float, sign: int, p25: float | None, p50: float, p75: float | None) -> str:
        if p75 is not None and sign * value >= sign * p75:
            return "above_p75"
        if sign * value >= sign * p50:
            return "above_p50" if p75 is None else "p50_p75"
        if p25 is None:
            return "below_p50"
        return "p25_p50" if sign * value >= sign * p25 else "below_p25"

    rows = con.execute("select month, kpi_name, kpi_value, value_status, arr_band, benchmark_p25, benchmark_p50, "
                       "benchmark_p75, benchmark_position from marts.fct_kpi_monthly").fetchall()
    placed = 0
    for month, kpi, value, status, mart_band, p25, p50, p75, mart_position in rows:
        expected_band = band(arr.get(month, 0.0))
        assert mart_band == expected_band, (month, kpi, mart_band, expected_band)
        published = quartiles.get((kpi, expected_band))
        as_floats = tuple(None if q is None else float(q) for q in (p25, p50, p75))
        assert as_floats == (published or (None, None, None)), (month, kpi)
        if published is None or status != "ok":
            assert mart_position is None, (month, kpi, status)
            continue
        assert mart_position == position(float(value), direction[kpi], *published), (month, kpi, value)
        placed += 1
    assert placed >= 24, placed
