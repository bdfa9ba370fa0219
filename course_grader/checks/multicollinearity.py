"""Checks for module 04: multicollinearity (VIF, condition number), PCA, PCR and PLS.

Each ``check_*`` function calls the learner's function on one case through :func:`call`,
compares the answer with an independent oracle (the inverse correlation matrix for VIF,
``numpy.linalg.cond`` for the condition number, scikit-learn's ``PCA``, reference pipelines
and ``cross_val_score``) and, on a wrong answer, computes what each common mistake returns and
names the misconception that matches.
"""

from __future__ import annotations

from functools import lru_cache, partial
from typing import Any, Callable

import numpy as np

from course.checks import CheckFailed, as_array, call, call_in_kernel, expect, expect_close
from course.probes.multicollinearity import _capped, capped, estimator_probe, fresh_probe  # noqa: F401  (learner-side: the kernel or the test cells use them)
from course.probes.multicollinearity import _copy, _predict  # noqa: F401  (learner-side: the kernel or the test cells use them)
from course.lessons.multicollinearity import REG_FEATURES, collinear_case, first_component_case, mixed_scale_case, regression_case  # noqa: F401  (learner-side: the kernel or the test cells use them)


# --------------------------------------------------------------------------- inputs
def _matrix(X: Any) -> np.ndarray:
    return np.asarray(X, dtype=float)


def _standardize(X: np.ndarray) -> np.ndarray:
    return (X - X.mean(0)) / X.std(0)


def _shape_msg(what: str, got: np.ndarray, p: int) -> str:
    return f"{what} should return one value per column ({p} values), got shape {got.shape}."


# --------------------------------------------------------------------------- cases
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


def _vif32(X: np.ndarray) -> np.ndarray:
    X32 = np.asarray(X, dtype=np.float32)
    return np.diag(np.linalg.inv(np.corrcoef(X32, rowvar=False).astype(np.float32)))


#: tolerances that accept a correct float32 computation: the VIF and the condition number
#: amplify float32 rounding by the conditioning of the correlation matrix; explained-variance
#: ratios of tiny components need an absolute tolerance (sklearn PCA on float32 data is off by
#: up to ~2e-6 on the 80x4 case).
VIF_RTOL = 1e-4
COND_RTOL = 1e-4
PCA_RTOL, PCA_ATOL = 2e-5, 3e-6


def _rounding_hint(got, expected, expected32, what: str, rtol: float, atol: float = 0.0, decimals=(1, 2, 3, 4, 5, 6)) -> None:
    """Raise "you rounded" only when ``got`` IS the reference rounded to d decimals (to float32
    precision), that rounding is outside the tolerance, and it differs from the float32 result
    (so float32 noise is never mistaken for rounding)."""
    got = np.asarray(got, dtype=float)
    expected = np.asarray(expected, dtype=float)
    expected32 = np.asarray(expected32, dtype=float)
    if got.shape != expected.shape or np.allclose(got, expected, rtol=rtol, atol=atol):
        return
    for d in decimals:
        r = np.round(expected, d)
        if np.allclose(r, expected, rtol=rtol, atol=atol):
            continue  # this rounding is accepted anyway
        if np.allclose(r, expected32, rtol=1e-7, atol=0.0):
            continue  # indistinguishable from a float32 computation
        if np.allclose(got, r, rtol=1e-7, atol=1e-12):
            raise CheckFailed(f"{what}: expected {np.round(expected, 6).tolist()}, got {got.tolist()}. Those are the right values ROUNDED to {d} decimals: don't round — return full precision (round only when you print).")


def _no_intercept_variance_ratio_r2(X: np.ndarray) -> np.ndarray:
    """1 - var(residual) / var(column), the residual from a regression WITHOUT an intercept."""
    n, p = X.shape
    out = []
    for j in range(p):
        others = np.delete(X, j, axis=1)
        coef, *_ = np.linalg.lstsq(others, X[:, j], rcond=None)
        resid = X[:, j] - others @ coef
        out.append(1.0 - resid.var() / X[:, j].var())
    return np.array(out)


