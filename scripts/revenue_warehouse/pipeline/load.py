"""``warehouse load``: bring a folder of raw exports into the raw schemas of the warehouse.

Layout: ``DIR/<schema>/<table>.parquet`` or ``.csv`` (schema and table names from the raw contract), and
``DIR/<connector>/<table>.csv|parquet`` for a connector's tables as its ELT tool names them (e.g.
``DIR/xero/journal_line.csv``; docs/connectors.md), loaded into the schema named after the connector.
Files and folders whose names start with ``_`` or ``.`` are ignored (e.g. the generator's manifest).

A connector folder may hold the connector's whole export (Fivetran lands dozens of tables per connector):
the tables the adapters read are loaded, the others are listed once and not loaded. In a contract folder
an unknown file is refused, with the closest table names.

Every file is checked before anything is written: an unknown folder or table, an unreadable file, a
missing contract column or a date/number format the flags do not read (``pipeline.formats``) fails with
a message naming the file (and column), and the warehouse is left as it was. Then an engine
(``engines``: DuckDB, PostgreSQL, Spark; one interface) writes every table, in one transaction where the
engine has them.

Values land as text: dates, timestamps and numbers rewritten to canonical text when the file writes them
in another format (US/European dates and numbers, time-zone offsets -> UTC), everything else exactly as
the file has it, so a value like ``12,50 EUR`` never makes a file fail to load: staging quarantines it.
Columns the contract does not name are kept (as text) and ignored by the models. ``_loaded_at`` and
``_is_deleted`` are the loader's columns: a file that lacks them gets the load time and ``false``.

A full load makes the raw schemas a **snapshot of DIR**: each table with a file is replaced, each contract
table without one ends empty (and the load names it), as does each table of a connector whose folder is
in DIR; re-loading the same folder is idempotent. An empty
(0-byte) file is an empty table. ``append=True`` inserts the rows as a delta (late rows, re-syncs) with
their own ``_loaded_at`` and leaves tables without a file alone: staging keeps the latest version of each
record.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from revenue_warehouse.config import RawTable, WarehouseError, connector_tables, raw_contract, utc_now
from revenue_warehouse.engines import Engine, LoadResult, PreparedTable, reader_connection
from revenue_warehouse.pipeline import file_checks
from revenue_warehouse.pipeline import formats as fmt
from revenue_warehouse.sql import ident, literal, qualified

FORMATS = {".parquet": "read_parquet", ".csv": "read_csv"}


@dataclass(frozen=True)
class RawFile:
    table: RawTable
    path: Path  # the file, as messages name it
    columns: tuple[str, ...]  # as the file has them (empty for an empty file)
    text_columns: frozenset[str] = frozenset()  # the file's columns stored as text
    zoned_columns: frozenset[str] = frozenset()  # typed timestamps with a time zone (Parquet)
    read_path: Path | None = None  # what the reader reads, when not the file itself (file_checks)
    encoding: str = "utf-8"

    def reader(self) -> str:
        return file_reader(self.read_path or self.path, self.encoding)


def file_reader(path: Path, encoding: str = "utf-8") -> str:
    """A DuckDB table function reading a raw file, CSV as text."""
    if path.suffix == ".csv":
        return f"read_csv({literal(path)}, all_varchar = true, header = true, encoding = {literal(encoding)})"
    return f"read_parquet({literal(path)})"


def _describe(probe: duckdb.DuckDBPyConnection, path: Path, reader: str) -> list[tuple[str, str]]:
    """The file's columns and their types as DuckDB reads them."""
    try:
        return [(r[0], r[1]) for r in probe.execute(f"describe select * from {reader}").fetchall()]
    except duckdb.Error as exc:
        raise WarehouseError(f"{path}: cannot read the file: {str(exc).splitlines()[0]}") from None


#: the file types a typed (Parquet) column may have for each contract kind; text columns are read by formats
TYPED_KINDS = {"date": ("DATE", "TIMESTAMP"), "timestamp": ("TIMESTAMP", "DATE"),
               "number": ("DECIMAL", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "DOUBLE", "FLOAT",
                          "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT")}


