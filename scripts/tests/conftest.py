"""Shared pytest fixtures: small generated datasets and warehouses in temporary folders (never the demo's file).

``messy_warehouse`` / ``clean_warehouse`` are DuckDB files (for the pipeline, publish, report tests).
``messy_sql`` / ``clean_sql`` are the same datasets built on each engine: parametrized over DuckDB and
PostgreSQL, the PostgreSQL variant marked ``postgres``, so the recomputation tests run on every engine and
the engine is chosen by marker (``pytest -m postgres``; the default run deselects postgres, spark and slow
tests, see pyproject.toml).
"""

from __future__ import annotations

import os
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Callable, Iterator

import duckdb
import pytest

from revenue_warehouse.pipeline.build import run_dbt
from revenue_warehouse.synthetic.generate import generate
from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH
from revenue_warehouse.pipeline.load import load

# Unit tests check SQL on fixed inputs, not the data a build reads: `make fixture` runs them on DuckDB at the
# default vars. The DuckDB builds of the tests skip them (dbt's DBT_EXCLUDE_RESOURCE_TYPES, inherited by every
# dbt and `warehouse` child; about half of a small build's time) unless a test is about another engine, other
# vars or the connector adapters: those build inside with_unit_tests().
os.environ.setdefault("DBT_EXCLUDE_RESOURCE_TYPES", "unit_test")


@contextmanager
def with_unit_tests() -> Iterator[None]:
    """dbt builds (and `warehouse` commands) started inside run the unit tests too."""
    saved = os.environ.pop("DBT_EXCLUDE_RESOURCE_TYPES", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["DBT_EXCLUDE_RESOURCE_TYPES"] = saved


# fixtures end in a fixed month, so their calendar (and the dates tests name) never moves with today
MESSY = {"scale": 0.03, "seed": 11, "fmt": "csv", "bad_rows_rate": 0.02, "end_month": FIXTURE_END_MONTH}
CLEAN = {"scale": 0.1, "seed": 21, "bad_rows_rate": 0, "end_month": FIXTURE_END_MONTH}


def _generated(tmp_path_factory: pytest.TempPathFactory, name: str, options: dict[str, Any]) -> Path:
    raw = tmp_path_factory.mktemp(name) / "raw"
    generate(raw, **options)
    return raw


def _duckdb_built(raw: Path, name: str) -> Path:
    db = raw.parent / "warehouse.duckdb"
    load(raw, db)
    assert run_dbt(["build", "--quiet"], db) == 0, \
        f"dbt build failed on the {name} fixture"
    return db


def _postgres_built(raw: Path, name: str) -> str:
    from revenue_warehouse.engines.postgres import PostgresEngine, pg_env, recreate_database

    database = f"warehouse_test_{name}"
    recreate_database(database)
    load(raw, PostgresEngine(database))
    env = {**pg_env(database), "DBT_TARGET": "postgres"}
    # the unit tests on PostgreSQL's SQL, once (the messy fixture's build)
    with with_unit_tests() if name == "messy" else nullcontext():
        code = run_dbt(["build", "--quiet"], raw.parent / "unused.duckdb", env=env)
    assert code == 0, \
        f"dbt build failed on the {name} fixture (PostgreSQL database {database})"
    return database


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small clean dataset (Parquet)."""
    out = tmp_path_factory.mktemp("raw_clean")
    generate(out, scale=0.02, seed=3, bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
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


@pytest.fixture(scope="session")
def messy_postgres(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Connect]:
    """The messy dataset built on the local PostgreSQL server (scripts/postgres_up.sh)."""
    from revenue_warehouse.engines.postgres import Connection

    raw = _generated(tmp_path_factory, "messy_pg", MESSY)
    database = _postgres_built(raw, "messy")
    return raw, lambda: Connection(database)


@pytest.fixture(scope="session")
def clean_postgres(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Connect]:
    from revenue_warehouse.engines.postgres import Connection

    raw = _generated(tmp_path_factory, "clean_pg", CLEAN)
    database = _postgres_built(raw, "clean")
    return raw, lambda: Connection(database)


ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


def _on_engine(request: pytest.FixtureRequest, name: str) -> tuple[Path, Connect]:
    if request.param == "postgres":
        return request.getfixturevalue(f"{name}_postgres")
    raw, db = request.getfixturevalue(f"{name}_warehouse")
    return raw, lambda: duckdb.connect(str(db), read_only=True)


@pytest.fixture(scope="session", params=ENGINES)
def messy_sql(request: pytest.FixtureRequest) -> tuple[Path, Connect]:
    """The messy dataset built on each engine: (raw folder, connect()); a connection answers
    ``execute(sql, params).fetchall()`` on either engine. Close what you open."""
    return _on_engine(request, "messy")


@pytest.fixture(scope="session", params=ENGINES)
def clean_sql(request: pytest.FixtureRequest) -> tuple[Path, Connect]:
    """The clean dataset built on each engine, as for messy_sql."""
    return _on_engine(request, "clean")
