"""Shared pytest fixtures: small generated datasets and warehouses in temporary folders (never the demo's file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.build import run_dbt
from scripts.generate import generate
from scripts.load import load


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small clean dataset (Parquet)."""
    out = tmp_path_factory.mktemp("raw_clean")
    generate(out, scale=0.02, seed=3, bad_rows_rate=0)
    return out


@pytest.fixture(scope="session")
def messy_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small dataset with every bad-input class, as CSV, loaded and built: (raw folder, warehouse file)."""
    root = tmp_path_factory.mktemp("messy")
    raw, db = root / "raw", root / "warehouse.duckdb"
    generate(raw, scale=0.03, seed=11, fmt="csv", bad_rows_rate=0.02)
    load(raw, db)
    assert run_dbt(["build", "--quiet"], db) == 0, "dbt build failed on the messy fixture"
    return raw, db


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A clean dataset (no bad rows: raw equals truth), loaded and built: (raw folder, warehouse file)."""
    root = tmp_path_factory.mktemp("clean")
    raw, db = root / "raw", root / "warehouse.duckdb"
    generate(raw, scale=0.1, seed=21, bad_rows_rate=0)
    load(raw, db)
    assert run_dbt(["build", "--quiet"], db) == 0, "dbt build failed on the clean fixture"
    return raw, db