def check_vif(vif: Callable, X: Any) -> None:
    Xa = _matrix(X)
    n, p = Xa.shape
    expected = reference_vif(Xa)
    what = f"vif(X) on a {n}x{p} {type(X).__name__}"
    got = as_array(call(vif, X, what="vif(X)"), what)
    expect(got.size == p, _shape_msg("vif(X)", got, p))
    got = got.reshape(p)
    r2 = 1.0 - 1.0 / expected
    with np.errstate(divide="ignore", invalid="ignore"):
        r2_noint = _r2_each_column(Xa, intercept=False)
        r2_noint_unc = _r2_each_column(Xa, intercept=False, centered_tss=False)
        r2_noint_var = _no_intercept_variance_ratio_r2(Xa)
        r2_adj = 1.0 - (1.0 - r2) * (n - 1) / (n - (p - 1) - 1)
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
            (1.0 / (1.0 - r2_noint_var), no_intercept + " (Computing R² as 1 − var(residual) / var(column) does not repair it: without an intercept the residuals do not average to zero, and the fit itself is wrong.)"),
            (1.0 / (1.0 - r2_adj), "That uses the ADJUSTED R²: the VIF uses the ordinary R²ⱼ of the regression, 1 − (residual sum of squares) / (total sum of squares), without the (n − 1) / (n − p) correction."),
            (np.diag(np.linalg.inv(np.cov(Xa, rowvar=False))), "That is the diagonal of the inverse COVARIANCE matrix: use the inverse CORRELATION matrix (or multiply by each column's variance)."),
            (pair, "That uses only the largest PAIRWISE correlation: R²ⱼ must come from regressing column j on ALL the other columns together, which catches a column that is a combination of several others."),
        ]
    if np.all(~np.isfinite(got) | (np.abs(got) > 1e8)):
        raise CheckFailed(f"{what}: expected {np.round(expected, 4)}, got {got}. Every VIF is infinite, so every R²ⱼ was 1: leave column j OUT of the regressors when you predict column j.")
    _rounding_hint(got, expected, _vif32(Xa), what, VIF_RTOL)
    try:
        expect_close(got, expected, what, rtol=VIF_RTOL, misconceptions=mistakes)
    except CheckFailed as exc:
        below = np.flatnonzero(np.isfinite(got) & (got < 1.0 - 1e-9))
        if below.size:
            cols = ", ".join(str(j) for j in below[:6]) + (", ..." if below.size > 6 else "")
            raise CheckFailed(f"{exc} Impossible value: a VIF is always >= 1 because R²ⱼ >= 0 (a least-squares fit with an intercept never does worse than the column's mean), yet column(s) {cols} got a VIF below 1.") from None
        raise


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
    X32 = Xa.astype(np.float32)
    cond32 = np.linalg.cond((X32 - X32.mean(0)) / X32.std(0))
    _rounding_hint(got, expected, cond32, what, COND_RTOL)
    expect_close(got, expected, what, rtol=COND_RTOL, misconceptions=mistakes)


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
    expected32 = PCA().fit(Xa.astype(np.float32)).explained_variance_ratio_
    _rounding_hint(got, expected, expected32, what, PCA_RTOL, PCA_ATOL)
    expect_close(got, expected, what, rtol=PCA_RTOL, atol=PCA_ATOL, misconceptions=mistakes)


# --------------------------------------------------------------------------- PCR / PLS estimators
def _references():
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.preprocessing import StandardScaler

    from course.lessons.multicollinearity import n_components_factory

    return n_components_factory(StandardScaler, PCA, LinearRegression), n_components_factory(PLSRegression)


