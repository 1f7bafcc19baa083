"""Customer success: onboardings (open projects re-synced every night) and NPS survey answers (a rolling
quarterly survey)."""

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
    return {"raw_cs.onboarding": onboarding, "raw_cs.nps_response": nps}
