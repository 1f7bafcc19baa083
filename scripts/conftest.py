"""Shared pytest fixtures: small generated datasets and warehouses in temporary folders (never the demo's file).

``messy_warehouse`` / ``clean_warehouse`` are DuckDB files (for the pipeline, publish, report tests).
``messy_sql`` / ``clean_sql`` are the same datasets built on the engine under test, chosen by
``WAREHOUSE_TEST_ENGINE`` (``duckdb``, the default, or ``postgres`` for ``make test-postgres``): the
recomputation tests read through them, so the same checks run on every engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import duckdb
import pytest

from scripts.build import run_dbt
from scripts.generate import generate
from scripts.load import load

ENGINE = os.environ.get("WAREHOUSE_TEST_ENGINE", "duckdb")
MESSY = {"scale": 0.03, "seed": 11, "fmt": "csv", "bad_rows_rate": 0.02}
CLEAN = {"scale": 0.1, "seed": 21, "bad_rows_rate": 0}


def _generated(tmp_path_factory: pytest.TempPathFactory, name: str, options: dict[str, Any]) -> Path:
    raw = tmp_path_factory.mktemp(name) / "raw"
    generate(raw, **options)
    return raw


def _duckdb_built(raw: Path, name: str) -> Path:
    db = raw.parent / "warehouse.duckdb"
    load(raw, db)
    assert run_dbt(["build", "--quiet"], db) == 0, f"dbt build failed on the {name} fixture"
    return db


def _postgres_built(raw: Path, name: str) -> str:
    from scripts.postgres import load_postgres, pg_env, recreate_database

    database = f"warehouse_test_{name}"
    recreate_database(database)
    load_postgres(raw, database)
    env = {**pg_env(database), "DBT_TARGET": "postgres"}
    assert run_dbt(["build", "--quiet"], raw.parent / "unused.duckdb", env=env) == 0, \
        f"dbt build failed on the {name} fixture (PostgreSQL database {database})"
    return database


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small clean dataset (Parquet)."""
    out = tmp_path_factory.mktemp("raw_clean")
    generate(out, scale=0.02, seed=3, bad_rows_rate=0)
    return out


@pytest.fixture(scope="session")
def messy_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small dataset with every bad-input class, as CSV, loaded and built: (raw folder, warehouse file)."""
    raw = _generated(tmp_path_factory, "messy", MESSY)
    return raw, _duckdb_built(raw, "messy")


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A clean dataset (no bad rows: raw equals truth), loaded and built: (raw folder, warehouse file)."""
    raw = _generated(tmp_path_factory, "clean", CLEAN)
    return raw, _duckdb_built(raw, "clean")


Connect = Callable[[], Any]


def _built_on_engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, name: str,
                     options: dict[str, Any]) -> tuple[Path, Connect]:
    if ENGINE == "postgres":
        from scripts.postgres import Connection

        raw = _generated(tmp_path_factory, f"{name}_pg", options)
        database = _postgres_built(raw, name)
        return raw, lambda: Connection(database)
    if ENGINE == "duckdb":
        raw, db = request.getfixturevalue(f"{name}_warehouse")
        return raw, lambda: duckdb.connect(str(db), read_only=True)
    raise pytest.UsageError(f"WAREHOUSE_TEST_ENGINE must be duckdb or postgres, got {ENGINE!r}")


@pytest.fixture(scope="session")
def messy_sql(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Connect]:
    """The messy dataset built on the engine under test: (raw folder, connect()); a connection answers
    ``execute(sql, params).fetchall()`` on either engine. Close what you open."""
    return _built_on_engine(request, tmp_path_factory, "messy", MESSY)


@pytest.fixture(scope="session")
def clean_sql(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Connect]:
    """The clean dataset built on the engine under test, as for messy_sql."""
    return _built_on_engine(request, tmp_path_factory, "clean", CLEAN)
