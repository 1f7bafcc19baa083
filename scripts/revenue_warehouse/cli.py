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
    layout = getattr(args, "layout", "contract")
    manifest = generate(Path(args.out), args.scale, args.seed, args.format, args.bad_rows_rate, args.end_month,
                        layout, args.end_date)
    rate = manifest["total_rows"] / max(manifest["seconds"], 1e-9)
    _done(started, f"{manifest['total_rows']:,} rows in {len(manifest['rows'])} tables ({rate:,.0f} rows/s), "
                   f"history to {manifest['end_date']}, {len(manifest['injected'])} bad rows injected")
    if layout == "fivetran":
        connectors = sorted({name.split(".")[0] for name in manifest["connector_rows"]})
        print(f"    as the connectors land it: {', '.join(connectors)} (DIR/<connector>/<table>); "
              f"build with --vars '{FIVETRAN_VARS}' (or crm_source: hubspot)")


def _print_loaded(results: list, append: bool = False) -> None:
    """One line per table loaded or emptied; one line for the contract tables that loaded connectors stand
    for (their files are not expected), one per connector for the tables of a full export not read."""
    from revenue_warehouse.config import connectors
    from revenue_warehouse.pipeline.load import replaced_text

    metas = connectors()
    loaded = sorted({r.table.split(".")[0] for r in results if r.path is not None and not r.ignored} & set(metas))
    replaced = {t for c in loaded for t in metas[c]["replaces"]}
    for result in results:
        if result.ignored or (result.path is None and result.table in replaced):
            continue
        if result.path is None:
            origin = "no file: left as it was" if append else "no file: now empty (the load is a snapshot of DIR)"
        else:
            origin = result.path.name + (" (empty file)" if result.empty_file else "")
        print(f"    {result.table:<34} {result.rows:>10,}  {origin}")
    stood_for = sorted(r.table for r in results if r.path is None and r.table in replaced)
    if stood_for:
        print(f"    {replaced_text(stood_for)}: no files, the {', '.join(loaded)} folder(s) stand for them "
              f"({len(stood_for)} tables {'left as they were' if append else 'now empty'}; build with the vars "
              f"`warehouse sources` prints)")
    emptied = [r.table for r in results if r.path is None and r.table not in replaced]
    if emptied and not append:
        print(f"    {len(emptied)} table(s) had no file and are now empty: {', '.join(emptied)}")
    for connector in sorted({r.table.split(".")[0] for r in results if r.ignored}):
        names = sorted(r.table.split(".", 1)[1] for r in results if r.ignored and r.table.startswith(connector + "."))
        shown = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        print(f"    {connector}: {len(names)} table(s) not used by the warehouse, not loaded ({shown})")


def cmd_load(args: argparse.Namespace) -> None:
    from revenue_warehouse.engines import engine_for
    from revenue_warehouse.pipeline.formats import Formats
    from revenue_warehouse.pipeline.load import load
    from revenue_warehouse.pipeline.runs import Run

    engine = engine_for(args.target)
    formats = Formats(date_order=args.date_order, number_format=args.number_format, encoding=args.encoding)
    started = _step(f"loading {args.source} into {engine.label}{' (append)' if args.append else ''}")
    results = load(Path(args.source), engine, append=args.append, formats=formats)
    _print_loaded(results, args.append)
    rows = sum(r.rows for r in results)
    if args.target == "duckdb":
        Run("append" if args.append else "load").record(warehouse_path(), "loaded", f"{rows:,} rows from {args.source}")
        _done(started, f"{rows:,} rows")
    else:
        _done(started, f"{rows:,} rows (now: dbt build --target {args.target})")


