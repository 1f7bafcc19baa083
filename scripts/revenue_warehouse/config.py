"""Shared pieces: the user-facing error type, project paths, and the raw-data contract.

The raw contract has one home: the dbt source YAML files under ``models/staging/<source>/``. The loader
reads table and column names from there, so the warehouse and the loader can never disagree.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]  # scripts/revenue_warehouse/config.py -> the repository


def dbt_target_path() -> Path:
    """Where dbt writes its artifacts (run_results.json, sources.json): DBT_TARGET_PATH, else target/."""
    return PROJECT_ROOT / os.environ.get("DBT_TARGET_PATH", "target")


SOURCES_GLOB = "models/staging/*/_*__sources.yml"
CONNECTOR_SOURCES_GLOB = "models/staging/*/connectors/_*__sources.yml"
#: Share of rows per table the generator corrupts by default (the demo's bad input; 0 = clean data).
DEFAULT_BAD_ROWS_RATE = 0.004
#: Columns the loader manages: filled in when a file does not have them.
LOADER_COLUMNS = ("_loaded_at", "_is_deleted")


class WarehouseError(Exception):
    """An error meant for the user: the CLI prints its message as one line, without a traceback."""


#: The one override of the calendar: a date (YYYY-MM-DD) the whole warehouse treats as today (the
#: generator's default end date, the loader's `_loaded_at`, run times, and dbt's source freshness through
#: macros/collect_freshness.sql). Tests set it; nothing reads the wall clock's date around it.
TODAY_VARIABLE = "WAREHOUSE_TODAY"


def parse_date(text: str, name: str) -> dt.date:
    """A YYYY-MM-DD date, or a one-line error naming where it came from."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise WarehouseError(f"{name} must be a date like 2026-12-06, got {text!r}") from None


def utc_now() -> dt.datetime:
    """Now, UTC, naive (as every timestamp the warehouse writes); with WAREHOUSE_TODAY set, the clock's
    time of day on that date (runs keep their order and durations)."""
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    override = os.environ.get(TODAY_VARIABLE)
    return dt.datetime.combine(parse_date(override, TODAY_VARIABLE), now.time()) if override else now


def today() -> dt.date:
    """Today (UTC), or the date in WAREHOUSE_TODAY."""
    return utc_now().date()


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


def _sources(connectors: bool) -> list[dict]:
    """The source YAML's sources: the raw contract's, or the connectors' (``meta.connector``)."""
    found = []
    for path in sorted(PROJECT_ROOT.glob(SOURCES_GLOB)) + sorted(PROJECT_ROOT.glob(CONNECTOR_SOURCES_GLOB)):
        for source in yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["sources"]:
            if bool((source.get("meta") or {}).get("connector")) == connectors:
                found.append(source)
    return found


def _tables(source: dict, schema: str) -> dict[str, RawTable]:
    tables = {}
    for table in source["tables"]:
        columns = tuple(col["name"] for col in table["columns"])
        types = tuple(str(col.get("data_type", "varchar")).lower() for col in table["columns"])
        raw = RawTable(schema=schema, name=table["name"], columns=columns, types=types)
        tables[raw.qualified] = raw
    return tables


def connectors() -> dict[str, dict]:
    """Each connector's ``meta``: the var that chooses it and the contract tables its adapters replace."""
    return {source["meta"]["connector"]: source["meta"] for source in _sources(connectors=True)}


@lru_cache(maxsize=1)
def connector_tables() -> dict[str, RawTable]:
    """The connector tables the adapters read (docs/connectors.md), keyed by ``<connector>.<table>``: a
    folder named after the connector holds one file per table, loaded into the schema of that name."""
    tables: dict[str, RawTable] = {}
    for source in _sources(connectors=True):
        tables.update(_tables(source, source["meta"]["connector"]))
    return tables


@lru_cache(maxsize=1)
def raw_contract() -> dict[str, RawTable]:
    """All raw tables of the contract, keyed by ``schema.table``."""
    tables: dict[str, RawTable] = {}
    for source in _sources(connectors=False):
        tables.update(_tables(source, source["schema"]))
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
