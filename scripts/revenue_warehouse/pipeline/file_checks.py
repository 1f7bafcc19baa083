"""What a raw file must be before any value in it is read: its encoding, its line endings, its header.

Real exports break here before they break anywhere else: Excel's "Unicode Text" is UTF-16, an older Excel
or a European ERP writes Latin-1, a file stitched together on two machines mixes CRLF and LF line endings,
and a hand-edited sheet repeats a column. Each is either read right or refused with one line naming the
file and what to do; a repeated column is always refused (which copy is right cannot be guessed).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from revenue_warehouse.config import WarehouseError

#: --encoding values: what DuckDB's CSV reader reads natively
ENCODINGS = ("utf-8", "utf-16", "latin-1")
CHUNK = 1 << 20


def check_encoding(path: Path, encoding: str) -> None:
    """Refuse a CSV that is not in ``encoding``, naming the encoding it looks like and the flag that reads it."""
    with open(path, "rb") as handle:
        head = handle.read(4)
        utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if encoding == "utf-16":
            if not utf16:
                raise WarehouseError(f"{path}: not UTF-16 (no byte-order mark); load it without --encoding utf-16")
            return
        if utf16:
            raise WarehouseError(f"{path}: the file is UTF-16 (Excel's 'Unicode Text'); save it as 'CSV UTF-8' or "
                                 "load it with --encoding utf-16")
        if encoding == "latin-1":
            return  # every byte is a Latin-1 character
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = chunk[exc.start:exc.start + 1]
                line += chunk[:exc.start].count(b"\n")
                raise WarehouseError(
                    f"{path}: not UTF-8 (byte 0x{bad.hex()} on line {line}, e.g. Latin-1 or Windows-1252 from "
                    "Excel); save it as 'CSV UTF-8' or load it with --encoding latin-1") from None
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise WarehouseError(f"{path}: not UTF-8 (the file ends inside a character); save it as 'CSV UTF-8'") \
                from None


def mixed_line_endings(path: Path) -> bool:
    """True when some lines end in CRLF and others in LF alone (a file stitched together on two systems)."""
    crlf = lf = 0
    previous = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            joined = previous + chunk
            crlf += joined.count(b"\r\n") - previous.count(b"\r\n")
            lf += chunk.count(b"\n")
            previous = chunk[-1:]
    return 0 < crlf < lf


def normalized_copy(path: Path, folder: Path) -> Path:
    """A copy of the file with every CRLF as LF, in ``folder`` (the reader reads it; messages name the original)."""
    copy = folder / f"{len(list(folder.iterdir()))}-{path.name}"
    previous = b""
    with open(path, "rb") as source, open(copy, "wb") as target:
        while chunk := source.read(CHUNK):
            joined = previous + chunk
            keep = joined[:-1] if joined.endswith(b"\r") else joined  # a CR may be the half of a CRLF
            target.write(keep.replace(b"\r\n", b"\n"))
            previous = joined[len(keep):]
        target.write(previous)
    return copy


def header(path: Path, encoding: str) -> list[str]:
    """The column names as the file writes them (CSV: its first record; Parquet: its schema)."""
    if path.suffix == ".parquet":
        try:
            return list(pq.read_schema(path).names)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise WarehouseError(f"{path}: cannot read the file: {str(exc).splitlines()[0]}") from None
    with open(path, encoding=encoding, newline="") as handle:
        text = handle.read(CHUNK)
    return next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])


def check_header(path: Path, encoding: str) -> None:
    """Refuse a file that names a column twice (names are case-insensitive in SQL: Total and total collide)."""
    names = header(path, encoding)
    counts = Counter(name.strip().lower() for name in names)
    repeated = [name for name, count in counts.items() if count > 1]
    if repeated:
        name = repeated[0]
        places = [str(i + 1) for i, n in enumerate(names) if n.strip().lower() == name]
        raise WarehouseError(f"{path}: column {name!r} appears {len(places)} times in the header (columns "
                             f"{', '.join(places)}); keep one: which copy is right cannot be guessed")


def readable(path: Path, encoding: str, scratch: Path | None) -> Path:
    """Check a file; return the path the reader should read: the file itself, or (mixed line endings) a copy
    with LF endings in ``scratch`` (without one, such a file is refused)."""
    if path.suffix == ".csv":
        check_encoding(path, encoding)
        check_header(path, encoding)
        if mixed_line_endings(path):
            if scratch is None:
                raise WarehouseError(f"{path}: some lines end in CRLF and others in LF; save it again with one kind")
            scratch.mkdir(parents=True, exist_ok=True)
            return normalized_copy(path, scratch)
        return path
    check_header(path, encoding)
    return path
