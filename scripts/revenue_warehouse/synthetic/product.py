"""Product usage (raw_product.feature_usage): one row per account, feature and day with use, over the last two
years (the company started tracking usage then, mid-month). Each customer's engagement (billing's latent, which
also sets its churn hazard) decides how many features it uses, how often and by how many of its seats, so
customers who adopt less churn more, as in the data of a real product."""

from __future__ import annotations

import numpy as np

from revenue_warehouse.synthetic import shared
from revenue_warehouse.synthetic.arrays import DAY, ids
from revenue_warehouse.synthetic.shared import Columns, _loaded_on, _rng

#: feature_key -> (is core, base log-odds of use in a month); seeds/product_features.csv lists the same keys
FEATURES = {
    "dashboards": (True, 2.2), "reports": (True, 0.9), "integrations": (True, 0.1), "workflows": (True, -0.4),
    "alerts": (True, 0.4), "api": (False, -0.8), "mobile_app": (False, -1.0), "exports": (False, 0.0),
}
TRACKING_DAYS = 730  # usage is tracked from about two years before the end date


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _product(seed: int, billing: dict) -> dict[str, Columns]:
    rng = _rng(seed, 8)
    sp, z, seats = billing["sp"], billing["engagement"], billing["seats"]
    tracking_start = shared.WINDOW_END - TRACKING_DAYS * DAY
    keys = np.array(list(FEATURES))
    base = np.array([v[1] for v in FEATURES.values()])
    parts = []
    for month in np.arange(tracking_start.astype("datetime64[M]"), shared.WINDOW_END.astype("datetime64[M]") + 1):
        first_day = month.astype("datetime64[D]")
        next_first = (month + 1).astype("datetime64[D]")
        lo = np.maximum(np.maximum(sp["paid_start"], first_day), tracking_start)
        hi = np.minimum(np.minimum(sp["end"], next_first), shared.WINDOW_END + DAY)  # exclusive
        spell = np.flatnonzero(hi > lo)
        if not len(spell):
            continue
        cust = sp["cust"][spell]
        tenure = ((first_day - sp["paid_start"][spell]) // DAY).astype(float) / 30
        ramp = np.minimum(tenure, 3) * 0.35 - 0.7  # new customers use fewer features while they onboard
        odds = base[None, :] + 1.4 * z[cust][:, None] + ramp[:, None]
        used = rng.random(odds.shape) < _sigmoid(odds)
        s_idx, f_idx = np.nonzero(used)
        span = ((hi - lo) // DAY)[spell][s_idx]
        days_used = 1 + rng.binomial(span - 1, np.clip(0.06 + 0.1 * _sigmoid(z[cust[s_idx]]), 0, 1))
        owner = np.repeat(np.arange(len(s_idx)), days_used)
        day = lo[spell][s_idx][owner] + (rng.random(len(owner)) * span[owner]).astype(int) * DAY
        # one row per account x feature x day: draws of the same day collapse
        key = (owner.astype(np.int64) << 6) + ((day - first_day) // DAY).astype(np.int64)
        _, first = np.unique(key, return_index=True)
        owner, day = owner[first], day[first]
        who = cust[s_idx][owner]
        share = np.where(f_idx[owner] < 5, 0.12, 0.05) + 0.3 * _sigmoid(z[who])
        users = np.maximum(1, rng.binomial(seats[who], np.clip(share, 0, 1)))
        events = users * (1 + rng.poisson(3, len(users)))
        parts.append((who, keys[f_idx[owner]], day, users, events))
    who = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[2] for p in parts])
    return {"raw_product.feature_usage": {
        "account_id": ids("ACC-", who + 1, 6),
        "feature_key": np.concatenate([p[1] for p in parts]),
        "usage_date": day,
        "events": np.concatenate([p[4] for p in parts]).astype(np.int64),
        "active_users": np.concatenate([p[3] for p in parts]).astype(np.int64),
        "_loaded_at": _loaded_on(day),
    }}
