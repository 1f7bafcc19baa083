"""An independent differencing check of the privacy policy (docs/metrics.md, "Privacy").

It does not read the policy model. It takes every payroll-bearing cost figure the marts publish (non-null
values only): function rows and the company row of ``fct_revenue_per_head``, cogs / sales & marketing /
total cost of ``fct_unit_economics``, marketing cost of ``fct_sales_funnel``, and the sums over months that
published ratios reveal (ttm gross and operating margin, 3-month CAC, magic number, burn multiple). Each is
a sum of payroll over a set of (month, function) cells. A reader can combine them linearly; a combination
that equals the payroll of a set T of functions in one month isolates the people counted in T. The check
finds every such T (all subsets of the month's functions) whose people number 0 < n(T) < min_group_size.
Ledger (non-payroll) cost is treated as known, so every published figure counts as revealing its payroll.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import duckdb
import numpy as np


@dataclass(frozen=True)
class Leak:
    month: object
    functions: tuple[str, ...]
    people: int


# (fact, column, category set or None for the company, months the figure sums: first, last offset)
WINDOWED = (
    ("gross_margin_ttm", "cogs", 11),
    ("ltv_usd", "cogs", 11),
    ("cac_3m_usd", "sales_marketing", 2),
    ("operating_margin_ttm", None, 11),
    ("burn_multiple", None, 2),
)


#: The policy's floor: no published figure may isolate fewer than 3 people, whatever a build was told
#: (validate_vars in macros/vars.sql refuses min_group_size below it; a build file made otherwise is still
#: checked against it).
POLICY_FLOOR = 3


def _min_group_size(con: duckdb.DuckDBPyConnection) -> int:
    """The k to check: the one the build used (var min_group_size, recorded by the build), at least the floor."""
    built = con.execute("select max(min_group_size) from intermediate.int_cost_privacy_evaluated").fetchone()[0]
    return max(int(built or 0), POLICY_FLOOR)


def find_leaks(con: duckdb.DuckDBPyConnection, k: int) -> list[Leak]:
    months = [r[0] for r in con.execute("select month from marts.fct_revenue_monthly order by month").fetchall()]
    index = {m: i for i, m in enumerate(months)}
    functions = [r[0] for r in con.execute(
        "select distinct function from marts.fct_revenue_per_head where function <> 'all' order by 1").fetchall()]
    column = {f: j for j, f in enumerate(functions)}
    category = dict(con.execute("select function, cost_category from staging.function_cost_categories").fetchall())
    category.setdefault("unmapped", "unmapped")
    width = len(months) * len(functions)

    def vector(month_offsets: list[object], members: list[str]) -> np.ndarray:
        v = np.zeros(width)
        for m in month_offsets:
            for f in members:
                if f in column:
                    v[index[m] * len(functions) + column[f]] = 1.0
        return v

    exposed: list[np.ndarray] = []
    for month, function in con.execute(
        "select month, function from marts.fct_revenue_per_head where payroll_cost_usd is not null"
    ).fetchall():
        exposed.append(vector([month], functions if function == "all" else [function]))
    members = {c: [f for f in functions if category.get(f) == c] for c in ("cogs", "sales_marketing")}
    unit = con.execute("select month, cogs_usd, sales_marketing_cost_usd, total_cost_usd, "
                       + ", ".join(w[0] for w in WINDOWED) + ", magic_number from marts.fct_unit_economics "
                       "order by month").fetchall()
    for row in unit:
        month = row[0]
        for value, members_of in ((row[1], members["cogs"]), (row[2], members["sales_marketing"]), (row[3], functions)):
            if value is not None:
                exposed.append(vector([month], members_of))
        i = index[month]
        for (name, cat, span), value in zip(WINDOWED, row[4:4 + len(WINDOWED)]):
            if value is not None:
                window = months[max(0, i - span):i + 1]
                exposed.append(vector(window, functions if cat is None else members[cat]))
        if row[-1] is not None and i >= 5:  # magic number: S&M cost of m-5..m-3
            exposed.append(vector(months[i - 5:i - 2], members["sales_marketing"]))
    for (month,) in con.execute("select month from marts.fct_sales_funnel where marketing_cost_usd is not null").fetchall():
        exposed.append(vector([month], ["marketing"]))

    people: dict[tuple, set] = {}
    for month, function, employee in con.execute("""
        select distinct spine.month, segments.function, segments.employee_id
        from intermediate.int_employee_segments_built as segments
        inner join intermediate.int_months_windowed as spine
            on segments.segment_start <= spine.month_end and segments.segment_end > spine.month
        where segments.is_counted
    """).fetchall():
        people.setdefault((month, function), set()).add(employee)

    if not exposed:
        return []
    matrix = np.vstack(exposed)
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[singular > 1e-9 * singular[0]]
    leaks = []
    for month in months:
        staffed = [f for f in functions if people.get((month, f))]
        for size in range(1, len(staffed) + 1):
            for subset in itertools.combinations(staffed, size):
                n = len(set().union(*(people[(month, f)] for f in subset)))
                if n >= k:
                    continue
                target = vector([month], list(subset))
                residual = target - basis.T @ (basis @ target)
                if np.abs(residual).max() < 1e-6:
                    leaks.append(Leak(month, subset, n))
    return leaks


def check(con: duckdb.DuckDBPyConnection) -> tuple[list[Leak], int]:
    k = _min_group_size(con)
    return find_leaks(con, k), k
