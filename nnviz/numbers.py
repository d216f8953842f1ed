"""The one rule for numbers typed as text (command-line options, compare's lists).

int() and float() take more than a user means: "nan", "inf", "1_000", Unicode digits ("३",
and int("³²⁰") fails only later) and surrounding spaces. A number given as text is plain ASCII
decimal digits, with an optional sign, point and exponent, or it is refused as a usage error
naming the option.
"""
from __future__ import annotations

import re

PLAIN = {int: re.compile(r"[+-]?[0-9]{1,100}"),
         float: re.compile(r"[+-]?(?:[0-9]{1,100}\.?[0-9]{0,100}|\.[0-9]{1,100})"
                           r"(?:[eE][+-]?[0-9]{1,4})?")}
EXAMPLE = {int: "plain digits, e.g. 25", float: "plain digits, e.g. 25 or 0.5"}


def plain(text: str, kind: type = float) -> bool:
    """Whether `text` is a number of `kind` (int or float) written in plain ASCII digits."""
    return isinstance(text, str) and PLAIN[kind].fullmatch(text) is not None
