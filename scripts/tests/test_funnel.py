"""Funnel and satisfaction KPIs against an independent recomputation from staging: stage-1 velocity
(mql_to_sql_days), three-month NPS, CSAT of the month and of three months, and forecast accuracy against
what actually closed."""

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
