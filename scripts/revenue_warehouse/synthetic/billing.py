"""Billing: customers, products, prices, subscriptions with seat changes, invoices, lines (prorations,
discounts, trials) and refunds.
"""

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
from revenue_warehouse.synthetic import shared
from revenue_warehouse.synthetic.shared import (
    ADDON,
    CURRENCIES,
    Columns,
    INTERVALS,
    LOCAL_PRICE_FACTOR,
    ONBOARDING,
    PLANS,
    SEGMENTS,
    TAX_RATE,
    _dates_from_weights,
    _group_index,
    _loaded_on,
    _rng,
)


def _billing(seed: int, scale: float, fx: dict) -> tuple[dict[str, Columns], dict]:
    rng = _rng(seed, 2)
    n = max(20, round(2000 * scale))
    acq = _dates_from_weights(rng, n, growth=0.45, quarter_push=0.25)
    first_month = rng.random(n) < 0.06  # customers migrated into the billing system on day one
    acq = np.where(first_month, shared.WINDOW_START + rng.integers(0, 28, n) * DAY, acq)
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
    # engagement: a customer's latent use of the product (its own stream, so billing's draws stay as they
    # were); it drives product usage (synthetic/product.py) and scales the churn hazard: customers who use
    # the product less churn more (the mean multiplier is 1, so overall churn is unchanged)
    engagement = _rng(seed, 7).standard_normal(n)
    monthly_hazard = np.where(is_smb, 0.028, np.where(is_mid, 0.013, 0.006)) * np.exp(-0.9 * engagement - 0.405)

    # -- prices: product x currency x interval, laid out so a price's row is computable
    products = list(PLANS) + [ADDON[0]]
    product_usd = np.array([PLANS[p][0] for p in PLANS] + [ADDON[1]])
    interval_keys = list(INTERVALS)
    grid_p, grid_c, grid_i = (g.ravel() for g in np.meshgrid(np.arange(len(products)), np.arange(len(CURRENCIES)), np.arange(len(interval_keys)), indexing="ij"))
    price_ids = np.array([f"PRC-{products[p][4:]}-{CURRENCIES[c]}-{interval_keys[i]}".upper() for p, c, i in zip(grid_p, grid_c, grid_i)])
    price_amount = np.round(product_usd[grid_p] * np.array([LOCAL_PRICE_FACTOR[c] for c in CURRENCIES])[grid_c]
                            * np.array([INTERVALS[k][3] for k in interval_keys])[grid_i], 2)

    # one-time prices (no interval) of the onboarding package, one per currency, after the recurring grid
    once_row0 = len(price_ids)
    price_ids = np.concatenate([price_ids, [f"PRC-ONBOARDING-{c}-ONCE" for c in CURRENCIES]])
    price_amount = np.concatenate([price_amount, [ONBOARDING[1] * LOCAL_PRICE_FACTOR[c] for c in CURRENCIES]])

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
        churned = spell_end <= shared.WINDOW_END
        back = churned & (rng.random(m) < 0.14)
        spell_cust = spell_cust[back]
        spell_start = spell_end[back] + rng.integers(45, 300, back.sum()) * DAY
        keep = spell_start <= shared.WINDOW_END
        spell_cust, spell_start = spell_cust[keep], spell_start[keep]
    sp = {k: np.concatenate([s[k] if isinstance(s[k], np.ndarray) else np.full(len(s["cust"]), s[k]) for s in spells]) for k in spells[0]}
    n_sp = len(sp["cust"])
    order = np.lexsort((sp["cust"], sp["start"]))
    sp = {k: v[order] for k, v in sp.items()}
    sub_ids = ids("SUB-", np.arange(1, n_sp + 1), 7)

    # -- seat change once per spell for some: expansion (70%) or contraction, mid-period, within the spell's
    # first two years (spread over a whole long lifetime, an annual enterprise spell of ~15 years changed
    # almost never inside the window: its segment showed no expansion at all)
    change = (rng.random(n_sp) < 0.38) & (sp["n_periods"] >= 2)
    span = np.minimum(sp["n_periods"] - 1, np.maximum(1, 24 // sp["iv_months"]))
    change_at = np.where(change, 1 + (rng.random(n_sp) * np.maximum(span, 1)).astype(int), 10**6)
    q0 = seats[sp["cust"]]
    expand = rng.random(n_sp) < 0.7
    q1 = np.where(expand, q0 + np.maximum(1, np.round(q0 * rng.uniform(0.2, 0.8, n_sp))),
                  np.maximum(1, q0 - np.maximum(1, np.round(q0 * rng.uniform(0.15, 0.45, n_sp))))).astype(int)
    q1 = np.where(q1 == q0, q0 + 1, q1)

    # -- periodic invoices (billed in advance at each period start)
    periods_in_window = np.minimum(sp["n_periods"], 1 + np.ceil(days_between(sp["paid_start"], shared.WINDOW_END) / 28).astype(int))
    periods_in_window = np.maximum(periods_in_window, 0)
    owner, k = _group_index(periods_in_window)
    p_start = add_months(sp["paid_start"][owner], k * sp["iv_months"][owner])
    p_end = add_months(sp["paid_start"][owner], (k + 1) * sp["iv_months"][owner])
    in_window = p_start <= shared.WINDOW_END
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
    # a one-time line at the onboarding price of its currency, with an instant period (start = end = the
    # invoice's day), as billing systems record a fee (METRICS §10.1: revenue of its invoice date)
    add_lines(f_idx, -1, once_row0 + index_of(cur[f_idx], CURRENCIES), "one_time", ONBOARDING[2], 1, onboarding_fee, 0,
              p_start[f_idx], p_start[f_idx], False)
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
    ok = change_date <= shared.WINDOW_END
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
    recent = inv_date > shared.WINDOW_END - 30 * DAY
    u = rng.random(n_inv)
    status = np.where(recent, np.where(u < 0.5, "open", np.where(u < 0.98, "paid", "draft")),
                      np.where(u < 0.972, "paid", np.where(u < 0.982, "uncollectible", "void")))
    status = np.where(inv_kind == "trial", "paid", status)
    voided = np.flatnonzero(status == "void")
    reissue_of = np.concatenate([np.arange(n_inv), voided])
    reissue_date = np.concatenate([inv_date, np.minimum(inv_date[voided] + rng.integers(1, 6, len(voided)) * DAY, shared.WINDOW_END)])
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
    paid_on = np.minimum(inv_date + rng.integers(3, 30, n_inv) * DAY, shared.WINDOW_END)
    resync &= paid_on > inv_date  # a re-sync is a later load: paid on the day of the extract, loaded paid once
    inv_rows = np.concatenate([np.arange(n_inv), np.flatnonzero(resync)])
    inv_status = np.concatenate([np.where(resync, "open", status), status[resync]])
    # an invoice still open at the end is re-synced every night (dunning updates it), its lines with it
    still_open = np.isin(status, ["open", "draft"])
    inv_loaded = np.concatenate([np.where(still_open, shared.EXTRACT_AT, _loaded_on(inv_date)), _loaded_on(paid_on[resync])])
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
        "price_id": pa.array(np.where(ln["price"] < 0, "", price_ids[np.maximum(ln["price"], 0)]), mask=ln["price"] < 0),
        "line_type": ln["type"],
        "description": ln["desc"],
        "quantity": ln["qty"].astype(np.int64),
        "amount": decimal_array(ln["amount"]),
        "discount_amount": decimal_array(ln["discount"]),
        "period_start": pa.array(ln["start"], mask=np.isnat(ln["start"]), type=pa.date32()) if n_ln else pa.array([], pa.date32()),
        "period_end": pa.array(ln["end"], mask=np.isnat(ln["end"]), type=pa.date32()) if n_ln else pa.array([], pa.date32()),
        "is_proration": ln["proration"].astype(bool),
        "_loaded_at": np.where(still_open[ln["inv"]], shared.EXTRACT_AT, _loaded_on(inv_date[ln["inv"]])),
    }

    # -- refunds on a few paid invoices with money on them
    cand = np.flatnonzero(paid & (total > 0) & (inv_date < shared.WINDOW_END - 50 * DAY))
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
    ongoing = sp["end"] > shared.WINDOW_END
    in_trial = sp["trial"] & (sp["paid_start"] > shared.WINDOW_END)
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
        "_loaded_at": np.where(ongoing, shared.EXTRACT_AT, _loaded_on(sp["end"])),
    }

    # -- products and prices: the catalogue is small and exported whole with every extract (as a daily
    # full sync lands it), so it is as fresh as the extract
    product_table: Columns = {
        "id": np.array(products + [ONBOARDING[0]]),
        "name": np.array([PLANS[p][1] for p in PLANS] + [ADDON[2], ONBOARDING[2]]),
        "_loaded_at": np.full(len(products) + 1, shared.EXTRACT_AT),
    }
    once = np.arange(len(price_ids)) >= once_row0
    prices: Columns = {
        "id": price_ids,
        "product_id": np.concatenate([np.array(products)[grid_p], np.full(len(CURRENCIES), ONBOARDING[0])]),
        "currency_code": np.concatenate([np.array(CURRENCIES)[grid_c], CURRENCIES]),
        "unit_amount": decimal_array(cents(price_amount)),
        "billing_interval": pa.array(np.concatenate([np.array([INTERVALS[k][0] for k in interval_keys])[grid_i],
                                                     np.full(len(CURRENCIES), "")]), mask=once),
        "interval_count": pa.array(np.concatenate([np.array([INTERVALS[k][1] for k in interval_keys])[grid_i],
                                                   np.zeros(len(CURRENCIES), int)]).astype(np.int64), mask=once),
        "_loaded_at": np.full(len(price_ids), shared.EXTRACT_AT),
    }

    # MRR (USD) per spell at start, for opportunity amounts and GL hosting
    monthly_usd_per_seat = np.array([PLANS[p][0] for p in plan]) * np.where(interval == "y1", 10 / 12, 1.0) * (1 - discount_pct)
    facts = dict(
        n=n, acq=acq, segment=segment, currency=currency, seats=seats, first_spell_start=acq, engagement=engagement,
        trial=trial, sp=sp, change=change, change_at=change_at, q0=q0, q1=q1, expand=expand,
        change_sp=c_sp, change_date=change_date, monthly_usd_per_seat=monthly_usd_per_seat,
        sub_ids=sub_ids, prev_end=prev_end, is_active=np.isin(np.arange(n), sp["cust"][ongoing & (sp["start"] <= shared.WINDOW_END)]),
    )
    tables = {
        "raw_billing.product": product_table, "raw_billing.price": prices, "raw_billing.subscription": subscriptions,
        "raw_billing.invoice": invoices, "raw_billing.invoice_line_item": line_items, "raw_billing.refund": refunds,
    }
    return tables, facts
def _local_factor(currencies: np.ndarray) -> np.ndarray:
    return np.select([currencies == "EUR", currencies == "GBP"], [LOCAL_PRICE_FACTOR["EUR"], LOCAL_PRICE_FACTOR["GBP"]], 1.0)
