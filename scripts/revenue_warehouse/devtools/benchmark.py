"""``warehouse benchmark`` (``make bench``): build time, peak memory and row counts at several data scales.

For each scale, in a folder of its own (``build/bench/scale-<s>/``, never the demo's or CI's files):

1. **generate** the synthetic company (cached: reused while the scale, seed and generator code are the
   same), then split it by load day: everything loaded before the last day is the *initial* load, the
   rows loaded on the last day are the *delta* (a real nightly sync: new invoices and lines, opportunity
   history, GL postings, re-synced records). Tables loaded in full at the extract (users, prices) stay
   whole in the initial load.
2. **load** the initial files into a new DuckDB file;
3. **full_build**: ``dbt build --full-refresh --exclude-resource-type unit_test`` (seeds, every model,
   every data test);
4. **append** the delta (``warehouse load --append``);
5. **daily_build**: the same ``dbt build`` after the append, the daily run (a full rebuild from raw:
   the project keeps no incremental state);
6. **unit_tests**: ``dbt test --select test_type:unit`` (they check code, not data: CI runs them, the
   scheduled builds leave them out, as dbt advises), timed on their own;
7. **sql_floor**: every model's compiled SQL (from the full build's manifest) run directly on DuckDB in
   dependency order, in a copy of the built file, without dbt: what the build's SQL costs by itself, so
   ``full_build / sql_floor`` is dbt's own overhead (parsing, compiling, contracts, hooks, tests);
8. **floor**: one DuckDB query that reads every raw table once and aggregates invoice lines by customer
   and month, the least any build of these tables could cost; ``full_build / floor`` is reported.

Every step runs as its own process; its wall time and peak resident memory (``wait4``'s ``ru_maxrss``)
are appended with the row counts, the machine's cores and memory and the profile's DuckDB settings to
``benchmarks/results.csv``; the slowest dbt nodes of each build (from ``run_results.json``) go to
``benchmarks/timings.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from revenue_warehouse.pipeline.build import dbt_command
from revenue_warehouse.config import PROJECT_ROOT, WarehouseError, raw_contract
from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH
from revenue_warehouse.sql import literal, qualified

BENCH_ROOT = PROJECT_ROOT / "build" / "bench"
RESULTS = PROJECT_ROOT / "benchmarks" / "results.csv"
TIMINGS = PROJECT_ROOT / "benchmarks" / "timings.csv"
RESULT_FIELDS = ("run_id", "commit", "scale", "step", "seconds", "peak_rss_mb", "rows", "detail",
                 "cores", "memory_gb", "threads", "memory_limit")
TIMING_FIELDS = ("run_id", "scale", "step", "node", "resource_type", "seconds")
SEED = 42


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float


#: Runs the measured command as its grandchild: a forked child's peak RSS starts at its parent's size, so
#: the command is started from this small process (~10 MB) and its own ``ru_maxrss`` is written to argv[1].
_RUNNER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(args: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> Measured:
    """Run one command; its wall time and peak RSS (KiB from wait4). Fails on a non-zero exit, with the log's tail."""
    with tempfile.NamedTemporaryFile(mode="r", suffix=".maxrss") as rss_file:
        started = time.perf_counter()
        with open(log, "w") if log else open(os.devnull, "w") as out:
            code = subprocess.call([sys.executable, "-S", "-c", _RUNNER, rss_file.name, *args], cwd=PROJECT_ROOT,
                                   env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - started
        peak_kib = int(rss_file.read() or 0)
    if code != 0:
        tail = log.read_text().splitlines()[-15:] if log else []
        raise WarehouseError(f"{' '.join(args[:3])} failed (exit {code}); log {log}:\n" + "\n".join(tail))
    return Measured(seconds, peak_kib / 1024)


def machine() -> dict[str, str]:
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:"))
    return {
        "cores": str(os.cpu_count()),
        "memory_gb": f"{mem_kib / 1024 ** 2:.1f}",
        "threads": os.environ.get("DBT_THREADS", "2"),
        "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "3GB"),
    }


def _generator_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((PROJECT_ROOT / "scripts" / "revenue_warehouse" / "synthetic").glob("*.py")):
        digest.update(path.read_bytes())
    digest.update((PROJECT_ROOT / "scripts" / "revenue_warehouse" / "config.py").read_bytes())
    return digest.hexdigest()[:16]


def _scale_dir(scale: float) -> Path:
    return BENCH_ROOT / f"scale-{scale:g}"


def _python() -> str:
    return sys.executable


def generate_cached(scale: float, logs: Path) -> tuple[Measured | None, int]:
    """Generate scale's data and split it into initial/ and delta/ unless the cache is current."""
    root = _scale_dir(scale)
    key = f"scale={scale:g} seed={SEED} generator={_generator_fingerprint()}"
    stamp = root / "cache-key.txt"
    if stamp.exists() and stamp.read_text() == key and (root / "delta").is_dir():
        manifest = json.loads((root / "full" / "_generation.json").read_text())
        return None, manifest["total_rows"]
    for stale in ("full", "initial", "delta"):
        shutil.rmtree(root / stale, ignore_errors=True)
    logs.mkdir(parents=True, exist_ok=True)
    measured = measure([_python(), "-m", "revenue_warehouse.cli", "generate", "--scale", f"{scale:g}", "--seed", str(SEED),
                        "--end-month", FIXTURE_END_MONTH,
                        "--out", str(root / "full")], log=logs / "generate.log")
    split(root / "full", root / "initial", root / "delta")
    stamp.write_text(key)
    return measured, json.loads((root / "full" / "_generation.json").read_text())["total_rows"]


def split(full: Path, initial: Path, delta: Path) -> dict[str, int]:
    """Rows loaded on the last load day go to delta/ (per table, unless the whole table was loaded then)."""
    import duckdb

    con = duckdb.connect()
    last_day = con.execute(
        "select max(cast(_loaded_at as date)) from read_parquet(?)", [str(full / "raw_billing" / "invoice.parquet")]
    ).fetchone()[0]
    counts: dict[str, int] = {}
    for path in sorted(full.glob("raw_*/*.parquet")):
        rel = path.relative_to(full)
        for folder in (initial, delta):
            (folder / rel.parent).mkdir(parents=True, exist_ok=True)
        source = f"read_parquet({literal(path)})"
        first_day = con.execute(f"select min(cast(_loaded_at as date)) from {source}").fetchone()[0]
        if first_day is None or first_day >= last_day:
            shutil.copyfile(path, initial / rel)
            continue
        is_delta = f"cast(_loaded_at as date) >= date {literal(last_day)}"
        con.execute(f"copy (select * from {source} where not ({is_delta}) or _loaded_at is null) "
                    f"to {literal(initial / rel)} (format parquet)")
        counts[str(rel)] = con.execute(f"select count(*) from {source} where {is_delta}").fetchone()[0]
        if counts[str(rel)]:
            con.execute(f"copy (select * from {source} where {is_delta}) to {literal(delta / rel)} (format parquet)")
    con.close()
    return counts


def floor_sql() -> str:
    """Read every raw table once; aggregate invoice lines (joined to their invoice) by customer and month."""
    counts = "\n    union all\n    ".join(
        f"select '{t.qualified}' as raw_table, count(*) as row_count from {t.qualified}"
        for t in raw_contract().values()
        if t.qualified not in ("raw_billing.invoice", "raw_billing.invoice_line_item")
    )
    return f"""
with lines as (
    select
        invoice.customer_id,
        date_trunc('month', try_cast(line.period_start as date)) as month,
        sum(try_cast(line.amount as decimal(18, 2))) as amount,
        count(*) as line_count
    from raw_billing.invoice_line_item as line
    inner join raw_billing.invoice as invoice on line.invoice_id = invoice.id
    group by all
),
other_tables as (
    {counts}
)
select
    (select count(*) from lines) as customer_months,
    (select sum(line_count) from lines) as lines,
    (select sum(row_count) from other_tables) as other_rows
"""


def _dbt(command: list[str], db: Path, target_path: Path, log: Path) -> Measured:
    return measure(dbt_command(command, extra=["--target-path", str(target_path)]), env={"WAREHOUSE_PATH": str(db), "DBT_TARGET": "duckdb"}, log=log)


def _table_rows(db: Path, schemas: tuple[str, ...]) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        names = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_type = 'BASE TABLE' and table_schema in ({', '.join('?' for _ in schemas)})",
            list(schemas),
        ).fetchall()
        return sum(con.execute(f"select count(*) from {qualified(s, t)}").fetchone()[0] for s, t in names)
    finally:
        con.close()


