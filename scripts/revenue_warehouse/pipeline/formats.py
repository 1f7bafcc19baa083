"""Export formats: the one place that reads dates, timestamps and numbers the way a file writes them.

Every raw value lands as text and staging parses ISO dates and plain numbers. Real exports differ:
Excel writes ``01/13/2022`` (US) or ``13/01/2022``, ``1,234.50`` or ``1.234,50``, and tools add time-zone
offsets (``2021-12-02T11:42:18-08:00``). This module finds those formats at load and rewrites them to
the canonical text staging reads, or refuses the file with one line naming the file, the column, a
sample value and the flag that reads it. Column kinds come from the contract's ``data_type``.

- Dates and timestamps: ISO is always read, and so is year-first ``2022/01/13`` (``2022.1.13``).
  ``--date-order mdy|dmy`` reads ``M/D/YYYY`` /
  ``D/M/YYYY`` (separators ``/``, ``.`` or ``-``; an optional ``H:MM[:SS]`` with or without AM/PM).
  Without it such values stop the load. Two-digit years stop the load with any flag. A value with an
  offset or ``Z`` becomes UTC.
- Numbers: plain ``1234.50`` is always read. ``--number-format us`` reads ``1,234.50``; ``eu`` reads
  ``1.234,50`` and ``12,5``. Without the matching flag, a value with a comma stops the load.

A value that matches no format (``not a date``, ``12,50 EUR``) is left as it is: staging quarantines it
with its reason. Only the file's text columns are inspected; typed Parquet columns are already values.
"""

from __future__ import annotations

from dataclasses import dataclass

from revenue_warehouse.sql import ident, literal

DATE_ORDERS = ("ymd", "mdy", "dmy")
NUMBER_FORMATS = ("plain", "us", "eu")

# RE2 patterns, matched with regexp_full_match (DuckDB)
SLASH_DATE = (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"
              r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*([AaPp][Mm])?)?")
YEAR_FIRST = r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:([ T])(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
TWO_DIGIT_YEAR = r"\d{1,2}[/.]\d{1,2}[/.]\d{2}(?:[ T].*)?"
ISO_WITH_OFFSET = r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)"
US_NUMBER = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
EU_NUMBER = r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?|[+-]?\d+,\d+"


@dataclass(frozen=True)
class Formats:
    """How the files of one load write dates and numbers (the load's flags)."""

    date_order: str = "ymd"
    number_format: str = "plain"
    encoding: str = "utf-8"  # CSV files: utf-8 (default), utf-16 or latin-1 (pipeline.file_checks)


def kind(data_type: str) -> str:
    """The contract's data_type as a format kind: date, timestamp, number or text."""
    data_type = data_type.lower()
    if data_type == "date":
        return "date"
    if data_type.startswith("timestamp"):
        return "timestamp"
    if data_type.startswith(("decimal", "numeric", "int", "bigint", "double", "float")):
        return "number"
    return "text"


def profile_sql(columns: dict[str, str], reader: str) -> str:
    """One aggregate over the file: per text column of a date or number kind, the counts and samples the
    decisions need (columns: name -> kind)."""
    parts = []
    for name, col_kind in columns.items():
        c = ident(name)
        if col_kind in ("date", "timestamp"):
            slash = f"regexp_full_match({c}, {literal(SLASH_DATE)})"
            parts += [
                f"count_if({slash})",
                f"min({c}) filter (where {slash})",
                f"max(try_cast(regexp_extract({c}, {literal(SLASH_DATE)}, 1) as integer)) filter (where {slash})",
                f"max(try_cast(regexp_extract({c}, {literal(SLASH_DATE)}, 2) as integer)) filter (where {slash})",
                f"min({c}) filter (where regexp_full_match({c}, {literal(TWO_DIGIT_YEAR)}))",
            ]
        else:
            us = f"regexp_full_match({c}, {literal(US_NUMBER)})"
            eu = f"regexp_full_match({c}, {literal(EU_NUMBER)})"
            parts += [
                f"min({c}) filter (where {us} and not {eu})",
                f"min({c}) filter (where {eu} and not {us} and contains({c}, ','))",
                f"min({c}) filter (where {us} and {eu})",
            ]
    return f"select {', '.join(parts)} from {reader}"


