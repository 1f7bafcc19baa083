"""Data-quality checks: all error checks pass on a good build, and each fails when its invariant breaks."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.pipeline.check import CheckResult, run_checks, summary


@pytest.fixture()
def db(clean_warehouse: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "build" / clean_warehouse[1].name  # same file name: views name their catalog
    copy.parent.mkdir()
    shutil.copy(clean_warehouse[1], copy)
    return copy


def _run(db: Path, tamper: str | None = None) -> dict[str, CheckResult]:
    with duckdb.connect(str(db)) as con:
        if tamper:
            con.execute(tamper)
        return {r.check_name: r for r in run_checks(con, "test")}


def test_a_good_build_passes_every_error_check_and_stores_results(db: Path) -> None:
    results = _run(db)
    assert [r.check_name for r in results.values() if r.status == "fail"] == []
    assert {"headcount_adds_up", "billing_money_reconciles:usd", "privacy_differencing"} <= set(results)
    assert not {"mrr_bridge_balances", "rows_accounted_for:raw_billing.invoice"} & set(results), "dbt tests own these"
    assert "0 failed" in summary(list(results.values()))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("select count(*), count(distinct check_name) from audit.check_results where run_id = 'test'").fetchone()
    assert stored[0] == len(results) == stored[1]


@pytest.mark.parametrize(
    ("tamper", "check"),
    [
        ("delete from marts.fct_revenue_per_head where function = 'sales'", "headcount_adds_up"),
        ("update intermediate.int_revenue_recognized_monthly set revenue_local = revenue_local + 1 "
         "where month = (select min(month) from intermediate.int_revenue_recognized_monthly)",
         "billing_money_reconciles:local"),
    ],
)
def test_each_error_check_fails_when_its_invariant_breaks(db: Path, tamper: str, check: str) -> None:
    results = _run(db, tamper)
    assert results[check].status == "fail", results[check]


@pytest.mark.parametrize(
    ("tamper", "test_name"),
    [
        ("update audit.raw_row_counts set rows_in = rows_in + 1 where source_table = 'raw_billing.invoice'",
         "rows_accounted_for"),
        ("update marts.fct_mrr_movements set new_mrr_usd = new_mrr_usd + 5 "
         "where customer_id = (select min(customer_id) from marts.fct_mrr_movements where movement_type = 'new')",
         "mrr_bridge_balances"),
    ],
)
def test_invariants_owned_by_dbt_tests_fail_the_build_when_broken(db: Path, tmp_path: Path, tamper: str,
                                                                   test_name: str) -> None:
    """What check.py no longer repeats: the dbt test itself fails on the broken invariant."""
    from revenue_warehouse.pipeline.build import run_dbt

    with duckdb.connect(str(db)) as con:
        con.execute(tamper)
    args = ["test", "--select", f"test_name:{test_name}", "--quiet"]
    assert run_dbt(args, db, extra=["--target-path", str(tmp_path / "target")], quiet=True) != 0


def test_fx_rate_carried_back_reports_currency_months_and_amounts(db: Path) -> None:
    """Amounts in months before their currency's first rate (here: EUR made to start in 2023) are counted
    and named, as a warning, never dropped."""
    results = _run(db)
    assert results["fx_rate_carried_back"].status == "pass"
    tampered = _run(db, "update intermediate.int_fx_rates_filled set is_carried_back = true "
                        "where currency_code = 'EUR' and month < '2023-01-01'")
    result = tampered["fx_rate_carried_back"]
    assert result.status == "warn" and result.severity == "warn" and result.observed_value > 0
    assert result.details.startswith("EUR: ") and "..2022-12 converted with its first rate" in result.details


def _audit(rows: list[tuple], quarantined: list[tuple[str, str]], thresholds: tuple = (0.02, 0.20, 10)) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("create schema audit")
    con.execute("create table audit.raw_row_counts (source_table varchar, rows_in int, rows_quarantined int, "
                "quarantine_warn_rate double, quarantine_error_rate double, quarantine_error_min_rows int, "
                "loaded_from varchar)")
    con.executemany("insert into audit.raw_row_counts values (?, ?, ?, ?, ?, ?, ?)",
                    [r[:3] + thresholds + (r[3] if len(r) > 3 else r[0],) for r in rows])
    con.execute("create table audit.quarantined_rows (source_table varchar, reason varchar)")
    if quarantined:
        con.executemany("insert into audit.quarantined_rows values (?, ?)", quarantined)
    return con


def test_quarantine_fails_only_above_rate_and_minimum_count_and_names_reasons() -> None:
    from revenue_warehouse.pipeline.check import empty_raw_tables, quarantine_rates

    refunds = [("raw_billing.refund", "orphan_invoice_id")] * 2
    invoices = [("raw_billing.invoice", "unparseable_invoice_date")] * 30 + [("raw_billing.invoice", "invalid_status")] * 5
    rows = [("raw_billing.refund", 6, 2), ("raw_billing.invoice", 100, 35), ("raw_crm.lead", 1000, 1), ("raw_cs.onboarding", 0, 0)]
    with _audit(rows, refunds + invoices) as con:
        results = {r.check_name: r for r in quarantine_rates(con)}
        small = results["quarantine_rate:raw_billing.refund"]
        assert small.status == "warn", "2 of 6 (33 %) is above 20 % but below 10 rows: a small company, not a broken feed"
        assert "2 of 6 rows quarantined (33.3%" in small.details and "orphan_invoice_id 2" in small.details
        assert "audit.quarantined_rows where source_table = 'raw_billing.refund'" in small.details
        big = results["quarantine_rate:raw_billing.invoice"]
        assert big.status == "fail" and big.threshold == 0.20
        assert "unparseable_invoice_date 30, invalid_status 5" in big.details, "top reasons, most first"
        assert results["quarantine_rate:raw_crm.lead"].status == "pass"
        empty = empty_raw_tables(con)[0]
        assert empty.status == "warn" and "raw_cs.onboarding" in empty.details and "onboarding, NPS and CSAT" in empty.details
    with _audit(rows, refunds + invoices, thresholds=(0.5, 0.5, 1)) as con:  # the vars at other values
        results = {r.check_name: r for r in quarantine_rates(con)}
        assert results["quarantine_rate:raw_billing.refund"].status == "pass"
        assert results["quarantine_rate:raw_billing.invoice"].status == "pass"
    with _audit(rows, refunds + invoices, thresholds=(0.02, 0.3, 2)) as con:
        assert {r.check_name: r for r in quarantine_rates(con)}["quarantine_rate:raw_billing.refund"].status == "fail"
    stripe = [("raw_billing.refund", 6, 2, "stripe (adapter base_stripe__refund)")]
    with _audit(stripe, refunds) as con:  # rows a connector's adapter brought: the message names both
        details = quarantine_rates(con)[0].details
        assert details.startswith("rows from stripe (adapter base_stripe__refund): 2 of 6 rows quarantined"), details
        assert "source_table = 'raw_billing.refund'" in details


def test_deal_owners_without_an_employee_are_counted_not_integration_users() -> None:
    """Issue 22, finding 6: an owner whose e-mail matches no employee (HubSpot links by e-mail only) is a
    warning naming how many owners and deals; an integration user owning no deal is not counted."""
    from revenue_warehouse.pipeline.check import deal_owners_linked

    with duckdb.connect(":memory:") as con:
        con.execute("create schema staging")
        con.execute("create table staging.stg_crm__users (user_id varchar, employee_id varchar)")
        con.executemany("insert into staging.stg_crm__users values (?, ?)",
                        [("o1", "E1"), ("o2", None), ("zapier", None)])
        con.execute("create table staging.stg_crm__opportunities (opportunity_id varchar, owner_user_id varchar)")
        con.executemany("insert into staging.stg_crm__opportunities values (?, ?)",
                        [("d1", "o1"), ("d2", "o2"), ("d3", "o2"), ("d4", "o9")])
        result = deal_owners_linked(con)[0]
        assert result.status == "warn" and result.observed_value == 2
        assert result.details.startswith("2 of 3 opportunity owners (3 opportunities) match no employee")
        con.execute("update staging.stg_crm__users set employee_id = 'E2' where user_id = 'o2'")
        con.execute("delete from staging.stg_crm__opportunities where owner_user_id = 'o9'")
        assert deal_owners_linked(con)[0].status == "pass"