def _slowest(target_path: Path, limit: int = 12) -> tuple[list[tuple[str, str, float]], dict[str, float]]:
    """The slowest nodes of the last dbt run, and seconds per kind (model layer / test / seed)."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    nodes = []
    for r in results:
        unique_id = r["unique_id"]
        kind = unique_id.split(".")[0]
        nodes.append((unique_id.split(".")[-1] if kind == "model" else unique_id.split(".")[2], kind,
                      float(r["execution_time"])))
    by_kind: dict[str, float] = {}
    for name, kind, seconds in nodes:
        if kind == "model":
            kind = "model:" + (name.split("_")[0])
        by_kind[kind] = by_kind.get(kind, 0.0) + seconds
    return sorted(nodes, key=lambda n: -n[2])[:limit], by_kind


def models_in_order(manifest: dict) -> list[dict]:
    """The project's models (not seeds, tests or other packages'), parents before children."""
    models = {uid: node for uid, node in manifest["nodes"].items()
              if node["resource_type"] == "model" and node["package_name"] == manifest["metadata"].get("project_name",
                                                                                                        node["package_name"])
              and node.get("config", {}).get("materialized") != "ephemeral"}
    ordered: list[dict] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in models:
            return
        seen.add(uid)
        for parent in models[uid]["depends_on"]["nodes"]:
            visit(parent)
        ordered.append(models[uid])

    for uid in sorted(models):
        visit(uid)
    return ordered


SQL_FLOOR = """
import duckdb, json, sys, time
from revenue_warehouse.devtools.benchmark import models_in_order
manifest = json.load(open(sys.argv[2]))
con = duckdb.connect(sys.argv[1])
for node in models_in_order(manifest):
    kind = "view" if node["config"]["materialized"] == "view" else "table"
    name = f'"{node["schema"]}"."{node["alias"]}"'
    found = con.execute("select table_type from information_schema.tables where table_schema = ? and table_name = ?",
                        [node["schema"], node["alias"]]).fetchone()
    if found:
        con.execute(f"drop {'view' if found[0] == 'VIEW' else 'table'} {name}")
    con.execute(f"create {kind} {name} as {node['compiled_code']}")
