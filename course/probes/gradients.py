"""Probes and kernel-side helpers of module 02 (vanishing and exploding gradients) (see course.probes)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def predict_spy_probe(fn: Callable, model, x, y, loss_fn) -> dict:
    """PROBE (runs next to the learner's code): call ``fn(model, x, y, loss_fn)`` and count
    calls of ``model.predict`` (to name that mistake). Returns plain data."""
    import traceback

    calls = {"n": 0}
    original = model.predict

    def spy_predict(*args, **kwargs):
        calls["n"] += 1
        return original(*args, **kwargs)

    object.__setattr__(model, "predict", spy_predict)
    try:
        value = fn(model, x, y, loss_fn)
    except NotImplementedError:
        return {"error": "NotImplementedError", "not_implemented": True, "predict_calls": calls["n"]}
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return {"error": f"{type(exc).__name__}: {exc} (line {where.lineno}: `{(where.line or '').strip()}`)", "predict_calls": calls["n"]}
    finally:
        object.__delattr__(model, "predict")
    return {"value": value, "predict_calls": calls["n"]}
