"""CRM: accounts, users, leads with MQL/SQL dates, opportunities and their stage history."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revenue_warehouse.synthetic.arrays import (
    DAY,
    add_months,
    at_time,
    cents,
    days_between,
    decimal_array,
    ids,
    index_of,
    pick,
)
from revenue_warehouse.synthetic.billing import _local_factor
from revenue_warehouse.synthetic import shared
from revenue_warehouse.synthetic.shared import (
    CURRENCIES,
    Columns,
    FIRST_NAMES,
    PLANS,
    SEGMENTS,
    SEGMENT_TEXT,
    _company_names,
    _dates_from_weights,
    _group_index,
    _loaded_on,
    _rng,
)


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
    r_count = np.maximum(0, np.minimum(sp["n_periods"][annual], 1 + days_between(sp["paid_start"][annual], shared.WINDOW_END) // 365) - 0)
    r_owner, r_k = _group_index(r_count)
    r_sp = annual[r_owner]
    r_close = add_months(sp["paid_start"][r_sp], (r_k + 1) * 12) - rng.integers(0, 10, len(r_sp)) * DAY
    r_won = (r_k + 1) < sp["n_periods"][r_sp]
    keep = r_close <= shared.WINDOW_END + 60 * DAY
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
    o_closed = o_close <= shared.WINDOW_END
    o_won &= o_closed
    order = np.lexsort((o_account, o_created_day))
    (o_type, o_account, o_name, o_cur, o_amount, o_close, o_cycle, o_created_day, o_won, o_closed) = (
        a[order] for a in (o_type, o_account, o_name, o_cur, o_amount, o_close, o_cycle, o_created_day, o_won, o_closed))
    in_window = o_created_day <= shared.WINDOW_END
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
    elapsed = np.clip(days_between(o_created_day, shared.WINDOW_END) / np.maximum(o_cycle, 1), 0, 0.999)
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
        "_loaded_at": np.where(o_closed, _loaded_on(o_close), shared.EXTRACT_AT)[sel],
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
    a_created = np.maximum(a_created, shared.month_from_start(-24))
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
        # customers' accounts change every week (activity, owner, health): each nightly sync re-syncs them
        "_loaded_at": np.where(np.r_[billing["is_active"], np.zeros(len(a_ids) - n, bool)], shared.EXTRACT_AT,
                               _loaded_on(a_created)),
    }

    accounts = _segment_moves(accounts, segment, billing["is_active"], acq, seed)

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
        # a paying customer's billing record changes with every invoice and payment: re-synced every night
        "_loaded_at": np.where(np.r_[billing["is_active"], np.zeros(n_test, bool)], shared.EXTRACT_AT, _loaded_on(cust_created)),
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
    mql_null = np.concatenate([np.zeros(len(nb), bool), ~x_is_mql]) | (mql > shared.EXTRACT_AT)
    sql_null = np.concatenate([np.zeros(len(nb), bool), ~x_is_sql]) | (sql > shared.EXTRACT_AT) | mql_null
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
        # open leads of the last 30 days are still scored and worked: every nightly sync re-syncs them
        "_loaded_at": np.where((~converted & (created > shared.EXTRACT_AT - np.timedelta64(30, "D")))[order], shared.EXTRACT_AT,
                               _loaded_on(np.where(converted, sql, created)[order].astype("datetime64[D]"))),
    }
    return {
        "raw_crm.account": accounts, "raw_billing.customer": customers, "raw_crm.opportunity": opportunities,
        "raw_crm.opportunity_history": history, "raw_crm.lead": leads,
    }


def _segment_moves(accounts: Columns, segment: np.ndarray, is_active: np.ndarray, acq: np.ndarray,
                   seed: int) -> Columns:
    """Some active customers' accounts changed segment once while a customer (about 6 % a year; mostly up:
    smb -> mid_market -> enterprise, some enterprise and mid_market down). Such an account has two more
    versions before its current row (the latest sync): the segment before the move, loaded when the account
    was created, and the current segment, loaded on the day of the move. Its own random stream, so every
    other table is the same with or without moves."""
    rng = _rng(seed, 33)
    n = len(segment)
    first = acq + 60 * DAY
    last = shared.EXTRACT_AT.astype("datetime64[D]") - 30 * DAY
    # about 6 % a year of tenure (none without any), at a uniform time within it: moves per month follow the
    # customer count
    span = np.maximum(days_between(first, last), 0)
    rows = np.flatnonzero(is_active & (rng.random(n) < 1 - np.exp(-0.06 * span / 365)))
    moved_on = first[rows] + (rng.random(len(rows)) * span[rows]).astype(int) * DAY
    up = rng.random(len(rows)) < 0.7
    before_up = {"smb": "mid_market", "mid_market": "smb", "enterprise": "mid_market"}
    before_down = {"smb": "mid_market", "mid_market": "enterprise", "enterprise": "mid_market"}
    before = [SEGMENT_TEXT[(before_up if u else before_down)[s]][0] for s, u in zip(segment[rows], up)]
    created = np.asarray(accounts["created_at"])[rows].astype("datetime64[D]")
    # every row, then the moved accounts' row twice: as created (the old segment) and as on the day of the move
    total = len(accounts["id"])
    order = np.concatenate([np.arange(total), rows, rows])
    versions = {name: column.take(pa.array(order)) if isinstance(column, pa.Array) else np.asarray(column)[order]
                for name, column in accounts.items()}
    versions["segment"][total:total + len(rows)] = before
    versions["_loaded_at"] = np.concatenate([accounts["_loaded_at"], _loaded_on(created), _loaded_on(moved_on)])
    return versions
