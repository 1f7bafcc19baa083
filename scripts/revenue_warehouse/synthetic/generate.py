"""``warehouse generate``: a deterministic synthetic B2B SaaS company, written in the raw-contract layout.

Scale 1 is a ~$20M-ARR company over four years (2022-01 .. 2025-12): ~2,000 billing customers, ~250
employees at the end, ~30,000 leads, ~6,000 opportunities. Everything is drawn with numpy from
per-domain seeded generators and built column-wise (no Python loop per row), so the same seed gives
byte-identical files and scale 10 still takes seconds.

Realism, on purpose: growth with seasonality and quarter-end pushes; monthly, quarterly and annual plans
in USD/EUR/GBP; seat upgrades and downgrades billed as proration credit + charge lines; discounts; trials
billed at 0; churn and reactivation; void + re-issued invoices; refunds; open->paid invoice re-syncs;
CRM ids on billing customers that are missing, stale or only resolvable by email domain; a hiring spree
in 2023 followed by a layoff (revenue per head dips, then recovers); part-timers, contractors, interns,
leaves, transfers between departments, rehires, salary changes, EUR/GBP salaries.

Bad input (``bad_rows_rate``) is injected after the clean data is built, one documented class at a time
(see ``BAD_ROW_CLASSES``); every injected row is listed in ``_generation.json`` with the reason staging
must give it, so tests can prove nothing is lost.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from revenue_warehouse.config import DEFAULT_BAD_ROWS_RATE, WarehouseError, raw_contract
from revenue_warehouse.synthetic.arrays import (
    DAY,
    add_months,
    at_time,
    cents,
    days_between,
    decimal_array,
    ids,
    index_of,
    month_start,
    pick,
)

WINDOW_START = np.datetime64("2022-01-01")
WINDOW_END = np.datetime64("2025-12-31")  # last day of data; the default as_of_date
EXTRACT_AT = np.datetime64("2025-12-31T23:00:00")
MANIFEST = "_generation.json"

CURRENCIES = ["USD", "EUR", "GBP"]
USD_PER_UNIT_START = {"EUR": 1.13, "GBP": 1.35, "CHF": 1.08}
TAX_RATE = {"USD": 0.0, "EUR": 0.2, "GBP": 0.2}
SEGMENTS = ["smb", "mid_market", "enterprise"]
SEGMENT_TEXT = {  # how the CRM spells them (staging normalises case, spaces and dashes)
    "smb": ["smb", "SMB", "Smb "],
    "mid_market": ["mid_market", "Mid Market", "mid-market"],
    "enterprise": ["enterprise", "Enterprise", " ENTERPRISE"],
}
#: product -> (monthly USD price per seat, name)
PLANS = {"PRD-STARTER": (29.0, "Starter"), "PRD-GROWTH": (40.0, "Growth"), "PRD-ENTERPRISE": (56.0, "Enterprise")}
ADDON = ("PRD-ANALYTICS", 150.0, "Analytics add-on")
LOCAL_PRICE_FACTOR = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79}
#: interval key -> (billing_interval, interval_count, months, price multiple of one month)
INTERVALS = {"m1": ("month", 1, 1, 1.0), "m3": ("month", 3, 3, 3.0), "y1": ("year", 1, 12, 10.0)}

#: department -> (share of hires, role families with weights, base salary USD)
DEPARTMENTS: dict[str, tuple[float, dict[str, float], float]] = {
    "Sales - NA": (0.12, {"Account Executive": 0.7, "Account Manager": 0.15, "Manager": 0.1, "Solutions Engineer": 0.05}, 95e3),
    "Sales - EMEA": (0.07, {"Account Executive": 0.7, "Account Manager": 0.2, "Manager": 0.1}, 85e3),
    "SDR": (0.08, {"SDR": 0.9, "Manager": 0.1}, 62e3),
    "Sales Operations": (0.03, {"Sales Operations": 0.7, "Sales Coordinator": 0.3}, 80e3),
    "Marketing": (0.05, {"Marketer": 0.7, "Marketing Coordinator": 0.2, "Manager": 0.1}, 90e3),
    "Demand Generation": (0.04, {"Marketer": 0.85, "Manager": 0.15}, 88e3),
    "Customer Success": (0.09, {"CSM": 0.85, "Manager": 0.15}, 80e3),
    "Support": (0.08, {"Support Agent": 0.85, "Manager": 0.15}, 56e3),
    "Engineering": (0.26, {"Engineer": 0.88, "Manager": 0.12}, 145e3),
    "Product": (0.06, {"Product Manager": 0.75, "Designer": 0.25}, 135e3),
    "Finance": (0.03, {"Analyst": 0.7, "Manager": 0.3}, 95e3),
    "People": (0.03, {"Recruiter": 0.6, "Manager": 0.4}, 80e3),
    "Legal": (0.01, {"Counsel": 1.0}, 160e3),
    "Operations": (0.03, {"Analyst": 0.6, "Manager": 0.4}, 85e3),
    "Executive": (0.02, {"Executive": 1.0}, 260e3),
}
SALES_DEPARTMENTS = ["Sales - NA", "Sales - EMEA", "SDR", "Sales Operations", "Marketing", "Demand Generation", "Customer Success"]
UNMAPPED_DEPARTMENT = "Partnerships"  # not in the default mapping seed: counted under `unmapped`
SALARY_CURRENCY = {"US": "USD", "CA": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR"}

#: GL account -> (name, default department, vendors)
GL_ACCOUNTS = {
    "5000": ("Hosting", "Engineering", ["AWS", "Cloudflare"]),
    "5100": ("Third-party software in product", "Engineering", ["Twilio", "Snowflake"]),
    "6000": ("Advertising", "Demand Generation", ["Google Ads", "LinkedIn Ads"]),
    "6100": ("Events", "Marketing", ["SaaStr", "Web Summit"]),
    "6200": ("Sales tools", "Sales Operations", ["Salesforce", "Gong", "Outreach"]),
    "6300": ("AI tools & automation", "Engineering", ["OpenAI", "Anthropic", "Cursor"]),
    "7000": ("Contractors & consulting", "Engineering", ["Toptal", "Deloitte"]),
    "7100": ("Travel", "Sales - NA", ["Delta", "Marriott"]),
    "7200": ("Office & facilities", "Operations", ["WeWork", "Regus"]),
    "7300": ("Software subscriptions", "People", ["Slack", "Google Workspace", "Notion"]),
}

SYLLABLES_A = np.array(["Acme", "Blue", "Nova", "Vertex", "Apex", "Quant", "Lumen", "Orbit", "Pixel", "Terra", "Zen", "Hyper", "Bright", "Cloud", "Data", "Iron", "Peak", "Swift", "True", "Delta"])
SYLLABLES_B = np.array(["soft", "works", "labs", "logic", "scale", "stack", "ly", "hub", "wave", "point", "path", "forge", "base", "line", "grid", "mind", "nest", "flow", "gate", "byte"])
FIRST_NAMES = np.array(["Alex", "Sam", "Maria", "John", "Priya", "Chen", "Fatima", "Lucas", "Emma", "Noah", "Olivia", "Liam", "Sofia", "Mateo", "Aisha", "Yuki", "Hans", "Chloe", "Omar", "Ines"])
LAST_NAMES = np.array(["Smith", "Garcia", "Müller", "Rossi", "Kim", "Patel", "Nguyen", "Dubois", "Silva", "Cohen", "Brown", "Jones", "Novak", "Larsen", "Okafor", "Tanaka", "Schmidt", "Martin", "Lopez", "Wright"])

Columns = dict[str, object]  # column name -> numpy array or pyarrow array


@dataclass(frozen=True)
class BadRowClass:
    table: str  # schema.table
    reason: str  # the quarantine reason staging must give the row
    description: str


#: Every class of bad input the generator injects, with the reason staging gives it.
BAD_ROW_CLASSES: tuple[BadRowClass, ...] = (
    BadRowClass("raw_crm.account", "missing_primary_key", "id is null"),
    BadRowClass("raw_crm.account", "invalid_segment", "segment outside smb|mid_market|enterprise"),
    BadRowClass("raw_crm.lead", "unparseable_created_at", "created_at is 'yesterday'"),
    BadRowClass("raw_crm.opportunity", "invalid_stage_name", "stage_name 'Closed-Won?'"),
    BadRowClass("raw_crm.opportunity", "unparseable_amount", "amount '12,50 EUR'"),
    BadRowClass("raw_crm.opportunity_history", "orphan_opportunity_id", "opportunity_id points nowhere"),
    BadRowClass("raw_crm.opportunity_history", "unparseable_changed_at", "changed_at 'not a date'"),
    BadRowClass("raw_billing.subscription", "invalid_status", "status 'zombie'"),
    BadRowClass("raw_billing.invoice", "missing_primary_key", "id is null"),
    BadRowClass("raw_billing.invoice", "unparseable_invoice_date", "invoice_date 'not a date'"),
    BadRowClass("raw_billing.invoice", "invalid_status", "status 'paidd'"),
    BadRowClass("raw_billing.invoice", "unknown_currency", "currency_code 'XXX'"),
    BadRowClass("raw_billing.invoice", "currency_mismatch", "currency CHF on a customer billed in another currency"),
    BadRowClass("raw_billing.invoice_line_item", "missing_primary_key", "id is null"),
    BadRowClass("raw_billing.invoice_line_item", "unparseable_amount", "amount '12,50 EUR'"),
    BadRowClass("raw_billing.invoice_line_item", "non_positive_quantity", "quantity 0 on a subscription line"),
    BadRowClass("raw_billing.invoice_line_item", "discount_exceeds_amount", "discount_amount > amount on a positive line"),
    BadRowClass("raw_billing.invoice_line_item", "invalid_period", "period_end <= period_start"),
    BadRowClass("raw_billing.invoice_line_item", "orphan_invoice_id", "invoice_id points nowhere"),
    BadRowClass("raw_billing.refund", "orphan_invoice_id", "invoice_id points nowhere"),
    BadRowClass("raw_billing.refund", "non_positive_amount", "amount <= 0"),
    BadRowClass("raw_hr.employment_status", "fte_out_of_range", "fte 1.5 on an active row"),
    BadRowClass("raw_hr.employment_status", "duplicate_effective_date", "two rows for one employee and date"),
    BadRowClass("raw_hr.employment_status", "invalid_status", "status 'sabbatical'"),
    BadRowClass("raw_hr.employment_status", "unparseable_effective_date", "effective_date '31/02/2024'"),
    BadRowClass("raw_hr.job_history", "orphan_employee_id", "employee_id points nowhere"),
    BadRowClass("raw_hr.compensation", "unparseable_annual_base_salary", "annual_base_salary '85.000,00'"),
    BadRowClass("raw_hr.compensation", "unknown_currency", "currency_code 'EURO'"),
    BadRowClass("raw_finance.gl_entry", "unparseable_amount", "amount 'n/a'"),
    BadRowClass("raw_finance.gl_entry", "unknown_currency", "currency_code 'XXX'"),
    BadRowClass("raw_cs.onboarding", "invalid_status", "status 'done?'"),
    BadRowClass("raw_cs.nps_response", "score_out_of_range", "score 11"),
)
#: Tables that get exact re-sync duplicates (same id loaded twice; superseded, not quarantined).
RESYNC_TABLES = ("raw_crm.account", "raw_crm.lead", "raw_billing.customer", "raw_hr.employee", "raw_billing.invoice_line_item")
#: Tables exported with a column the contract does not name (kept and ignored by the loader).
EXTRA_COLUMN_TABLES = ("raw_billing.customer", "raw_finance.gl_entry")


def _rng(seed: int, domain: int) -> np.random.Generator:
    return np.random.default_rng([seed, domain])


def _loaded_on(dates: np.ndarray) -> np.ndarray:
    """Nightly sync: a row is loaded at 23:00 UTC on the day it happened, never after the extract."""
    loaded = dates.astype("datetime64[D]").astype("datetime64[s]") + np.timedelta64(23 * 3600, "s")
    return np.minimum(loaded, EXTRACT_AT)


def _group_index(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For repeat counts: (owner index, position within owner) of each repeated element."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.arange(len(owner)) - starts


COMPANY_STEMS = np.array([f"{a}{b}" for a in SYLLABLES_A for b in SYLLABLES_B])
COMPANY_PREFIXES = np.char.add(COMPANY_STEMS, " Co ")
DOMAIN_STEMS = np.char.lower(COMPANY_STEMS)


def _company_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Names like 'AcmeSoft Co 00042' and domains like 'acmesoft00042.com' (the number keeps them unique)."""
    stem = rng.integers(0, len(SYLLABLES_A), n) * len(SYLLABLES_B) + rng.integers(0, len(SYLLABLES_B), n)
    suffix = ids("", np.arange(n), max(5, len(str(max(n - 1, 0)))))
    names = np.char.add(COMPANY_PREFIXES[stem], suffix)
    domains = np.char.add(np.char.add(DOMAIN_STEMS[stem], suffix), ".com")
    return names, domains


