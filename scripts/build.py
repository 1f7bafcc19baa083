"""``warehouse build``: run ``dbt build`` against the warehouse with the project's profile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from scripts.common import PROJECT_ROOT, WarehouseError


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


def run_dbt(command: list[str], db_path: Path, vars_: dict | None = None, extra: list[str] | None = None) -> int:
    """Run one dbt command from the project root on the given warehouse file; return its exit code."""
    args = [dbt_executable(), *command, "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT)]
    if vars_:
        args += ["--vars", yaml.safe_dump(vars_, default_flow_style=True).strip()]
    args += extra or []
    env = {**os.environ, "WAREHOUSE_PATH": str(db_path)}
    return subprocess.call(args, cwd=PROJECT_ROOT, env=env)


def build(db_path: Path, vars_text: str | None = None, extra: list[str] | None = None) -> None:
    if not db_path.exists():
        raise WarehouseError(f"{db_path}: warehouse file not found (run `warehouse load --from DIR` first)")
    code = run_dbt(["build"], db_path, parse_vars(vars_text), extra)
    if code != 0:
        raise WarehouseError(
            f"dbt build failed (exit {code}): see the errors above and {PROJECT_ROOT / 'logs' / 'dbt.log'}"
        )
