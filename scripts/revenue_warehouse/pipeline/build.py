"""``warehouse build``: run ``dbt build`` against the warehouse with the project's profile."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import yaml

from revenue_warehouse.config import PROJECT_ROOT, WarehouseError, publish_path

if TYPE_CHECKING:
    from revenue_warehouse.pipeline.check import CheckResult


def parse_vars(text: str | None) -> dict:
    """Validate a --vars YAML mapping up front, so a typo is one clear line, not a dbt stack trace."""
    if not text:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise WarehouseError(f"--vars is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(value, dict):
        raise WarehouseError(f"--vars must be a YAML mapping like '{{as_of_date: \"2025-12-31\"}}', got {text!r}")
    return value


def dbt_executable() -> str:
    local = Path(sys.executable).parent / "dbt"
    found = str(local) if local.exists() else shutil.which("dbt")
    if not found:
        raise WarehouseError("dbt is not installed in this environment (run `make install`)")
    return found


def dbt_command(command: list[str], vars_: dict | None = None, extra: list[str] | None = None) -> list[str]:
    """The dbt command line for this project (project and profiles from the repo root)."""
    args = [dbt_executable(), *command, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    if vars_:
        args += ["--vars", yaml.safe_dump(vars_, default_flow_style=True).strip()]
    return args + (extra or [])


#: A finance warehouse sends nothing anywhere: dbt's anonymous usage statistics are off for every dbt the
#: tooling starts (dbt_project.yml's flags say the same for a plain `dbt build`).
NO_TRACKING = {"DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def dbt_env(db_path: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a dbt child: ours, the warehouse file, no usage tracking, then ``env``."""
    return {**os.environ, **NO_TRACKING, "WAREHOUSE_PATH": str(db_path), **(env or {})}


def dbt_process(db_path: Path, env: dict[str, str] | None = None) -> tuple[Path, dict[str, str]]:
    """Where a dbt child runs and its environment. On DuckDB it runs in the warehouse file's folder with
    WAREHOUSE_PATH the bare file name: dbt re-parses the whole project when the profile it renders changes,
    and the file's path is part of it, so every warehouse file of one name (warehouse.duckdb) shares one
    partial parse (about 3.5 s instead of 9 s a run) - the project and target paths stay the project's."""
    environment = dbt_env(db_path, env)
    if environment.get("DBT_TARGET", "duckdb") != "duckdb":
        return PROJECT_ROOT, environment
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    return db_path.parent, {**environment, "WAREHOUSE_PATH": db_path.name}


