"""Checks for module 04: multicollinearity (VIF, condition number), PCA, PCR and PLS.

Each ``check_*`` function calls the learner's function on one case through :func:`call`,
compares the answer with an independent oracle (the inverse correlation matrix for VIF,
``numpy.linalg.cond`` for the condition number, scikit-learn's ``PCA``, reference pipelines
and ``cross_val_score``) and, on a wrong answer, computes what each common mistake returns and
names the misconception that matches.
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

import numpy as np

from . import CheckFailed, as_array, call, expect, expect_close


# --------------------------------------------------------------------------- inputs
def _matrix(X: Any) -> np.ndarray:
    return np.asarray(X, dtype=float)


def _standardize(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(0)) / X.std(0)


def _shape_msg(what: str, got: np.ndarray, p: int) -> str:
    return f"{what} should return one value per column ({p} values), got shape {got.shape}."


# --------------------------------------------------------------------------- cases
def collinear_case(n: int = 80, seed: int = 0, offsets=(5.0, -3.0, 10.0, 2.0)) -> np.ndarray:
    """Four columns, NOT centered: x3 is nearly x1 + x2, x4 is independent (VIFs ~ 1 to 100)."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = 0.6 * x1 + 0.8 * rng.normal(size=n)
    x3 = x1 + x2 + 0.15 * rng.normal(size=n)
    x4 = rng.normal(size=n)
    X = np.column_stack([x1, x2, x3, x4]) * np.array([1.0, 2.0, 0.5, 3.0])
    return X + np.asarray(offsets, dtype=float)


