"""The ``warehouse`` command line: thin wrappers around the pipeline's verbs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from scripts.common import PROJECT_ROOT, WarehouseError, warehouse_path


def _step(label: str) -> float:
    print(f"==> {label}", flush=True)
    return time.perf_counter()


def _done(started: float, detail: str = "") -> None:
    print(f"    done in {time.perf_counter() - started:.1f}s{(': ' + detail) if detail else ''}", flush=True)


def cmd_generate(args: argparse.Namespace) -> None:
    from scripts.generate import generate

    started = _step(f"generating scale {args.scale} (seed {args.seed}) into {args.out}")
    manifest = generate(Path(args.out), args.scale, args.seed, args.format, args.bad_rows_rate)
    rate = manifest["total_rows"] / max(manifest["seconds"], 1e-9)
    _done(started, f"{manifest['total_rows']:,} rows in {len(manifest['rows'])} tables ({rate:,.0f} rows/s), "
                   f"{len(manifest['injected'])} bad rows injected")


def cmd_load(args: argparse.Namespace) -> None:
    from scripts.load import load

    db = warehouse_path()
    started = _step(f"loading {args.source} into {db}{' (append)' if args.append else ''}")
    results = load(Path(args.source), db, append=args.append)
    for result in results:
        origin = result.path.name if result.path else "no file: empty table kept/created"
        print(f"    {result.table:<34} {result.rows:>10,}  {origin}")
    _done(started, f"{sum(r.rows for r in results):,} rows")


def cmd_build(args: argparse.Namespace) -> None:
    from scripts.build import build

    started = _step(f"dbt build on {warehouse_path()}")
    build(warehouse_path(), args.vars, args.dbt_args)
    _done(started)


def cmd_demo(args: argparse.Namespace) -> None:
    from scripts.build import build
    from scripts.generate import DEFAULT_BAD_ROWS_RATE
    from scripts.load import load

    raw = PROJECT_ROOT / "data" / "raw"
    cmd_generate(argparse.Namespace(scale=args.scale, seed=args.seed, out=raw, format="parquet", bad_rows_rate=DEFAULT_BAD_ROWS_RATE))
    db = warehouse_path()
    started = _step(f"loading {raw} into {db}")
    results = load(raw, db)
    _done(started, f"{sum(r.rows for r in results):,} rows")
    started = _step("dbt build")
    build(db)
    _done(started)
    print(f"\nWarehouse ready: {db}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warehouse", description="Revenue analytics warehouse pipeline.")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a deterministic synthetic company as raw files")
    g.add_argument("--scale", type=float, default=1.0, help="1 = ~$20M ARR, ~2,000 customers (default 1)")
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--out", required=True, help="output folder (DIR/<schema>/<table>.<format>)")
    g.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    g.add_argument("--bad-rows-rate", type=float, default=0.004, help="share of rows corrupted per table (0 = clean)")
    g.set_defaults(func=cmd_generate)

    ld = sub.add_parser("load", help="load DIR/<schema>/<table>.parquet|csv into the raw schemas")
    ld.add_argument("--from", dest="source", required=True)
    ld.add_argument("--append", action="store_true", help="add the rows as a delta instead of replacing tables")
    ld.set_defaults(func=cmd_load)

    b = sub.add_parser("build", help="dbt build (extra dbt arguments after --)")
    b.add_argument("--vars", help="dbt vars as YAML, e.g. '{as_of_date: \"2025-12-31\"}'")
    b.add_argument("dbt_args", nargs=argparse.REMAINDER, help="-- then extra dbt arguments")
    b.set_defaults(func=cmd_build)

    d = sub.add_parser("demo", help="generate scale 1 -> load -> build")
    d.add_argument("--scale", type=float, default=1.0)
    d.add_argument("--seed", type=int, default=42)
    d.set_defaults(func=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "dbt_args", None) and args.dbt_args[0] == "--":
        args.dbt_args = args.dbt_args[1:]
    try:
        args.func(args)
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
