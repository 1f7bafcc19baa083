"""Customer success: onboardings and NPS survey answers."""

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
        "_loaded_at": _loaded_on(np.where(done, live, np.minimum(started + duration // 2 * DAY, shared.WINDOW_END))[keep]),
    }
    # quarterly survey in the middle month of each quarter; a quarter of active accounts answer
    answers = []
    for survey in np.arange((shared.WINDOW_START.astype("datetime64[M]") + 1), shared.WINDOW_END.astype("datetime64[M]") + 1, 3):
        day = survey.astype("datetime64[D]") + 14
        active = (sp["paid_start"] <= day) & (sp["end"] > day)
        who = np.unique(sp["cust"][active])
        who = who[rng.random(len(who)) < 0.25]
        seg = billing["segment"][who]
        promoter_bias = np.where(seg == "enterprise", 0.5, 0.0) + (survey.astype(int) - 624) / 100
        score = np.clip(np.round(rng.normal(7.6 + promoter_bias, 2.0)), 0, 10).astype(np.int64)
        answers.append((who, at_time(day + rng.integers(-10, 12, len(who)) * DAY, rng), score))
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