def _month_weights(growth: float, quarter_push: float) -> tuple[np.ndarray, np.ndarray]:
    months = np.arange(WINDOW_START.astype("datetime64[M]"), WINDOW_END.astype("datetime64[M]") + 1)
    t = np.arange(len(months)) / 12.0
    month_of_year = months.astype(int) % 12
    season = 1.0 + 0.12 * np.cos(2 * np.pi * (month_of_year - 2) / 12) - 0.15 * (month_of_year == 7)
    push = 1.0 + quarter_push * (month_of_year % 3 == 2)
    weights = np.exp(growth * t) * season * push
    return months.astype("datetime64[D]"), weights / weights.sum()


def _dates_from_weights(rng: np.random.Generator, n: int, growth: float, quarter_push: float) -> np.ndarray:
    months, weights = _month_weights(growth, quarter_push)
    chosen = months[rng.choice(len(months), n, p=weights)]
    return chosen + rng.integers(0, 28, n) * DAY


# --------------------------------------------------------------------------------------------------
# finance: fx rates
# --------------------------------------------------------------------------------------------------
def _fx_rates(seed: int) -> tuple[Columns, dict[str, tuple[np.ndarray, np.ndarray]]]:
    rng = _rng(seed, 1)
    months = np.arange(np.datetime64("2017-01"), WINDOW_END.astype("datetime64[M]") + 1).astype("datetime64[D]")
    rows_currency, rows_month, rows_rate = [], [], []
    lookup = {}
    for code, start in USD_PER_UNIT_START.items():
        walk = start * np.exp(np.cumsum(rng.normal(0, 0.018, len(months))) - 0.0009 * np.arange(len(months)))
        rate_units = np.round(walk * 1e8).astype(np.int64)
        keep = months >= np.datetime64("2024-06-01") if code == "CHF" else np.ones(len(months), bool)
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