#: k -> the reference estimator. Test cells pass them to the learner's best_n_components, so they
#: are built from the learner package's neutral helper (the grading kernel imports it from there).
reference_pcr, reference_pls = _references()


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


@lru_cache(maxsize=1)
def _fit_case_cached():
    X, y = regression_case(n=150, seed=3)
    X.setflags(write=False)
    y.setflags(write=False)
    return X[:110], y[:110], X[110:]


def _fit_case():
    """The fixed training rows and test rows every estimator check fits and predicts on
    (fresh copies: nothing a learner's estimator does can change the cached case)."""
    return tuple(_copy(a) for a in _fit_case_cached())


@lru_cache(maxsize=None)
def _reference_predictions(reference: Callable, k: int) -> np.ndarray:
    Xtr, ytr, Xte = _fit_case()
    return _predict(reference(k), Xtr, ytr, Xte)


def _same_predictions(a: np.ndarray, b: np.ndarray) -> bool:
    scale = float(np.std(b)) or 1.0
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-6 * scale))


def _learner_predictions(factory: Callable, k: int, label: str) -> np.ndarray:
    """The learner's ``factory(k)`` fitted on the fixed case, predictions on its test rows."""
    Xtr, ytr, Xte = _fit_case()
    r = call_in_kernel(estimator_probe, factory, k, Xtr, ytr, Xte, what=label)
    status = r.get("status") if isinstance(r, dict) else None
    if status == "none":
        raise CheckFailed(f"{label} returned None: did the function forget to `return` the estimator?")
    if status == "class":
        raise CheckFailed(f"{label} returned the class {r['name']}, not an estimator object: call it, e.g. {r['name']}(...).")
    if status == "not_estimator":
        raise CheckFailed(f"{label} should return a scikit-learn estimator with fit and predict, got {r['name']}.")
    if status == "fitted":
        raise CheckFailed(f"{label} returned an estimator that is already fitted: return it UNFITTED, so cross-validation fits it on each training fold only (fitting first leaks the validation rows into the model).")
    if status == "clone_error":
        raise CheckFailed(f"{label}: scikit-learn cannot clone the estimator ({r['detail']}); cross_val_score needs to. Build it from scikit-learn classes.")
    if status == "fit_error":
        raise CheckFailed(f"{label}: fitting on a 110x16 training set and predicting raised {r['detail']}")
    if status != "ok":
        raise CheckFailed(f"{label}: the estimator could not be examined.")
    return np.ravel(np.asarray(r["pred"], dtype=float))


def _effective_components(pred: np.ndarray, reference: Callable) -> int | None:
    """The number of components c for which ``reference(c)`` predicts like ``pred`` (None: no c)."""
    for c in range(1, REG_FEATURES + 1):
        if _same_predictions(pred, _reference_predictions(reference, c)):
            return c
    return None


def _check_estimator(name: str, factory: Callable, reference: Callable, k: int, alternatives: list, use_arg: str, default_k: int | None = None) -> None:
    """Unfitted, clonable, and predicting like ``reference(k)`` after fitting on a fixed case.

    On a mismatch: a named alternative (no scaler, the other method, plain OLS), else the number
    of components the learner's estimator really uses — and whether it is the same for every k.
    """
    label = f"{name}({k})"
    got = _learner_predictions(factory, k, label)
    expected = _reference_predictions(reference, k)
    if _same_predictions(got, expected):
        return
    what = f"{label}: predictions after fitting on the same training rows"
    Xtr, ytr, Xte = _fit_case()
    for make_alt, message in alternatives:
        try:
            alt = _predict(make_alt(), Xtr, ytr, Xte)
        except Exception:
            continue
        if _same_predictions(got, alt):
            expect_close(got, expected, what, rtol=1e-5, misconceptions=[(alt, message)])
    c = _effective_components(got, reference)
    if c is not None:
        probes = [o for o in (1, 5, 7, 2) if o not in (k, c)][:2]
        same = []
        for o in probes:
            try:
                pred_o = _learner_predictions(factory, o, f"{name}({o})")
            except CheckFailed:
                break
            if _effective_components(pred_o, reference) != c:
                break
            same.append(o)
        if len(same) == len(probes):
            others = " and ".join(f"{name}({o})" for o in probes)
            default = f" ({c} is the default when n_components is not given.)" if c == default_k else ""
            raise CheckFailed(f"{label}: the predictions are those of a model with {c} components, and so are those of {others}: n_components is fixed at {c} whatever k you pass. {use_arg}{default}")
        off = " (off by one)" if abs(c - k) == 1 else ""
        raise CheckFailed(f"{label}: the predictions are those of a model with {c} components, not {k}{off}. {use_arg}")
    expect_close(got, expected, what, rtol=1e-5)


