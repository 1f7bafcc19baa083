"""Shared pieces: the user-facing error type, project paths, and the raw-data contract.

The raw contract has one home: the dbt source YAML files under ``models/staging/<source>/``. The loader
reads table and column names from there, so the warehouse and the loader can never disagree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # scripts/revenue_warehouse/config.py -> the repository
SOURCES_GLOB = "models/staging/*/_*__sources.yml"
#: Share of rows per table the generator corrupts by default (the demo's bad input; 0 = clean data).
DEFAULT_BAD_ROWS_RATE = 0.004
#: Columns the loader manages: filled in when a file does not have them.
LOADER_COLUMNS = ("_loaded_at", "_is_deleted")


class WarehouseError(Exception):
    """An error meant for the user: the CLI prints its message as one line, without a traceback."""


@dataclass(frozen=True)
class RawTable:
    schema: str  # e.g. raw_billing
    name: str  # e.g. invoice
    columns: tuple[str, ...]  # in contract order, including loader-managed columns
    types: tuple[str, ...] = ()  # each column's data_type in the contract (varchar, date, decimal(18,2), ...)

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in LOADER_COLUMNS)


@lru_cache(maxsize=1)
def raw_contract() -> dict[str, RawTable]:
    """All raw tables of the contract, keyed by ``schema.table``."""
    tables: dict[str, RawTable] = {}
    for path in sorted(PROJECT_ROOT.glob(SOURCES_GLOB)):
        for source in yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["sources"]:
            for table in source["tables"]:
                columns = tuple(col["name"] for col in table["columns"])
                types = tuple(str(col.get("data_type", "varchar")).lower() for col in table["columns"])
                raw = RawTable(schema=source["schema"], name=table["name"], columns=columns, types=types)
                tables[raw.qualified] = raw
    if not tables:
        raise WarehouseError(f"no raw contract found under {PROJECT_ROOT / SOURCES_GLOB}")
    return tables


def warehouse_path() -> Path:
    """The DuckDB file dbt builds into (env WAREHOUSE_PATH, default warehouse.duckdb in the project).

    It holds raw data, personal data and pay: keep it private.
    """
    return Path(os.environ.get("WAREHOUSE_PATH", PROJECT_ROOT / "warehouse.duckdb")).resolve()


def publish_path() -> Path:
    """The file BI tools read: marts and data-quality results only (env WAREHOUSE_PUBLISH_PATH).

    Defaults to ``published/<name>`` next to the build file, so every warehouse has its own published
    file (the project's default stays ``published/warehouse.duckdb``).
    """
    if os.environ.get("WAREHOUSE_PUBLISH_PATH"):
        return Path(os.environ["WAREHOUSE_PUBLISH_PATH"]).resolve()
    build_file = warehouse_path()
    return build_file.parent / "published" / build_file.name