# --------------------------------------------------------------------------------------------------
# billing + crm accounts
# --------------------------------------------------------------------------------------------------
def _billing(seed: int, scale: float, fx: dict) -> tuple[dict[str, Columns], dict]:
    rng = _rng(seed, 2)
    n = max(20, round(2000 * scale))
    acq = _dates_from_weights(rng, n, growth=0.45, quarter_push=0.25)
    first_month = rng.random(n) < 0.06  # customers migrated into the billing system on day one
    acq = np.where(first_month, WINDOW_START + rng.integers(0, 28, n) * DAY, acq)
    acq.sort()
    segment = pick(rng, SEGMENTS, [0.62, 0.29, 0.09], n).astype(str)
    currency = pick(rng, CURRENCIES, [0.64, 0.22, 0.14], n).astype(str)
    is_smb, is_mid, is_ent = segment == "smb", segment == "mid_market", segment == "enterprise"
    seats = np.where(is_smb, 2 + rng.poisson(5, n), np.where(is_mid, 10 + rng.poisson(17, n), 50 + rng.poisson(85, n)))
    plan = np.where(is_smb, "PRD-STARTER", np.where(is_mid, "PRD-GROWTH", "PRD-ENTERPRISE"))
    u = rng.random(n)
    interval = np.where(
        is_smb, np.where(u < 0.85, "m1", "y1"),
        np.where(is_mid, np.where(u < 0.5, "m1", np.where(u < 0.58, "m3", "y1")), np.where(u < 0.15, "m1", "y1")),
    )
    discount_pct = np.where(rng.random(n) < 0.22, rng.choice([0.1, 0.15, 0.2], n), 0.0)
    has_addon = (~is_smb) & (rng.random(n) < 0.25)
    monthly_hazard = np.where(is_smb, 0.028, np.where(is_mid, 0.013, 0.006))

    # -- prices: product x currency x interval, laid out so a price's row is computable
    products = list(PLANS) + [ADDON[0]]
    product_usd = np.array([PLANS[p][0] for p in PLANS] + [ADDON[1]])
    interval_keys = list(INTERVALS)
    grid_p, grid_c, grid_i = (g.ravel() for g in np.meshgrid(np.arange(len(products)), np.arange(len(CURRENCIES)), np.arange(len(interval_keys)), indexing="ij"))
    price_ids = np.array([f"PRC-{products[p][4:]}-{CURRENCIES[c]}-{interval_keys[i]}".upper() for p, c, i in zip(grid_p, grid_c, grid_i)])
    price_amount = np.round(product_usd[grid_p] * np.array([LOCAL_PRICE_FACTOR[c] for c in CURRENCIES])[grid_c]
                            * np.array([INTERVALS[k][3] for k in interval_keys])[grid_i], 2)

    def price_row(product: np.ndarray, cur_code: np.ndarray, iv: np.ndarray) -> np.ndarray:
        p_i, c_i, i_i = index_of(product, products), index_of(cur_code, CURRENCIES), index_of(iv, interval_keys)
        return (p_i * len(CURRENCIES) + c_i) * len(interval_keys) + i_i

    # -- spells: the first subscription of each customer, plus a reactivation for some churners
    trial = is_smb & (interval == "m1") & (rng.random(n) < 0.4)
    spell_cust = np.arange(n)
    spell_start = acq
    spells = []
    for spell_no in range(2):
        m = len(spell_cust)
        iv = interval[spell_cust]
        iv_months = np.select([iv == "m1", iv == "m3"], [1, 3], 12)
        has_trial = trial[spell_cust] if spell_no == 0 else np.zeros(m, bool)
        paid_start = spell_start + np.where(has_trial, 14, 0) * DAY
        period_hazard = 1 - (1 - monthly_hazard[spell_cust]) ** iv_months
        n_periods = rng.geometric(period_hazard)
        spell_end = add_months(paid_start, n_periods * iv_months)
        spells.append(dict(cust=spell_cust, start=spell_start, paid_start=paid_start, iv_months=iv_months,
                           n_periods=n_periods, end=spell_end, trial=has_trial, interval=iv, no=spell_no))
        churned = spell_end <= WINDOW_END
        back = churned & (rng.random(m) < 0.14)
        spell_cust = spell_cust[back]
        spell_start = spell_end[back] + rng.integers(45, 300, back.sum()) * DAY
        keep = spell_start <= WINDOW_END
        spell_cust, spell_start = spell_cust[keep], spell_start[keep]
    sp = {k: np.concatenate([s[k] if isinstance(s[k], np.ndarray) else np.full(len(s["cust"]), s[k]) for s in spells]) for k in spells[0]}
    n_sp = len(sp["cust"])
    order = np.lexsort((sp["cust"], sp["start"]))
    sp = {k: v[order] for k, v in sp.items()}
    sub_ids = ids("SUB-", np.arange(1, n_sp + 1), 7)

    # -- seat change once per spell for some: expansion (70%) or contraction, mid-period
    change = (rng.random(n_sp) < 0.38) & (sp["n_periods"] >= 2)
    change_at = np.where(change, 1 + (rng.random(n_sp) * np.maximum(sp["n_periods"] - 1, 1)).astype(int), 10**6)
    q0 = seats[sp["cust"]]
    expand = rng.random(n_sp) < 0.7
    q1 = np.where(expand, q0 + np.maximum(1, np.round(q0 * rng.uniform(0.2, 0.8, n_sp))),
                  np.maximum(1, q0 - np.maximum(1, np.round(q0 * rng.uniform(0.15, 0.45, n_sp))))).astype(int)
    q1 = np.where(q1 == q0, q0 + 1, q1)

    # -- periodic invoices (billed in advance at each period start)
    periods_in_window = np.minimum(sp["n_periods"], 1 + np.ceil(days_between(sp["paid_start"], WINDOW_END) / 28).astype(int))
    periods_in_window = np.maximum(periods_in_window, 0)
    owner, k = _group_index(periods_in_window)
    p_start = add_months(sp["paid_start"][owner], k * sp["iv_months"][owner])
    p_end = add_months(sp["paid_start"][owner], (k + 1) * sp["iv_months"][owner])
    in_window = p_start <= WINDOW_END
    owner, k, p_start, p_end = owner[in_window], k[in_window], p_start[in_window], p_end[in_window]
    cust = sp["cust"][owner]
    qty = np.where(k < change_at[owner], q0[owner], q1[owner])
    iv_key = sp["interval"][owner]
    cur = currency[cust]
    main_price = price_row(plan[cust], cur, iv_key)
    addon_price = price_row(np.full(len(cust), ADDON[0]), cur, iv_key)

    inv = {"cust": [cust], "date": [p_start], "sub": [owner], "kind": [np.full(len(cust), "period")]}
    lines: dict[str, list] = {k2: [] for k2 in ["inv", "sub", "price", "type", "desc", "qty", "amount", "discount", "start", "end", "proration"]}

    def add_lines(inv_idx, sub_idx, price, ltype, desc, q, amount_cents, disc_cents, start, end, proration):
        for key, val in zip(lines, [inv_idx, sub_idx, price, ltype, desc, q, amount_cents, disc_cents, start, end, proration]):
            lines[key].append(np.asarray(val) if not np.isscalar(val) else np.full(len(inv_idx), val))

    main_amount = cents(price_amount[main_price] * qty)
    add_lines(np.arange(len(cust)), owner, main_price, "subscription", "Seats", qty, main_amount,
              cents(main_amount / 100 * discount_pct[cust]), p_start, p_end, False)
    with_addon = has_addon[cust]
    a_idx = np.flatnonzero(with_addon)
    addon_amount = cents(price_amount[addon_price[a_idx]])
    add_lines(a_idx, owner[a_idx], addon_price[a_idx], "subscription", ADDON[2], 1, addon_amount,
              cents(addon_amount / 100 * discount_pct[cust[a_idx]]), p_start[a_idx], p_end[a_idx], False)
    first_paid = (k == 0) & (sp["no"][owner] == 0) & ~is_smb[cust] & (rng.random(len(cust)) < 0.45)
    f_idx = np.flatnonzero(first_paid)
    onboarding_fee = cents(rng.uniform(2000, 12000, len(f_idx)) * _local_factor(cur[f_idx]))
    add_lines(f_idx, -1, -1, "one_time", "Onboarding package", 1, onboarding_fee, 0, np.datetime64("NaT"), np.datetime64("NaT"), False)
    inv_offset = len(cust)

    # -- trial invoices: one line at 0 for the trial period
    t_sp = np.flatnonzero(sp["trial"])
    t_cust = sp["cust"][t_sp]
    inv["cust"].append(t_cust)
    inv["date"].append(sp["start"][t_sp])
    inv["sub"].append(t_sp)
    inv["kind"].append(np.full(len(t_sp), "trial"))
    t_price = price_row(plan[t_cust], currency[t_cust], np.full(len(t_cust), "m1"))
    add_lines(inv_offset + np.arange(len(t_sp)), t_sp, t_price, "subscription", "Trial", seats[t_cust], 0, 0,
              sp["start"][t_sp], sp["paid_start"][t_sp], False)
    inv_offset += len(t_sp)

    # -- proration invoices for seat changes: credit the old seats, charge the new, for the rest of the period
    c_sp = np.flatnonzero(change & (change_at < periods_in_window))
    prev_start = add_months(sp["paid_start"][c_sp], (change_at[c_sp] - 1) * sp["iv_months"][c_sp])
    prev_end = add_months(sp["paid_start"][c_sp], change_at[c_sp] * sp["iv_months"][c_sp])
    length = days_between(prev_start, prev_end)
    change_date = prev_start + (1 + (rng.random(len(c_sp)) * np.maximum(length - 2, 1)).astype(int)) * DAY
    ok = change_date <= WINDOW_END
    c_sp, prev_end, change_date = c_sp[ok], prev_end[ok], change_date[ok]
    c_cust = sp["cust"][c_sp]
    nominal = days_between(change_date, add_months(change_date, sp["iv_months"][c_sp]))
    frac = days_between(change_date, prev_end) / nominal
    c_price = price_row(plan[c_cust], currency[c_cust], sp["interval"][c_sp])
    per_seat = price_amount[c_price] * frac
    disc = discount_pct[c_cust]
    credit = -cents(per_seat * q0[c_sp] * (1 - disc))  # credits carry the discount in the amount (discount >= 0)
    charge = cents(per_seat * q1[c_sp])
    c_inv = inv_offset + np.arange(len(c_sp))
    inv["cust"].append(c_cust)
    inv["date"].append(change_date)
    inv["sub"].append(c_sp)
    inv["kind"].append(np.full(len(c_sp), "proration"))
    add_lines(c_inv, c_sp, c_price, "subscription", "Unused time (proration credit)", q0[c_sp], credit, 0, change_date, prev_end, True)
    add_lines(c_inv, c_sp, c_price, "subscription", "Remaining time (proration charge)", q1[c_sp], charge,
              cents(charge / 100 * disc), change_date, prev_end, True)

    inv_cust = np.concatenate(inv["cust"])
    inv_date = np.concatenate(inv["date"])
    inv_sub = np.concatenate(inv["sub"])
    inv_kind = np.concatenate(inv["kind"])
    ln = {key: np.concatenate(val) for key, val in lines.items()}

    # -- invoice status; void invoices are re-issued as a new invoice with the same lines
    n_inv = len(inv_cust)
    recent = inv_date > WINDOW_END - 30 * DAY
    u = rng.random(n_inv)
    status = np.where(recent, np.where(u < 0.5, "open", np.where(u < 0.98, "paid", "draft")),
                      np.where(u < 0.972, "paid", np.where(u < 0.982, "uncollectible", "void")))
    status = np.where(inv_kind == "trial", "paid", status)
    voided = np.flatnonzero(status == "void")
    reissue_of = np.concatenate([np.arange(n_inv), voided])
    reissue_date = np.concatenate([inv_date, np.minimum(inv_date[voided] + rng.integers(1, 6, len(voided)) * DAY, WINDOW_END)])
    status = np.concatenate([status, np.full(len(voided), "paid")])
    void_line_idx = np.flatnonzero(np.isin(ln["inv"], voided))
    reissued_as = np.full(n_inv, -1)
    reissued_as[voided] = n_inv + np.arange(len(voided))
    line_sel = np.concatenate([np.arange(len(ln["inv"])), void_line_idx])
    line_inv = np.concatenate([ln["inv"], reissued_as[ln["inv"][void_line_idx]]])
    ln = {key: val[line_sel] for key, val in ln.items()}
    ln["inv"] = line_inv
    inv_cust, inv_sub, inv_kind = inv_cust[reissue_of], inv_sub[reissue_of], inv_kind[reissue_of]
    inv_date = reissue_date
    n_inv = len(inv_cust)

    # stable order: by date then customer; ids follow that order
    order = np.lexsort((inv_cust, inv_date))
    rank = np.empty(n_inv, int)
    rank[order] = np.arange(n_inv)
    inv_cust, inv_sub, inv_kind, inv_date, status = (a[order] for a in (inv_cust, inv_sub, inv_kind, inv_date, status))
    ln["inv"] = rank[ln["inv"]]
    line_order = np.lexsort((ln["amount"], ln["inv"]))
    ln = {key: val[line_order] for key, val in ln.items()}
    inv_ids = ids("INV-", np.arange(1, n_inv + 1), 8)
    inv_cur = currency[inv_cust]

    net = ln["amount"] - ln["discount"]
    subtotal = np.bincount(ln["inv"], weights=ln["amount"], minlength=n_inv).astype(np.int64)
    discount_total = np.bincount(ln["inv"], weights=ln["discount"], minlength=n_inv).astype(np.int64)
    tax_rate = np.select([inv_cur == "EUR", inv_cur == "GBP"], [TAX_RATE["EUR"], TAX_RATE["GBP"]], 0.0)
    tax_total = np.maximum(cents((subtotal - discount_total) / 100 * tax_rate), 0)
    total = subtotal - discount_total + tax_total

    # invoice re-syncs: many paid invoices were first loaded as open, then again when paid
    paid = status == "paid"
    resync = paid & (rng.random(n_inv) < 0.35) & (inv_kind != "trial")
    paid_on = np.minimum(inv_date + rng.integers(3, 30, n_inv) * DAY, WINDOW_END)
    inv_rows = np.concatenate([np.arange(n_inv), np.flatnonzero(resync)])
    inv_status = np.concatenate([np.where(resync, "open", status), status[resync]])
    inv_loaded = np.concatenate([_loaded_on(inv_date), _loaded_on(paid_on[resync])])
    invoices: Columns = {
        "id": inv_ids[inv_rows],
        "customer_id": ids("CUS-", inv_cust[inv_rows] + 1, 6),
        "subscription_id": sub_ids[inv_sub[inv_rows]],
        "number": np.char.add("N", np.char.zfill((inv_rows + 10001).astype(str), 8)),
        "status": inv_status,
        "currency_code": inv_cur[inv_rows],
        "invoice_date": inv_date[inv_rows],
        "subtotal": decimal_array(subtotal[inv_rows]),
        "discount_total": decimal_array(discount_total[inv_rows]),
        "tax_total": decimal_array(tax_total[inv_rows]),
        "total": decimal_array(total[inv_rows]),
        "_loaded_at": inv_loaded,
    }

    n_ln = len(ln["inv"])
    one_time = ln["type"] == "one_time"
    line_items: Columns = {
        "id": ids("IL-", np.arange(1, n_ln + 1), 8),
        "invoice_id": inv_ids[ln["inv"]],
        "subscription_id": pa.array(np.where(one_time, "", sub_ids[np.maximum(ln["sub"], 0)]), mask=one_time),
        "price_id": pa.array(np.where(one_time, "", price_ids[np.maximum(ln["price"], 0)]), mask=one_time),
        "line_type": ln["type"],
        "description": ln["desc"],
        "quantity": ln["qty"].astype(np.int64),
        "amount": decimal_array(ln["amount"]),
        "discount_amount": decimal_array(ln["discount"]),
        "period_start": pa.array(ln["start"], mask=one_time, type=pa.date32()) if n_ln else pa.array([], pa.date32()),
        "period_end": pa.array(ln["end"], mask=one_time, type=pa.date32()) if n_ln else pa.array([], pa.date32()),
        "is_proration": ln["proration"].astype(bool),
        "_loaded_at": _loaded_on(inv_date[ln["inv"]]),
    }

    # -- refunds on a few paid invoices with money on them
    cand = np.flatnonzero(paid & (total > 0) & (inv_date < WINDOW_END - 50 * DAY))
    chosen = cand[rng.random(len(cand)) < 0.012]
    full = rng.random(len(chosen)) < 0.6
    refund_amount = np.where(full, total[chosen], cents(total[chosen] / 100 * rng.uniform(0.2, 0.5, len(chosen))))
    refunded_at = at_time(inv_date[chosen] + rng.integers(2, 45, len(chosen)) * DAY, rng)
    refunds: Columns = {
        "id": ids("RF-", np.arange(1, len(chosen) + 1), 6),
        "invoice_id": inv_ids[chosen],
        "amount": decimal_array(refund_amount),
        "currency_code": inv_cur[chosen],
        "refunded_at": refunded_at,
        "reason": pick(rng, ["requested_by_customer", "duplicate", "service_issue"], [0.6, 0.1, 0.3], len(chosen)),
        "_loaded_at": _loaded_on(refunded_at),
    }

    # -- subscriptions (current state)
    ongoing = sp["end"] > WINDOW_END
    in_trial = sp["trial"] & (sp["paid_start"] > WINDOW_END)
    u = rng.random(n_sp)
    sub_status = np.where(in_trial, "trialing", np.where(ongoing, np.where(u < 0.95, "active", np.where(u < 0.99, "past_due", "paused")), "canceled"))
    ended_at = at_time(sp["end"], rng, 0, 1)
    canceled_at = at_time(sp["end"] - rng.integers(3, 25, n_sp) * DAY, rng)
    created = at_time(sp["start"] - rng.integers(0, 3, n_sp) * DAY, rng)
    subscriptions: Columns = {
        "id": sub_ids,
        "customer_id": ids("CUS-", sp["cust"] + 1, 6),
        "status": sub_status,
        "created_at": created,
        "start_date": sp["start"],
        "trial_end_date": pa.array(sp["paid_start"], mask=~sp["trial"], type=pa.date32()),
        "canceled_at": pa.array(canceled_at, mask=ongoing, type=pa.timestamp("s")),
        "ended_at": pa.array(ended_at, mask=ongoing, type=pa.timestamp("s")),
        "_loaded_at": np.where(ongoing, EXTRACT_AT, _loaded_on(sp["end"])),
    }

    # -- products and prices
    product_table: Columns = {
        "id": np.array(products),
        "name": np.array([PLANS[p][1] for p in PLANS] + [ADDON[2]]),
        "_loaded_at": np.full(len(products), np.datetime64("2021-12-01T23:00:00")),
    }
    prices: Columns = {
        "id": price_ids,
        "product_id": np.array(products)[grid_p],
        "currency_code": np.array(CURRENCIES)[grid_c],
        "unit_amount": decimal_array(cents(price_amount)),
        "billing_interval": np.array([INTERVALS[k][0] for k in interval_keys])[grid_i],
        "interval_count": np.array([INTERVALS[k][1] for k in interval_keys], dtype=np.int64)[grid_i],
        "_loaded_at": np.full(len(price_ids), np.datetime64("2021-12-01T23:00:00")),
    }

    # MRR (USD) per spell at start, for opportunity amounts and GL hosting
    monthly_usd_per_seat = np.array([PLANS[p][0] for p in plan]) * np.where(interval == "y1", 10 / 12, 1.0) * (1 - discount_pct)
    facts = dict(
        n=n, acq=acq, segment=segment, currency=currency, seats=seats, first_spell_start=acq,
        trial=trial, sp=sp, change=change, change_at=change_at, q0=q0, q1=q1, expand=expand,
        change_sp=c_sp, change_date=change_date, monthly_usd_per_seat=monthly_usd_per_seat,
        sub_ids=sub_ids, prev_end=prev_end,
    )
    tables = {
        "raw_billing.product": product_table, "raw_billing.price": prices, "raw_billing.subscription": subscriptions,
        "raw_billing.invoice": invoices, "raw_billing.invoice_line_item": line_items, "raw_billing.refund": refunds,
    }
    return tables, facts


