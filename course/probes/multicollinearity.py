"""Probes and kernel-side helpers of module 04 (multicollinearity, PCA and PLS) (see course.probes)."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import numpy as np


def estimator_probe(factory: Callable, k: int, X_train, y_train, X_test) -> dict:
    """PROBE (runs next to the learner's code): build ``factory(k)``, check that it is an unfitted,
    clonable scikit-learn estimator, fit a clone and predict. Returns plain data only."""
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    est = factory(k)
    if est is None:
        return {"status": "none"}
    if isinstance(est, type):
        return {"status": "class", "name": est.__name__}
    if not (hasattr(est, "fit") and hasattr(est, "predict")):
        return {"status": "not_estimator", "name": type(est).__name__}
    try:
        check_is_fitted(est)
    except NotFittedError:
        pass
    except Exception:
        pass
    else:
        return {"status": "fitted"}
    try:
        est = clone(est)
    except Exception as exc:
        return {"status": "clone_error", "detail": f"{type(exc).__name__}: {exc}"}
    try:
        return {"status": "ok", "pred": _predict(est, X_train, y_train, X_test)}
    except Exception as exc:
        return {"status": "fit_error", "detail": f"{type(exc).__name__}: {exc}"}


def fresh_probe(factory: Callable, k: int) -> bool:
    """PROBE: does every call of ``factory(k)`` build a new object?"""
    return factory(k) is not factory(k)


def capped(make_model: Callable, cap: int) -> Callable:
    """A factory that never uses more than ``cap`` components (its scores tie for k >= cap)."""
    return partial(_capped, make_model, cap)


def _capped(make_model: Callable, cap: int, k: int):
    return make_model(min(int(k), cap))


def _copy(a) -> np.ndarray:
    return np.array(a, copy=True)


def _predict(model, X_train, y_train, X_test) -> np.ndarray:
    """Fit and predict on private COPIES: an estimator built with copy=False (PLSRegression)
    centers and scales the arrays it is given in place."""
    return np.ravel(model.fit(_copy(X_train), _copy(y_train)).predict(_copy(X_test)))
