"""`warehouse build` decides between a daily (incremental) and a full build, and says why an old build file
cannot go incremental."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from scripts.build import dbt_command, has_incremental_state
from scripts.common import PROJECT_ROOT, WarehouseError


def test_incremental_state_is_absent_until_watermarks_exist(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    assert not has_incremental_state(db)  # first build
    with duckdb.connect(str(db)) as con:
        con.execute("create schema audit")
        con.execute("create table audit.incremental_watermarks (model_name varchar, watermark timestamp, "
                    "recorded_at timestamp)")
    assert not has_incremental_state(db)  # cleared by a replacing load
    with duckdb.connect(str(db)) as con:
        con.execute("insert into audit.incremental_watermarks values ('m', '2025-12-31', '2026-01-01')")
    assert has_incremental_state(db)


def test_base_model_built_before_it_was_incremental_is_a_clear_error(clean_warehouse: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    db = tmp_path / clean_warehouse[1].name
    shutil.copy(clean_warehouse[1], db)
    with duckdb.connect(str(db)) as con:
        con.execute("alter table staging.base_crm__lead drop column _processed_at")
    args = dbt_command(["run", "--select", "base_crm__lead"], extra=["--target-path", str(tmp_path / "target")])
    result = subprocess.run(args, cwd=PROJECT_ROOT, env={**os.environ, "WAREHOUSE_PATH": str(db)},
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "staging.base_crm__lead was built before base models were incremental" in result.stdout
    assert "--full-refresh" in result.stdout


def test_build_goes_full_refresh_only_without_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scripts.build as build_module

    calls: list[list[str]] = []

    def fake_run_dbt(command: list[str], db_path: Path, vars_: dict | None = None,
                     extra: list[str] | None = None, **_: object) -> int:
        calls.append(list(extra or []))
        return 1  # stop there: the published file stays as it was

    monkeypatch.setattr(build_module, "run_dbt", fake_run_dbt)
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(WarehouseError):
        build_module.build(db, target=tmp_path / "published.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute("create schema if not exists audit")  # the failed run's record may have made it
        con.execute("create table audit.incremental_watermarks as "
                    "select 'm' as model_name, timestamp '2025-12-31' as watermark, now() as recorded_at")
    with pytest.raises(WarehouseError):
        build_module.build(db, target=tmp_path / "published.duckdb")
    assert calls == [["--full-refresh"], []]
