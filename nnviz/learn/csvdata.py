"""A CSV file as a dataset: read with the standard library's csv module (quoted fields, CRLF,
a UTF-8 BOM), checked cell by cell, every fault one line naming the file, line and column:
`data.csv line 57, column 2: 'oops' is not a number`.

Inputs are every column but the target (the last, unless `target_column` names one by its
header). Targets that are words or whole numbers are classes (2 to MAX_CLASSES), other numbers
a regression target, unless `task` says which.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from .data import Dataset
from ..errors import UsageError

MAX_CLASSES = 10
MAX_ROWS = 10_000_000
MAX_BYTES = 1 << 30


def _parses(text: str) -> bool:
    """A number as the README says one is written: float()'s grammar in ASCII without '_'
    (digits, sign, decimal point, exponent); float() alone also takes '1_000' and '٣'."""
    return _plain(text) and is_float(text)


def is_float(text: str) -> bool:
    """Whether float() reads `text` (also '1_000', '٣', 'nan': _parses is the strict rule)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_number(text: str) -> bool:
    """A finite number (float() also takes 'nan' and 'inf')."""
    return _parses(text) and np.isfinite(float(text))


def load(path, target_column: str | None = None, task: str | None = None):
    """(Dataset, input names, target name, class names or None) from the CSV at `path`."""
    path = Path(path)
    where = path.name

    def fail(why: str):
        raise UsageError(f"{where}: {why}")
    if not path.is_file():
        raise UsageError(f"--data {path}: no such file; give a CSV file or one of the built-in "
                         f"datasets (circle, xor, gauss, spiral, plane, multi-gauss)")
    if path.stat().st_size > MAX_BYTES:
        fail(f"the file is over {MAX_BYTES >> 20} MB; give a smaller sample")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        fail(f"byte {e.start + 1} is not UTF-8; save the file as UTF-8")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        fail(f"not a CSV file ({e})")
    lines = [(i + 1, r) for i, r in enumerate(rows) if "".join(r).strip()]   # not blank
    if not lines:
        fail("the file is empty; give a header (optional) and rows of numbers")
    first = lines[0][1]
    header = not all(_is_number(c) for c in first[:-1]) or (
        not _is_number(first[-1]) and len(lines) > 1 and _is_number(lines[1][1][-1]))
    names = [c.strip() for c in first] if header else [f"column {k + 1}" for k in range(len(first))]
    body = lines[1:] if header else lines
    width = len(first)
    if width < 2:
        fail("the file has one column; give input columns and a target column")
    if len(body) > MAX_ROWS:
        fail(f"{len(body):,} rows; at most {MAX_ROWS:,}")
    if len(body) < 4:
        fail(f"{len(body)} data rows; give at least 4 (6 with the default --ratio 0.7)")
    for number, row in body:
        if len(row) != width:
            raise UsageError(f"{where} line {number}: {len(row)} fields where the "
                             f"{'header' if header else 'first row'} has {width}; give every "
                             f"row the same columns")
    if target_column is None:
        target = width - 1
    elif target_column in names and header:
        target = names.index(target_column)
    else:
        raise UsageError(f"--target-column {target_column!r}: {where} has no such column"
                         + (f"; its columns are {', '.join(names)}" if header else
                            " header; name a column of its first row"))
    inputs = [k for k in range(width) if k != target]
    cells = np.array([row for _, row in body], dtype=object)
    x = np.empty((len(body), len(inputs)))
    for j, k in enumerate(inputs):
        x[:, j] = _numbers(cells[:, k], body, k, where)
    raw = [c.strip() for c in cells[:, target]]
    numeric = all(_parses(c) for c in raw)
    if not numeric and all(is_float(c) for c in raw):   # numbers, one written as '1_000' or '٣'
        _numbers(cells[:, target], body, target, where)   # names it
    values = _numbers(cells[:, target], body, target, where) if numeric else None
    if task is None:
        task = ("regression" if numeric and not np.all(values == np.round(values))
                else "classification")
    if task == "regression":
        if values is None:
            values = _numbers(cells[:, target], body, target, where)   # names the word
        y = values[:, None]
        classes = None
    else:
        classes = sorted(set(raw), key=lambda c: (float(c), c) if numeric else (0, c))
        if len(classes) < 2:
            fail(f"the target column {names[target]!r} holds one class ({classes[0]!r}); "
                 f"give at least 2")
        if len(classes) > MAX_CLASSES:
            fail(f"the target column {names[target]!r} holds {len(classes)} classes; at most "
                 f"{MAX_CLASSES} (for numbers to fit, use --task regression)")
        index = {c: i for i, c in enumerate(classes)}
        y = np.eye(len(classes))[[index[c] for c in raw]]
    for j, k in enumerate(inputs):
        if np.ptp(x[:, j]) == 0:
            fail(f"column {k + 1} ({names[k]}) holds one value ({x[0, j]:g}) in every row; "
                 f"an input must vary")
    return (Dataset(x, y, task), [names[k] for k in inputs], names[target], classes)


def _numbers(column, body, k: int, where: str) -> np.ndarray:
    """A column of cells as floats; the first cell that is not a finite number is named."""
    try:
        if not _plain("".join(column)):   # one C pass over the column's text
            raise ValueError("not ASCII or has '_'")
        values = np.array(column, dtype=np.float64)   # fast path: C parsing of the strings
        bad = ~np.isfinite(values)
    except ValueError:
        bad = np.array([not _is_number(c) for c in column])
        values = None
    if bad.any():
        i = int(np.argmax(bad))
        cell = column[i]
        why = ("is empty" if not cell.strip() else "is not a number" if not _parses(cell)
               else "is not a finite number (NaN or infinity)")
        raise UsageError(f"{where} line {body[i][0]}, column {k + 1}: {cell.strip()!r:.40} {why}")
    return values


def _plain(text: str) -> bool:
    return text.isascii() and "_" not in text
