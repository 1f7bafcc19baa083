"""The one way a name or a value from a file, a path, a var or the environment reaches SQL text.

Prefer a bound parameter (``execute(sql, [value])``) wherever the engine takes one; these helpers are for
the places SQL cannot bind (identifiers, DuckDB's ATTACH, DDL). Every engine here (DuckDB, PostgreSQL with
standard strings, Spark SQL) reads a doubled quote as the quote itself; Spark also reads backslashes as
escapes, so ``literal(..., spark=True)`` doubles them. dbt's side is ``macros/quoting.sql``.
"""

from __future__ import annotations

from pathlib import Path


def ident(name: str) -> str:
    """A quoted identifier: ``a"b`` -> ``"a""b"``, whatever the name holds."""
    return '"' + str(name).replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    """``schema.table``, both parts quoted."""
    return f"{ident(schema)}.{ident(name)}"


def literal(value: str | Path, spark: bool = False) -> str:
    """A string literal: ``o'brien`` -> ``'o''brien'``."""
    text = str(value)
    if spark:
        text = text.replace("\\", "\\\\")
    return "'" + text.replace("'", "''") + "'"