def _typed_problems(path: Path, table: RawTable, described: list[tuple[str, str]]) -> list[str]:
    """A typed column whose type cannot hold what the contract says (an integer 20220101 as a date)."""
    kinds = dict(zip(table.columns, (fmt.kind(t) for t in table.types), strict=False))
    problems = []
    for column, data_type in described:
        wanted = TYPED_KINDS.get(kinds.get(column, "text"))
        if wanted and data_type != "VARCHAR" and not data_type.startswith(wanted):
            problems.append(f"{path}: column {column} is {data_type} in the file but a {kinds[column]} in the "
                            f"contract; export it as a {kinds[column]} (or as text, e.g. "
                            f"{'2025-01-31' if kinds[column] == 'date' else '2025-01-31 09:30:00' if kinds[column] == 'timestamp' else '1234.50'})")
    return problems


def _unknown_file(path: Path, known: list[str]) -> WarehouseError:
    """A file of a contract folder that names no contract table: refused, with the closest names."""
    import difflib

    close = difflib.get_close_matches(path.stem.lower(), known, n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(c + path.suffix for c in close)}? " if close and path.suffix in FORMATS else ""
    return WarehouseError(f"{path}: unknown table file ({hint}expected <table>.parquet or .csv with table one of: "
                          f"{', '.join(known)})")


def discover(source_dir: Path, formats: fmt.Formats = fmt.Formats(), scratch: Path | None = None,
             ignored: list[Path] | None = None) -> list[RawFile]:
    """Find and check every raw file under source_dir; raise WarehouseError naming every problem found.
    ``scratch``: a folder for normalised copies (mixed line endings); none: such a file is refused.
    ``ignored`` receives the files of connector folders that no adapter reads (not loaded)."""
    if not source_dir.is_dir():
        raise WarehouseError(f"{source_dir}: no such folder (expected DIR/<schema>/<table>.parquet|csv)")
    contract = {**raw_contract(), **connector_tables()}
    schemas = sorted({t.schema for t in contract.values()})
    connectors = {t.schema for t in connector_tables().values()}
    found: dict[str, RawFile] = {}
    problems: list[str] = []
    probe = reader_connection()
    try:
        for entry in sorted(source_dir.iterdir()):
            if entry.name.startswith(("_", ".")):
                continue
            if not entry.is_dir() or entry.name not in schemas:
                raise WarehouseError(f"{entry}: unknown schema folder (expected one of: {', '.join(schemas)})")
            for path in sorted(entry.iterdir()):
                if path.name.startswith(("_", ".")):
                    continue
                qualified = f"{entry.name}.{path.stem}"
                if path.suffix in FORMATS and qualified not in contract and entry.name in connectors:
                    if ignored is not None:
                        ignored.append(path)  # a table of the full export the warehouse does not read
                    continue
                if path.suffix not in FORMATS or qualified not in contract:
                    raise _unknown_file(path, sorted(t.name for t in contract.values() if t.schema == entry.name))
                if qualified in found:
                    raise WarehouseError(f"{path}: {qualified} also comes from {found[qualified].path}; keep one file per table")
                table = contract[qualified]
                if path.stat().st_size == 0:
                    found[qualified] = RawFile(table=table, path=path, columns=())
                    continue
                read_path = file_checks.readable(path, formats.encoding, scratch)
                described = _describe(probe, path, file_reader(read_path, formats.encoding))
                columns = tuple(c for c, _ in described)
                # a connector's table may lack columns a sync did not bring (they load as nulls)
                missing = [] if entry.name in connectors else [c for c in table.required_columns if c not in columns]
                if missing:
                    raise WarehouseError(f"{path}: missing required column(s) {', '.join(missing)} of {qualified}")
                raw = RawFile(table=table, path=path, columns=columns,
                              text_columns=frozenset(c for c, t in described if t == "VARCHAR"),
                              zoned_columns=frozenset(c for c, t in described if t.startswith("TIMESTAMP WITH TIME ZONE")),
                              read_path=None if read_path == path else read_path, encoding=formats.encoding)
                problems += _typed_problems(path, table, described)
                problems += _format_problems(probe, raw, formats)
                found[qualified] = raw
    finally:
        probe.close()
    if problems:
        raise WarehouseError("the files are not in the format the flags say, nothing loaded:\n  " + "\n  ".join(problems))
    if not found:
        raise WarehouseError(f"{source_dir}: no raw tables found (expected DIR/<schema>/<table>.parquet|csv)")
    return list(found.values())