def _local_factor(currencies: np.ndarray) -> np.ndarray:
    return np.select([currencies == "EUR", currencies == "GBP"], [LOCAL_PRICE_FACTOR["EUR"], LOCAL_PRICE_FACTOR["GBP"]], 1.0)


# --------------------------------------------------------------------------------------------------
# crm: accounts, billing customers' identity, opportunities with history, leads
# --------------------------------------------------------------------------------------------------
def _crm(seed: int, scale: float, billing: dict, users: np.ndarray, fx: dict) -> dict[str, Columns]:
    rng = _rng(seed, 3)
    n = billing["n"]
    segment, currency, acq = billing["segment"], billing["currency"], billing["acq"]
    names, domains = _company_names(rng, n)

    # Sales-led customers come through a won new-business opportunity; self-serve SMBs do not.
    sales_led = (segment != "smb") | (rng.random(n) < 0.5)
    won_idx = np.flatnonzero(sales_led)
    n_won = len(won_idx)
    n_lost = int(round(n_won * 1.9))
    # prospects (accounts of lost/open deals)
    p_names, p_domains = _company_names(_rng(seed, 31), n_lost)
    p_names = np.char.add("Prospect ", p_names)
    p_domains = np.char.add("prospect-", p_domains)

    cycle_by_segment = {"smb": (15, 45), "mid_market": (30, 90), "enterprise": (60, 170)}

    def cycles(segs: np.ndarray) -> np.ndarray:
        lo = np.select([segs == "smb", segs == "mid_market"], [15, 30], 60)
        hi = np.select([segs == "smb", segs == "mid_market"], [45, 90], 170)
        return rng.integers(lo, hi)

    # won new business
    w_close = billing["first_spell_start"][won_idx] - rng.integers(0, 10, n_won) * DAY
    w_cycle = cycles(segment[won_idx])
    w_created = w_close - w_cycle * DAY
    w_amount = cents(12 * billing["seats"][won_idx] * billing["monthly_usd_per_seat"][won_idx] * _local_factor(currency[won_idx]))
    # lost (or still open) new business
    l_seg = pick(rng, SEGMENTS, [0.5, 0.35, 0.15], n_lost).astype(str)
    l_cycle = cycles(l_seg)
    l_created = _dates_from_weights(rng, n_lost, growth=0.45, quarter_push=0.0) - (l_cycle // 2) * DAY
    l_close = l_created + (l_cycle * rng.uniform(0.6, 1.3, n_lost)).astype(int) * DAY
    l_cur = pick(rng, CURRENCIES, [0.64, 0.22, 0.14], n_lost).astype(str)
    l_seats = np.where(l_seg == "smb", 8, np.where(l_seg == "mid_market", 35, 160)) * rng.uniform(0.5, 1.6, n_lost)
    l_amount = cents(12 * l_seats * np.select([l_seg == "smb", l_seg == "mid_market"], [PLANS["PRD-STARTER"][0], PLANS["PRD-GROWTH"][0]], PLANS["PRD-ENTERPRISE"][0]) * _local_factor(l_cur))

    # expansion opportunities (won) for seat expansions; renewals for annual plans
    sp = billing["sp"]
    c_sp = billing["change_sp"]
    exp_sel = billing["expand"][c_sp] & (rng.random(len(c_sp)) < 0.6)
    e_sp = c_sp[exp_sel]
    e_close = billing["change_date"][exp_sel]
    e_cust = sp["cust"][e_sp]
    e_amount = cents(12 * (billing["q1"][e_sp] - billing["q0"][e_sp]) * billing["monthly_usd_per_seat"][e_cust] * _local_factor(currency[e_cust]))
    annual = np.flatnonzero((sp["interval"] == "y1") & (sp["n_periods"] >= 1))
    r_count = np.maximum(0, np.minimum(sp["n_periods"][annual], 1 + days_between(sp["paid_start"][annual], WINDOW_END) // 365) - 0)
    r_owner, r_k = _group_index(r_count)
    r_sp = annual[r_owner]
    r_close = add_months(sp["paid_start"][r_sp], (r_k + 1) * 12) - rng.integers(0, 10, len(r_sp)) * DAY
    r_won = (r_k + 1) < sp["n_periods"][r_sp]
    keep = r_close <= WINDOW_END + 60 * DAY
    r_sp, r_close, r_won = r_sp[keep], r_close[keep], r_won[keep]
    r_cust = sp["cust"][r_sp]
    r_amount = cents(12 * billing["seats"][r_cust] * billing["monthly_usd_per_seat"][r_cust] * _local_factor(currency[r_cust]))

    # assemble opportunities
    acct_ids = ids("ACC-", np.arange(1, n + 1), 6)
    prospect_ids = ids("ACC-P", np.arange(1, n_lost + 1), 6)
    o_type = np.concatenate([np.full(n_won + n_lost, "new_business"), np.full(len(e_sp), "expansion"), np.full(len(r_sp), "renewal")])
    o_account = np.concatenate([acct_ids[won_idx], prospect_ids, acct_ids[e_cust], acct_ids[r_cust]])
    o_name = np.concatenate([names[won_idx], p_names, names[e_cust], names[r_cust]])
    o_cur = np.concatenate([currency[won_idx], l_cur, currency[e_cust], currency[r_cust]])
    o_amount = np.concatenate([w_amount, l_amount, e_amount, r_amount])
    o_close = np.concatenate([w_close, l_close, e_close, r_close])
    o_cycle = np.concatenate([w_cycle, l_cycle, rng.integers(10, 40, len(e_sp)), rng.integers(20, 60, len(r_sp))])
    o_created_day = o_close - o_cycle * DAY
    o_won = np.concatenate([np.ones(n_won, bool), np.zeros(n_lost, bool), np.ones(len(e_sp), bool), r_won])
    o_closed = o_close <= WINDOW_END
    o_won &= o_closed
    order = np.lexsort((o_account, o_created_day))
    (o_type, o_account, o_name, o_cur, o_amount, o_close, o_cycle, o_created_day, o_won, o_closed) = (
        a[order] for a in (o_type, o_account, o_name, o_cur, o_amount, o_close, o_cycle, o_created_day, o_won, o_closed))
    in_window = o_created_day <= WINDOW_END
    (o_type, o_account, o_name, o_cur, o_amount, o_close, o_cycle, o_created_day, o_won, o_closed) = (
        a[in_window] for a in (o_type, o_account, o_name, o_cur, o_amount, o_close, o_cycle, o_created_day, o_won, o_closed))
    n_opp = len(o_type)
    opp_ids = ids("OPP-", np.arange(1, n_opp + 1), 7)
    o_created = at_time(o_created_day, rng)
    owner_user = users[rng.integers(0, len(users), n_opp)]
    lead_source = pick(rng, ["inbound", "outbound", "partner", "event", "paid_search"], [0.4, 0.2, 0.1, 0.1, 0.2], n_opp)

    # history: stages reached in order; lost deals stop early; open deals by elapsed share of the cycle
    stages = np.array(["Prospecting", "Discovery", "Proposal", "Negotiation", "Closed Won", "Closed Lost"])
    forecast = np.array(["pipeline", "pipeline", "best_case", "commit", "closed", "omitted"])
    probability = np.array([10, 20, 50, 80, 100, 0])
    is_nb = o_type == "new_business"
    first_stage = np.where(is_nb, 0, 2)
    elapsed = np.clip(days_between(o_created_day, WINDOW_END) / np.maximum(o_cycle, 1), 0, 0.999)
    open_reached = first_stage + (elapsed * (4 - first_stage)).astype(int)  # last stage index reached, < 4
    lost_reached = first_stage + (rng.random(n_opp) * (4 - first_stage)).astype(int)
    last_open_stage = np.where(~o_closed, open_reached, np.where(o_won, 3, lost_reached))
    n_rows = last_open_stage - first_stage + 1 + o_closed
    h_opp, h_k = _group_index(n_rows)
    h_stage = first_stage[h_opp] + h_k
    closing_row = o_closed[h_opp] & (h_k == n_rows[h_opp] - 1)
    h_stage = np.where(closing_row, np.where(o_won[h_opp], 4, 5), h_stage)
    span = np.maximum(o_cycle[h_opp], 1)
    h_offset_days = np.where(closing_row, span, (span * h_k / np.maximum(n_rows[h_opp], 1)).astype(int))
    h_changed = np.where(h_k == 0, o_created[h_opp], at_time(o_created_day[h_opp] + h_offset_days * DAY, rng))
    slipped = rng.random(n_opp) < 0.2
    expected_close = o_created_day + (o_cycle * rng.uniform(0.7, 1.0, n_opp)).astype(int) * DAY
    h_close = np.where((h_stage >= 3) & ~slipped[h_opp], o_close[h_opp], expected_close[h_opp])
    h_close = np.where(h_stage >= 4, o_close[h_opp], h_close)
    amount_factor = np.where(h_stage >= 3, 1.0, rng.uniform(0.85, 1.15, len(h_opp)))
    h_amount = cents(o_amount[h_opp] / 100 * amount_factor)
    h_amount_null = (h_stage == 0) & (rng.random(len(h_opp)) < 0.4)
    history: Columns = {
        "id": ids("OH-", np.arange(1, len(h_opp) + 1), 8),
        "opportunity_id": opp_ids[h_opp],
        "changed_at": h_changed,
        "stage_name": stages[h_stage],
        "amount": decimal_array(h_amount, mask=h_amount_null),
        "close_date": h_close,
        "forecast_category": forecast[h_stage],
        "_loaded_at": _loaded_on(h_changed.astype("datetime64[D]")),
    }
    last_row = np.cumsum(n_rows) - 1
    cur_stage = h_stage[last_row]
    opp_amount_null = h_amount_null[last_row]
    # a few junk duplicates deleted in the CRM (no history of their own)
    n_junk = max(1, n_opp // 70)
    junk = rng.integers(0, n_opp, n_junk)
    sel = np.concatenate([np.arange(n_opp), junk])
    deleted = np.concatenate([np.zeros(n_opp, bool), np.ones(n_junk, bool)])
    opp_id_all = np.concatenate([opp_ids, ids("OPP-J", np.arange(1, n_junk + 1), 6)])
    opportunities: Columns = {
        "id": opp_id_all,
        "account_id": o_account[sel],
        "name": np.char.add(o_name[sel].astype(str), np.where(o_type[sel] == "new_business", " - New", np.where(o_type[sel] == "expansion", " - Expansion", " - Renewal"))),
        "type": o_type[sel],
        "stage_name": stages[cur_stage][sel],
        "amount": decimal_array(h_amount[last_row][sel], mask=opp_amount_null[sel]),
        "currency_code": o_cur[sel],
        "probability": probability[cur_stage][sel].astype(np.int64),
        "forecast_category": forecast[cur_stage][sel],
        "created_at": o_created[sel],
        "close_date": np.where(o_closed, o_close, expected_close)[sel],
        "is_closed": o_closed[sel],
        "is_won": o_won[sel],
        "owner_user_id": owner_user[sel],
        "lead_source": lead_source[sel],
        "_is_deleted": deleted,
        "_loaded_at": np.where(o_closed, _loaded_on(o_close), EXTRACT_AT)[sel],
    }

    # accounts: customers, prospects, CRM duplicates sharing a domain, merged (deleted) old accounts
    dup = rng.random(n) < 0.04
    merged = (~dup) & (rng.random(n) < 0.03)
    dup_idx, merged_idx = np.flatnonzero(dup), np.flatnonzero(merged)
    mixed_case = rng.random(n) < 0.1
    shown_domain = np.where(mixed_case, np.char.capitalize(domains), domains)
    a_ids = np.concatenate([acct_ids, prospect_ids, ids("ACC-D", dup_idx + 1, 6), ids("ACC-M", merged_idx + 1, 6)])
    a_names = np.concatenate([names, p_names, np.char.add(names[dup_idx], " (dup)"), names[merged_idx]])
    a_domain = np.concatenate([shown_domain, p_domains, np.char.upper(domains[dup_idx]), domains[merged_idx]])
    a_seg_clean = np.concatenate([segment, l_seg, segment[dup_idx], segment[merged_idx]])
    variants = rng.integers(0, 3, len(a_ids))
    spellings = np.array([SEGMENT_TEXT[s] for s in SEGMENTS])
    a_seg = spellings[index_of(a_seg_clean, SEGMENTS), variants]
    a_created = np.concatenate([acq - rng.integers(30, 200, n) * DAY, l_created, acq[dup_idx] - 10 * DAY, acq[merged_idx] - 400 * DAY])
    a_created = np.maximum(a_created, np.datetime64("2020-01-01"))
    a_deleted = np.concatenate([np.zeros(n + n_lost + len(dup_idx), bool), np.ones(len(merged_idx), bool)])
    no_domain = rng.random(len(a_ids)) < 0.03
    no_domain[: n] &= False  # customer accounts keep their domain (identity resolution is tested on purpose below)
    a_created_ts = at_time(a_created, rng)
    accounts: Columns = {
        "id": a_ids,
        "name": a_names,
        "website_domain": pa.array(a_domain, mask=no_domain),
        "industry": pick(rng, ["software", "fintech", "healthcare", "retail", "manufacturing", "media"], [3, 2, 2, 1, 1, 1], len(a_ids)),
        "segment": a_seg,
        "billing_country": pick(rng, ["US", "GB", "DE", "FR", "CA", "NL"], [0.6, 0.14, 0.1, 0.06, 0.05, 0.05], len(a_ids)),
        "owner_user_id": users[rng.integers(0, len(users), len(a_ids))],
        "created_at": a_created_ts,
        "_is_deleted": a_deleted,
        "_loaded_at": _loaded_on(a_created),
    }

    # billing customers and how well they point at the CRM
    u = rng.random(n)
    generic_email = u >= 0.96  # gmail-style billing contact: unresolvable unless crm id is right
    crm_link = np.where(u < 0.76, acct_ids, "")
    crm_link = np.where(merged, ids("ACC-M", np.arange(1, n + 1), 6), crm_link)  # stale: a merged, deleted account
    crm_link = np.where((u >= 0.76) & (u < 0.79) & ~merged, ids("ACC-GONE", np.arange(1, n + 1), 6), crm_link)  # stale: nowhere
    crm_null = crm_link == ""
    contact = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n)]
    email_domain = np.where(generic_email, "gmail.com", np.where(rng.random(n) < 0.2, np.char.upper(domains), domains))
    emails = np.char.add(np.char.add(np.char.lower(contact), "@"), email_domain)
    # a few deleted test customers without any subscription
    n_test = max(1, n // 100)
    cust_ids = np.concatenate([ids("CUS-", np.arange(1, n + 1), 6), ids("CUS-T", np.arange(1, n_test + 1), 5)])
    cust_created = np.concatenate([acq - rng.integers(0, 3, n) * DAY, _dates_from_weights(rng, n_test, 0.3, 0.0)])
    customers: Columns = {
        "id": cust_ids,
        "name": np.concatenate([names, np.full(n_test, "Test customer")]),
        "email": np.concatenate([emails, np.full(n_test, "qa@example.com")]),
        "crm_account_id": pa.array(np.concatenate([crm_link, np.full(n_test, "")]), mask=np.concatenate([crm_null, np.ones(n_test, bool)])),
        "currency_code": np.concatenate([currency, np.full(n_test, "USD")]),
        "created_at": at_time(cust_created, rng),
        "_is_deleted": np.concatenate([np.zeros(n, bool), np.ones(n_test, bool)]),
        "_loaded_at": _loaded_on(cust_created),
    }

    # leads: one per new-business opportunity (most of them), plus the unconverted majority
    nb = np.flatnonzero((o_type == "new_business") & (rng.random(n_opp) < 0.85))
    c_created_day = o_created_day[nb] - rng.integers(5, 40, len(nb)) * DAY
    c_created = at_time(c_created_day, rng)
    c_mql = c_created + rng.integers(1, 6 * 24 * 3600, len(nb)).astype("timedelta64[s]")
    c_sql = o_created[nb]
    n_other = max(0, int(round(30000 * scale)) - len(nb))
    x_created_day = _dates_from_weights(rng, n_other, growth=0.4, quarter_push=0.1)
    x_created = at_time(x_created_day, rng)
    x_is_mql = rng.random(n_other) < 0.3
    x_mql = x_created + rng.integers(3600, 20 * 24 * 3600, n_other).astype("timedelta64[s]")
    x_is_sql = x_is_mql & (rng.random(n_other) < 0.12)
    x_sql = x_mql + rng.integers(3600, 15 * 24 * 3600, n_other).astype("timedelta64[s]")
    created = np.concatenate([c_created, x_created])
    mql = np.concatenate([c_mql, x_mql])
    sql = np.concatenate([c_sql, x_sql])
    converted = np.concatenate([np.ones(len(nb), bool), np.zeros(n_other, bool)])
    mql_null = np.concatenate([np.zeros(len(nb), bool), ~x_is_mql]) | (mql > EXTRACT_AT)
    sql_null = np.concatenate([np.zeros(len(nb), bool), ~x_is_sql]) | (sql > EXTRACT_AT) | mql_null
    order = np.argsort(created, kind="stable")
    n_leads = len(created)
    first = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n_leads)]
    companies = np.concatenate([o_name[nb].astype(str), _company_names(_rng(seed, 32), n_other)[0]])
    lead_domain = np.concatenate([np.char.lower(np.char.replace(o_name[nb].astype(str), " ", "")), np.full(n_other, "example.org")])
    conv_acct = np.concatenate([o_account[nb], np.full(n_other, "")])
    conv_opp = np.concatenate([opp_ids[nb], np.full(n_other, "")])
    not_conv = ~converted
    leads: Columns = {
        "id": ids("LD-", np.arange(1, n_leads + 1), 7),
        "email": np.char.add(np.char.add(np.char.lower(first[order]), "@"), lead_domain[order]),
        "company": companies[order],
        "lead_source": pick(rng, ["inbound", "outbound", "partner", "event", "paid_search", "webinar"], [0.35, 0.2, 0.08, 0.1, 0.22, 0.05], n_leads),
        "created_at": created[order],
        "mql_at": pa.array(mql[order], mask=mql_null[order], type=pa.timestamp("s")),
        "sql_at": pa.array(sql[order], mask=sql_null[order], type=pa.timestamp("s")),
        "is_converted": converted[order],
        "converted_at": pa.array(sql[order], mask=not_conv[order], type=pa.timestamp("s")),
        "converted_account_id": pa.array(conv_acct[order], mask=not_conv[order]),
        "converted_opportunity_id": pa.array(conv_opp[order], mask=not_conv[order]),
        "owner_user_id": users[rng.integers(0, len(users), n_leads)],
        "_is_deleted": rng.random(n_leads) < 0.015,
        "_loaded_at": _loaded_on(np.where(converted, sql, created)[order].astype("datetime64[D]")),
    }
    return {
        "raw_crm.account": accounts, "raw_billing.customer": customers, "raw_crm.opportunity": opportunities,
        "raw_crm.opportunity_history": history, "raw_crm.lead": leads,
    }


# --------------------------------------------------------------------------------------------------
# hr: employees, effective-dated status, jobs and pay; crm users for the go-to-market teams
# --------------------------------------------------------------------------------------------------
def _headcount_target(months: np.ndarray, scale: float) -> np.ndarray:
    t = (months - WINDOW_START.astype("datetime64[M]")).astype(int) / 12.0
    base = 85 + 165 * (np.exp(0.45 * t) - 1) / (np.exp(0.45 * 4) - 1)
    spree = 45 * np.clip((t - 1.0) / 0.6, 0, 1) * (t < 1.85)  # 2023: hiring ahead of revenue, then a layoff
    return (base + spree) * scale


def _hr(seed: int, scale: float, bad_rate: float) -> tuple[dict[str, Columns], np.ndarray]:
    rng = _rng(seed, 4)
    months = np.arange(WINDOW_START.astype("datetime64[M]") - 1, WINDOW_END.astype("datetime64[M]") + 1)
    target = _headcount_target(months, scale)
    attrition = 0.14 / 12
    hires_per_month = np.maximum(0, np.diff(target) + attrition * target[1:])
    n_initial = int(round(target[0]))
    n_new = int(round(hires_per_month.sum()))
    hire_month = months[1:][rng.choice(len(hires_per_month), n_new, p=hires_per_month / hires_per_month.sum())]
    initial_hire = np.datetime64("2018-01-01") + rng.integers(0, 1450, n_initial) * DAY
    hire = np.concatenate([initial_hire, hire_month.astype("datetime64[D]") + rng.integers(0, 28, n_new) * DAY])
    hire.sort()
    n = len(hire)
    emp_type = pick(rng, ["full_time", "part_time", "contractor", "intern"], [0.86, 0.06, 0.05, 0.03], n).astype(str)
    fte = np.where(emp_type == "part_time", rng.choice([0.5, 0.6, 0.8], n), 1.0)
    tenure = np.where(emp_type == "intern", rng.integers(90, 200, n), (rng.exponential(1 / 0.14, n) * 365).astype(int) + 60)
    term = hire + tenure * DAY
    # the layoff: 8% of everyone employed on 2023-11-01 leaves that day
    layoff_day = np.datetime64("2023-11-01")
    laid_off = (hire < layoff_day) & (term > layoff_day) & (rng.random(n) < 0.08)
    term = np.where(laid_off, layoff_day, term)
    terminated = term <= WINDOW_END
    rehired = terminated & ~laid_off & (emp_type != "intern") & (rng.random(n) < 0.09)
    rehire = term + rng.integers(90, 420, n) * DAY
    rehired &= rehire <= WINDOW_END
    term2 = rehire + (rng.exponential(1 / 0.14, n) * 365).astype(int) * DAY + 60 * DAY
    term2_done = rehired & (term2 <= WINDOW_END)
    on_leave = (emp_type != "intern") & (rng.random(n) < 0.05)
    leave_start = hire + (rng.random(n) * np.maximum(tenure - 150, 1)).astype(int) * DAY + 60 * DAY
    leave_end = leave_start + rng.integers(30, 120, n) * DAY
    on_leave &= (leave_end < term) & (leave_end <= WINDOW_END)
    part_change = (emp_type == "part_time") & (rng.random(n) < 0.4)
    part_change_day = hire + rng.integers(60, 500, n) * DAY
    part_change &= (part_change_day < term) & (part_change_day <= WINDOW_END) & ~(on_leave & (part_change_day >= leave_start) & (part_change_day <= leave_end))

    dept_names = list(DEPARTMENTS)
    dept_weights = np.array([DEPARTMENTS[d][0] for d in dept_names])
    dept = np.array(dept_names)[rng.choice(len(dept_names), n, p=dept_weights / dept_weights.sum())]
    if bad_rate > 0:  # a department the mapping seed does not know yet
        dept = np.where((hire >= np.datetime64("2025-03-01")) & (rng.random(n) < 0.04), UNMAPPED_DEPARTMENT, dept)
    transfer = rng.random(n) < np.where(terminated, 0.05, 0.12)
    transfer_day = hire + rng.integers(120, 900, n) * DAY
    transfer &= (transfer_day < np.where(rehired, rehire, term)) & (transfer_day <= WINDOW_END)
    transfer_to = np.select(
        [np.isin(dept, ["Sales - NA", "Sales - EMEA"]), dept == "SDR", dept == "Support"],
        ["Customer Success", "Sales - NA", "Customer Success"], "Product",
    )
    transfer &= transfer_to != dept

    def role_for(departments: np.ndarray) -> np.ndarray:
        out = np.empty(len(departments), dtype=object)
        for name, (_share, roles, _pay) in list(DEPARTMENTS.items()) + [(UNMAPPED_DEPARTMENT, (0, {"Partner Manager": 1.0}, 90e3))]:
            sel = departments == name
            if sel.any():
                out[sel] = pick(rng, list(roles), list(roles.values()), int(sel.sum()))
        return out.astype(str)

    role = role_for(dept)
    role_after = role_for(transfer_to)
    country = np.where(dept == "Sales - EMEA", pick(rng, ["GB", "DE", "FR"], [0.5, 0.3, 0.2], n),
                       pick(rng, ["US", "US", "CA", "GB", "DE", "NL"], [0.6, 0.15, 0.07, 0.08, 0.06, 0.04], n)).astype(str)
    sal_cur = np.array([SALARY_CURRENCY[c] for c in country])
    base_pay = np.array([DEPARTMENTS.get(d, (0, {}, 90e3))[2] for d in dept]) * np.exp(rng.normal(0, 0.12, n))
    base_pay = np.where(np.isin(role, ["Manager", "Executive"]), base_pay * 1.35, base_pay)
    base_pay = np.where(emp_type == "intern", 36e3, base_pay) * _local_factor(sal_cur)

    emp_ids = ids("E", np.arange(1, n + 1), 5)
    first = FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n)]
    last = LAST_NAMES[rng.integers(0, len(LAST_NAMES), n)]
    employees: Columns = {
        "id": emp_ids,
        "employee_number": np.char.zfill((np.arange(n) + 1001).astype(str), 6),
        "first_name": first,
        "last_name": last,
        "work_email": np.char.add(np.char.add(np.char.add(np.char.lower(first), "."), np.char.add(np.char.lower(last), emp_ids)), "@company.example"),
        "country_code": country,
        "_is_deleted": np.zeros(n, bool),
        "_loaded_at": _loaded_on(np.maximum(hire, np.datetime64("2021-12-31"))),
    }

    # employment_status events: hire, leave + return, part-time fte change, termination, rehire, 2nd exit
    ev = []

    def status_events(mask, day, status, fte_values):
        idx = np.flatnonzero(mask)
        ev.append((idx, day[idx], np.full(len(idx), status), np.asarray(fte_values)[idx] if np.ndim(fte_values) else np.full(len(idx), fte_values)))

    status_events(np.ones(n, bool), hire, "active", fte)
    status_events(on_leave, leave_start, "leave", fte)
    status_events(on_leave, leave_end, "active", fte)
    status_events(part_change, part_change_day, "active", np.minimum(fte + 0.2, 1.0))
    fte_late = np.where(part_change, np.minimum(fte + 0.2, 1.0), fte)
    status_events(terminated, term, "terminated", 0.0)
    status_events(rehired, rehire, "active", fte_late)
    status_events(term2_done, term2, "terminated", 0.0)
    s_emp = np.concatenate([e[0] for e in ev])
    s_day = np.concatenate([e[1] for e in ev])
    s_status = np.concatenate([e[2] for e in ev])
    s_fte = np.concatenate([e[3] for e in ev])
    order = np.lexsort((s_status, s_day, s_emp))
    s_emp, s_day, s_status, s_fte = s_emp[order], s_day[order], s_status[order], s_fte[order]
    s_terminated = s_status == "terminated"
    employment_status: Columns = {
        "id": ids("ES-", np.arange(1, len(s_emp) + 1), 7),
        "employee_id": emp_ids[s_emp],
        "effective_date": s_day,
        "status": s_status,
        "employment_type": emp_type[s_emp],
        "fte": decimal_array(np.round(s_fte * 100).astype(np.int64), scale=2, precision=4, mask=s_terminated),
        "_loaded_at": _loaded_on(np.maximum(s_day, np.datetime64("2021-12-31"))),
    }

    # job history: hire, transfer, rehire (same department as before)
    j_emp = np.concatenate([np.arange(n), np.flatnonzero(transfer), np.flatnonzero(rehired)])
    j_day = np.concatenate([hire, transfer_day[transfer], rehire[rehired]])
    j_dept = np.concatenate([dept, transfer_to[transfer], np.where(transfer, transfer_to, dept)[rehired]])
    j_role = np.concatenate([role, role_after[transfer], np.where(transfer, role_after, role)[rehired]])
    order = np.lexsort((j_day, j_emp))
    j_emp, j_day, j_dept, j_role = j_emp[order], j_day[order], j_dept[order], j_role[order]
    spelled = j_dept.copy()
    messy = rng.random(len(spelled)) < 0.05  # HR text is not tidy: case and surrounding spaces vary
    spelled = np.where(messy, np.char.add(np.char.lower(j_dept), " "), spelled)
    managers = emp_ids[: max(1, n // 8)]
    job_history: Columns = {
        "id": ids("JH-", np.arange(1, len(j_emp) + 1), 7),
        "employee_id": emp_ids[j_emp],
        "effective_date": j_day,
        "department": spelled,
        "job_title": np.char.add(np.char.add(j_role, " - "), j_dept),
        "role_family": j_role,
        "manager_employee_id": managers[rng.integers(0, len(managers), len(j_emp))],
        "_loaded_at": _loaded_on(np.maximum(j_day, np.datetime64("2021-12-31"))),
    }

    # compensation: at hire (a few entered late), yearly raises every April 1st, raise on transfer, rehire
    comp_start = hire + np.where((bad_rate > 0) & (rng.random(n) < 0.03), rng.integers(5, 20, n), 0) * DAY
    years = np.arange(2019, 2026)
    raise_days = np.array([np.datetime64(f"{y}-04-01") for y in years])
    emp_r = np.repeat(np.arange(n), len(years))
    day_r = np.tile(raise_days, n)
    employed_at_raise = (day_r > hire[emp_r] + 90 * DAY) & (day_r < np.where(rehired, np.maximum(term2, term), term)[emp_r]) & (day_r <= WINDOW_END)
    employed_at_raise &= ~(rehired[emp_r] & (day_r >= term[emp_r]) & (day_r < rehire[emp_r]))
    emp_r, day_r = emp_r[employed_at_raise], day_r[employed_at_raise]
    c_emp = np.concatenate([np.arange(n), emp_r, np.flatnonzero(transfer), np.flatnonzero(rehired)])
    c_day = np.concatenate([comp_start, day_r, transfer_day[transfer], rehire[rehired]])
    c_kind = np.concatenate([np.zeros(n, int), np.ones(len(emp_r), int), np.full(transfer.sum(), 2), np.full(rehired.sum(), 3)])
    order = np.lexsort((c_kind, c_day, c_emp))
    c_emp, c_day, c_kind = c_emp[order], c_day[order], c_kind[order]
    step = np.where(c_kind == 0, 1.0, np.where(c_kind == 1, 1 + rng.uniform(0.02, 0.07, len(c_emp)), np.where(c_kind == 2, 1.06, 1.03)))
    salary = base_pay[c_emp] * _cumprod_by_group(step, c_emp)
    compensation: Columns = {
        "id": ids("CP-", np.arange(1, len(c_emp) + 1), 7),
        "employee_id": emp_ids[c_emp],
        "effective_date": c_day,
        "annual_base_salary": decimal_array(cents(np.round(salary, -2))),
        "currency_code": sal_cur[c_emp],
        "_loaded_at": _loaded_on(np.maximum(c_day, np.datetime64("2021-12-31"))),
    }

    # crm users: everyone who ever worked in a go-to-market department, plus integration users
    gtm = np.flatnonzero(np.isin(dept, SALES_DEPARTMENTS) | np.isin(transfer_to, SALES_DEPARTMENTS) & transfer)
    u_ids = np.concatenate([ids("USR-", gtm + 1, 5), np.array(["USR-INT-1", "USR-INT-2", "USR-INT-3"])])
    users: Columns = {
        "id": u_ids,
        "name": np.concatenate([np.char.add(np.char.add(first[gtm], " "), last[gtm]), np.array(["Zapier Integration", "Marketing Automation", "Data Import"])]),
        "email": np.concatenate([employees["work_email"][gtm], np.array(["zapier@company.example", "ma@company.example", "import@company.example"])]),
        "employee_id": pa.array(np.concatenate([emp_ids[gtm], np.full(3, "")]), mask=np.concatenate([np.zeros(len(gtm), bool), np.ones(3, bool)])),
        "is_active": np.concatenate([~terminated[gtm] | rehired[gtm], np.ones(3, bool)]),
        "_loaded_at": np.full(len(u_ids), EXTRACT_AT),
    }
    sellers = u_ids[: max(1, len(gtm))]
    tables = {
        "raw_hr.employee": employees, "raw_hr.employment_status": employment_status,
        "raw_hr.job_history": job_history, "raw_hr.compensation": compensation, "raw_crm.user": users,
    }
    return tables, sellers


def _cumprod_by_group(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cumulative product within consecutive groups (groups sorted)."""
    logs = np.cumsum(np.log(values))
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    offsets = np.repeat(logs[starts] - np.log(values[starts]), np.diff(np.r_[starts, len(values)]))
    return np.exp(logs - offsets)


# --------------------------------------------------------------------------------------------------
# finance: non-payroll costs in the general ledger
# --------------------------------------------------------------------------------------------------
def _gl(seed: int, scale: float, billing: dict, fx: dict) -> Columns:
    rng = _rng(seed, 5)
    months = np.arange(WINDOW_START.astype("datetime64[M]"), WINDOW_END.astype("datetime64[M]") + 1)
    month_days = months.astype("datetime64[D]")
    sp = billing["sp"]
    starts, ends = np.sort(sp["paid_start"]), np.sort(sp["end"])
    month_ends = (months + 1).astype("datetime64[D]") - DAY
    active = np.searchsorted(starts, month_ends, side="right") - np.searchsorted(ends, month_ends, side="right")
    headcount = _headcount_target(months, scale)
    t = np.arange(len(months)) / 12.0
    q_end = months.astype(int) % 3 == 2
    ai_months = np.clip((months - np.datetime64("2024-01")).astype(int), -1, None)
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
    posted = month_days[month_i] + rng.integers(0, 28, n) * DAY
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
        "_loaded_at": _loaded_on(np.minimum(month_start(posted[order]) + 40 * DAY, WINDOW_END)),
    }


# --------------------------------------------------------------------------------------------------
# cs: onboarding projects and NPS answers
# --------------------------------------------------------------------------------------------------
def _cs(seed: int, billing: dict) -> dict[str, Columns]:
    rng = _rng(seed, 6)
    sp = billing["sp"]
    first = np.flatnonzero(sp["no"] == 0)
    cust = sp["cust"][first]
    seg = billing["segment"][cust]
    onboarded = rng.random(len(first)) < np.where(seg == "smb", 0.3, 0.92)
    first, cust, seg = first[onboarded], cust[onboarded], seg[onboarded]
    started = sp["paid_start"][first] + rng.integers(0, 8, len(first)) * DAY
    duration = rng.integers(np.select([seg == "smb", seg == "mid_market"], [10, 20], 45), np.select([seg == "smb", seg == "mid_market"], [40, 75], 150))
    live = started + duration * DAY
    abandoned = rng.random(len(first)) < 0.07
    done = ~abandoned & (live <= WINDOW_END)
    keep = started <= WINDOW_END
    status = np.where(abandoned, "abandoned", np.where(done, "completed", "in_progress"))
    acct = ids("ACC-", cust + 1, 6)
    onboarding: Columns = {
        "id": ids("ONB-", np.arange(1, keep.sum() + 1), 6),
        "account_id": acct[keep],
        "started_on": started[keep],
        "go_live_on": pa.array(live[keep], mask=~done[keep], type=pa.date32()),
        "status": status[keep],
        "_loaded_at": _loaded_on(np.where(done, live, np.minimum(started + duration // 2 * DAY, WINDOW_END))[keep]),
    }
    # quarterly survey in the middle month of each quarter; a quarter of active accounts answer
    answers = []
    for survey in np.arange(np.datetime64("2022-02"), WINDOW_END.astype("datetime64[M]") + 1, 3):
        day = survey.astype("datetime64[D]") + 14
        active = (sp["paid_start"] <= day) & (sp["end"] > day)
        who = np.unique(sp["cust"][active])
        who = who[rng.random(len(who)) < 0.25]
        seg = billing["segment"][who]
        promoter_bias = np.where(seg == "enterprise", 0.5, 0.0) + (survey.astype(int) - 624) / 100
        score = np.clip(np.round(rng.normal(7.6 + promoter_bias, 2.0)), 0, 10).astype(np.int64)
        answers.append((who, at_time(day + rng.integers(-10, 12, len(who)) * DAY, rng), score))
    who = np.concatenate([a[0] for a in answers])
    when = np.concatenate([a[1] for a in answers])
    score = np.concatenate([a[2] for a in answers])
    nps: Columns = {
        "id": ids("NPS-", np.arange(1, len(who) + 1), 7),
        "account_id": ids("ACC-", who + 1, 6),
        "responded_at": when,
        "score": score,
        "_loaded_at": _loaded_on(when.astype("datetime64[D]")),
    }
    return {"raw_cs.onboarding": onboarding, "raw_cs.nps_response": nps}


# --------------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------------
def _as_table(columns: Columns, names: tuple[str, ...]) -> pa.Table:
    arrays = []
    for name in names:
        value = columns[name]
        if isinstance(value, (pa.Array, pa.ChunkedArray)):  # Arrow splits very large conversions into chunks
            arrays.append(value)
        elif value.dtype.kind == "M" and np.datetime_data(value.dtype)[0] == "D":
            arrays.append(pa.array(value, type=pa.date32()))
        elif value.dtype.kind == "M":
            arrays.append(pa.array(value.astype("datetime64[s]"), type=pa.timestamp("s")))
        else:
            arrays.append(pa.array(value))
    return pa.Table.from_arrays(arrays, names=list(names))


def _concat(first: pa.Table, *others: pa.Table) -> pa.Table:
    """Append rows; a column that is text on either side becomes text on both."""
    parts = [first, *others]
    for i, field in enumerate(first.schema):
        types = {part.schema.field(i).type for part in parts}
        if len(types) > 1:
            parts = [part.set_column(i, field.name, pc.cast(part[field.name], pa.string())) for part in parts]
    return pa.concat_tables(parts)


def _replace(table: pa.Table, column: str, rows: np.ndarray, values: pa.Array | pa.Scalar) -> pa.Table:
    """Replace the column's values at rows (the column becomes text, as a messy export would be)."""
    mask = np.zeros(table.num_rows, bool)
    mask[rows] = True
    text = pc.if_else(pa.array(mask), values, pc.cast(table[column], pa.string()))
    return table.set_column(table.schema.get_field_index(column), column, text)


def _set_text(table: pa.Table, column: str, rows: np.ndarray, value: str | None) -> pa.Table:
    return _replace(table, column, rows, pa.scalar(value, pa.string()))


def _resync(table: pa.Table, rng: np.random.Generator, rate: float) -> pa.Table:
    """Exact re-syncs: a few rows loaded again an hour later (superseded, not quarantined)."""
    rows = np.sort(rng.choice(table.num_rows, max(1, int(round(rate * table.num_rows))), replace=False))
    copy = table.take(pa.array(rows))
    later = pc.add(pc.cast(copy["_loaded_at"], pa.timestamp("s")), pa.scalar(3600, pa.duration("s")))
    return _concat(table, copy.set_column(copy.schema.get_field_index("_loaded_at"), "_loaded_at", later))


def _inject(table: pa.Table, name: str, rate: float, rng: np.random.Generator) -> tuple[pa.Table, list[dict]]:
    """Corrupt a small share of the table's rows per documented class; return what was injected and why."""
    classes = [cls for cls in BAD_ROW_CLASSES if cls.table == name]
    if not classes:
        return table, []
    id_text = pc.cast(table["id"], pa.string())
    counts = pc.value_counts(id_text)
    repeated = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    single = ~pc.is_in(id_text, value_set=repeated).to_numpy(zero_copy_only=False)  # one version only,
    if "_is_deleted" in table.column_names:  # and not soft-deleted: its reason will show
        single &= ~table["_is_deleted"].to_numpy(zero_copy_only=False).astype(bool)
    per_class = max(1, int(round(rate * table.num_rows / len(classes))))
    eligible = {cls.reason: single.copy() for cls in classes}
    if "line_type" in table.column_names:
        is_sub = pc.equal(table["line_type"], "subscription").to_numpy(zero_copy_only=False)
        positive = pc.greater(table["amount"], 0).to_numpy(zero_copy_only=False)
        for reason in ("non_positive_quantity", "invalid_period"):
            eligible[reason] &= is_sub
        eligible["discount_exceeds_amount"] &= is_sub & positive
    if name == "raw_hr.employment_status":
        active = pc.equal(table["status"], "active").to_numpy(zero_copy_only=False)
        eligible["fte_out_of_range"] &= active
        eligible["duplicate_effective_date"] &= active
    original = table
    taken = np.zeros(table.num_rows, bool)
    extra_rows: list[pa.Table] = []
    injected: list[dict] = []
    for cls in classes:
        candidates = np.flatnonzero(eligible[cls.reason] & ~taken)
        rows = np.sort(rng.choice(candidates, min(per_class, len(candidates)), replace=False))
        taken[rows] = True
        record_ids = id_text.take(pa.array(rows, type=pa.int64())).to_pylist()
        table, record_ids, extra = _corrupt(table, original, cls, rows, record_ids)
        if extra is not None:
            extra_rows.append(extra)
        injected += [{"table": name, "reason": cls.reason, "record_id": rid} for rid in record_ids]
    return _concat(table, *extra_rows), injected


TEXT_VALUES = {
    "invalid_segment": ("segment", "unknown tier"),
    "unparseable_created_at": ("created_at", "yesterday"),
    "invalid_stage_name": ("stage_name", "Closed-Won?"),
    "unparseable_changed_at": ("changed_at", "not a date"),
    "orphan_opportunity_id": ("opportunity_id", "OPP-MISSING"),
    "unparseable_invoice_date": ("invoice_date", "not a date"),
    "orphan_invoice_id": ("invoice_id", "INV-MISSING"),
    "non_positive_quantity": ("quantity", "0"),
    "fte_out_of_range": ("fte", "1.5"),
    "unparseable_effective_date": ("effective_date", "31/02/2024"),
    "orphan_employee_id": ("employee_id", "E-MISSING"),
    "unparseable_annual_base_salary": ("annual_base_salary", "85.000,00"),
    "score_out_of_range": ("score", "11"),
    "non_positive_amount": ("amount", "0.00"),
}
STATUS_TEXT = {"raw_billing.subscription": "zombie", "raw_billing.invoice": "paidd", "raw_hr.employment_status": "sabbatical", "raw_cs.onboarding": "done?"}


def _corrupt(table: pa.Table, original: pa.Table, cls: BadRowClass, rows: np.ndarray, record_ids: list) -> tuple[pa.Table, list, pa.Table | None]:
    reason = cls.reason
    if reason == "missing_primary_key":
        return _set_text(table, "id", rows, None), [None] * len(rows), None
    if reason in TEXT_VALUES:
        column, value = TEXT_VALUES[reason]
        return _set_text(table, column, rows, value), record_ids, None
    if reason == "invalid_status":
        return _set_text(table, "status", rows, STATUS_TEXT[cls.table]), record_ids, None
    if reason == "unparseable_amount":
        return _set_text(table, "amount", rows, "n/a" if cls.table == "raw_finance.gl_entry" else "12,50 EUR"), record_ids, None
    if reason == "unknown_currency":
        return _set_text(table, "currency_code", rows, "EURO" if cls.table == "raw_hr.compensation" else "XXX"), record_ids, None
    if reason == "currency_mismatch":
        return _set_text(table, "currency_code", rows, "CHF"), record_ids, None
    if reason == "discount_exceeds_amount":
        above = pc.cast(pc.add(pc.cast(original["amount"], pa.decimal128(18, 2)), pa.scalar(10, pa.decimal128(18, 2))), pa.string())
        return _replace(table, "discount_amount", rows, above), record_ids, None
    if reason == "invalid_period":
        return _replace(table, "period_end", rows, pc.cast(original["period_start"], pa.string())), record_ids, None
    if reason == "duplicate_effective_date":
        extra = original.take(pa.array(rows))
        new_ids = [f"ES-DUP-{i:04d}" for i in range(1, len(rows) + 1)]
        extra = extra.set_column(0, "id", pa.array(new_ids))
        earlier = pc.subtract(pc.cast(extra["_loaded_at"], pa.timestamp("s")), pa.scalar(3600, pa.duration("s")))
        extra = extra.set_column(extra.schema.get_field_index("_loaded_at"), "_loaded_at", earlier)
        extra = _set_text(extra, "fte", np.arange(len(rows)), "0.50")
        return table, new_ids, extra
    raise WarehouseError(f"no corruption defined for bad-row class {cls}")


def _finish(out: Path, name: str, columns: Columns, fmt: str, rate: float, seed: int) -> tuple[str, int, list[dict]]:
    """Turn one table's columns into Arrow, add its bad input, write it (runs on a worker thread)."""
    contract = raw_contract()
    table = _as_table(columns, contract[name].columns)
    injected: list[dict] = []
    if rate > 0:
        rng = _rng(seed, 100 + sorted(contract).index(name))  # per table: the same whatever the order
        if name in RESYNC_TABLES:
            table = _resync(table, rng, rate)
        table, injected = _inject(table, name, rate, rng)
        if name in EXTRA_COLUMN_TABLES:
            table = table.append_column("legacy_note", pa.array(["exported by legacy sync"] * table.num_rows))
    schema, table_name = name.split(".")
    folder = out / schema
    folder.mkdir(exist_ok=True)
    for stale in folder.glob(f"{table_name}.*"):
        stale.unlink()
    path = folder / f"{table_name}.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
    else:
        pacsv.write_csv(table, path)
    return name, table.num_rows, injected


# --------------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------------
def generate(out: Path, scale: float = 1.0, seed: int = 42, fmt: str = "parquet",
             bad_rows_rate: float = DEFAULT_BAD_ROWS_RATE) -> dict:
    """Write the synthetic company to ``out/<schema>/<table>.<fmt>``; return the manifest."""
    if scale <= 0:
        raise WarehouseError(f"--scale must be > 0, got {scale}")
    if not 0 <= bad_rows_rate < 0.2:
        raise WarehouseError(f"--bad-rows-rate must be in [0, 0.2), got {bad_rows_rate}")
    if fmt not in ("parquet", "csv"):
        raise WarehouseError(f"--format must be parquet or csv, got {fmt!r}")
    started = time.perf_counter()
    contract = raw_contract()
    out.mkdir(parents=True, exist_ok=True)
    futures = []
    # Each table is finished (Arrow conversion, bad input, Parquet/CSV encoding) on a worker thread as
    # soon as its domain is generated, while the next domain is computed: numpy and Arrow release the
    # GIL for most of that work, so both cores stay busy.
    with ThreadPoolExecutor(max_workers=2) as pool:

        def finish(tables: dict[str, Columns]) -> None:
            for name, columns in tables.items():
                futures.append(pool.submit(_finish, out, name, columns, fmt, bad_rows_rate, seed))

        fx_cols, fx = _fx_rates(seed)
        finish({"raw_finance.fx_rate": fx_cols})
        hr_tables, sellers = _hr(seed, scale, bad_rows_rate)
        finish(hr_tables)
        billing_tables, billing = _billing(seed, scale, fx)
        finish(billing_tables)
        finish(_crm(seed, scale, billing, sellers, fx))
        finish({"raw_finance.gl_entry": _gl(seed, scale, billing, fx)})
        finish(_cs(seed, billing))
        results = sorted(future.result() for future in futures)
    missing = sorted(set(contract) - {name for name, _, _ in results})
    if missing:
        raise WarehouseError(f"generator does not produce contract tables: {', '.join(missing)}")
    rows = {name: count for name, count, _ in results}
    injected = [row for _, _, table_rows in results for row in table_rows]
    manifest = {
        "scale": scale, "seed": seed, "format": fmt, "bad_rows_rate": bad_rows_rate,
        "window": [str(WINDOW_START), str(WINDOW_END)], "rows": rows, "total_rows": sum(rows.values()),
        "injected": injected,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    manifest["seconds"] = time.perf_counter() - started
    return manifest