def _die_with_parent() -> None:
    """In the dbt child (Linux): receive SIGTERM when the warehouse process that started it dies, however it
    dies (a killed `warehouse build` must not leave dbt writing the build file)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_dbt(command: list[str], db_path: Path, vars_: dict | None = None, extra: list[str] | None = None,
            quiet: bool = False, env: dict[str, str] | None = None) -> int:
    """Run one dbt command from the project root on the given warehouse file; return its exit code.

    ``env`` adds variables, e.g. ``DBT_TARGET=postgres`` and the ``PG*`` connection settings.
    """
    args = dbt_command(command, vars_, extra)
    output = subprocess.DEVNULL if quiet else None
    cwd, environment = dbt_process(db_path, env)
    return subprocess.call(args, cwd=cwd, env=environment, stdout=output, stderr=output, preexec_fn=_die_with_parent)


LAYERS = (("base_", "staging"), ("stg_", "staging"), ("int_", "intermediate"),
          ("fct_", "marts"), ("dim_", "marts"), ("quarantined_rows", "audit"), ("raw_row_counts", "audit"))


def _layer(node: dict) -> str:
    """The layer a node belongs to, for progress lines: seeds, staging, intermediate, marts, audit, tests."""
    if node.get("resource_type") == "seed":
        return "seeds"
    if node.get("resource_type") in ("test", "unit_test"):
        return "tests"
    name = str(node.get("node_name", ""))
    return next((layer for prefix, layer in LAYERS if name.startswith(prefix)), "models")


def run_dbt_quietly(command: list[str], db_path: Path, vars_: dict | None = None,
                    extra: list[str] | None = None, debug: bool = False) -> int:
    """Run dbt showing progress (nodes done / total and the layer) and its summary, not its node log.

    dbt's full log stays in logs/dbt.log. Errors and failures are printed (their first lines unless
    ``debug``), warnings as one line naming them.
    """
    args = dbt_command(command, vars_, [*(extra or []), "--log-format", "json"])
    cwd, environment = dbt_process(db_path)
    process = subprocess.Popen(args, cwd=cwd, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1, preexec_fn=_die_with_parent)
    done, total, shown_step, layer = 0, 0, -1, ""
    warnings: list[str] = []
    errors: list[str] = []
    tty = sys.stdout.isatty()
    assert process.stdout is not None
    for line in process.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            errors.append(line.rstrip())  # not dbt's JSON: a crash before logging started
            continue
        info, data = event.get("info", {}), event.get("data", {})
        name, level = info.get("name", ""), info.get("level", "")
        node = data.get("node_info") or {}
        if name == "LogStartLine":
            total = int(data.get("total", total))
        elif name.startswith("Log") and name.endswith("Result") and node:
            done += 1
            status = str(data.get("status", "")).lower()
            if status == "warn":
                warnings.append(str(node.get("node_name", "")))
            if node.get("resource_type") in ("model", "seed", "snapshot"):
                layer = _layer(node)  # the layer being built (tests run beside it)
            step = 100 * done // max(total, 1) if tty else 4 * done // max(total, 1)
            if step != shown_step:
                shown_step = step
                text = f"    dbt {command[0]}: {done:>4}/{total} nodes ({100 * done // max(total, 1):>3}%)  {layer}"
                print(("\r" + text.ljust(72)) if tty else text, end="" if tty else "\n", flush=True)
        elif name == "StatsLine":
            if tty:
                print()
            print("    dbt: " + info.get("msg", "").replace("Done. ", ""), flush=True)
        elif level == "error" or name in ("RunResultError", "RunResultFailure"):
            message = info.get("msg", "")
            if not debug:  # dbt's message without the Python traceback it may carry, at most 6 lines
                message = message.split("Traceback (most recent call last)")[0].rstrip()
                message = "\n".join(message.splitlines()[:6])
            errors.append(message)
    code = process.wait()
    if warnings:
        names = [w if len(w) <= 60 else w[:57] + "..." for w in warnings]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        print(f"    dbt warnings ({len(warnings)}): {shown} (details: logs/dbt.log, or --verbose)", flush=True)
    for message in dict.fromkeys(m for m in errors if m.strip()):
        print(f"    {message}", flush=True)
    return code


def marts_not_rebuilt() -> list[str]:
    """The mart models the last dbt invocation did not build successfully (dbt's run_results.json against
    its manifest): empty when it rebuilt every mart, as publishing requires. A selected build (`-- --select
    staging`) leaves older marts in the build file, perhaps built with other vars: they are never published."""
    from revenue_warehouse.config import dbt_target_path

    target = dbt_target_path()
    try:
        manifest = json.loads((target / "manifest.json").read_text())
        results = json.loads((target / "run_results.json").read_text())["results"]
    except (OSError, ValueError, KeyError):
        return ["(dbt's run results are missing)"]
    built = {r["unique_id"] for r in results if r.get("status") == "success"}
    marts = [node for node in manifest["nodes"].values()
             if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
             and node.get("config", {}).get("enabled", True)]
    return sorted(node["name"] for node in marts if node["unique_id"] not in built)


def _as_of_date(db_path: Path) -> dt.date | None:
    """The as-of date the build resolved (var as_of_date, else the latest invoice load), for the run log."""
    from revenue_warehouse.db import connect, table_exists

    con = connect(db_path, read_only=True)
    try:
        if not table_exists(con, "intermediate", "int_as_of_date_resolved"):
            return None
        row = con.execute("select as_of_date from intermediate.int_as_of_date_resolved").fetchone()
        return row[0] if row else None
    finally:
        con.close()


@contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """One build at a time per warehouse file: a second concurrent build fails at once, clearly."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise WarehouseError(
                f"another warehouse build is running on {db_path} (pid {holder}, lock {lock_path}); "
                "the published marts are unchanged"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(db_path: Path, vars_text: str | None = None, extra: list[str] | None = None,
          target: Path | None = None, verbose: bool = False, debug: bool = False) -> list[CheckResult]:
    """dbt build -> checks -> publish (write-audit-publish). Raises WarehouseError on any failure,
    leaving the published file as it was. dbt shows progress and its summary; ``verbose``: its node log."""
    from revenue_warehouse.pipeline.check import check_path, summary
    from revenue_warehouse.pipeline.publish import mart_row_counts, publish, remember_published_counts
    from revenue_warehouse.pipeline.runs import Run, last_dbt_invocation_id

    if not db_path.exists():
        raise WarehouseError(f"{db_path}: warehouse file not found (run `warehouse load --from DIR` first)")
    vars_ = parse_vars(vars_text)
    target = target or publish_path()
    from revenue_warehouse.db import connect

    connect(db_path).close()  # a file another process holds: one clear line now, not dbt's traceback later
    run = Run("build", vars=vars_)
    with build_lock(db_path):
        if verbose:
            code = run_dbt(["build"], db_path, vars_, list(extra or []))
        else:
            code = run_dbt_quietly(["build"], db_path, vars_, list(extra or []), debug=debug)
        run.dbt_invocation_id = last_dbt_invocation_id()
        if code != 0:
            run.record(db_path, "failed", f"dbt build exit {code}")
            raise WarehouseError(
                f"dbt build failed (exit {code}); published marts unchanged ({target}). "
                f"See the errors above and {PROJECT_ROOT / 'logs' / 'dbt.log'} (or rerun with --verbose)"
            )
        run.as_of_date = _as_of_date(db_path)
        missing = marts_not_rebuilt()
        if missing:
            run.record(db_path, "built", f"not published: {len(missing)} marts not rebuilt by this build")
            print(f"    not published: this build did not rebuild {len(missing)} mart(s) ({', '.join(missing[:3])}"
                  f"{' ...' if len(missing) > 3 else ''}); only a build of every mart publishes "
                  f"({target} unchanged)", flush=True)
            return []
        run_dbt(["source", "freshness"], db_path, vars_, quiet=True)  # stale sources: a warning check
        results = check_path(db_path, run.run_id)
        print(summary(results), flush=True)
        failed = [r for r in results if r.status == "fail"]
        if failed:
            run.record(db_path, "failed", "checks failed: " + ", ".join(r.check_name for r in failed))
            raise WarehouseError(
                f"{len(failed)} error-severity check(s) failed; published marts unchanged ({target}). "
                f"Details: audit.check_results in {db_path} (run {run.run_id})"
            )
        run.mart_row_counts = mart_row_counts(db_path)
        try:
            publish(db_path, target, run)
        except WarehouseError as exc:
            run.record(db_path, "failed", str(exc))
            raise
        remember_published_counts(db_path, run.run_id)
        run.record(db_path, "published", f"published to {target}")
    return results
