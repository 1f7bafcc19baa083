"""The command line: user mistakes are one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scripts.common import PROJECT_ROOT


def _run(*args: str, env_db: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scripts.cli", *args], cwd=PROJECT_ROOT, capture_output=True, text=True,
        env={"WAREHOUSE_PATH": str(env_db), "PATH": str(Path(sys.executable).parent)},
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("build", "--vars", "{as_of_date: [unclosed"), "--vars is not valid YAML"),
        (("build", "--vars", "just-a-string"), "--vars must be a YAML mapping"),
        (("build",), "warehouse file not found"),
        (("load", "--from", "/nonexistent/folder"), "no such folder"),
    ],
)
def test_user_errors_are_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    if args[0] == "build" and "--vars" in args:
        (tmp_path / "w.duckdb").touch()
    result = _run(*args, env_db=tmp_path / "w.duckdb")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