def check_make_pcr(make_pcr: Callable, k: int) -> None:
    alternatives = [
        (lambda: _unscaled_pcr(k), "They match PCA + regression WITHOUT standardization: PCA chases the columns with the largest units. Put a StandardScaler before the PCA."),
        (lambda: reference_pls(k), "They match PLSRegression: principal component regression uses PCA directions (chosen without looking at y)."),
        (lambda: _ols(), "They match plain linear regression on all features: the PCA step must keep only n_components components."),
    ]
    _check_estimator("make_pcr", make_pcr, reference_pcr, k, alternatives, "Use PCA(n_components=n_components), the argument you were given.")


def check_make_pls(make_pls: Callable, k: int) -> None:
    alternatives = [
        (lambda: _unscaled_pls(k), "They match PLSRegression(scale=False) on unstandardized features: keep PLS's default scale=True (or standardize first), or the columns with the largest units dominate the directions."),
        (lambda: reference_pcr(k), "They match principal component regression (PCA, then regression): PLS is PLSRegression, whose directions are chosen using y."),
        (lambda: _ols(), "They match plain linear regression on all features: PLS must keep only n_components directions."),
    ]
    _check_estimator("make_pls", make_pls, reference_pls, k, alternatives, "Use PLSRegression(n_components=n_components), the argument you were given.", default_k=2)


def check_fresh_estimators(factory: Callable, name: str, k: int = 2) -> None:
    """A new object on every call. Only scored once ``factory(k)`` builds the right estimator."""
    check_right = check_make_pcr if name == "make_pcr" else check_make_pls
    try:
        check_right(factory, k)
    except CheckFailed:
        raise CheckFailed(f"Not scored yet: {name}({k}) must first build the right estimator (see the other checks); this extra check then verifies that every call returns a NEW object.") from None
    fresh = call_in_kernel(fresh_probe, factory, k, what=f"{name}({k})")
    expect(fresh is True, f"{name} returned the SAME object twice: build a new estimator on every call.")


# --------------------------------------------------------------------------- choosing k
def fold_scores(make_model: Callable, X, y, max_components: int, cv) -> np.ndarray:
    """``cross_val_score`` of every k in 1..max_components: an array (max_components, n_folds)."""
    from sklearn.model_selection import cross_val_score

    return np.array([cross_val_score(make_model(k), _copy(X), _copy(y), cv=cv) for k in range(1, max_components + 1)])


def cv_scores(make_model: Callable, X, y, max_components: int, cv) -> np.ndarray:
    return fold_scores(make_model, X, y, max_components, cv).mean(axis=1)


def _first_best(values) -> int:
    values = np.asarray(values, dtype=float)
    return int(np.flatnonzero(values >= np.max(values) - 1e-12)[0]) + 1


def _same_cv(a, b) -> bool:
    """True when ``cv`` argument ``a`` splits like ``b`` (an int k means unshuffled KFold(k))."""
    from sklearn.model_selection import KFold

    def norm(cv):
        if cv is None:
            return ("KFold", 5, False, None)
        if isinstance(cv, (int, np.integer)):
            return ("KFold", int(cv), False, None)
        if type(cv) is KFold:
            return ("KFold", cv.n_splits, cv.shuffle, cv.random_state if cv.shuffle else None)
        return ("other", id(cv))

    return norm(a) == norm(b)