def cmd_build(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.build import build

    started = _step(f"dbt build on {warehouse_path()}, checks, publish to {publish_path()}")
    build(warehouse_path(), args.vars, args.dbt_args, verbose=args.verbose, debug=args.debug)
    _done(started)


def cmd_check(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.build import run_dbt
    from revenue_warehouse.pipeline.check import check_path, summary
    from revenue_warehouse.pipeline.runs import Run

    from revenue_warehouse.pipeline.build import parse_vars
    from revenue_warehouse.pipeline.runs import last_build_vars, vars_text

    db = warehouse_path()
    if not db.exists():
        raise WarehouseError(f"{db}: warehouse file not found (run `warehouse demo` or `warehouse build` first)")
    # the sources the build read (a connector's, not the contract tables it replaces): the last build's vars
    vars_ = parse_vars(args.vars) if args.vars else last_build_vars(db)
    if vars_:
        print(f"    vars: {vars_text(vars_)} ({'--vars' if args.vars else 'those of the last build'})")
    run_dbt(["source", "freshness"], db, vars_, quiet=True)
    run = Run("check", vars=vars_)
    results = check_path(db, run.run_id)
    print(summary(results))
    failed = [r for r in results if r.status == "fail"]
    run.record(db, "failed" if failed else "passed", f"{len(failed)} failed")
    if failed:
        raise WarehouseError(f"{len(failed)} error-severity check(s) failed: see audit.check_results in {db}")


def cmd_report(args: argparse.Namespace) -> None:
    from revenue_warehouse.outputs.report import write_report

    started = _step(f"report from {publish_path()}")
    path = write_report(publish_path(), Path(args.out), pdf=args.pdf)
    wrote = f"{path} (and the other pages beside it)" + (f", {path.parent / 'board-pack.pdf'}" if args.pdf else "")
    _record("report", f"wrote {wrote}")
    _done(started, wrote)


def cmd_export(args: argparse.Namespace) -> None:
    from revenue_warehouse.outputs.export import export

    started = _step(f"exporting the published marts to {args.out} ({args.format})")
    rows = export(publish_path(), Path(args.out), args.format)
    for table, count in rows.items():
        print(f"    {table:<28} {count:>10,}")
    _record("export", f"{len(rows)} marts to {args.out}")
    _done(started, f"{len(rows)} files")


def cmd_sources(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.load import database_report, database_tables, sources_report

    if args.database:  # an ELT tool's schemas, whatever they are named, in the database dbt builds in
        print(database_report(*database_tables(args.target)))
    else:
        print(sources_report(warehouse_path()))


def cmd_status(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.runs import status

    print(status(warehouse_path(), publish_path()))


#: the vars that build the fivetran layout through the connector adapters (docs/connectors.md)
FIVETRAN_VARS = "{billing_source: stripe, crm_source: salesforce, finance_source: xero, hr_source: bamboohr}"


def cmd_demo(args: argparse.Namespace) -> None:
    from revenue_warehouse.pipeline.build import build
    from revenue_warehouse.pipeline.load import load

    raw = warehouse_path().parent / "data" / "raw"  # the project's data/raw by default
    layout = getattr(args, "layout", "contract")
    cmd_generate(argparse.Namespace(scale=args.scale, seed=args.seed, out=raw, format="parquet",
                                    bad_rows_rate=DEFAULT_BAD_ROWS_RATE, end_month=args.end_month,
                                    end_date=args.end_date, layout=layout))
    db = warehouse_path()
    started = _step(f"loading {raw} into {db}")
    results = load(raw, db)
    _done(started, f"{sum(r.rows for r in results):,} rows")
    vars_text = FIVETRAN_VARS if layout == "fivetran" else None
    started = _step("dbt build (models, data tests; unit tests run in `make test`), checks, publish"
                    + (f" (--vars '{vars_text}')" if vars_text else ""))
    # dbt's advice for builds of real data: unit tests check the SQL on fixed inputs, not the data, so the
    # demo (like a daily production build) leaves them to CI
    build(db, vars_text, ["--exclude-resource-type", "unit_test"], verbose=args.verbose, debug=args.debug)
    _done(started)
    from revenue_warehouse.outputs.report import write_report

    report = write_report(publish_path(), warehouse_path().parent / "reports")
    print(demo_summary(db, publish_path()))
    print(f"Board pack (open in a browser, works offline; one page per role): {report}")


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
                "cac_payback_months", "rule_of_40", "arr_per_fte_usd", "product_adoption_rate", "csat")
WHY_NULL = {"hidden": "hidden (privacy: a group below min_group_size)", "partial_window": "not enough history yet",
            "immature": "cohort still converting", "no_data": "no data (zero denominator)"}


def demo_summary(build_file: Path, published: Path) -> str:
    from revenue_warehouse.db import connect

    con = connect(published, read_only=True)
    try:
        rows = con.execute("""
            select month, kpi_name, kpi_value, value_status, target_comparison, target_value, is_on_target,
                arr_band, benchmark_p50, benchmark_p75, benchmark_position
            from marts.fct_kpi_monthly
            where month = (select coalesce(max(month) filter (where is_month_complete), max(month))
                           from marts.fct_kpi_monthly)
                and list_contains(?, kpi_name)
        """, [list(SUMMARY_KPIS)]).fetchall()
        unfinished = con.execute("select max(month) from marts.fct_kpi_monthly where not is_month_complete").fetchone()[0]
    finally:
        con.close()
    month = rows[0][0]
    kpi = {r[1]: r[2:] for r in rows}

    def shown(name: str, fmt: str, prefix: str = "") -> str:
        value, status, comparison, target, on_target = kpi.get(name, (None, "no_data", None, None, None))[:5]
        if value is None:
            return WHY_NULL.get(status, status)
        text = prefix + format(float(value), fmt)
        if target is not None:
            text += f" (target {comparison} {prefix}{format(float(target), fmt)}: {'met' if on_target else 'missed'})"
        return text

    def against_peers(name: str) -> str:
        """The KPI's ARR band, its peers' median and top quartile, and where it stands (fct_kpi_monthly)."""
        from revenue_warehouse.outputs.report import BAND_LABELS, POSITION_TEXT

        band, p50, p75, position = kpi.get(name, (None,) * 9)[5:9]
        if p50 is None:
            return "no peer benchmark for its ARR band"
        quartile = f", top quartile from ${float(p75):,.0f}" if p75 is not None else ""
        return (f"peers with {BAND_LABELS.get(band, band)} ARR: median ${float(p50):,.0f}{quartile}: "
                + POSITION_TEXT.get(position or "", "not placed"))

    return "\n".join([
        "",
        # a month not over yet has its costs whole but not yet all its revenue (billed in advance): the headline
        # is the last complete month, the month to date is in the marts and the report, flagged
        f"Headline KPIs for {month:%B %Y}"
        + (f" (the last complete month; {unfinished:%B %Y} is month to date: is_month_complete = false):"
           if unfinished and unfinished > month else " (month to date):" if unfinished else ":"),
        f"  revenue per head (TTM)  {shown('revenue_per_head_ttm_usd', ',.0f', '$')}   (north star)",
        f"  ARR                     {shown('arr_usd', ',.0f', '$')}   with {shown('avg_fte', ',.1f')} average FTE",
        f"  NRR                     {shown('nrr', '.1%')}",
        f"  gross margin            {shown('gross_margin', '.1%')}",
        f"  LTV:CAC                 {shown('ltv_to_cac', '.2f')}",
        f"  CAC payback (months)    {shown('cac_payback_months', '.1f')}",
        f"  Rule of 40              {shown('rule_of_40', '.1%')}",
        f"  ARR per FTE             {shown('arr_per_fte_usd', ',.0f', '$')}   {against_peers('arr_per_fte_usd')}",
        f"  product adoption        {shown('product_adoption_rate', '.1%')}",
        f"  CSAT (4-5 of 5)         {shown('csat', '.1%')}",
        f"Published marts (for BI tools): {published}",
        f"Private build file (raw data, pay; keep private): {build_file}",
        "Run `warehouse status` for run history and `warehouse check` to re-run the data-quality checks.",
    ])


ENVIRONMENT = """\
environment variables:
  WAREHOUSE_PATH          the private build file dbt builds into (default: warehouse.duckdb in the project)
  WAREHOUSE_PUBLISH_PATH  the file BI tools read (default: published/<name> next to WAREHOUSE_PATH)
  DBT_TARGET              the profile target: duckdb (default), postgres, spark
  PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
                          PostgreSQL connection (load --target postgres, DBT_TARGET=postgres)
  SPARK_HOME_DIR          Spark tables and metastore (default: build/spark)
  WAREHOUSE_TODAY         YYYY-MM-DD: the date the warehouse takes as today (generator, loader, runs, source
                          freshness); default: the UTC date. For tests and reproducible demos.
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="warehouse", description="Revenue analytics warehouse pipeline.",
                                epilog=ENVIRONMENT, formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true", help="show dbt's node log instead of progress lines")
    common.add_argument("--debug", action="store_true", help="show tracebacks and dbt's full error messages")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common], epilog=ENVIRONMENT,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    g = command("generate", "write a deterministic synthetic company as raw files")
    g.add_argument("--scale", type=float, default=1.0, help="company size: 1 = ~$20M ARR, ~2,000 customers (default 1)")
    g.add_argument("--seed", type=int, default=42, help="random seed: the same seed and end month give the same files")
    g.add_argument("--end-date", metavar="YYYY-MM-DD", default=None,
                   help="the last day of the company's history (default: today, or WAREHOUSE_TODAY)")
    g.add_argument("--end-month", metavar="YYYY-MM", default=None,
                   help="end the history on the last day of this month instead (a whole last month)")
    g.add_argument("--out", required=True, metavar="DIR", help="output folder (DIR/<schema>/<table>.<format>)")
    g.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format (default parquet)")
    g.add_argument("--bad-rows-rate", type=float, default=DEFAULT_BAD_ROWS_RATE,
                   help=f"share of rows corrupted per table, to exercise quarantine (0 = clean; default {DEFAULT_BAD_ROWS_RATE})")
    g.add_argument("--layout", choices=["contract", "fivetran"], default="contract",
                   help="contract: the raw contract's tables (DIR/raw_*/); fivetran: the same company as Fivetran "
                        "lands Stripe, Salesforce, HubSpot, Xero and BambooHR (DIR/<connector>/; docs/connectors.md)")
    g.set_defaults(func=cmd_generate)

    ld = command("load", "load DIR/<schema>/<table>.parquet|csv into the raw schemas")
    ld.add_argument("--from", dest="source", required=True, metavar="DIR",
                    help="folder of exports: DIR/<schema>/<table>.parquet|csv (e.g. DIR/raw_billing/invoice.csv)")
    ld.add_argument("--append", action="store_true",
                    help="add the rows as a delta (late rows, re-syncs) instead of making the raw schemas a "
                         "snapshot of DIR")
    ld.add_argument("--date-order", choices=["ymd", "mdy", "dmy"], default="ymd",
                    help="how the files write dates that are not YYYY-MM-DD: mdy reads 01/13/2022 (US), dmy "
                         "13/01/2022; ISO dates are always read (default ymd: ISO only)")
    ld.add_argument("--number-format", choices=["plain", "us", "eu"], default="plain",
                    help="us reads 1,234.50, eu reads 1.234,50; plain 1234.50 is always read (default plain)")
    ld.add_argument("--encoding", choices=["utf-8", "utf-16", "latin-1"], default="utf-8",
                    help="how the CSV files are encoded: Excel's 'CSV UTF-8' is utf-8 (default), its 'Unicode Text' "
                         "utf-16, an older Excel or ERP export often latin-1; a file in another is refused, naming it")
    ld.add_argument("--target", choices=["duckdb", "postgres", "spark"], default="duckdb",
                    help="duckdb (WAREHOUSE_PATH, default), postgres (PGHOST, PGPORT, PGUSER, PGPASSWORD, "
                         "PGDATABASE) or spark (SPARK_HOME_DIR)")
    ld.set_defaults(func=cmd_load)

    b = command("build", "dbt build, checks, then publish atomically (extra dbt arguments after --)")
    b.add_argument("--vars", help="dbt vars as YAML, e.g. '{as_of_date: \"2025-12-31\", min_group_size: 5}' "
                                  "(docs/metrics.md lists them)")
    b.add_argument("dbt_args", nargs=argparse.REMAINDER, help="-- then extra dbt arguments, e.g. -- --select marts")
    b.set_defaults(func=cmd_build)

    c = command("check", "data-quality checks on the build file (results in audit.check_results)")
    c.add_argument("--vars", default=None, metavar="YAML",
                   help="dbt vars for the freshness check (default: those of the last build, from audit.run_log)")
    c.set_defaults(func=cmd_check)

    r = command("report", "write the board pack (offline HTML, one page per role) from the published marts")
    r.add_argument("--out", default=str(PROJECT_ROOT / "reports"), metavar="DIR",
                   help="output folder for the pages, index.html the executive one (default: reports/ in the project)")
    r.add_argument("--pdf", action="store_true",
                   help="also print the executive page to board-pack.pdf (needs Chromium: apt-get install chromium)")
    r.set_defaults(func=cmd_report)

    e = command("export", "write every published mart as a file (one per mart)")
    e.add_argument("--format", choices=["parquet", "csv"], default="parquet", help="file format (default parquet)")
    e.add_argument("--out", required=True, metavar="DIR", help="output folder")
    e.set_defaults(func=cmd_export)

    so = command("sources", "which raw contract and connector tables the warehouse holds, and the vars to set")
    so.add_argument("--database", action="store_true",
                    help="find connector schemas an ELT tool (Fivetran) wrote into the database, whatever their "
                         "names, and print the vars (with <connector>_schema) that build from them")
    so.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb",
                    help="with --database: the DuckDB file (WAREHOUSE_PATH) or the PostgreSQL database (PG* env)")
    so.set_defaults(func=cmd_sources)

    st = command("status", "as-of date, reporting window, last runs, check counts and the published file's age")
    st.set_defaults(func=cmd_status)

    d = command("demo", "generate a company ending today -> load -> build, check, publish -> report, summary")
    d.add_argument("--scale", type=float, default=1.0, help="company size (default 1: ~$20M ARR)")
    d.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    d.add_argument("--end-date", metavar="YYYY-MM-DD", default=None,
                   help="the last day of the demo company's data (default: today, or WAREHOUSE_TODAY); its "
                        "month is reported as partial until its last day")
    d.add_argument("--end-month", metavar="YYYY-MM", default=None,
                   help="end the demo company on the last day of this month instead")
    d.add_argument("--layout", choices=["contract", "fivetran"], default="contract",
                   help="fivetran: generate the company as the connectors land it and build it through the "
                        "adapters (Stripe, Salesforce, Xero, BambooHR); the headline numbers are the same")
    d.set_defaults(func=cmd_demo)

    bm = command("benchmark", "generate, load, build at several scales; times and peak memory to "
                              "benchmarks/results.csv")
    bm.add_argument("--scales", default="1,10,100", help="comma-separated scales (default 1,10,100)")
    bm.set_defaults(func=cmd_benchmark)
    return p


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # `kill <pid>`: unwind like Ctrl-C (locks released, dbt children stopped)


def main(argv: list[str] | None = None) -> int:
    import os
    import signal

    from revenue_warehouse.pipeline.build import NO_TRACKING

    os.environ.update(NO_TRACKING)  # nothing is sent anywhere, whichever dbt or library runs
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = parser().parse_args(argv)
    if getattr(args, "dbt_args", None) and args.dbt_args[0] == "--":
        args.dbt_args = args.dbt_args[1:]
    try:
        args.func(args)
    except WarehouseError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected failure: one line, the traceback with --debug
        if args.debug:
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"error: {type(exc).__name__}: {first} (run again with --debug for the traceback)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
