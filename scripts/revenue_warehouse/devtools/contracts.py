"""Consumer data contracts for the marts (Open Data Contract Standard), and breaking-change detection.

``contracts/marts.odcs.yaml`` is generated from the dbt manifest (``datacontract import dbt``) plus what the
import leaves out: composite grains (a model-level ``primary_key`` constraint), a uniqueness check on
every grain, a non-empty check on every mart, and the servers a consumer reads. It is committed: it is
the promise to BI tools. CI then

- ``check``: regenerates it from the current manifest and fails when it differs from the committed one
  (a renamed mart, a dropped or retyped column, a changed grain), printing the difference; a deliberate
  change is committed with ``python -m revenue_warehouse.devtools.contracts write``;
- ``test``: runs ``datacontract test`` on the published file, so the data BI tools get really has that
  shape, grain and completeness;
- ``breaking``: dbt's own breaking-change detection (``state:modified`` against the manifest of a base git
  revision) with unversioned breaking changes promoted to errors, so changing a contracted mart
  needs a new model version.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from revenue_warehouse.pipeline.build import dbt_executable
from revenue_warehouse.config import PROJECT_ROOT, WarehouseError

CONTRACT = PROJECT_ROOT / "contracts" / "marts.odcs.yaml"
SERVERS = [
    {"server": "published", "type": "duckdb", "database": "published/warehouse.duckdb", "schema": "marts",
     "description": "What `make demo` / `warehouse build` publishes for BI tools."},
    {"server": "ci", "type": "duckdb", "database": "build/fixture/published.duckdb", "schema": "marts",
     "description": "The fixture CI builds and publishes (`make fixture`)."},
]


def _tool(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _marts(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["config"].get("schema") == "marts"}


def parse(project: Path, target_path: Path) -> Path:
    """``dbt parse`` of a project (the in-memory lint target) into target_path; the manifest's path."""
    result = subprocess.run(
        [dbt_executable(), "parse", "--project-dir", str(project), "--profiles-dir", str(PROJECT_ROOT),
         "--target", "lint", "--target-path", str(target_path), "--quiet"],
        cwd=project, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise WarehouseError(f"dbt parse failed in {project}: {(result.stdout + result.stderr).strip()[-1000:]}")
    return target_path / "manifest.json"


def generate(manifest_path: Path | None = None) -> str:
    """The contract text for the marts of a manifest (deterministic: same manifest, same text).

    Without a manifest the project is parsed first (into a temporary folder, never ``target/``).
    """
    if manifest_path is None:
        with tempfile.TemporaryDirectory() as tmp:
            return generate(parse(PROJECT_ROOT, Path(tmp)))
    marts = _marts(json.loads(manifest_path.read_text()))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "contract.yaml"
        args = [_tool("datacontract"), "import", "dbt", "--source", str(manifest_path), "--output", str(out),
                "--id", "revenue-warehouse-marts", "--owner", "analytics-engineering"]
        for name in sorted(marts):
            args += ["--model", name]
        result = subprocess.run(args, capture_output=True, text=True)
        if result.returncode != 0:
            raise WarehouseError(f"datacontract import failed: {(result.stderr or result.stdout).strip()[-500:]}")
        contract = yaml.safe_load(out.read_text())
    contract["name"] = "Revenue warehouse marts"
    contract["status"] = "active"
    contract["description"] = {
        "purpose": "The KPI marts BI tools read: revenue, people and revenue per head, unit economics, "
                   "funnel, customer success, one KPI catalogue (definitions in docs/metrics.md).",
        "usage": "Read-only, from the published DuckDB file or the marts schema of a server warehouse.",
    }
    contract["schema"] = sorted(contract["schema"], key=lambda s: s["name"])
    for schema in contract["schema"]:
        node = marts[schema["name"]]
        keys = next((c["columns"] for c in node["constraints"] if c["type"] == "primary_key"), None)
        if keys is None:
            keys = [p["name"] for p in schema["properties"] if p.get("primaryKey")]
        for prop in schema["properties"]:
            if prop["name"] in keys:
                prop["primaryKey"] = True
                prop["primaryKeyPosition"] = keys.index(prop["name"]) + 1
                prop["required"] = True
        schema["quality"] = [
            {"type": "library", "metric": "rowCount", "mustBeGreaterThan": 0,
             "description": "The mart is never published empty."},
            {"type": "sql", "description": f"Grain: one row per {', '.join(keys)}.",
             "query": f"select count(*) from (select {', '.join(keys)} from {schema['physicalName']} "
                      f"group by {', '.join(keys)} having count(*) > 1) as duplicates",
             "mustBe": 0},
        ]
    contract["servers"] = SERVERS
    return "# Generated from the dbt manifest by `python -m revenue_warehouse.devtools.contracts write`; do not edit by hand.\n" + \
        yaml.safe_dump(contract, sort_keys=False, allow_unicode=True, width=110)


def write() -> None:
    CONTRACT.parent.mkdir(exist_ok=True)
    CONTRACT.write_text(generate())
    print(f"wrote {CONTRACT.relative_to(PROJECT_ROOT)}")


def check() -> None:
    committed = CONTRACT.read_text() if CONTRACT.exists() else ""
    current = generate()
    if committed != current:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), current.splitlines(True),
                                            "committed " + CONTRACT.name, "from the current models", n=2))
        raise WarehouseError(
            "the marts no longer match the committed consumer contract:\n" + diff[:6000] +
            "\nIf the change is intended (and versioned where it breaks consumers), run "
            "`python -m revenue_warehouse.devtools.contracts write` and commit contracts/marts.odcs.yaml."
        )
    print(f"{CONTRACT.relative_to(PROJECT_ROOT)} matches the models")