#: splitters learners commonly write instead of using the ``cv`` they are given
SUBSTITUTE_SPLITTERS = (
    ("cv=5 (unshuffled 5-fold, cross_val_score's default)", lambda: 5),
    ("KFold(5, shuffle=True, random_state=0)", lambda: _kfold(5, 0)),
    ("KFold(5, shuffle=True, random_state=1)", lambda: _kfold(5, 1)),
    ("KFold(5, shuffle=True, random_state=42)", lambda: _kfold(5, 42)),
    ("KFold(10)", lambda: 10),
)


def _kfold(n_splits: int, seed: int):
    from sklearn.model_selection import KFold

    return KFold(n_splits, shuffle=True, random_state=seed)


def _other_rules(make_model: Callable, X, y, max_components: int, cv) -> dict:
    """The k other plausible rules pick: training R², pooled out-of-fold R², mean negative MSE,
    the worst fold (used to decide whether a mismatch can be attributed to training R²)."""
    from sklearn.base import clone
    from sklearn.metrics import mean_squared_error, r2_score
    from sklearn.model_selection import check_cv

    Xa, ya = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    splits = list(check_cv(cv).split(Xa, ya))
    train, pooled, neg_mse, worst = [], [], [], []
    for k in range(1, max_components + 1):
        model = make_model(k)
        train.append(r2_score(ya, np.ravel(clone(model).fit(_copy(Xa), _copy(ya)).predict(_copy(Xa)))))
        oof = np.empty_like(ya)
        mses, r2s = [], []
        for tr, te in splits:
            pred = np.ravel(clone(model).fit(Xa[tr], ya[tr]).predict(Xa[te]))
            oof[te] = pred
            mses.append(mean_squared_error(ya[te], pred))
            r2s.append(r2_score(ya[te], pred))
        pooled.append(r2_score(ya, oof))
        neg_mse.append(-np.mean(mses))
        worst.append(np.min(r2s))
    return {"train": _first_best(train), "pooled": _first_best(pooled), "neg_mse": _first_best(neg_mse), "worst": _first_best(worst)}


def _answer_ignores_cv(best_n_components: Callable, make_model: Callable, X, y, max_components: int, got: int) -> bool:
    """True when the learner's answer is ``got`` for two other shuffled splits too."""
    for alt in (_kfold(3, 11), _kfold(4, 12)):
        try:
            other = int(float(np.asarray(call(best_n_components, make_model, X, y, max_components, alt)).reshape(())))
        except Exception:
            return False
        if other != got:
            return False
    return True


