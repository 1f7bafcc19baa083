"""The ``warehouse`` command line: thin wrappers around the pipeline's verbs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from revenue_warehouse.config import DEFAULT_BAD_ROWS_RATE, PROJECT_ROOT, WarehouseError, publish_path, warehouse_path


def _step(label: str) -> float:
    print(f"==> {label}", flush=True)
    return time.perf_counter()


def _done(started: float, detail: str = "") -> None:
    print(f"    done in {time.perf_counter() - started:.1f}s{(': ' + detail) if detail else ''}", flush=True)


def _record(command: str, message: str) -> None:
    """Log a run that reads the published marts in the build file's audit.run_log, when there is one."""
    from revenue_warehouse.pipeline.runs import Run

    if warehouse_path().exists():
        Run(command).record(warehouse_path(), "succeeded", message)


def cmd_generate(args: argparse.Namespace) -> None:
    from revenue_warehouse.synthetic.generate import generate

    started = _step(f"generating scale {args.scale} (seed {args.seed}) into {args.out}")
    manifest = generate(Path(args.out), args.scale, args.seed, args.format, args.bad_rows_rate)
    rate = manifest["total_rows"] / max(manifest["seconds"], 1e-9)
    _done(started, f"{manifest['total_rows']:,} rows in {len(manifest['rows'])} tables ({rate:,.0f} rows/s), "
                   f"{len(manifest['injected'])} bad rows injected")


def _print_loaded(results: list) -> None:
    for result in results:
        origin = result.path.name if result.path else "no file: empty table kept/created"
        print(f"    {result.table:<34} {result.rows:>10,}  {origin}")