def test(server: str) -> None:
    result = subprocess.run([_tool("datacontract"), "test", str(CONTRACT), "--server", server],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    summary = [line for line in result.stdout.splitlines() if "Data contract is" in line or "failed" in line]
    if result.returncode != 0:
        raise WarehouseError(f"published marts break the contract ({server}):\n" + result.stdout[-6000:])
    print("\n".join(summary[-3:]) or result.stdout[-500:])


def base_revision(project: Path = PROJECT_ROOT) -> str | None:
    """The revision to compare against: $CONTRACT_BASE, else main's merge base, else (on main) HEAD^."""
    def git(*args: str) -> str | None:
        found = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
        return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else None

    if os.environ.get("CONTRACT_BASE"):
        return git("rev-parse", "--verify", os.environ["CONTRACT_BASE"])
    head = git("rev-parse", "HEAD")
    main = git("rev-parse", "--verify", "main") or git("rev-parse", "--verify", "origin/main")
    if main and main != head:
        return git("merge-base", "HEAD", main)
    return git("rev-parse", "--verify", "HEAD^")


def breaking(project: Path = PROJECT_ROOT) -> None:
    base = base_revision(project)
    if base is None:
        print("breaking-change check: no base revision in this checkout (shallow clone?); set CONTRACT_BASE")
        return
    with tempfile.TemporaryDirectory() as tmp:
        base_tree, work = Path(tmp) / "base", Path(tmp) / "work"
        base_tree.mkdir()
        archive = subprocess.run(["git", "archive", base], cwd=project, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(base_tree)], input=archive.stdout, check=True)
        try:
            state = parse(base_tree, base_tree / "target").parent
        except WarehouseError:
            print(f"breaking-change check: the base revision {base[:10]} does not parse; nothing to compare")
            return
        result = subprocess.run(
            [dbt_executable(), "ls", "--project-dir", str(project), "--profiles-dir", str(PROJECT_ROOT),
             "--target", "lint", "--target-path", str(work), "--quiet", "--resource-type", "model",
             "--select", "state:modified", "--state", str(state),
             "--warn-error-options", '{"error": ["UnversionedBreakingChange"]}'],
            cwd=project, capture_output=True, text=True,
        )
    if result.returncode != 0:
        raise WarehouseError(f"breaking change to a contracted model since {base[:10]} without a new version:\n"
                             + (result.stdout + result.stderr).strip()[-3000:])
    changed = [line for line in result.stdout.splitlines() if line.strip()]
    print(f"no breaking change to contracted models since {base[:10]} ({len(changed)} modified models)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m revenue_warehouse.devtools.contracts", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("write", help="regenerate contracts/marts.odcs.yaml from the models")
    sub.add_parser("check", help="fail when the models no longer match the committed contract")
    t = sub.add_parser("test", help="datacontract test on a published file")
    t.add_argument("--server", default="ci", choices=[s["server"] for s in SERVERS])
    sub.add_parser("breaking", help="dbt breaking-change detection against the base revision")
    args = parser.parse_args(argv)
    try:
        {"write": write, "check": check, "breaking": breaking}.get(args.command, lambda: test(args.server))()
    except WarehouseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