def check_best_n_components(best_n_components: Callable, make_model: Callable, X, y, max_components: int, cv) -> None:
    """The learner's k against the k with the best mean CV R^2 (ties: fewest); on a mismatch,
    every common selection mistake that returns the learner's k is named."""
    per_fold = fold_scores(make_model, X, y, max_components, cv)
    scores = per_fold.mean(axis=1)
    expected = _first_best(scores)
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
    if not 1 <= got <= max_components:
        head += f" A number of components must be between 1 and max_components = {max_components}."

    reasons: list[str] = []
    if expected == 1 and max_components > 1 and got == _first_best(scores[1:]) + 1:
        reasons.append("k = 1 was never tried: k starts at 1 (one component is a valid, often the best, model). Loop over range(1, max_components + 1).")
    elif got == expected - 1:
        why = ("Your answer is one less than the best k. Either you returned a 0-based index (np.argmax gives the POSITION in your list of scores; the number of components is position + 1), "
               "or you used a different selection rule (for example the one-standard-error rule, or comparing rounded scores). "
               "The contract here is the k with the highest MEAN cross-validated R², ties going to the fewest components.")
        if expected == max_components:
            why += f" (A third possibility: k = {max_components} was never tried; loop over range(1, max_components + 1).)"
        reasons.append(why)
    elif expected == max_components and max_components > 1 and got == _first_best(scores[:-1]):
        reasons.append(f"k = {max_components} was never tried: loop over range(1, max_components + 1).")
    last_best = int(np.flatnonzero(scores >= np.max(scores) - 1e-12)[-1]) + 1
    if got == last_best != expected:
        reasons.append("Several k tie for the best score and you returned the LARGEST: ties go to the FEWEST components (the simpler model).")
    if got == _first_best(np.median(per_fold, axis=1)):
        reasons.append("That k has the best MEDIAN of the fold scores: the contract takes the MEAN of cross_val_score(...) (a median ignores how bad the worst folds are).")
    n_folds = per_fold.shape[1]
    if n_folds > 1 and got != expected - 1:
        se = per_fold[expected - 1].std(ddof=1) / np.sqrt(n_folds)
        one_se = int(np.flatnonzero(scores >= scores[expected - 1] - se)[0]) + 1
        if got == one_se:
            reasons.append("That is the one-standard-error rule (the fewest components within one standard error of the best): a sound practice, but this function's contract is the k with the best mean cross-validated R² (ties to the fewest).")
    for d in (2, 3):
        if got != expected - 1 and got == _first_best(np.round(scores, d)):
            reasons.append(f"That is the best k after rounding the mean scores to {d} decimals, which creates false ties: compare the full-precision means.")
            break
    if got >= 1:
        rules = _other_rules(make_model, X, y, max_components, cv)
        others = {rules["pooled"], rules["neg_mse"], rules["worst"]}
        if got == rules["train"] and rules["train"] not in others:
            reasons.append("That k has the best TRAINING R², which never stops rising as components are added: choose k by the cross-validated score (cross_val_score), on rows the model did not see.")
    if got == int(np.argmin(scores)) + 1:
        reasons.append("That k has the LOWEST mean R²: higher R² is better, so take the maximum.")
    # the cv argument ignored: the learner's k is the best k of a splitter of their own AND does
    # not change when they are given other splits (another split often picks the same k by
    # chance, so the match alone proves nothing)
    for name, make_cv in SUBSTITUTE_SPLITTERS:
        sub = make_cv()
        if any("was never tried" in r for r in reasons):
            break  # a k range that misses the best k explains a constant answer too
        if _same_cv(sub, cv) or got != _first_best(cv_scores(make_model, X, y, max_components, sub)):
            continue
        if _answer_ignores_cv(best_n_components, make_model, X, y, max_components, got):
            cv_reason = f"Your k is the best k with {name}, and your answer stays {got} when the function is given other splits: you did not use the cv argument. Pass cv=cv to cross_val_score; the caller decides how the rows are split (shuffled folds, a fixed seed, grouped rows...)."
            training = [r for r in reasons if "TRAINING R²" in r]
            reasons = [cv_reason] + training
        break
    if len(reasons) == 1:
        raise CheckFailed(f"{head} {reasons[0]}")
    if reasons:
        listed = " ".join(f"({i}) {r}" for i, r in enumerate(reasons, start=1))
        raise CheckFailed(f"{head} Your k matches more than one common mistake: {listed}")
    top = np.argsort(-scores, kind="stable")[:3] + 1
    cands = ", ".join(f"k={k} ({scores[k - 1]:.4f})" for k in top)
    got_part = f"; your k={got} has {scores[got - 1]:.4f}" if 1 <= got <= max_components else ""
    raise CheckFailed(f"{head} The top candidates by mean cross-validated R² are {cands}{got_part}. Score every k = 1..max_components by the MEAN of cross_val_score(make_model(k), X, y, cv=cv) — R², the regressor's default score, one value per fold — and return the k with the highest mean (ties: the fewest).")
