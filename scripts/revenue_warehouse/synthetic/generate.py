"""``warehouse generate``: a deterministic synthetic B2B SaaS company, written in the raw-contract layout.

Scale 1 is a ~$20M-ARR company over four years (48 months ending on the end date, by default today, so
its last month is partial; the tests pin 2022-01 .. 2025-12): ~2,000 billing customers, ~250
employees at the end, ~30,000 leads, ~6,000 opportunities. Everything is drawn with numpy from
per-domain seeded generators and built column-wise (no Python loop per row), so the same seed gives
byte-identical files and scale 10 still takes seconds.

Realism, on purpose: growth with seasonality and quarter-end pushes; monthly, quarterly and annual plans
in USD/EUR/GBP; seat upgrades and downgrades billed as proration credit + charge lines; discounts; trials
billed at 0; churn and reactivation; void + re-issued invoices; refunds; open->paid invoice re-syncs;
CRM ids on billing customers that are missing, stale or only resolvable by email domain; a hiring spree
in the second year followed by a layoff (revenue per head dips, then recovers); part-timers, contractors, interns,
leaves, transfers between departments, rehires, salary changes, EUR/GBP salaries.

Bad input (``bad_rows_rate``) is injected after the clean data is built, one documented class at a time
(see ``BAD_ROW_CLASSES``); every injected row is listed in ``_generation.json`` with the reason staging
must give it, so tests can prove nothing is lost."""

from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from revenue_warehouse.config import DEFAULT_BAD_ROWS_RATE, WarehouseError, raw_contract
from revenue_warehouse.synthetic.bad_rows import (
    EXTRA_COLUMN_TABLES,
    RESYNC_TABLES,
    _as_table,
    _inject,
    _resync,
)
from revenue_warehouse.synthetic.billing import _billing
from revenue_warehouse.synthetic.crm import _crm
from revenue_warehouse.synthetic.cs import _cs
from revenue_warehouse.synthetic.finance import _fx_rates, _gl
from revenue_warehouse.synthetic.hr import _hr
from revenue_warehouse.synthetic import shared
from revenue_warehouse.synthetic.product import _product
from revenue_warehouse.synthetic.shared import Columns, _rng

__all__ = ["MANIFEST", "generate"]


MANIFEST = "_generation.json"
def _finish(out: Path, name: str, columns: Columns, fmt: str, rate: float, seed: int) -> tuple[str, int, list[dict]]:
    """Turn one table's columns into Arrow, add its bad input, write it (runs on a worker thread)."""
    contract = raw_contract()
    table = _as_table(columns, contract[name].columns)
    injected: list[dict] = []
    if rate > 0:
        rng = _rng(seed, 100 + sorted(contract).index(name))  # per table: the same whatever the order
        if name in RESYNC_TABLES:
            table = _resync(table, rng, rate)
        table, injected = _inject(table, name, rate, rng)
        if name in EXTRA_COLUMN_TABLES:
            table = table.append_column("legacy_note", pa.array(["exported by legacy sync"] * table.num_rows))
    schema, table_name = name.split(".")
    folder = out / schema
    folder.mkdir(exist_ok=True)
    for stale in folder.glob(f"{table_name}.*"):
        stale.unlink()
    path = folder / f"{table_name}.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
    else:
        pacsv.write_csv(table, path)
    return name, table.num_rows, injected
def generate(out: Path, scale: float = 1.0, seed: int = 42, fmt: str = "parquet",
             bad_rows_rate: float = DEFAULT_BAD_ROWS_RATE, end_month: str | None = None,
             layout: str = "contract", end_date: str | None = None) -> dict:
    """Write the synthetic company to ``out/<schema>/<table>.<fmt>``; return the manifest.

    Its 48 months of history end on ``end_date`` (YYYY-MM-DD) or on the last day of ``end_month``
    (YYYY-MM); default: today (``config.today()``), so a fresh demo is fresh and has nothing dated after
    today. The same seed, scale and end date always give the same files. ``layout="fivetran"`` writes
    the same company as the connectors land it (``out/<connector>/<table>``, synthetic/fivetran.py).
    """
    if layout not in ("contract", "fivetran"):
        raise WarehouseError(f"--layout must be contract or fivetran, got {layout!r}")
    if layout == "fivetran":
        import tempfile

        from revenue_warehouse.synthetic.fivetran import to_fivetran

        with tempfile.TemporaryDirectory(prefix="contract-", dir=out.parent if out.parent.exists() else None) as tmp:
            manifest = generate(Path(tmp), scale, seed, fmt, bad_rows_rate, end_month, end_date=end_date)
            for stale in out.glob("raw_*"):
                shutil.rmtree(stale)
            manifest["connector_rows"] = to_fivetran(Path(tmp), out, fmt)
        manifest["layout"] = "fivetran"
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, default=str) + "\n")
        return manifest
    if scale <= 0:
        raise WarehouseError(f"--scale must be > 0, got {scale}")
    if not 0 <= bad_rows_rate < 0.2:
        raise WarehouseError(f"--bad-rows-rate must be in [0, 0.2), got {bad_rows_rate}")
    if fmt not in ("parquet", "csv"):
        raise WarehouseError(f"--format must be parquet or csv, got {fmt!r}")
    end = shared.set_window(end_month, end_date)
    from revenue_warehouse.synthetic.fivetran import CONNECTORS

    for stale in CONNECTORS:  # a contract layout replaces an earlier fivetran one in the same folder
        shutil.rmtree(out / stale, ignore_errors=True)
    started = time.perf_counter()
    contract = raw_contract()
    out.mkdir(parents=True, exist_ok=True)
    futures = []
    # Each table is finished (Arrow conversion, bad input, Parquet/CSV encoding) on a worker thread as
    # soon as its domain is generated, while the next domain is computed: numpy and Arrow release the
    # GIL for most of that work, so both cores stay busy.
    with ThreadPoolExecutor(max_workers=2) as pool:

        def finish(tables: dict[str, Columns]) -> None:
            for name, columns in tables.items():
                futures.append(pool.submit(_finish, out, name, columns, fmt, bad_rows_rate, seed))

        fx_cols, fx = _fx_rates(seed)
        finish({"raw_finance.fx_rate": fx_cols})
        hr_tables, sellers = _hr(seed, scale, bad_rows_rate)
        finish(hr_tables)
        billing_tables, billing = _billing(seed, scale, fx)
        finish(billing_tables)
        finish(_crm(seed, scale, billing, sellers, fx))
        finish({"raw_finance.gl_entry": _gl(seed, scale, billing, fx)})
        finish(_cs(seed, billing))
        finish(_product(seed, billing))
        results = sorted(future.result() for future in futures)
    missing = sorted(set(contract) - {name for name, _, _ in results})
    if missing:
        raise WarehouseError(f"generator does not produce contract tables: {', '.join(missing)}")
    rows = {name: count for name, count, _ in results}
    injected = [row for _, _, table_rows in results for row in table_rows]
    manifest = {
        "scale": scale, "seed": seed, "format": fmt, "bad_rows_rate": bad_rows_rate, "end_month": end[:7], "end_date": end,
        "window": [str(shared.WINDOW_START), str(shared.WINDOW_END)], "rows": rows, "total_rows": sum(rows.values()),
        "injected": injected,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    manifest["seconds"] = time.perf_counter() - started
    return manifest