def cmd_load(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.load import load
    from revenue_warehouse.pipeline.runs import Run

    if args.target != "duckdb":
        if args.append:
            raise WarehouseError(f"--append is DuckDB-only for now; load the full folder into {args.target}")
        if args.target == "postgres":
            from revenue_warehouse.engines.postgres import load_postgres, pg_env

            env = pg_env()
            started = _step(f"loading {args.source} into PostgreSQL {env['PGHOST']}:{env['PGPORT']}/{env['PGDATABASE']}")
            results = load_postgres(Path(args.source))
        else:
            from revenue_warehouse.engines.spark import load_spark, spark_home

            started = _step(f"loading {args.source} into Spark tables under {spark_home()}")
            results = load_spark(Path(args.source))
        _print_loaded(results)
        _done(started, f"{sum(r.rows for r in results):,} rows (now: dbt build --target {args.target})")
        return

    db = warehouse_path()
    run = Run("append" if args.append else "load")
    started = _step(f"loading {args.source} into {db}{' (append)' if args.append else ''}")
    results = load(Path(args.source), db, append=args.append)
    _print_loaded(results)
    run.record(db, "loaded", f"{sum(r.rows for r in results):,} rows from {args.source}")
    _done(started, f"{sum(r.rows for r in results):,} rows")


def cmd_build(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.build import build

    started = _step(f"dbt build on {warehouse_path()}, checks, publish to {publish_path()}")
    build(warehouse_path(), args.vars, args.dbt_args)
    _done(started)


def cmd_check(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.build import run_dbt
    from revenue_warehouse.pipeline.check import check_path, summary
    from revenue_warehouse.pipeline.runs import Run

    db = warehouse_path()
    if not db.exists():
        raise WarehouseError(f"{db}: warehouse file not found (run `warehouse demo` or `warehouse build` first)")
    run_dbt(["source", "freshness"], db, quiet=True)
    run = Run("check")
    results = check_path(db, run.run_id)
    print(summary(results))
    failed = [r for r in results if r.status == "fail"]
    run.record(db, "failed" if failed else "passed", f"{len(failed)} failed")
    if failed:
        raise WarehouseError(f"{len(failed)} error-severity check(s) failed: see audit.check_results in {db}")


def cmd_report(args: argparse.Namespace) -> None:
    from revenue_warehouse.outputs.report import write_report

    started = _step(f"report from {publish_path()}")
    path = write_report(publish_path(), Path(args.out))
    _record("report", f"wrote {path}")
    _done(started, str(path))


def cmd_export(args: argparse.Namespace) -> None:
    from revenue_warehouse.outputs.export import export

    started = _step(f"exporting the published marts to {args.out} ({args.format})")
    rows = export(publish_path(), Path(args.out), args.format)
    for table, count in rows.items():
        print(f"    {table:<28} {count:>10,}")
    _record("export", f"{len(rows)} marts to {args.out}")
    _done(started, f"{len(rows)} files")


def cmd_status(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.runs import status

    print(status(warehouse_path(), publish_path()))


def cmd_demo(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.build import build
    from revenue_warehouse.pipeline.load import load

    raw = PROJECT_ROOT / "data" / "raw"
    cmd_generate(argparse.Namespace(scale=args.scale, seed=args.seed, out=raw, format="parquet", bad_rows_rate=DEFAULT_BAD_ROWS_RATE))
    db = warehouse_path()
    started = _step(f"loading {raw} into {db}")
    results = load(raw, db)
    _done(started, f"{sum(r.rows for r in results):,} rows")
    started = _step("dbt build, checks, publish")
    build(db)
    _done(started)
    from revenue_warehouse.outputs.report import write_report

    report = write_report(publish_path(), PROJECT_ROOT / "reports")
    print(demo_summary(db, publish_path()))
    print(f"KPI report (open in a browser, works offline): {report}")


def cmd_benchmark(args: argparse.Namespace) -> None:
    from revenue_warehouse.devtools.benchmark import benchmark

    try:
        scales = [float(s) for s in args.scales.split(",") if s.strip()]
    except ValueError:
        raise WarehouseError(f"--scales must be numbers separated by commas, got {args.scales!r}") from None
    if not scales or any(s <= 0 for s in scales):
        raise WarehouseError(f"--scales must be positive numbers, got {args.scales!r}")
    benchmark(scales)


SUMMARY_KPIS = ("revenue_per_head_ttm_usd", "arr_usd", "avg_fte", "nrr", "gross_margin", "ltv_to_cac",
                "cac_payback_months", "rule_of_40")
WHY_NULL = {"hidden": "hidden (privacy: a group below min_group_size)", "partial_window": "not enough history yet",
            "immature": "cohort still converting", "no_data": "no data (zero denominator)"}


def demo_summary(build_file: Path, published: Path) -> str:
    from revenue_warehouse.db import connect

    con = connect(published, read_only=True)
    try:
        rows = con.execute(f"""
            select month, kpi_name, kpi_value, value_status, target_comparison, target_value, is_on_target
            from marts.fct_kpi_monthly
            where month = (select max(month) from marts.fct_kpi_monthly)
                and kpi_name in ({", ".join("'" + k + "'" for k in SUMMARY_KPIS)})
        """).fetchall()
    finally:
        con.close()
    month = rows[0][0]
    kpi = {r[1]: r[2:] for r in rows}

    def shown(name: str, fmt: str, prefix: str = "") -> str:
        value, status, comparison, target, on_target = kpi.get(name, (None, "no_data", None, None, None))
        if value is None:
            return WHY_NULL.get(status, status)
        text = prefix + format(float(value), fmt)
        if target is not None:
            text += f" (target {comparison} {format(float(target), fmt)}: {'met' if on_target else 'missed'})"
        return text

    return "\n".join([
        "",
        f"Headline KPIs for {month:%B %Y}:",
        f"  revenue per head (TTM)  {shown('revenue_per_head_ttm_usd', ',.0f', '$')}   (north star)",
        f"  ARR                     {shown('arr_usd', ',.0f', '$')}   with {shown('avg_fte', ',.1f')} average FTE",
        f"  NRR                     {shown('nrr', '.1%')}",
        f"  gross margin            {shown('gross_margin', '.1%')}",
        f"  LTV:CAC                 {shown('ltv_to_cac', '.2f')}",
        f"  CAC payback (months)    {shown('cac_payback_months', '.1f')}",
        f"  Rule of 40              {shown('rule_of_40', '.1%')}",
        f"Published marts (for BI tools): {published}",
        f"Private build file (raw data, pay; keep private): {build_file}",
        "Run `warehouse status` for run history and `warehouse check` to re-run the data-quality checks.",
    ])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warehouse", description="Revenue analytics warehouse pipeline.")
    sub = p.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write a deterministic synthetic company as raw files")
    g.add_argument("--scale", type=float, default=1.0, help="1 = ~$20M ARR, ~2,000 customers (default 1)")
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--out", required=True, help="output folder (DIR/<schema>/<table>.<format>)")
    g.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    g.add_argument("--bad-rows-rate", type=float, default=DEFAULT_BAD_ROWS_RATE,
                   help="share of rows corrupted per table (0 = clean)")
    g.set_defaults(func=cmd_generate)

    ld = sub.add_parser("load", help="load DIR/<schema>/<table>.parquet|csv into the raw schemas")
    ld.add_argument("--from", dest="source", required=True)
    ld.add_argument("--append", action="store_true", help="add the rows as a delta instead of replacing tables")
    ld.add_argument("--target", choices=["duckdb", "postgres", "spark"], default="duckdb",
                    help="duckdb (WAREHOUSE_PATH, default), postgres (PGHOST, PGPORT, PGUSER, PGPASSWORD, "
                         "PGDATABASE) or spark (SPARK_HOME_DIR)")
    ld.set_defaults(func=cmd_load)

    b = sub.add_parser("build", help="dbt build, checks, then publish atomically (extra dbt arguments after --)")
    b.add_argument("--vars", help="dbt vars as YAML, e.g. '{as_of_date: \"2025-12-31\"}'")
    b.add_argument("dbt_args", nargs=argparse.REMAINDER, help="-- then extra dbt arguments")
    b.set_defaults(func=cmd_build)

    c = sub.add_parser("check", help="data-quality checks on the build file (results in audit.check_results)")
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("report", help="write the KPI report (self-contained HTML) from the published marts")
    r.add_argument("--out", default=str(PROJECT_ROOT / "reports"), help="output folder (index.html)")
    r.set_defaults(func=cmd_report)

    e = sub.add_parser("export", help="write every published mart as a file (one per mart)")
    e.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    e.add_argument("--out", required=True, help="output folder")
    e.set_defaults(func=cmd_export)

    st = sub.add_parser("status", help="last runs and the age of the published marts")
    st.set_defaults(func=cmd_status)

    d = sub.add_parser("demo", help="generate scale 1 -> load -> build, check, publish -> summary")
    d.add_argument("--scale", type=float, default=1.0)
    d.add_argument("--seed", type=int, default=42)
    d.set_defaults(func=cmd_demo)

    bm = sub.add_parser("benchmark", help="generate, load, full and daily dbt build at several scales; "
                                          "times and peak memory to benchmarks/results.csv")
    bm.add_argument("--scales", default="1,10,100", help="comma-separated scales (default 1,10,100)")
    bm.set_defaults(func=cmd_benchmark)
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