def _typed_text_columns(raw: RawFile) -> dict[str, str]:
    """The file's text columns that the contract types as dates, timestamps or numbers: name -> kind."""
    kinds = dict(zip(raw.table.columns, (fmt.kind(t) for t in raw.table.types), strict=False))
    return {c: kinds[c] for c in raw.table.columns
            if c in raw.text_columns and kinds.get(c, "text") != "text"}


def _format_problems(probe: duckdb.DuckDBPyConnection, raw: RawFile, formats: fmt.Formats) -> list[str]:
    columns = _typed_text_columns(raw)
    if not columns:
        return []
    profile = probe.execute(fmt.profile_sql(columns, raw.reader())).fetchone()
    return fmt.problems(str(raw.path), columns, profile, formats)


def select_as_text(raw: RawFile, loaded_at: str, formats: fmt.Formats = fmt.Formats()) -> str:
    """The file's rows with every column as canonical text, the contract's columns first, loader columns filled."""
    if not raw.columns:  # an empty file: no rows, the contract's columns
        columns = ", ".join(f"cast(null as varchar) as {ident(c)}" for c in raw.table.columns)
        return f"select {columns} where false"
    typed = _typed_text_columns(raw)
    contract_cols = list(raw.table.columns)
    extra = [c for c in raw.columns if c not in contract_cols]
    parts = []
    for column in contract_cols + extra:
        quoted = ident(column)
        if column in typed:
            parts.append(f"{fmt.normalized(column, typed[column], formats)} as {quoted}")
        elif column in raw.zoned_columns:  # the instant in UTC (the reader's time zone), without an offset
            parts.append(f"cast(cast({quoted} as timestamp) as varchar) as {quoted}")
        elif column in raw.columns:
            parts.append(f"cast({quoted} as varchar) as {quoted}")
        elif column == "_loaded_at":
            parts.append(f"{literal(loaded_at)} as {quoted}")
        elif column == "_is_deleted":
            parts.append(f"'false' as {quoted}")
        else:  # a connector column the file lacks
            parts.append(f"cast(null as varchar) as {quoted}")
    return f"select {', '.join(parts)} from {raw.reader()}"


def load_timestamp() -> str:
    """The ``_loaded_at`` given to rows whose file lacks it: now, UTC, to the second (every engine)."""
    return utc_now().isoformat(sep=" ", timespec="seconds")


def load(source_dir: Path, engine: Engine | Path, append: bool = False,
         formats: fmt.Formats = fmt.Formats()) -> list[LoadResult]:
    """Check every file under source_dir, then have the engine write them (see the module's docstring).

    ``engine``: an ``engines`` engine, or the path of a DuckDB file. Returns one result per contract
    table: rows written, or ``path=None`` for a table without a file (emptied by a full load, left alone
    by an append).
    """
    if isinstance(engine, Path):
        from revenue_warehouse.engines.duckdb_engine import DuckDBEngine

        engine = DuckDBEngine(engine)
    if (formats.date_order not in fmt.DATE_ORDERS or formats.number_format not in fmt.NUMBER_FORMATS
            or formats.encoding not in file_checks.ENCODINGS):
        raise WarehouseError(f"unknown format {formats}: date order one of {fmt.DATE_ORDERS}, "
                             f"number format one of {fmt.NUMBER_FORMATS}, encoding one of {file_checks.ENCODINGS}")
    ignored: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="warehouse-load-") as scratch:
        files = discover(source_dir, formats, Path(scratch), ignored)
        loaded_at = load_timestamp()
        tables = [PreparedTable(raw.table, raw.path, select_as_text(raw, loaded_at, formats), not raw.columns)
                  for raw in files]
        present = {raw.table.qualified for raw in files}
        folders = {raw.table.schema for raw in files}
        snapshot = [*raw_contract().values(), *(t for t in connector_tables().values() if t.schema in folders)]
        absent = [t for t in snapshot if t.qualified not in present]
        results = engine.write(tables, absent, append)
    return results + [LoadResult(f"{path.parent.name}.{path.stem}", path, 0, ignored=True) for path in ignored]


