"""Revenue core, recomputed independently in plain Python from the staged tables and compared with the marts.

Nothing here reuses the models' SQL: MRR per customer-month (line MRR, coverage of the month end, floor
at 0, FX carried forward), the movement of every customer-month, and recognized revenue per month
(daily-even spreading, one-time lines, refunds) follow docs/metrics.md line by line.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

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
        self.lines = q("select invoice_id, price_id, line_type, is_proration, amount, discount_amount, period_start, period_end from staging.stg_billing__invoice_line_items")
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
        assert earlier, f"no rate for {currency} {month}"
        return earlier[-1]

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
        for customer, _, _, price_id, line_type, is_proration, net, start, end in self.counted_lines():
            if line_type != "subscription":
                continue
            unit, count = self.prices[price_id]
            months = count * (12 if unit == "year" else 1)
            mrr = Fraction(net) / months
            if is_proration:
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
