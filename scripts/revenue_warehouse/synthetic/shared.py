"""Shared pieces of the synthetic company: the reporting window, plans, departments, accounts, names, seeded
generators and the nightly load clock.
"""

from __future__ import annotations

import numpy as np

from revenue_warehouse.synthetic.arrays import DAY, ids


#: The company's history: 48 calendar months ending in the month of the end date (set_window, called by
#: generate; other modules read these as ``shared.WINDOW_END`` at call time). Every other date is relative
#: to them. The end date is the last day with data: the demo's is today, so its last month is partial.
WINDOW_MONTHS = 48
FIXTURE_END_MONTH = "2025-12"  # the tests' fixtures: a fixed calendar, whatever today is
WINDOW_START = np.datetime64("2022-01-01")
WINDOW_END = np.datetime64("2025-12-31")  # last day of data; the default as_of_date
EXTRACT_AT = np.datetime64("2025-12-31T23:00:00")  # the last nightly sync: 23:00 UTC on the end date


def set_window(end_month: str | None = None, end_date: str | None = None) -> str:
    """Make the company's history end on ``end_date`` (YYYY-MM-DD), or on the last day of ``end_month``
    (YYYY-MM); with neither, on today (``config.today()``: the WAREHOUSE_TODAY override, else UTC)."""
    global WINDOW_START, WINDOW_END, EXTRACT_AT
    from revenue_warehouse.config import WarehouseError, parse_date, today

    if end_month and end_date:
        raise WarehouseError("give --end-month or --end-date, not both")
    if end_month:
        try:
            month = np.datetime64(end_month, "M")
            if len(end_month) != 7:
                raise ValueError(end_month)
        except ValueError:
            raise WarehouseError(f"--end-month must look like 2026-12, got {end_month!r}") from None
        end = (month + 1).astype("datetime64[D]") - DAY
    else:
        end = np.datetime64(parse_date(end_date, "--end-date") if end_date else today(), "D")
    month = end.astype("datetime64[M]")
    WINDOW_START = (month - (WINDOW_MONTHS - 1)).astype("datetime64[D]")
    WINDOW_END = end
    EXTRACT_AT = WINDOW_END.astype("datetime64[s]") + np.timedelta64(23, "h")
    return str(end)


def last_month_share() -> float:
    """How much of the last month the data cover (1.0 from its 28th day): scales that month's activity."""
    return min(1.0, int((WINDOW_END - WINDOW_END.astype("datetime64[M]").astype("datetime64[D]")) // DAY + 1) / 28)


def day_in_month(month_starts: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """``month_starts + offsets`` days (offsets drawn in 0..27), folded back into the data's last month when
    the end date cuts it short: no date after WINDOW_END, and whole months are left exactly as drawn."""
    days = month_starts.astype("datetime64[D]") + offsets * DAY
    available = (WINDOW_END - month_starts.astype("datetime64[D]")) // DAY + 1
    return np.where(days > WINDOW_END, month_starts.astype("datetime64[D]") + offsets % np.maximum(available, 1) * DAY,
                    days)


def month_from_start(months: int) -> np.datetime64:
    """The first day of the month ``months`` after the window's first (negative: before it)."""
    return (WINDOW_START.astype("datetime64[M]") + months).astype("datetime64[D]")
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
#: the one-time onboarding package: product, list price (USD; the fee charged varies by deal), name
ONBOARDING = ("PRD-ONBOARDING", 5000.0, "Onboarding package")
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
    weights[-1] *= last_month_share()
    return months.astype("datetime64[D]"), weights / weights.sum()
def _dates_from_weights(rng: np.random.Generator, n: int, growth: float, quarter_push: float) -> np.ndarray:
    months, weights = _month_weights(growth, quarter_push)
    chosen = months[rng.choice(len(months), n, p=weights)]
    return day_in_month(chosen, rng.integers(0, 28, n))