def mixed_scale_case(n: int = 60, p: int = 5, seed: int = 1) -> np.ndarray:
    """Correlated columns in very different units and far from zero mean."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    X = f @ rng.normal(size=(2, p)) + 0.5 * rng.normal(size=(n, p))
    return X * np.geomspace(0.01, 100, p) + np.linspace(-50, 80, p)


REG_FEATURES = 16


def regression_case(n: int = 150, seed: int = 0, scaled: bool = True):
    """Low-variance-target data (16 correlated features, not centered); with ``scaled`` the
    columns also get very different units."""
    from course.m04 import low_variance_target

    scales = np.geomspace(0.01, 100, REG_FEATURES) if scaled else None
    X, y = low_variance_target(n=n, n_features=REG_FEATURES, n_latent=8, target_component=6, seed=seed, scales=scales)
    return X + 7.0 * (np.arange(REG_FEATURES) - 5), y


# --------------------------------------------------------------------------- VIF
def _r2_each_column(X: np.ndarray, intercept: bool = True, centered_tss: bool = True) -> np.ndarray:
    """R^2 of each column regressed on the others (numpy least squares)."""
    n, p = X.shape
    out = []
    for j in range(p):
        target = X[:, j]
        others = np.delete(X, j, axis=1)
        if intercept:
            others = np.column_stack([np.ones(n), others])
        coef, *_ = np.linalg.lstsq(others, target, rcond=None)
        resid = target - others @ coef
        tss = np.sum((target - target.mean()) ** 2) if centered_tss else np.sum(target**2)
        out.append(1.0 - resid @ resid / tss)
    return np.array(out)


def reference_vif(X: Any) -> np.ndarray:
    """Oracle: the diagonal of the inverse correlation matrix (equal to 1/(1 - R_j^2))."""
    return np.diag(np.linalg.inv(np.corrcoef(_matrix(X), rowvar=False)))


def check_vif(vif: Callable, X: Any) -> None:
    Xa = _matrix(X)
    p = Xa.shape[1]
    expected = reference_vif(Xa)
    what = f"vif(X) on a {Xa.shape[0]}x{p} {type(X).__name__}"
    got = as_array(call(vif, X, what="vif(X)"), what)
    expect(got.size == p, _shape_msg("vif(X)", got, p))
    got = got.reshape(p)
    r2 = 1.0 - 1.0 / expected
    with np.errstate(divide="ignore", invalid="ignore"):
        r2_noint = _r2_each_column(Xa, intercept=False)
        r2_noint_unc = _r2_each_column(Xa, intercept=False, centered_tss=False)
        corr = np.corrcoef(Xa, rowvar=False)
        pair = np.array([1.0 / (1.0 - np.max(np.delete(corr[j], j) ** 2)) for j in range(p)])
        no_intercept = "This is the VIF with R²ⱼ from a regression WITHOUT an intercept: on columns whose mean is not zero that R² is wrong. Add a column of ones (or use LinearRegression, which fits an intercept by default)."
        mistakes = [
            (r2, "That is R²ⱼ itself: the VIF is 1 / (1 − R²ⱼ), which is 1 for an uncorrelated column and grows without bound."),
            (1.0 / r2, "That is 1 / R²ⱼ: the VIF is 1 / (1 − R²ⱼ) (an uncorrelated column, R² = 0, has VIF 1)."),
            (1.0 - r2, "That is 1 − R²ⱼ, the *tolerance*: the VIF is its inverse, 1 / (1 − R²ⱼ)."),
            (np.sqrt(expected), "That is √VIF, how much the coefficient's standard error is inflated; the VIF itself is 1 / (1 − R²ⱼ)."),
            (expected - 1.0, "That is R²ⱼ / (1 − R²ⱼ) = VIF − 1: the VIF is 1 / (1 − R²ⱼ)."),
            (1.0 / (1.0 - r2_noint), no_intercept),
            (1.0 / (1.0 - r2_noint_unc), no_intercept),
            (np.diag(np.linalg.inv(np.cov(Xa, rowvar=False))), "That is the diagonal of the inverse COVARIANCE matrix: use the inverse CORRELATION matrix (or multiply by each column's variance)."),
            (pair, "That uses only the largest PAIRWISE correlation: R²ⱼ must come from regressing column j on ALL the other columns together, which catches a column that is a combination of several others."),
        ]
    if np.all(~np.isfinite(got) | (np.abs(got) > 1e8)):
        raise CheckFailed(f"{what}: expected {np.round(expected, 4)}, got {got}. Every VIF is infinite, so every R²ⱼ was 1: leave column j OUT of the regressors when you predict column j.")
    expect_close(got, expected, what, rtol=1e-6, misconceptions=mistakes)


# --------------------------------------------------------------------------- condition number
def reference_condition_number(X: Any) -> float:
    return float(np.linalg.cond(_standardize(_matrix(X))))


def check_condition_number(condition_number: Callable, X: Any) -> None:
    Xa = _matrix(X)
    expected = reference_condition_number(Xa)
    what = f"condition_number(X) on a {Xa.shape[0]}x{Xa.shape[1]} {type(X).__name__}"
    got = as_array(call(condition_number, X, what="condition_number(X)"), what)
    expect(got.size == 1, f"{what} should return one number, got an array of shape {got.shape}.")
    got = float(got.reshape(()))
    Z = _standardize(Xa)
    centered = Xa - Xa.mean(0)
    unstd = "That is the condition number of the UNSTANDARDIZED X: it mostly measures the columns' units and means, not collinearity. Standardize each column (subtract its mean, divide by its standard deviation) first."
    squared = "That is the square of the right value: it is the condition number of XᵀX (or the ratio of eigenvalues of the correlation matrix). Use singular values of the standardized X, or take the square root."
    mistakes = [
        (np.linalg.cond(Xa), unstd),
        (np.linalg.cond(centered), "That is the condition number of the centered but not SCALED X: divide each column by its standard deviation too, or the column with the largest units dominates."),
        (np.linalg.cond(Xa / Xa.std(0)), "That is the condition number of a scaled but not CENTERED X: subtract each column's mean too, or the means look like a near-constant direction."),
        (np.linalg.cond(Z) ** 2, squared),
        (np.linalg.cond(Xa.T @ Xa), squared + " (Here also of the unstandardized X.)"),
        (1.0 / np.linalg.cond(Z), "That is smallest / largest singular value: the condition number is largest / smallest (always >= 1)."),
    ]
    expect_close(got, expected, what, rtol=1e-6, misconceptions=mistakes)


# --------------------------------------------------------------------------- PCA
def check_pca_explained_variance_ratio(fn: Callable, X: Any) -> None:
    from sklearn.decomposition import PCA

    Xa = _matrix(X)
    expected = PCA().fit(Xa).explained_variance_ratio_
    what = f"pca_explained_variance_ratio(X) on a {Xa.shape[0]}x{Xa.shape[1]} {type(X).__name__}"
    got = as_array(call(fn, X, what="pca_explained_variance_ratio(X)"), what).ravel()
    s_c = np.linalg.svd(Xa - Xa.mean(0), compute_uv=False)
    s_raw = np.linalg.svd(Xa, compute_uv=False)
    s_std = np.linalg.svd(_standardize(Xa), compute_uv=False)
    k = len(expected)
    mistakes = [
        ((s_raw**2 / np.sum(s_raw**2))[:k], "That comes from the SVD of the UNCENTERED X: subtract each column's mean first. Without centering the first component points at the mean, not along the spread."),
        (s_c[:k], "Those are the singular values: the explained variance ratio is s² / Σ s² (variance grows with the SQUARE of a singular value)."),
        ((s_c / s_c.sum())[:k], "That is s / Σ s: variance grows with the SQUARE of a singular value, so the ratio is s² / Σ s²."),
        ((s_c**2 / (len(Xa) - 1))[:k], "That is the explained VARIANCE of each component (s² / (n − 1)): divide by the total to get the RATIO, which sums to 1."),
        (np.cumsum(expected), "That is the CUMULATIVE ratio: return each component's own share (the cumulative sum is what you compare with 95%)."),
        ((s_std**2 / np.sum(s_std**2))[:k], "That is PCA of the STANDARDIZED X (the correlation matrix): the contract, like sklearn's PCA, only centers."),
        (expected[::-1], "The ratios are in increasing order: sort components from the largest variance down (numpy's eigh returns eigenvalues in ascending order)."),
    ]
    if got.size != k:
        raise CheckFailed(f"{what}: expected {k} ratios (one per component, min(n_samples, n_features)), got {got.size}.")
    expect_close(got, expected, what, rtol=1e-6, atol=1e-9, misconceptions=mistakes)


# --------------------------------------------------------------------------- PCR / PLS estimators
def reference_pcr(n_components: int):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), PCA(n_components=n_components), LinearRegression())


def reference_pls(n_components: int):
    from sklearn.cross_decomposition import PLSRegression

    return PLSRegression(n_components=n_components)


def _unscaled_pcr(n_components: int):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(PCA(n_components=n_components), LinearRegression())


def _unscaled_pls(n_components: int):
    from sklearn.cross_decomposition import PLSRegression

    return PLSRegression(n_components=n_components, scale=False)


def _ols(_k: int = 0):
    from sklearn.linear_model import LinearRegression

    return LinearRegression()


def _predict(model, X_train, y_train, X_test) -> np.ndarray:
    return np.ravel(model.fit(X_train, y_train).predict(X_test))


def _check_estimator(name: str, factory: Callable, reference: Callable, k: int, alternatives: list) -> None:
    """Unfitted, clonable, and predicting like ``reference(k)`` after fitting on a fixed case."""
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    label = f"{name}({k})"
    est = call(factory, k, what=label)
    if est is None:
        raise CheckFailed(f"{label} returned None: did the function forget to `return` the estimator?")
    if isinstance(est, type):
        raise CheckFailed(f"{label} returned the class {est.__name__}, not an estimator object: call it, e.g. {est.__name__}(...).")
    expect(hasattr(est, "fit") and hasattr(est, "predict"), f"{label} should return a scikit-learn estimator with fit and predict, got {type(est).__name__}.")
    try:
        check_is_fitted(est)
    except NotFittedError:
        pass
    except Exception:
        pass
    else:
        raise CheckFailed(f"{label} returned an estimator that is already fitted: return it UNFITTED, so cross-validation fits it on each training fold only (fitting first leaks the validation rows into the model).")
    try:
        fresh = clone(est)
    except Exception as exc:
        raise CheckFailed(f"{label}: scikit-learn cannot clone the estimator ({type(exc).__name__}: {exc}); cross_val_score needs to. Build it from scikit-learn classes.") from None
    X, y = regression_case(n=150, seed=3)
    Xtr, ytr, Xte = X[:110], y[:110], X[110:]
    expected = _predict(reference(k), Xtr, ytr, Xte)
    try:
        got = _predict(fresh, Xtr, ytr, Xte)
    except Exception as exc:
        raise CheckFailed(f"{label}: fitting on a 110x16 training set and predicting raised {type(exc).__name__}: {exc}") from None
    scale = float(np.std(expected)) or 1.0
    mistakes = []
    for make_alt, message in alternatives:
        try:
            mistakes.append((_predict(make_alt(), Xtr, ytr, Xte), message))
        except Exception:
            continue
    expect_close(got, expected, f"{label}: predictions after fitting on the same training rows", rtol=1e-5, atol=1e-6 * scale, misconceptions=mistakes)


def check_make_pcr(make_pcr: Callable, k: int) -> None:
    p = REG_FEATURES
    alternatives = [
        (lambda: _unscaled_pcr(k), "They match PCA + regression WITHOUT standardization: PCA chases the columns with the largest units. Put a StandardScaler before the PCA."),
        (lambda: reference_pls(k), "They match PLSRegression: principal component regression uses PCA directions (chosen without looking at y)."),
        (lambda: _ols(), "They match plain linear regression on all features: the PCA step must keep only n_components components."),
    ]
    for other in sorted({k - 1, k + 1, 1, 2, p} - {k, 0}):
        if 0 < other <= p:
            alternatives.append((partial(reference_pcr, other), f"They match a PCR with {other} components: use PCA(n_components=n_components), the argument you were given."))
    _check_estimator("make_pcr", make_pcr, reference_pcr, k, alternatives)


def check_make_pls(make_pls: Callable, k: int) -> None:
    p = REG_FEATURES
    alternatives = [
        (lambda: _unscaled_pls(k), "They match PLSRegression(scale=False) on unstandardized features: keep PLS's default scale=True (or standardize first), or the columns with the largest units dominate the directions."),
        (lambda: reference_pcr(k), "They match principal component regression (PCA, then regression): PLS is PLSRegression, whose directions are chosen using y."),
        (lambda: _ols(), "They match plain linear regression on all features: PLS must keep only n_components directions."),
    ]
    for other in sorted({k - 1, k + 1, 1, 2, p} - {k, 0}):
        if 0 < other <= p:
            alternatives.append((partial(reference_pls, other), f"They match PLSRegression(n_components={other}): use n_components=n_components, the argument you were given."))
    _check_estimator("make_pls", make_pls, reference_pls, k, alternatives)


def check_fresh_estimators(factory: Callable, name: str, k: int = 2) -> None:
    a = call(factory, k, what=f"{name}({k})")
    b = call(factory, k, what=f"{name}({k})")
    expect(a is not b, f"{name} returned the SAME object twice: build a new estimator on every call.")


# --------------------------------------------------------------------------- choosing k
def capped(make_model: Callable, cap: int) -> Callable:
    """A factory that never uses more than ``cap`` components (its scores tie for k >= cap)."""
    return partial(_capped, make_model, cap)


def _capped(make_model: Callable, cap: int, k: int):
    return make_model(min(int(k), cap))


def cv_scores(make_model: Callable, X, y, max_components: int, cv) -> np.ndarray:
    from sklearn.model_selection import cross_val_score

    return np.array([cross_val_score(make_model(k), X, y, cv=cv).mean() for k in range(1, max_components + 1)])


def check_best_n_components(best_n_components: Callable, make_model: Callable, X, y, max_components: int, cv) -> None:
    from sklearn.metrics import r2_score

    scores = cv_scores(make_model, X, y, max_components, cv)
    best = float(np.max(scores))
    expected = int(np.flatnonzero(scores >= best - 1e-12)[0]) + 1
    what = f"best_n_components(make_model, X, y, max_components={max_components}, cv={cv!r})"
    got_raw = call(best_n_components, make_model, X, y, max_components, cv, what="best_n_components(...)")
    try:
        got_f = float(np.asarray(got_raw).reshape(()))
    except Exception:
        raise CheckFailed(f"{what} should return one integer (a number of components), got {got_raw!r}.") from None
    expect(got_f == int(got_f), f"{what} should return a whole number of components, got {got_raw!r}.")
    got = int(got_f)
    if got == expected:
        return
    table = ", ".join(f"k={k}: {s:.4f}" for k, s in enumerate(scores, start=1))
    head = f"{what}: expected {expected}, got {got}. Mean cross-validated R² per k: {table}."
    if got == expected - 1:
        if expected == max_components:
            raise CheckFailed(f"{head} Your answer is one too small: either k = {max_components} was never tried (loop over range(1, max_components + 1)) or you returned a 0-based index (np.argmax): return the NUMBER of components, index + 1.")
        raise CheckFailed(f"{head} Your answer is one too small: it looks like a 0-based index (np.argmax). Return the NUMBER of components, index + 1.")
    last_best = int(np.flatnonzero(scores >= best - 1e-12)[-1]) + 1
    if got == last_best and last_best != expected:
        raise CheckFailed(f"{head} Several k tie for the best score and you returned the LARGEST: ties go to the FEWEST components (the simpler model).")
    if got == int(np.argmax(scores[:-1])) + 1 and max_components > 1:
        raise CheckFailed(f"{head} k = {max_components} was never tried: loop over range(1, max_components + 1).")
    train = []
    for k in range(1, max_components + 1):
        model = make_model(k).fit(X, y)
        train.append(r2_score(y, np.ravel(model.predict(X))))
    if got == int(np.argmax(train)) + 1:
        raise CheckFailed(f"{head} That k has the best TRAINING R², which never stops rising as components are added: choose k by the cross-validated score (cross_val_score), on rows the model did not see.")
    if got == int(np.argmin(scores)) + 1:
        raise CheckFailed(f"{head} That k has the LOWEST mean R²: higher R² is better, so take the maximum.")
    raise CheckFailed(head)
