"""What a log's data must agree on beyond shapes (nnviz.log.logschema checks the shapes): a
classifier's targets are classes, and predictions are of the points shown."""
from __future__ import annotations

import numpy as np


class Invalid(ValueError):
    """One problem with a log, named by field; the loader turns it into a LogError."""


def check_classes(meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """A classifier's targets are classes (one 1 among 0s per row, or 0/1 in one column), and
    only a classifier's log holds predictions and accuracy: meta's kind agrees with its data."""
    classify = meta["kind"] == "classification"
    for name in ("data/y_train", "data/y_val"):
        y = arrays.get(name)
        if classify and y is not None and y.size and (
                not np.all((y == 0) | (y == 1)) or y.shape[1] > 1 and not np.all(y.sum(axis=1) == 1)):
            raise Invalid(f"field {name!r} holds targets that are not classes (each row one 1 "
                          f"among 0s, or 0 and 1 in one column), but meta 'kind' is "
                          f"classification")
    if not classify:
        found = sorted(n for n in arrays if n.startswith(("accuracy/", "predicted/")))
        if found:
            raise Invalid(f"meta 'kind' is {meta['kind']!r}, but the log holds {found[0]!r}, "
                          f"which only a classification log has")


def check_shown(bound: dict[str, int], arrays: dict[str, np.ndarray]) -> None:
    """shown/ indexes its data's points; without it, predicted/ is of every point."""
    for part, symbol, points in (("train", "S", "T"), ("val", "SV", "V")):
        shown, total = arrays.get(f"shown/{part}"), bound.get(points)
        if shown is not None and total is not None and shown.size and shown[-1] >= total:
            raise Invalid(f"field 'shown/{part}' holds index {int(shown[-1])}, beyond the "
                          f"{total} points of 'data/x_{part}'")
        if shown is None and symbol in bound and total is not None \
                and bound[symbol] != total:
            raise Invalid(f"field 'predicted/{part}' has {bound[symbol]} points, which "
                          f"disagrees with the {total} of 'data/x_{part}' (and no 'shown/{part}' "
                          f"says which it holds)")
