"""--target EXPR: a formula in x (or x1, x2), evaluated on arrays without Python's eval.

The text is parsed by the standard library's `ast` and walked here, accepting only numbers,
the names x, x1, x2, + - * / **, unary + and -, and calls of FUNCTIONS with one argument;
anything else is refused with the column it starts at, e.g.
`--target: column 5: 'foo' is not a known name; use x, x1, x2 or sin, cos, ...`.
"""
from __future__ import annotations

import ast

import numpy as np

from ..errors import UsageError

FUNCTIONS = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
             "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh}
OPERATORS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
             ast.Div: np.divide, ast.Pow: np.power}
VARIABLES = ("x", "x1", "x2")
GRID = {1: 100_001, 2: 501}   # points per input on which a formula is checked (see `check`)
JUMP = 0.5   # a step between grid neighbours this share of the values' spread is a pole
MAX_LENGTH, MAX_NODES = 500, 200


def _fail(column: int, why: str):
    raise UsageError(f"--target: column {column}: {why}")


def parse(text: str) -> tuple[ast.expr, int]:
    """The checked syntax tree of `text` and its number of inputs (1 for x, 2 for x1/x2)."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError("--target is empty; give a formula in x, e.g. \"sin(3*x) + 0.1*x**2\"")
    if len(text) > MAX_LENGTH or not text.isprintable():
        raise UsageError(f"--target must be one line of at most {MAX_LENGTH} printable characters")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        _fail((e.offset or 1) + len(text) - len(text.lstrip()),
              f"not a formula ({e.msg}); e.g. \"sin(3*x) + 0.1*x**2\"")
    shift = len(text) - len(text.lstrip()) + 1   # columns count from 1 in the text as given
    names = set()
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise UsageError(f"--target has {len(nodes)} parts; at most {MAX_NODES}")
    for node in nodes:
        at = getattr(node, "col_offset", 0) + shift
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                _fail(at, f"{ast.get_source_segment(text.strip(), node)!s:.30} is not a number")
        elif isinstance(node, ast.Name):
            if node.id not in VARIABLES and node.id not in FUNCTIONS:
                _fail(at, f"{node.id!r:.30} is not a known name; use x, x1, x2 or "
                          f"{', '.join(FUNCTIONS)}")
            if node.id in VARIABLES:
                names.add(node.id)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                _fail(at, f"only {', '.join(FUNCTIONS)} can be called")
            if len(node.args) != 1 or node.keywords:
                _fail(at, f"{node.func.id}() takes one argument")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in OPERATORS:
                _fail(at, "only + - * / ** are allowed")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                _fail(at, "only + - * / ** are allowed")
        elif not isinstance(node, (ast.Load, ast.operator, ast.unaryop, ast.expr_context)):
            _fail(at, f"{type(node).__name__.lower()} is not allowed in a formula; use numbers, "
                      f"x, x1, x2, + - * / ** and {', '.join(FUNCTIONS)}")
    for node in nodes:   # a function's name is not a value: `sin + 1` is refused
        if isinstance(node, ast.Name) and node.id in FUNCTIONS and not any(
                isinstance(p, ast.Call) and p.func is node for p in nodes):
            _fail(node.col_offset + shift, f"{node.id} is a function; call it, e.g. {node.id}(x)")
    if "x" in names and names & {"x1", "x2"}:
        raise UsageError("--target: use x (one input) or x1 and x2 (two inputs), not both")
    if not names:
        raise UsageError("--target does not use x; give a formula in x (or x1, x2)")
    return tree, 1 if names == {"x"} else 2


def evaluate(tree: ast.expr, x: np.ndarray) -> np.ndarray:
    """The formula on inputs x (n, 1) or (n, 2): a float array (n,)."""
    def walk(node):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return x[:, 0] if node.id in ("x", "x1") else x[:, 1]
        if isinstance(node, ast.UnaryOp):
            return -walk(node.operand) if isinstance(node.op, ast.USub) else walk(node.operand)
        if isinstance(node, ast.BinOp):
            return OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        return FUNCTIONS[node.func.id](walk(node.args[0]))
    with np.errstate(all="ignore"):
        return np.broadcast_to(np.asarray(walk(tree), dtype=np.float64), (len(x),)).copy()


def check(tree: ast.expr, inputs: int, span: float) -> None:
    """Refuse a formula that is not finite, or has a pole, on [-span, span] (each input).

    Random samples miss poles: 1/x on 500 points is finite, with one target in the hundreds
    or thousands that the fit then chases. On a fine grid (spacing 6e-5 for one input, 0.012
    for two) a continuous formula moves little between neighbours, while across a pole
    (1/(x - 0.1), tan(x) at pi/2) it jumps by about 1/spacing: a jump over JUMP times the
    spread of the values (1st to 99th percentile) is taken for a pole."""
    axis = np.linspace(-span, span, GRID[inputs])
    grid = (axis[:, None] if inputs == 1 else
            np.stack(np.meshgrid(axis, axis, indexing="ij"), -1).reshape(-1, 2))
    y = evaluate(tree, grid)
    at = lambda i: ", ".join(f"{v:.3g}" for v in grid[i])
    if not np.isfinite(y).all():
        raise UsageError(f"--target: not a finite number at x = {at(int(np.argmax(~np.isfinite(y))))} "
                         f"(inputs span -{span:g} to {span:g}); give a formula defined there")
    y = y.reshape((len(axis),) * inputs)
    low, high = np.percentile(y, [1, 99])
    spread = max(high - low, 1e-12 * max(1.0, float(np.abs(y).max())))
    for k in range(inputs):
        steps = np.abs(np.diff(y, axis=k))
        if steps.max() > JUMP * spread:
            i = np.unravel_index(int(np.argmax(steps)), steps.shape)
            near = [(axis[j] + axis[j + (d == k)]) / 2 for d, j in enumerate(i)]
            raise UsageError(f"--target: jumps by {steps.max():.3g} near x = "
                             f"{', '.join(f'{v:.4g}' for v in near)} (a pole?); give a formula "
                             f"continuous on -{span:g} to {span:g}")