def problems(path: str, columns: dict[str, str], profile: tuple, formats: Formats) -> list[str]:
    """The format problems of a file's columns, one message each (empty: the flags read the file)."""
    messages = []
    values = iter(profile)
    for name, col_kind in columns.items():
        where = f"{path}: column {name}"
        if col_kind in ("date", "timestamp"):
            slashes, sample, first_max, second_max, two_digit = (next(values) for _ in range(5))
            if two_digit is not None:
                messages.append(f"{where} has dates with two-digit years like {two_digit!r}; "
                                "export dates with four-digit years (or as YYYY-MM-DD)")
            elif slashes:
                day_first = (first_max or 0) > 12
                month_first = (second_max or 0) > 12
                if formats.date_order == "ymd":
                    hint = ("--date-order dmy" if day_first else "--date-order mdy" if month_first
                            else "--date-order mdy (US) or dmy: no day above 12 says which")
                    messages.append(f"{where} has dates like {sample!r}, not YYYY-MM-DD; read them with {hint}")
                elif formats.date_order == "mdy" and day_first and not month_first:
                    messages.append(f"{where} has dates like {sample!r} whose first part is above 12: "
                                    "day first, so --date-order dmy, not mdy")
                elif formats.date_order == "dmy" and month_first and not day_first:
                    messages.append(f"{where} has dates like {sample!r} whose second part is above 12: "
                                    "month first, so --date-order mdy, not dmy")
        elif col_kind == "number":
            us_only, eu_only, either = (next(values) for _ in range(3))
            fmt = formats.number_format
            if fmt == "plain" and (us_only or eu_only or either):
                hint = ("--number-format us" if us_only and not eu_only else
                        "--number-format eu" if eu_only and not us_only else
                        "--number-format us (1,234.50) or eu (1.234,50)")
                sample = us_only or eu_only or either
                messages.append(f"{where} has numbers like {sample!r} with separators; read them with {hint}")
            elif fmt == "us" and eu_only:
                messages.append(f"{where} has numbers like {eu_only!r}: a decimal comma, so --number-format eu")
            elif fmt == "eu" and us_only:
                messages.append(f"{where} has numbers like {us_only!r}: a decimal point, so --number-format us")
    return messages


def normalized(column: str, col_kind: str, formats: Formats) -> str:
    """The SQL expression that rewrites a text column's values in the file's format to canonical text."""
    c = ident(column)
    if col_kind in ("date", "timestamp"):
        iso = literal(ISO_WITH_OFFSET)
        offset = f"regexp_extract({c}, {iso}, 3)"
        digits = f"replace({offset}, ':', '')"
        minutes = (f"case when upper({offset}) in ('Z', 'UTC') then 0 else "
                   f"(case when {offset} like '-%' then -1 else 1 end) * (cast(substr({digits}, 2, 2) as integer) * 60"
                   f" + case when length({digits}) >= 5 then cast(substr({digits}, 4, 2) as integer) else 0 end) end")
        local = f"try_cast(regexp_extract({c}, {iso}, 1) || ' ' || regexp_extract({c}, {iso}, 2) as timestamp)"
        yf = literal(YEAR_FIRST)
        year_first = (f"regexp_extract({c}, {yf}, 1) || '-' || lpad(regexp_extract({c}, {yf}, 2), 2, '0') || '-' || "
                      f"lpad(regexp_extract({c}, {yf}, 3), 2, '0') || case when regexp_extract({c}, {yf}, 5) = '' "
                      f"then '' else ' ' || lpad(regexp_extract({c}, {yf}, 5), 5, '0') end")
        expr = (f"case when length({c}) > 16 and regexp_full_match({c}, {iso}) then "
                f"coalesce(cast({local} - to_minutes({minutes}) as varchar), {c})"
                f" when regexp_full_match({c}, {yf}) then {year_first}")
        if formats.date_order != "ymd":
            sd = literal(SLASH_DATE)
            month, day = (1, 2) if formats.date_order == "mdy" else (2, 1)

            def group(n: int) -> str:
                return f"regexp_extract({c}, {sd}, {n})"

            hour = (f"cast(cast({group(4)} as integer) % 12 + case when upper({group(7)}) = 'PM' then 12 else 0 end"
                    f" as varchar)")
            hour = f"case when {group(7)} = '' then {group(4)} else {hour} end"
            time = (f"case when {group(4)} = '' then '' else ' ' || lpad({hour}, 2, '0') || ':' || {group(5)} || ':' "
                    f"|| case when {group(6)} = '' then '00' else lpad({group(6)}, 2, '0') end end")
            expr += (f" when regexp_full_match({c}, {sd}) then {group(3)} || '-' || lpad({group(month)}, 2, '0')"
                     f" || '-' || lpad({group(day)}, 2, '0') || {time}")
        return f"{expr} else {c} end"
    if col_kind == "number" and formats.number_format == "us":
        return f"case when regexp_full_match({c}, {literal(US_NUMBER)}) then replace({c}, ',', '') else {c} end"
    if col_kind == "number" and formats.number_format == "eu":
        return (f"case when regexp_full_match({c}, {literal(EU_NUMBER)}) "
                f"then replace(replace({c}, '.', ''), ',', '.') else {c} end")
    return c
