"""Product adoption against an independent recomputation from staging (usage, the feature seed) and the
already-tested revenue marts (who is active at a month's end, and with which CRM account): adoption rate,
feature adoption and churn of adopted vs not adopted customers (METRICS 10.3)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

CORE_MIN = 3  # var adoption_min_core_features, default


def _month(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture(scope="module")
def adoption(messy_sql):
    _, connect = messy_sql
    con = connect()
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    data = {
        "usage": q("select account_id, feature_key, usage_date, events from staging.stg_product__feature_usage"),
        "core": {r[0] for r in q("select feature_key from staging.product_features where is_core")},
        "active": q("select customer_id, month from marts.fct_mrr_movements where mrr_usd > 0"),
        "accounts": dict(q("select customer_id, crm_account_id from marts.dim_customers")),
        "success": {r[0]: r[1:] for r in q(
            "select month, adoption_active_customers, adopted_customers, product_adoption_rate, "
            "logo_churn_rate_adopted, logo_churn_rate_not_adopted from marts.fct_customer_success")},
        "features": {(r[0], r[1]): r[2:] for r in q(
            "select month, feature_key, active_customers, customers_using, adoption_rate, value_status "
            "from marts.fct_product_adoption")},
        "kpi": {(r[0], r[1]): r[2:] for r in q(
            "select month, kpi_name, kpi_value, value_status from marts.fct_kpi_monthly where kpi_name in "
            "('product_adoption_rate', 'logo_churn_rate_adopted', 'logo_churn_rate_not_adopted')")},
        "negative": q("select count(*) from staging.base_product__feature_usage "
                      "where quarantine_reason = 'negative_events'")[0][0],
    }
    con.close()
    return data


def test_adoption_feature_adoption_and_churn_by_adoption_recomputed(adoption) -> None:
    d = adoption
    first_day = min(row[2] for row in d["usage"])
    first_tracked = first_day if first_day.day == 1 else _shift(_month(first_day), 1)
    used: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for account, feature, day, events in d["usage"]:
        if events > 0:
            used[(account, _month(day))].add(feature)
    active: dict[dt.date, set[str]] = defaultdict(set)
    for customer, month in d["active"]:
        active[month].add(customer)

    def adopted(customer: str, month: dt.date) -> bool:
        account = d["accounts"].get(customer)
        return account is not None and len(used[(account, month)] & d["core"]) >= CORE_MIN

    checked = churn_checked = 0
    for month, (n_active, n_adopted, rate, churn_adopted, churn_not) in d["success"].items():
        if month < first_tracked:
            assert n_active == 0 and rate is None, month
            assert d["kpi"][(month, "product_adoption_rate")] == (None, "no_data"), month
            continue
        customers = active[month]
        assert n_active == len(customers), month
        assert n_adopted == sum(adopted(c, month) for c in customers), month
        assert abs(float(rate) - n_adopted / n_active) < 1e-6, month
        assert d["kpi"][(month, "product_adoption_rate")] == (rate, "ok"), month
        for (f_month, feature), (f_active, using, f_rate, status) in d["features"].items():
            if f_month == month:
                want = sum(feature in used[(d["accounts"].get(c), month)] for c in customers)
                assert (f_active, using, status) == (n_active, want, "ok"), (month, feature)
                assert abs(float(f_rate) - want / n_active) < 1e-6, (month, feature)
        checked += 1
        prior_month = _shift(month, -1)
        if prior_month < first_tracked:
            assert churn_adopted is None and churn_not is None, month
            continue
        prior = [c for c in active[prior_month] if d["accounts"].get(c) is not None]
        for got, group in ((churn_adopted, [c for c in prior if adopted(c, prior_month)]),
                           (churn_not, [c for c in prior if not adopted(c, prior_month)])):
            if not group:
                assert got is None, month
                continue
            assert abs(float(got) - sum(c not in customers for c in group) / len(group)) < 1e-6, month
            churn_checked += 1
    assert checked >= 12 and churn_checked >= 20, (checked, churn_checked)
    assert len(d["core"]) >= 3 and d["negative"] >= 1, "the messy data's negative-event rows are quarantined"
