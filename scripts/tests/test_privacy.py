"""The privacy policy holds against differencing: no linear combination of what the published marts expose
isolates fewer than min_group_size people (revenue_warehouse/pipeline/privacy_audit.py, independent of the policy model).
Run on the fixtures here, on every build as the error check `privacy_differencing` (the demo included)."""

from __future__ import annotations

import shutil
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.pipeline.privacy_audit import check, find_leaks


@pytest.mark.parametrize("fixture", ["messy_warehouse", "clean_warehouse"])
def test_no_published_combination_isolates_a_small_group(request: pytest.FixtureRequest, fixture: str) -> None:
    _, db = request.getfixturevalue(fixture)
    with closing(duckdb.connect(str(db), read_only=True)) as con:
        leaks, k = check(con)
        hidden = con.execute("select count(*) from marts.fct_revenue_per_head where is_suppressed").fetchone()[0]
    assert k == 5
    assert hidden > 0, "the fixture must exercise the policy"
    assert leaks == []


def test_the_audit_finds_a_leak_when_a_hidden_row_is_published(messy_warehouse: tuple[Path, Path],
                                                                 tmp_path: Path) -> None:
    """The audit is not vacuous: publish one hidden function row's payroll (as a policy without the
    complementary rule would) and the company total minus the visible rows isolates it."""
    db = tmp_path / messy_warehouse[1].name
    shutil.copy(messy_warehouse[1], db)
    with closing(duckdb.connect(str(db))) as con:
        month, function, people = con.execute("""
            select month, function, employees_counted from marts.fct_revenue_per_head
            where is_suppressed and function <> 'all' and employees_counted between 1 and 4
            order by month limit 1
        """).fetchone()
        # un-hide the one primary row and every other row of its month but the company's
        con.execute("update marts.fct_revenue_per_head set payroll_cost_usd = 0 "
                    "where month = ? and function <> 'all' and function <> ?", [month, function])
        con.execute("update marts.fct_revenue_per_head set payroll_cost_usd = 1 where month = ? and function = 'all'",
                    [month])
        leaks = find_leaks(con, 5)
    assert any(leak.month == month and leak.functions == (function,) and leak.people == people for leak in leaks)