def replaced_text(replaces: list[str]) -> str:
    """``raw_billing.*`` for every table of a contract schema, else the tables' names."""
    contract = raw_contract()
    parts = []
    for schema in dict.fromkeys(name.split(".")[0] for name in replaces):
        mine = [n for n in replaces if n.startswith(schema + ".")]
        whole = len(mine) == sum(1 for t in contract.values() if t.schema == schema)
        parts.append(f"{schema}.*" if whole else ", ".join(mine))
    return ", ".join(parts)


def sources_report(db_path: Path) -> str:
    """``warehouse sources``: which contract and connector tables the warehouse holds, and the vars that
    make the build read each connector present."""
    from revenue_warehouse.config import connectors
    from revenue_warehouse.db import connect

    con = connect(db_path, read_only=True)
    try:
        present = {(schema, name) for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}

        def rows(table: RawTable) -> int | None:
            if (table.schema, table.name) not in present:
                return None
            return con.execute(f"select count(*) from {qualified(table.schema, table.name)}").fetchone()[0]

        lines, chosen = [f"build file: {db_path}", "raw contract (DIR/<schema>/<table>):"], {}
        metas = connectors()
        groups = [("contract", raw_contract())] + [(c, {k: t for k, t in connector_tables().items() if t.schema == c})
                                                    for c in metas]
        for group, tables in groups:
            if group != "contract":
                lines.append(f"connector {group} (DIR/{group}/<table>; var {metas[group]['var']}: {group} "
                             f"replaces {replaced_text(metas[group]['replaces'])}):")
            for schema in sorted({t.schema for t in tables.values()}):
                counts = {t.name: rows(t) for t in tables.values() if t.schema == schema}
                loaded = {n: c for n, c in counts.items() if c is not None}
                empty = sorted(n for n, c in loaded.items() if c == 0)
                if not loaded:
                    lines.append(f"  {schema:<14} not loaded")
                    continue
                lines.append(f"  {schema:<14} {len(loaded)} of {len(counts)} tables, {sum(loaded.values()):,} rows"
                             + (f"; empty: {', '.join(empty)}" if empty else ""))
                if group != "contract" and sum(loaded.values()):
                    chosen.setdefault(metas[group]["var"], []).append(group)
    finally:
        con.close()
    vars_text = ", ".join(f"{k}: {v[0]}" for k, v in sorted(chosen.items()))
    lines.append(f"vars to set: warehouse build --vars '{{{vars_text}}}'" if chosen
                 else "vars to set: none (every table comes from the raw contract)")
    lines += [f"  ({var}: {' or '.join(v)}: more than one is loaded, choose one)"
              for var, v in sorted(chosen.items()) if len(v) > 1]
    return "\n".join(lines)


#: the share of a connector's tables a schema must hold to be taken for that connector's schema
SCHEMA_MATCH = 0.5