con.close()
"""


def _append_rows(path: Path, fields: tuple[str, ...], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        if new:
            writer.writeheader()
        writer.writerows(rows)


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def bench_scale(scale: float, run_id: str, commit: str) -> list[dict]:
    root = _scale_dir(scale)
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    host = machine()

    def record(step: str, m: Measured | None, count: int, detail: str = "") -> None:
        row = {"run_id": run_id, "commit": commit, "scale": f"{scale:g}", "step": step,
               "seconds": f"{m.seconds:.2f}" if m else "", "peak_rss_mb": f"{m.peak_rss_mb:.0f}" if m else "",
               "rows": count, "detail": detail, **host}
        rows.append(row)
        shown = f"{m.seconds:8.1f}s {m.peak_rss_mb:8.0f} MB" if m else "  (cached)"
        print(f"  scale {scale:<5g} {step:<18} {shown} {count:>12,} rows  {detail}", flush=True)

    generated, total = generate_cached(scale, logs)
    record("generate", generated, total, "cached" if generated is None else "")

    db = root / "warehouse.duckdb"
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    target = root / "target"
    env = {"WAREHOUSE_PATH": str(db)}
    loaded = measure([_python(), "-m", "revenue_warehouse.cli", "load", "--from", str(root / "initial")], env=env,
                     log=logs / "load.log")
    raw_schemas = tuple(sorted({t.schema for t in raw_contract().values()}))
    initial_rows = _table_rows(db, raw_schemas)
    record("load", loaded, initial_rows)

    built_schemas = ("staging", "intermediate", "marts", "audit")
    # production runs: unit tests check the code, not the data (CI runs them; dbt advises leaving them out
    # of scheduled builds), so both builds exclude them and the unit_tests step times them on their own
    full = _dbt(["build", "--full-refresh", "--exclude-resource-type", "unit_test"], db, target,
                logs / "full_build.log")
    slow_full, kinds_full = _slowest(target)
    record("full_build", full, _table_rows(db, built_schemas), _kinds(kinds_full))

    appended = measure([_python(), "-m", "revenue_warehouse.cli", "load", "--append", "--from", str(root / "delta")],
                       env=env, log=logs / "append.log")
    raw_rows = _table_rows(db, raw_schemas)
    record("append", appended, raw_rows - initial_rows)

    daily = _dbt(["build", "--exclude-resource-type", "unit_test"], db, target, logs / "daily_build.log")
    built_manifest = logs / "manifest_of_build.json"  # compiled SQL of every model, for the sql_floor step
    shutil.copy(target / "manifest.json", built_manifest)
    slow_inc, kinds_inc = _slowest(target)
    record("daily_build", daily, _table_rows(db, built_schemas),
           f"{daily.seconds / full.seconds:.1%} of full; " + _kinds(kinds_inc))

    unit = _dbt(["test", "--select", "test_type:unit"], db, target, logs / "unit_tests.log")
    unit_count = len(json.loads((target / "run_results.json").read_text())["results"])
    record("unit_tests", unit, 0, f"{unit_count} unit tests")

    # the build's own SQL without dbt, on a copy of the built file (same name: compiled SQL names its catalog)
    floor_copy = root / "sql-floor" / db.name
    floor_copy.parent.mkdir(exist_ok=True)
    shutil.copy(db, floor_copy)
    sql_floor = measure([_python(), "-c", SQL_FLOOR, str(floor_copy), str(built_manifest)],
                        log=logs / "sql_floor.log")
    shutil.rmtree(floor_copy.parent)
    record("sql_floor", sql_floor, 0, f"full_build/sql_floor = {full.seconds / sql_floor.seconds:.1f} "
                                      f"(dbt's own share {1 - sql_floor.seconds / full.seconds:.0%})")

    floor_log = logs / "floor.log"
    floor = measure([_python(), "-c", "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
                     "print(con.execute(sys.argv[2]).fetchone())", str(db), floor_sql()], log=floor_log)
    record("floor", floor, raw_rows, f"full_build/floor = {full.seconds / floor.seconds:.1f}")

    _append_rows(TIMINGS, TIMING_FIELDS, [
        {"run_id": run_id, "scale": f"{scale:g}", "step": step, "node": name, "resource_type": kind,
         "seconds": f"{seconds:.2f}"}
        for step, slow in (("full_build", slow_full), ("daily_build", slow_inc))
        for name, kind, seconds in slow
    ])
    return rows


def _kinds(by_kind: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.0f}s" for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1]))


def benchmark(scales: list[float]) -> list[dict]:
    run_id = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    commit = _commit()
    info = machine()
    print(f"benchmark {run_id} at {commit}: {info['cores']} cores, {info['memory_gb']} GB; DuckDB threads "
          f"{info['threads']}, memory_limit {info['memory_limit']}", flush=True)
    rows: list[dict] = []
    for scale in scales:
        scale_rows = bench_scale(scale, run_id, commit)
        _append_rows(RESULTS, RESULT_FIELDS, scale_rows)
        rows += scale_rows
    full = {r["scale"]: float(r["seconds"]) for r in rows if r["step"] == "full_build"}
    if "10" in full and "100" in full:
        print(f"  time(scale 100) / time(scale 10) = {full['100'] / full['10']:.1f}")
    print(f"results appended to {RESULTS.relative_to(PROJECT_ROOT)} and {TIMINGS.relative_to(PROJECT_ROOT)}")
    return rows
