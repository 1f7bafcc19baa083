"""A fuzz test of every input path (issue 21): random mutations of a small generated export, with a fixed seed.

Each mutation is what a broken pipeline or a hostile person produces: a truncated file, shuffled or
renamed columns (quotes, semicolons, SQL), a repeated or dropped column, random values of every kind in
any column (ancient and far-future dates, 1e15, negative numbers, quotes, NaN, text), an empty file, a
UTF-16 file. The load either refuses it with one line naming the file, or loads it; nothing else (no
traceback), and no SQL inside the data ever runs. Then every loadable mutation is loaded together and
built once: the build accounts for every row (dbt's rows_accounted_for test), and the published file is
either the previous one or a build whose checks passed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from revenue_warehouse.config import WarehouseError, raw_contract
from revenue_warehouse.pipeline.load import load
from revenue_warehouse.synthetic.generate import generate
from revenue_warehouse.synthetic.shared import FIXTURE_END_MONTH

SEED = 2112
MUTATIONS = 48
SENTINEL = "fuzz-leak.csv"


def _values(rng: random.Random, sentinel: Path) -> list[str]:
    attack = f"x'); copy (select 1) to '{sentinel}'; --"
    return [
        "", " ", "0001-01-01", "9999-12-31", "2024-02-30", "1e15", "-1e15", "1e400", "NaN", "-0", "0",
        "12,50 EUR", "'; drop table raw_hr.compensation; --", attack, '"quoted"', "Müller", "😀", "\t",
        "2025-13-01", "1/13/2025", "true", str(rng.randint(-10**9, 10**9)), str(rng.random() * 10**rng.randint(0, 18)),
    ]


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _mutate(rng: random.Random, path: Path, sentinel: Path) -> str:
    """Apply one random mutation to a CSV file in place; return its name."""
    header, rows = _read(path)
    kind = rng.choice(["truncate", "shuffle_columns", "values", "values", "values", "header_name", "repeat_column",
                       "drop_column", "extra_column", "empty_file", "utf16", "duplicate_rows"])
    if kind == "truncate":
        data = path.read_bytes()
        path.write_bytes(data[: rng.randint(0, len(data))])
    elif kind == "shuffle_columns":
        order = list(range(len(header)))
        rng.shuffle(order)
        _write(path, [header[i] for i in order], [[row[i] for i in order] for row in rows])
    elif kind == "values":
        values = _values(rng, sentinel)
        for _ in range(rng.randint(1, 12)):
            if rows:
                rows[rng.randrange(len(rows))][rng.randrange(len(header))] = rng.choice(values)
        _write(path, header, rows)
    elif kind == "header_name":
        header[rng.randrange(len(header))] = rng.choice(
            [f'y" varchar; copy raw_hr.employee to \'{sentinel}\'; --', "a;b", "'", '"', "", " id ", "ID"])
        _write(path, header, rows)
    elif kind == "repeat_column":
        column = rng.randrange(len(header))
        _write(path, header + [header[column]], [row + [row[column]] for row in rows])
    elif kind == "drop_column":
        column = rng.randrange(len(header))
        _write(path, header[:column] + header[column + 1:], [row[:column] + row[column + 1:] for row in rows])
    elif kind == "extra_column":
        _write(path, header + [f"x\"; copy (select 1) to '{sentinel}'; --"], [row + ["1"] for row in rows])
    elif kind == "empty_file":
        path.write_bytes(b"")
    elif kind == "utf16":
        path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    else:
        _write(path, header, rows + [list(row) for row in rows[: rng.randint(1, 5)]])
    return kind


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("fuzz") / "raw"
    generate(raw, scale=0.02, seed=9, fmt="csv", bad_rows_rate=0, end_month=FIXTURE_END_MONTH)
    return raw


def test_random_mutations_are_refused_in_one_line_or_loaded_never_run(export: Path, tmp_path: Path,
                                                                      clean_warehouse: tuple[Path, Path]) -> None:
    rng = random.Random(SEED)
    sentinel = tmp_path / SENTINEL
    tables = sorted(raw_contract())
    outcomes: dict[str, int] = {}
    loadable: list[tuple[str, Path]] = []
    for number in range(MUTATIONS):
        folder = tmp_path / f"m{number}"
        table = rng.choice(tables)
        schema, name = table.split(".")
        path = folder / schema / f"{name}.csv"
        path.parent.mkdir(parents=True)
        shutil.copy(export / schema / f"{name}.csv", path)  # the load reads this table (the others: absent)
        kind = _mutate(rng, path, sentinel)
        db = tmp_path / f"m{number}.duckdb"
        try:
            load(folder, db)
        except WarehouseError as exc:
            message = str(exc)
            assert "Traceback" not in message and str(path.parent.parent) in message, (kind, table, message)
            assert len(message.splitlines()) <= 1 + message.count("\n  "), (kind, message)
            outcomes[f"refused {kind}"] = outcomes.get(f"refused {kind}", 0) + 1
        else:
            outcomes[f"loaded {kind}"] = outcomes.get(f"loaded {kind}", 0) + 1
            loadable.append((table, path))
            with duckdb.connect(str(db), read_only=True) as con:
                assert con.execute("select count(*) from raw_hr.compensation").fetchone()[0] >= 0
        assert not sentinel.exists(), f"SQL from the data ran ({kind} on {table})"
    assert len(outcomes) >= 8, outcomes  # the mutations cover many kinds, both outcomes

    # every loadable mutation at once, built: every row accounted for, nothing wrong published
    from revenue_warehouse.pipeline import build as build_module

    combined = tmp_path / "combined"
    shutil.copytree(export, combined)
    for table, path in loadable:
        schema, name = table.split(".")
        shutil.copy(path, combined / schema / f"{name}.csv")
    from revenue_warehouse.pipeline.publish import publish

    db, published = tmp_path / clean_warehouse[1].name, tmp_path / "published.duckdb"
    shutil.copy(clean_warehouse[1], db)  # a built company, published: the file a bad build must not replace
    publish(db, published)
    before = hashlib.sha256(published.read_bytes()).hexdigest()
    load(combined, db)
    try:
        build_module.build(db, target=published)
    except WarehouseError as exc:  # refused to publish: the previous file stands
        assert "published marts unchanged" in str(exc) or "published file is unchanged" in str(exc), str(exc)
        assert hashlib.sha256(published.read_bytes()).hexdigest() == before
    else:  # published: every check of this build passed
        with duckdb.connect(str(published), read_only=True) as con:
            run = con.execute("select run_id from audit.check_results order by checked_at desc limit 1").fetchone()[0]
            assert con.execute("select count(*) from audit.check_results where run_id = ? and status = 'fail'",
                               [run]).fetchone()[0] == 0
    with duckdb.connect(str(db), read_only=True) as con:
        unbalanced = con.execute("select count(*) from audit.raw_row_counts where rows_in <> rows_staged + "
                                 "rows_quarantined + rows_superseded + rows_deleted").fetchone()[0]
    assert unbalanced == 0 and not sentinel.exists()