def connector_schemas(tables: set[tuple[str, str]]) -> dict[str, list[tuple[str, int, int]]]:
    """The schemas of a database that hold a connector's tables, whatever they are named (a Fivetran
    destination names them as its connector was set up: ``stripe``, ``stripe_live``, ``hubspot_eu``):
    connector -> [(schema, tables found, tables read)], best match first. A schema is taken for the
    connector whose tables it holds the largest share of, at least half of them."""
    from revenue_warehouse.config import connectors

    wanted = {c: {t.name for t in connector_tables().values() if t.schema == c} for c in connectors()}
    by_schema: dict[str, set[str]] = {}
    for schema, name in tables:
        by_schema.setdefault(schema, set()).add(name.lower())
    found: dict[str, list[tuple[str, int, int]]] = {}
    for schema, names in sorted(by_schema.items()):
        scores = {c: len(names & w) / len(w) for c, w in wanted.items()}
        best = max(scores, key=lambda c: (scores[c], c == schema))
        if scores[best] >= SCHEMA_MATCH:
            found.setdefault(best, []).append((schema, len(names & wanted[best]), len(wanted[best])))
    return {c: sorted(v, key=lambda s: (-s[1] / s[2], s[0] != c, s[0])) for c, v in found.items()}


def database_report(tables: set[tuple[str, str]], where: str) -> str:
    """``warehouse sources --database``: the connector schemas an ELT tool wrote into the database, and the
    vars line that builds from them (a schema not named after its connector needs its ``<connector>_schema``)."""
    from revenue_warehouse.config import connectors

    metas = connectors()
    found = connector_schemas(tables)
    lines = [f"database: {where}"]
    chosen: dict[str, list[tuple[str, str]]] = {}
    for connector in sorted(found):
        for schema, have, of in found[connector]:
            lines.append(f"  {connector:<11} schema {schema:<18} {have} of {of} tables the adapters read"
                         + ("" if have == of else f" (missing: {', '.join(sorted(_missing(tables, schema, connector)))})"))
        chosen.setdefault(metas[connector]["var"], []).append((connector, found[connector][0][0]))
    contract = sorted({s for s, _ in tables if s.startswith("raw_")})
    lines.append(f"  raw contract schemas: {', '.join(contract) if contract else 'none (fx rates, raw_cs and raw_product: load them, or their KPIs stay no_data)'}")
    if not chosen:
        lines.append("vars to set: none found (no schema holds at least half of a connector's tables)")
        return "\n".join(lines)
    parts = []
    for var, options in sorted(chosen.items()):
        connector, schema = options[0]
        parts.append(f"{var}: {connector}")
        if schema != connector:
            parts.append(f"{connector}_schema: {schema}")
    lines.append(f"vars to set: warehouse build --vars '{{{', '.join(parts)}}}'")
    lines += [f"  ({var}: {' or '.join(c for c, _ in options)}: more than one is present, choose one)"
              for var, options in sorted(chosen.items()) if len(options) > 1]
    lines += [f"  ({connector}: schemas {', '.join(s for s, _, _ in found[connector])}: the first is chosen; "
              f"set {connector}_schema for another)" for connector in sorted(found) if len(found[connector]) > 1]
    return "\n".join(lines)


def _missing(tables: set[tuple[str, str]], schema: str, connector: str) -> set[str]:
    names = {n.lower() for s, n in tables if s == schema}
    return {t.name for t in connector_tables().values() if t.schema == connector} - names


def database_tables(target: str) -> tuple[set[tuple[str, str]], str]:
    """Every (schema, table) of the build database: the DuckDB file, or the PostgreSQL database (PG* env)."""
    query = ("select table_schema, table_name from information_schema.tables "
             "where table_schema not in ('information_schema', 'pg_catalog')")
    if target == "postgres":
        from revenue_warehouse.engines.postgres import Connection, pg_env

        con = Connection()
        try:
            rows = con.execute(query).fetchall()
        finally:
            con.close()
        env = pg_env(None)
        return {(s, t) for s, t in rows}, f"PostgreSQL {env.get('PGDATABASE', '')} on {env.get('PGHOST', '')}"
    from revenue_warehouse.config import warehouse_path
    from revenue_warehouse.db import connect

    db = warehouse_path()
    con = connect(db, read_only=True)
    try:
        rows = con.execute(query).fetchall()
    finally:
        con.close()
    return {(s, t) for s, t in rows}, str(db)
