"""Vectorised building blocks for the synthetic data generator: dates, money and Arrow columns."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

DAY = np.timedelta64(1, "D")


def month_start(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[M]").astype("datetime64[D]")


def add_months(dates: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Calendar month arithmetic, day clipped to the target month's length (Jan 31 + 1 = Feb 28/29)."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    first = dates.astype("datetime64[M]")
    day = (dates - first.astype("datetime64[D]")).astype(np.int64)
    target = first + np.asarray(months, dtype=np.int64)
    days_in_target = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + np.minimum(day, days_in_target - 1)


def days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    return (end - start).astype(np.int64)


def at_time(dates: np.ndarray, rng: np.random.Generator, lo_hour: int = 8, hi_hour: int = 19) -> np.ndarray:
    """Timestamps (seconds) on the given dates at a random time of day between the hours."""
    seconds = rng.integers(lo_hour * 3600, hi_hour * 3600, len(dates))
    return dates.astype("datetime64[s]") + seconds.astype("timedelta64[s]")


def cents(values: np.ndarray) -> np.ndarray:
    """Round major units to whole cents (int64), half away from zero."""
    return (np.sign(values) * np.floor(np.abs(values) * 100 + 0.5)).astype(np.int64)


def decimal_array(units: np.ndarray, scale: int = 2, precision: int = 18, mask: np.ndarray | None = None) -> pa.Array:
    """An exact Arrow decimal array from integers in 10**-scale units (e.g. cents for scale 2)."""
    units = np.asarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = np.where(units < 0, -1, 0)  # two's-complement sign extension to 128 bits
    validity = None
    null_count = 0
    if mask is not None and mask.any():
        validity = pa.py_buffer(np.packbits(~mask, bitorder="little").tobytes())
        null_count = int(mask.sum())
    return pa.Array.from_buffers(
        pa.decimal128(precision, scale), len(units), [validity, pa.py_buffer(words.tobytes())], null_count
    )


def ids(prefix: str, numbers: np.ndarray, width: int = 6) -> np.ndarray:
    """String ids like ``INV-000042`` built from digit arithmetic (no per-row string formatting)."""
    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) and (numbers.min() < 0 or numbers.max() >= 10**width):
        raise ValueError(f"id numbers for {prefix!r} do not fit in {width} digits")
    length = len(prefix) + width
    codes = np.empty((length, len(numbers)), dtype=np.uint32)
    codes[: len(prefix)] = np.frombuffer(prefix.encode("utf-32-le"), dtype=np.uint32)[:, None]
    rest = numbers
    for position in range(length - 1, len(prefix) - 1, -1):
        rest, digit = np.divmod(rest, 10)
        codes[position] = digit + 48
    return np.ascontiguousarray(codes.T).view(f"<U{length}").ravel()


def index_of(values: np.ndarray, choices: list | np.ndarray) -> np.ndarray:
    """Position of each value in ``choices`` (every value must be one of them)."""
    choices = np.asarray(choices)
    sorter = np.argsort(choices)
    return sorter[np.searchsorted(choices, values, sorter=sorter)]


def pick(rng: np.random.Generator, choices: list, probabilities: list[float], size: int) -> np.ndarray:
    probs = np.asarray(probabilities, dtype=float)
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size=size, p=probs / probs.sum())]
