"""Customer success: onboardings (open projects re-synced every night), NPS survey answers (a rolling
quarterly survey) and CSAT ratings (1-5, asked after support tickets)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from revenue_warehouse.synthetic.arrays import DAY, at_time, ids
from revenue_warehouse.synthetic import shared
from revenue_warehouse.synthetic.shared import Columns, _loaded_on, _rng


def _cs(seed: int, billing: dict) -> dict[str, Columns]:
    rng = _rng(seed, 6)
    sp = billing["sp"]
    first = np.flatnonzero(sp["no"] == 0)
    cust = sp["cust"][first]
    seg = billing["segment"][cust]
    onboarded = rng.random(len(first)) < np.where(seg == "smb", 0.3, 0.92)
    first, cust, seg = first[onboarded], cust[onboarded], seg[onboarded]
    started = sp["paid_start"][first] + rng.integers(0, 8, len(first)) * DAY
    duration = rng.integers(np.select([seg == "smb", seg == "mid_market"], [10, 20], 45), np.select([seg == "smb", seg == "mid_market"], [40, 75], 150))
    live = started + duration * DAY
    abandoned = rng.random(len(first)) < 0.07
    done = ~abandoned & (live <= shared.WINDOW_END)
    keep = started <= shared.WINDOW_END
    status = np.where(abandoned, "abandoned", np.where(done, "completed", "in_progress"))
    acct = ids("ACC-", cust + 1, 6)
    onboarding: Columns = {
        "id": ids("ONB-", np.arange(1, keep.sum() + 1), 6),
        "account_id": acct[keep],
        "started_on": started[keep],
        "go_live_on": pa.array(live[keep], mask=~done[keep], type=pa.date32()),
        "status": status[keep],
        "_loaded_at": np.where((status == "in_progress")[keep], shared.EXTRACT_AT,
                               _loaded_on(np.where(done, live, np.minimum(started + duration // 2 * DAY, shared.WINDOW_END))[keep])),
    }
    # a rolling relationship survey: every paying customer is asked once a quarter, on its own day of the
    # quarter, so answers arrive every week of the year; a quarter of those asked answer within 4 days
    ask_offset = rng.integers(0, 90, len(billing["segment"]))
    answers = []
    for quarter in np.arange(shared.WINDOW_START.astype("datetime64[M]"), shared.WINDOW_END.astype("datetime64[M]") + 1, 3):
        first_day = quarter.astype("datetime64[D]")
        quarter_days = ((quarter + 3).astype("datetime64[D]") - first_day) // DAY
        asked_on = first_day + ask_offset[sp["cust"]] % quarter_days * DAY
        active = (sp["paid_start"] <= asked_on) & (sp["end"] > asked_on)
        spell = np.flatnonzero(active & (rng.random(len(active)) < 0.25))
        answered_on = asked_on[spell] + rng.integers(0, 4, len(spell)) * DAY
        spell = spell[answered_on <= shared.WINDOW_END]
        answered_on = answered_on[answered_on <= shared.WINDOW_END]
        who = sp["cust"][spell]
        seg = billing["segment"][who]
        months_in = (answered_on.astype("datetime64[M]") - shared.WINDOW_START.astype("datetime64[M]")).astype(int)
        promoter_bias = np.where(seg == "enterprise", 0.5, 0.0) + months_in / 100  # the product gets better
        score = np.clip(np.round(rng.normal(7.6 + promoter_bias, 2.0)), 0, 10).astype(np.int64)
        answers.append((who, at_time(answered_on, rng), score))
    who = np.concatenate([a[0] for a in answers])
    when = np.concatenate([a[1] for a in answers])
    score = np.concatenate([a[2] for a in answers])
    nps: Columns = {
        "id": ids("NPS-", np.arange(1, len(who) + 1), 7),
        "account_id": ids("ACC-", who + 1, 6),
        "responded_at": when,
        "score": score,
        "_loaded_at": _loaded_on(when.astype("datetime64[D]")),
    }
    return {"raw_cs.onboarding": onboarding, "raw_cs.nps_response": nps, "raw_cs.csat_response": _csat(rng, billing)}


def _csat(rng: np.random.Generator, billing: dict) -> Columns:
    """Ratings after support tickets: paying customers open tickets every month (larger ones more), about a
    third of tickets are rated; four in five ratings are 4-5, a little more as the product improves."""
    sp = billing["sp"]
    rows = []
    for month in np.arange(shared.WINDOW_START.astype("datetime64[M]"), shared.WINDOW_END.astype("datetime64[M]") + 1):
        first_day = month.astype("datetime64[D]")
        days = ((month + 1).astype("datetime64[D]") - first_day) // DAY
        active = np.flatnonzero((sp["paid_start"] < first_day + days * DAY) & (sp["end"] > first_day))
        seg = billing["segment"][sp["cust"][active]]
        rated = rng.poisson(np.select([seg == "smb", seg == "mid_market"], [0.25, 0.6], 1.2))
        spell = np.repeat(active, rated)
        when = first_day + rng.integers(0, days, len(spell)) * DAY
        keep = (when <= shared.WINDOW_END) & (when >= sp["paid_start"][spell])
        spell, when = spell[keep], when[keep]
        months_in = int((month - shared.WINDOW_START.astype("datetime64[M]")).astype(int))
        satisfied = rng.random(len(spell)) < min(0.74 + months_in / 600, 0.9)
        score = np.where(satisfied, rng.integers(4, 6, len(spell)), rng.integers(1, 4, len(spell)))
        rows.append((sp["cust"][spell], at_time(when, rng), score))
    who = np.concatenate([r[0] for r in rows])
    when = np.concatenate([r[1] for r in rows])
    score = np.concatenate([r[2] for r in rows]).astype(np.int64)
    n = len(who)
    on_ticket = rng.random(n) < 0.85
    return {
        "id": ids("CSAT-", np.arange(1, n + 1), 7),
        "account_id": ids("ACC-", who + 1, 6),
        "responded_at": when,
        "score": score,
        "ticket_id": pa.array(ids("TCK-", np.arange(1, n + 1), 7), mask=~on_ticket),
        "context": np.where(on_ticket, "ticket", "onboarding_session"),
        "_loaded_at": _loaded_on(when.astype("datetime64[D]")),
    }
