"""Compare the marts of two engines built from the same raw files (used by the PostgreSQL and Spark tests).

Rows are matched by their non-fractional columns (keys, counts, dates, flags); money must agree to the
cent and every other fractional number to the 6 decimals the marts keep.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

CENT, MICRO = Decimal("0.005"), Decimal("0.000002")


def mart_columns(duck: Any, mart: str) -> list[str]:
    return [r[0] for r in duck.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        f"and table_name = '{mart}' order by ordinal_position"
    ).fetchall()]


def sorted_rows(con: Any, mart: str, columns: list[str]) -> list[tuple]:
    rows = [tuple(r) for r in con.execute(f"select {', '.join(columns)} from marts.{mart}").fetchall()]
    exact = [i for i, v in enumerate(rows[0]) if not isinstance(v, (Decimal, float))] if rows else []
    return sorted(rows, key=lambda r: [(r[i] is None, str(r[i])) for i in exact])


def same(column: str, a: object, b: object, money: bool = False) -> bool:
    """Equal, with fractional numbers compared to the cent (money) or to 6 decimals."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (Decimal, float)) or isinstance(b, (Decimal, float)):
        tolerance = CENT if money or column.endswith(("_usd", "_local")) else MICRO
        return abs(Decimal(str(a)) - Decimal(str(b))) <= tolerance
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return a == b


def differences(duck: Any, other: Any, marts: list[str]) -> list[str]:
    """Every disagreement between the two engines' marts (empty when they agree)."""
    found: list[str] = []
    for mart in marts:
        columns = mart_columns(duck, mart)
        mine, theirs = sorted_rows(duck, mart, columns), sorted_rows(other, mart, columns)
        if len(mine) != len(theirs) or not mine:
            found.append(f"{mart}: {len(mine)} rows on DuckDB, {len(theirs)} on the other engine")
            continue
        # the KPI catalogue holds money in kpi_value on rows whose unit is usd
        unit = columns.index("unit") if "unit" in columns else None
        for a_row, b_row in zip(mine, theirs):
            money = unit is not None and a_row[unit] == "usd"
            for column, a, b in zip(columns, a_row, b_row):
                if not same(column, a, b, money):
                    found.append(f"{mart}.{column} at {a_row[:3]}: DuckDB {a!r}, other {b!r}")
    return found
