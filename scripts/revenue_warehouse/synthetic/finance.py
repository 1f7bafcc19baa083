"""Finance: monthly FX rates (EUR, GBP, CHF random walks) and the general ledger of non-payroll costs."""

from __future__ import annotations

import numpy as np

from revenue_warehouse.synthetic.arrays import DAY, cents, decimal_array, ids, index_of, month_start, pick
from revenue_warehouse.synthetic.hr import _headcount_target
from revenue_warehouse.synthetic import shared
from revenue_warehouse.synthetic.shared import (
    Columns,
    GL_ACCOUNTS,
    USD_PER_UNIT_START,
    _loaded_on,
    _rng,
)


def _fx_rates(seed: int) -> tuple[Columns, dict[str, tuple[np.ndarray, np.ndarray]]]:
    rng = _rng(seed, 1)
    months = np.arange((shared.WINDOW_START.astype("datetime64[M]") - 60), shared.WINDOW_END.astype("datetime64[M]") + 1).astype("datetime64[D]")
    rows_currency, rows_month, rows_rate = [], [], []
    lookup = {}
    for code, start in USD_PER_UNIT_START.items():
        walk = start * np.exp(np.cumsum(rng.normal(0, 0.018, len(months))) - 0.0009 * np.arange(len(months)))
        rate_units = np.round(walk * 1e8).astype(np.int64)
        keep = months >= shared.month_from_start(29) if code == "CHF" else np.ones(len(months), bool)
        rows_currency.append(np.full(keep.sum(), code))
        rows_month.append(months[keep])
        rows_rate.append(rate_units[keep])
        lookup[code] = (months[keep], rate_units[keep] / 1e8)
    currency = np.concatenate(rows_currency)
    month = np.concatenate(rows_month)
    cols: Columns = {
        "currency_code": currency,
        "rate_month": month,
        "usd_per_unit": decimal_array(np.concatenate(rows_rate), scale=8),
        "_loaded_at": _loaded_on(month + 31 * DAY),
    }
    lookup["USD"] = (months, np.ones(len(months)))
    return cols, lookup
def _usd(amounts: np.ndarray, currencies: np.ndarray, dates: np.ndarray, fx: dict) -> np.ndarray:
    out = np.asarray(amounts, dtype=float).copy()
    for code, (months, rates) in fx.items():
        sel = currencies == code
        if sel.any():
            idx = np.clip(np.searchsorted(months, month_start(dates[sel]), side="right") - 1, 0, None)
            out[sel] = out[sel] * rates[idx]
    return out
def _gl(seed: int, scale: float, billing: dict, fx: dict) -> Columns:
    rng = _rng(seed, 5)
    months = np.arange(shared.WINDOW_START.astype("datetime64[M]"), shared.WINDOW_END.astype("datetime64[M]") + 1)
    month_days = months.astype("datetime64[D]")
    sp = billing["sp"]
    starts, ends = np.sort(sp["paid_start"]), np.sort(sp["end"])
    month_ends = (months + 1).astype("datetime64[D]") - DAY
    active = np.searchsorted(starts, month_ends, side="right") - np.searchsorted(ends, month_ends, side="right")
    headcount = _headcount_target(months, scale)
    t = np.arange(len(months)) / 12.0
    q_end = months.astype(int) % 3 == 2
    ai_months = np.clip((months - (shared.WINDOW_START.astype("datetime64[M]") + 24)).astype(int), -1, None)
    monthly_usd = {
        "5000": 0.075 * 1400 * active,
        "5100": 0.02 * 1400 * active,
        "6000": 45000 * scale * np.exp(0.35 * t) * (1 + 0.2 * q_end),
        "6100": np.where(q_end, 60000, 4000) * scale,
        "6200": 55 * headcount,
        "6300": np.where(ai_months >= 0, headcount * (15 + 2.5 * ai_months), 0),
        "7000": 22000 * scale * rng.uniform(0.6, 1.4, len(months)),
        "7100": 75 * headcount,
        "7200": 38000 * scale * np.ones(len(months)),
        "7300": 90 * headcount,
    }
    spread_departments = {
        "6300": (["Engineering", "Support", "Sales - NA", "Marketing"], [0.5, 0.2, 0.15, 0.15]),
        "7000": (["Engineering", "Marketing"], [0.7, 0.3]),
        "7100": (["Sales - NA", "Sales - EMEA", "Customer Success"], [0.5, 0.3, 0.2]),
        "7300": (["People", "Engineering", "Sales Operations"], [0.4, 0.4, 0.2]),
    }
    per_month = max(1, int(round(2 * scale)))
    rows: dict[str, list] = {k: [] for k in ["month", "account", "usd", "dept"]}
    for code, totals in monthly_usd.items():
        m_idx = np.repeat(np.arange(len(months)), per_month)
        share = rng.dirichlet(np.ones(per_month), len(months)).ravel() if per_month > 1 else np.ones(len(months))
        usd = totals[m_idx] * share * rng.uniform(0.9, 1.1, len(m_idx))
        keep = usd > 0.5
        depts, weights = spread_departments.get(code, ([GL_ACCOUNTS[code][1]], [1.0]))
        rows["month"].append(m_idx[keep])
        rows["account"].append(np.full(keep.sum(), code))
        rows["usd"].append(usd[keep])
        rows["dept"].append(pick(rng, depts, weights, int(keep.sum())).astype(str))
    month_i = np.concatenate(rows["month"])
    account = np.concatenate(rows["account"])
    usd = np.concatenate(rows["usd"])
    dept = np.concatenate(rows["dept"])
    n = len(month_i)
    # a month's costs are booked whole (accrued) by the end date, even in a month that is not over yet,
    # as HR and revenue report the as_of month whole
    posted = shared.day_in_month(month_days[month_i], rng.integers(0, 28, n))
    london = (account == "7200") & (rng.random(n) < 0.3) | (dept == "Sales - EMEA")
    currency = np.where(london, "GBP", np.where((account == "6000") & (rng.random(n) < 0.2), "EUR", "USD"))
    local = usd / _usd(np.ones(n), currency, posted, fx)
    reversal = rng.random(n) < 0.015
    local = np.where(reversal, -0.1 * local, local)
    order = np.lexsort((account, posted))
    codes = np.array(list(GL_ACCOUNTS))
    vendor_table = np.array([(GL_ACCOUNTS[c][2] * 3)[:3] for c in codes])
    account_names = np.array([GL_ACCOUNTS[c][0] for c in codes])
    code_i = index_of(account, codes)
    vendors = vendor_table[code_i, np.arange(n) % 3]
    return {
        "id": ids("GL-", np.arange(1, n + 1), 7),
        "posted_date": posted[order],
        "account_code": account[order],
        "account_name": account_names[code_i][order],
        "department": dept[order],
        "amount": decimal_array(cents(local[order])),
        "currency_code": currency[order],
        "vendor": vendors[order],
        "_loaded_at": _loaded_on(np.minimum(month_start(posted[order]) + 40 * DAY, shared.WINDOW_END)),
    }
