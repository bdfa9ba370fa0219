"""Known implementations of every graded function, kept as code.

Each module file defines functions named ``<graded_function>__<variant>``:

* ``@wrong("fragment")`` marks a common mistake; the test proves it loses points and that the
  feedback contains ``fragment`` (the words that name the misconception);
* ``@correct`` marks another valid implementation (lists instead of arrays, Python scalars,
  another algorithm); the test proves it earns full marks.

Variants import what they need inside their bodies, so the same source also runs when it is
pasted into a notebook for the end-to-end tests.
"""

from __future__ import annotations

import inspect
from types import ModuleType


def wrong(fragment: str):
    def mark(fn):
        fn.variant_kind = "wrong"
        fn.feedback_fragment = fragment
        return fn

    return mark


def correct(fn):
    fn.variant_kind = "correct"
    return fn


def collect(module: ModuleType, kind: str) -> list:
    return [
        fn for name, fn in inspect.getmembers(module, inspect.isfunction)
        if "__" in name and getattr(fn, "variant_kind", None) == kind and fn.__module__ == module.__name__
    ]
