"""Funnel, satisfaction and adoption KPIs against an independent recomputation from staging: stage-1 velocity
(mql_to_sql_days), three-month NPS, CSAT of the month and of three months, forecast accuracy against what
actually closed, and product adoption (from usage, the feature seed and the already-tested revenue marts:
who is active at a month's end, with which CRM account)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest


def _month(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture(scope="module")
def funnel(messy_sql):
    _, connect = messy_sql
    con = connect()
    rows = {r[0]: r[1:] for r in con.execute(
        "select month, mql_to_sql_days, bookings_usd, commit_forecast_usd, forecast_accuracy from marts.fct_sales_funnel"
    ).fetchall()}
    nps = {r[0]: r[1] for r in con.execute("select month, nps_3m from marts.fct_customer_success").fetchall()}
    leads = con.execute("select mql_at, sql_at from staging.stg_crm__leads where sql_at is not null").fetchall()
    answers = con.execute("select responded_at, score from staging.stg_cs__nps_responses").fetchall()
    con.close()
    return rows, nps, leads, answers


@pytest.fixture(scope="module")
def csat(messy_sql):
    _, connect = messy_sql
    con = connect()
    marts = {r[0]: r[1:] for r in con.execute("select month, csat, csat_3m from marts.fct_customer_success").fetchall()}
    kpi = {(r[0], r[1]): r[2:] for r in con.execute(
        "select month, kpi_name, kpi_value, value_status from marts.fct_kpi_monthly where kpi_name in ('csat', 'csat_3m')"
    ).fetchall()}
    ratings = con.execute("select responded_at, score from staging.stg_cs__csat_responses").fetchall()
    quarantined = con.execute(
        "select count(*) from staging.base_cs__csat_response where quarantine_reason = 'score_out_of_range'").fetchone()[0]
    con.close()
    return marts, kpi, ratings, quarantined


def test_csat_is_the_share_of_four_and_five_ratings_of_the_month_and_of_three_months(csat) -> None:
    """METRICS 10.4: ratings 4-5 / ratings (1-5) in m, and over m-2..m; a rating outside 1-5 is quarantined."""
    marts, kpi, ratings, quarantined = csat
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for responded_at, score in ratings:
        assert 1 <= int(score) <= 5
        by_month[_month(responded_at.date())].append(int(score))
    checked = 0
    for month, (value, value_3m) in marts.items():
        for got, months in ((value, [month]), (value_3m, [month, _shift(month, -1), _shift(month, -2)])):
            scores = [s for m in months for s in by_month.get(m, [])]
            if not scores:
                assert got is None, month
                continue
            assert abs(float(got) - sum(s >= 4 for s in scores) / len(scores)) < 1e-6, month
            checked += 1
        assert kpi[(month, "csat")][0] == value and kpi[(month, "csat_3m")][0] == value_3m
    assert checked >= 24 and quarantined >= 1, "the messy data's CSAT rows scored 0 are quarantined, not averaged"


def test_mql_to_sql_days_is_the_mean_stage_one_time_of_the_months_sqls(funnel) -> None:
    rows, _, leads, _ = funnel
    days: dict[dt.date, list[float]] = defaultdict(list)
    for mql_at, sql_at in leads:
        if mql_at is not None and mql_at <= sql_at:
            days[_month(sql_at.date())].append((sql_at - mql_at).total_seconds() / 86400)
    checked = 0
    for month, (value, *_) in rows.items():
        if not days.get(month):
            assert value is None, month
            continue
        assert abs(float(value) - sum(days[month]) / len(days[month])) < 1e-5, month
        checked += 1
    assert checked >= 12


def test_nps_3m_counts_the_answers_of_three_months(funnel) -> None:
    _, nps, _, answers = funnel
    by_month: dict[dt.date, list[int]] = defaultdict(list)
    for responded_at, score in answers:
        by_month[_month(responded_at.date())].append(int(score))
    checked = 0
    for month, value in nps.items():
        scores = [s for m in (month, _shift(month, -1), _shift(month, -2)) for s in by_month.get(m, [])]
        if not scores:
            assert value is None, month
            continue
        want = 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)
        assert abs(float(value) - want) < 1e-5, month
        checked += 1
    assert checked >= 12


def test_forecast_accuracy_is_relative_to_bookings(funnel) -> None:
    rows, *_ = funnel
    checked = 0
    for month, (_, bookings, commit, accuracy) in rows.items():
        if not bookings:
            assert accuracy is None, month
            continue
        assert abs(float(accuracy) - (1 - abs(float(bookings) - float(commit)) / float(bookings))) < 1e-5, month
        checked += 1
    assert checked >= 12


def _rate(published: dict[str, list[tuple[dt.date, float]]], currency: str, month: dt.date) -> float:
    """docs/metrics.md's fx rule: the month's rate, else the latest earlier one, else the first (carried back)."""
    if currency == "USD":
        return 1.0
    earlier = [r for m, r in published[currency] if m <= month]
    return earlier[-1] if earlier else published[currency][0][1]


def test_bookings_forecast_matches_an_independent_recomputation(messy_sql) -> None:
    """METRICS 10.6 from staging, row by row: the state of every opportunity at each month end from its
    history, stage win rates over the closes of m-11..m (company rate below 10 closes), the weighted and the
    commit forecast of the next quarter, and the backtest errors against the funnel's bookings."""
    _, connect = messy_sql
    con = connect()
    history = con.execute("select opportunity_id, opportunity_history_id, changed_at, stage_name, amount, close_date, "
                          "forecast_category from staging.stg_crm__opportunity_history").fetchall()
    opportunities = {r[0]: r[1:] for r in con.execute(
        "select opportunity_id, currency_code, created_at from staging.stg_crm__opportunities").fetchall()}
    published: dict[str, list] = defaultdict(list)
    for currency, month, rate in con.execute(
            "select currency_code, rate_month, usd_per_unit from staging.stg_finance__fx_rates order by rate_month").fetchall():
        published[currency].append((month, float(rate)))
    marts = {r[0]: r[1:] for r in con.execute(
        "select month, forecast_bookings_next_q_usd, commit_forecast_next_q_usd, actual_bookings_next_q_usd, "
        "forecast_error_pct, commit_forecast_error_pct from marts.fct_bookings_forecast").fetchall()}
    funnel = {r[0]: (float(r[1]), bool(r[2])) for r in con.execute(
        "select f.month, f.bookings_usd, w.is_month_complete from marts.fct_sales_funnel f "
        "join marts.fct_bookings_forecast w on f.month = w.month").fetchall()}
    con.close()
    by_opp: dict[str, list] = defaultdict(list)
    for opp, hid, changed_at, stage, amount, close_date, category in history:
        by_opp[opp].append((changed_at, hid, stage, amount, close_date, category))
    for rows in by_opp.values():
        rows.sort(key=lambda r: (r[0], r[1]))
    closed_stages = ("Closed Won", "Closed Lost")
    checked = errors = 0
    for month, (forecast, commit, actual, error, commit_error) in sorted(marts.items()):
        end = dt.datetime.combine(_shift(month, 1), dt.time())
        window_start = _shift(month, -11)
        closes, stage_closed, stage_won = [], defaultdict(int), defaultdict(int)
        open_now = []
        for opp, rows in by_opp.items():
            seen = [r for r in rows if r[0] < end]
            if not seen:
                continue
            state = seen[-1]
            if state[2] in closed_stages:
                if window_start <= state[4] < _shift(month, 1):
                    won = state[2] == "Closed Won"
                    closes.append(won)
                    for stage in {r[2] for r in seen if r[2] not in closed_stages}:
                        stage_closed[stage] += 1
                        stage_won[stage] += won
            elif opp in opportunities and opportunities[opp][1] < end:
                open_now.append((opp, state))
        quarter = dt.date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
        next_start, next_end = _shift(quarter, 3), _shift(quarter, 6)
        company = sum(closes) / len(closes) if closes else None
        want_forecast, want_commit = 0.0, 0.0
        for opp, (_, _, stage, amount, close_date, category) in open_now:
            if not next_start <= close_date < next_end:
                continue
            usd = float(amount or 0) * _rate(published, opportunities[opp][0], month)
            probability = stage_won[stage] / stage_closed[stage] if stage_closed[stage] >= 10 else company
            want_forecast += usd * (probability or 0)
            want_commit += usd if category == "commit" else 0
        quarter_months = [next_start, _shift(next_start, 1), _shift(next_start, 2)]
        if all(m in funnel and funnel[m][1] for m in quarter_months):
            want_actual = sum(funnel[m][0] for m in quarter_months)
        else:
            want_actual = None
        if company is None:
            assert forecast is None, month
        else:
            assert abs(float(forecast) - want_forecast) <= 1e-4 * max(1.0, want_forecast), (month, forecast, want_forecast)
            checked += 1
        assert abs(float(commit) - want_commit) < 0.01, month
        if want_actual is None:
            assert actual is None and error is None and commit_error is None, month
        else:
            assert abs(float(actual) - want_actual) < 0.01, month
            if want_actual and company is not None:
                assert abs(float(error) - abs(want_forecast - want_actual) / want_actual) < 2e-6, month
                assert abs(float(commit_error) - abs(want_commit - want_actual) / want_actual) < 2e-6, month
                errors += 1
    assert checked >= 12 and errors >= 6, (checked, errors)


CORE_MIN = 3  # var adoption_min_core_features, default


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
