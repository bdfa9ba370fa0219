"""Checks for module 07: monitoring a deployed model for training-serving skew and drift.

Each ``check_*`` function builds a named case (seeded), calls the learner's function through
``call`` and judges only the returned plain data (dicts, tuples of arrays, lists of tuples or
strings) against a reference computed here (scipy's ``jensenshannon`` is the independent oracle
for the divergence). When the answer is wrong, the check computes what each common mistake
would have returned (JS distance instead of divergence, natural logarithm, KL instead of JS,
bins from the serving data, outliers dropped, empty PSI bins, ``>=`` instead of ``>``, bool
treated as numeric, missing values counted as out of range, ...) and names the one that
matches.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import numpy as np
import pandas as pd

from course.checks import CheckFailed, _short, as_array, as_float, call

MISSING = "<missing>"
RTOL, ATOL = 1e-6, 1e-9
#: divergences, PSI and alert distances may be computed in float32 (a relative error of a few
#: 1e-7 on these cases); every named mistake is off by far more (the closest, PSI renormalised
#: after flooring, by 1e-4 relative)
FLOAT32_RTOL, FLOAT32_ATOL = 1e-5, 1e-8


# =========================================================================== helpers
def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return isinstance(v, (float, np.floating)) and math.isnan(v)
    except TypeError:
        return False


def _plain_key(k: Any) -> Any:
    return k.item() if isinstance(k, np.generic) else k


def _fmt(d: dict) -> str:
    items = ", ".join(f"{k!r}: {v:.4g}" if isinstance(v, (int, float)) else f"{k!r}: {v!r}" for k, v in d.items())
    return _short("{" + items + "}", 200)


def _close(a: float, b: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    if not (np.isfinite(a) and np.isfinite(b)):
        return bool(a == b or (np.isnan(a) and np.isnan(b)))
    return bool(np.isclose(a, b, rtol=rtol, atol=atol))


def _match_float(got: float, expected: float, label: str, mistakes: list[tuple[float, str]], rtol: float = RTOL, atol: float = ATOL) -> None:
    """Pass if ``got`` is close to ``expected``; otherwise name the mistake whose value it matches."""
    if _close(got, expected, rtol, atol):
        return
    for value, message in mistakes:
        try:
            value = float(value)
        except (TypeError, ValueError):
            continue
        if not _close(value, expected, 1e-9, 1e-12) and _close(got, value, rtol, atol):
            raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}. {message}")
    if np.isnan(got):
        raise CheckFailed(f"{label}: expected {expected:.6g}, got nan. A nan usually comes from 0 * log(0) or 0 / 0: handle the empty bins.")
    raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}.")


def _one_float(got: Any, label: str) -> float:
    if isinstance(got, (tuple, list)) and len(got) != 1:
        raise CheckFailed(f"{label} should return one number, got {type(got).__name__} {_short(got)}.")
    return as_float(got, label)


# =========================================================================== references
def ref_category_distribution(values: Any) -> dict:
    """{category: fraction} over the categories that occur; missing values are '<missing>'."""
    vals = list(values.tolist() if isinstance(values, np.ndarray) else list(values))
    counts: dict = {}
    for v in vals:
        k = MISSING if _is_missing(v) else _plain_key(v)
        counts[k] = counts.get(k, 0) + 1
    n = len(vals)
    return {k: c / n for k, c in counts.items()}


def ref_linf_distance(p: dict, q: dict) -> float:
    keys = set(p) | set(q)
    return max((abs(float(p.get(k, 0.0)) - float(q.get(k, 0.0))) for k in keys), default=0.0)


def _numeric(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=float).ravel()
    return arr[~np.isnan(arr)]


def ref_shared_histograms(train: Any, serve: Any, bins: int) -> tuple[np.ndarray, np.ndarray]:
    tr, sv = _numeric(train), _numeric(serve)
    edges = np.histogram_bin_edges(tr, bins)
    p = np.histogram(tr, edges)[0] / len(tr)
    q = np.histogram(np.clip(sv, edges[0], edges[-1]), edges)[0] / len(sv)
    return p, q


def ref_js_divergence(p: Any, q: Any) -> float:
    from scipy.spatial.distance import jensenshannon

    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return float(jensenshannon(p, q, base=2) ** 2)


def ref_psi(expected: Any, actual: Any, eps: float = 1e-4) -> float:
    e = np.maximum(np.asarray(expected, dtype=float), eps)
    a = np.maximum(np.asarray(actual, dtype=float), eps)
    return float(np.sum((a - e) * np.log(a / e)))


def _is_numeric_column(s: pd.Series) -> bool:
    return (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)


def _distance(train_col: pd.Series, serve_col: pd.Series, bins: int, numeric: bool) -> float:
    if numeric:
        return ref_js_divergence(*ref_shared_histograms(train_col, serve_col, bins))
    return ref_linf_distance(ref_category_distribution(train_col), ref_category_distribution(serve_col))


def ref_feature_alerts(train_df: pd.DataFrame, windows: list, threshold: float = 0.3, bins: int = 20, *,
                       ge: bool = False, one_based: bool = False, by_feature: bool = False, bool_numeric: bool = False,
                       int_categorical: bool = False, previous: bool = False, sqrt: bool = False,
                       window_order: bool = False, everything: bool = False) -> list:
    """The reference; the keyword flags reproduce the mistakes the check names."""
    out = []
    for i, w in enumerate(windows):
        base = windows[i - 1] if previous and i > 0 else train_df
        cols = list(w.columns) if window_order else list(train_df.columns)
        for c in cols:
            s = train_df[c]
            numeric = _is_numeric_column(s)
            if bool_numeric and pd.api.types.is_bool_dtype(s.dtype):
                numeric = True
            if int_categorical and pd.api.types.is_integer_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
                numeric = False
            if numeric and bool_numeric and pd.api.types.is_bool_dtype(s.dtype):
                d = ref_js_divergence(*ref_shared_histograms(base[c].astype(float), w[c].astype(float), bins))
            else:
                d = _distance(base[c], w[c], bins, numeric)
            if sqrt and numeric:
                d = math.sqrt(d)
            if everything or (d >= threshold if ge else d > threshold):
                out.append((i + 1 if one_based else i, c, d))
    if by_feature:
        order = {c: j for j, c in enumerate(train_df.columns)}
        out.sort(key=lambda t: (order[t[1]], t[0]))
    return out


# =========================================================================== category_distribution
def _category_case(name: str):
    if name == "worked":
        return ["web", "web", "app", "branch", "web", "app", None, "web"], "a list of 8 channels, one None"
    if name == "series_nan":
        return pd.Series(["web", np.nan, "app", "app", np.nan, "branch", "web", "app", "app", "web"], index=np.arange(100, 110)), "a pandas Series of strings with NaN (index 100..109)"
    if name == "categorical_unused":
        cat = pd.Categorical(["salaried", "retired", "salaried", None, "salaried"], categories=["salaried", "self-employed", "retired", "unemployed"])
        return pd.Series(cat), "a category-dtype Series with unused categories and one missing value"
    if name == "object_array":
        return np.array(["a", None, "b", float("nan"), "a", "a"], dtype=object), "a numpy object array with None AND float nan"
    if name == "bools":
        return pd.Series([True, False, True, True, False, True, True, True]), "a bool Series"
    if name == "int_codes":
        return np.array([3, 1, 3, 3, 2, 1, 3, 3, 3, 2]), "a numpy int array of region codes"
    if name == "all_missing":
        return [None, None, float("nan")], "a list whose values are all missing"
    raise ValueError(name)


def check_category_distribution(category_distribution: Callable, case: str) -> None:
    values, desc = _category_case(case)
    label = f"category_distribution(values) [{desc}]"
    expected = ref_category_distribution(values)
    try:
        got = call(category_distribution, values, what="category_distribution(values)")
    except CheckFailed as exc:
        msg = str(exc)
        if "new category" in msg or "Categorical" in msg:
            msg += (" A category dtype only accepts its declared categories, so fillna('<missing>') fails on it: "
                    "convert first with .astype(object).")
        raise CheckFailed(msg) from None
    if got is None:
        raise CheckFailed(f"{label} returned None: did the function forget to `return`?")
    if isinstance(got, pd.Series):
        got = got.to_dict()
    if not isinstance(got, dict):
        raise CheckFailed(f"{label} should return a dict {{category: fraction}}, got {type(got).__name__}: {_short(got)}. "
                          "(A pandas Series from value_counts converts with .to_dict().)")
    got = {_plain_key(k): v for k, v in got.items()}
    try:
        got_f = {k: float(v) for k, v in got.items()}
    except (TypeError, ValueError):
        raise CheckFailed(f"{label}: every value should be a fraction (a number), got {_short(got)}.") from None
    if set(got_f) == set(expected) and all(_close(got_f[k], expected[k]) for k in expected):
        return
    head = f"{label}: expected {_fmt(expected)}, got {_fmt(got_f)}."
    n = len(list(values))
    total = sum(got_f.values())
    missing_keys = [k for k in got_f if _is_missing(k)]
    if MISSING in expected and MISSING not in got_f:
        if missing_keys:
            raise CheckFailed(f"{head} Missing values must be the category the string '<missing>', not {missing_keys[0]!r} "
                              "(a NaN key cannot be looked up: nan != nan).")
        raise CheckFailed(f"{head} Missing values were dropped: pandas' value_counts drops NaN/None unless you pass dropna=False. "
                          "They count as their own category '<missing>', and the fractions are over ALL values.")
    zero_keys = [k for k, v in got_f.items() if k not in expected and v == 0]
    if zero_keys:
        raise CheckFailed(f"{head} Only the categories that occur belong in the dict: {zero_keys} never occur. "
                          "value_counts on a category dtype lists every declared category, even with a count of 0.")
    if set(got_f) != set(expected):
        as_str = {str(k) for k in expected}
        if {str(k) for k in got_f} == as_str:
            raise CheckFailed(f"{head} The keys should be the values themselves ({next(iter(expected))!r}), not their text: "
                              "don't convert the values with astype(str); convert only the missing ones to '<missing>'.")
        raise CheckFailed(f"{head} The categories differ: expected {sorted(map(repr, expected))}, got {sorted(map(repr, got_f))}.")
    if _close(total, n) and n != 1:
        raise CheckFailed(f"{head} Those are counts: return fractions, count / number of values (they sum to 1).")
    m = expected.get(MISSING, 0.0)
    if 0 < m < 1 and all(_close(got_f[k] * (1 - m), expected[k]) for k in expected if k != MISSING):
        raise CheckFailed(f"{head} The fractions of the other categories are over the non-missing values only (value_counts(normalize=True) "
                          "drops NaN before dividing): divide by the number of ALL values, so the fractions sum to 1.")
    if not _close(total, 1.0, 1e-6):
        raise CheckFailed(f"{head} The fractions sum to {total:.6g}; they must sum to 1 (every value, missing ones included, is in one category).")
    raise CheckFailed(head)


# =========================================================================== linf_distance
def _linf_case(name: str):
    if name == "worked":
        p = {"web": 0.5, "app": 0.25, "branch": 0.25}
        q = {"app": 0.4, "web": 0.2, "mobile": 0.2, MISSING: 0.2}
        return p, q, "the worked example"
    if name == "new_category":
        p = {"web": 0.4, "app": 0.1, "branch": 0.3, "partner": 0.2}
        q = {"web": 0.22, "app": 0.3, "branch": 0.13, "partner": 0.05, "mobile": 0.3}
        return p, q, "a category that only occurs at serving ('mobile')"
    if name == "vanished_category":
        p = {"salaried": 0.3, "self-employed": 0.1, "retired": 0.55, MISSING: 0.05}
        q = {"salaried": 0.52, "self-employed": 0.4, MISSING: 0.08}
        return p, q, "a category that no longer occurs at serving ('retired')"
    if name == "identical":
        p = {"a": 0.2, "b": 0.5, "c": 0.3}
        return p, dict(reversed(list(p.items()))), "identical distributions (keys in another order): expected 0"
    if name == "disjoint":
        return {"a": 0.6, "b": 0.4}, {"c": 0.7, "d": 0.3}, "no category in common: expected 0.7"
    if name == "bool_keys":
        return {True: 0.25, False: 0.75}, {True: 0.6, False: 0.4}, "bool categories"
    raise ValueError(name)


def check_linf_distance(linf_distance: Callable, case: str) -> None:
    p, q, desc = _linf_case(case)
    label = f"linf_distance(p, q) [{desc}]"
    expected = ref_linf_distance(p, q)
    got = _one_float(call(linf_distance, p, q, what="linf_distance(p, q)"), label)
    keys = list(dict.fromkeys(list(p) + list(q)))
    diff = {k: p.get(k, 0.0) - q.get(k, 0.0) for k in keys}
    shared = [k for k in keys if k in p and k in q]
    l1 = sum(abs(v) for v in diff.values())
    mistakes = [
        (l1, "That is the L1 distance, the SUM of the absolute differences: the L-infinity distance is the LARGEST single one, max |p(c) - q(c)|."),
        (l1 / 2, "That is the total variation distance (half the L1 sum): the L-infinity distance is the largest single difference, max |p(c) - q(c)|."),
        (max((abs(diff[k]) for k in shared), default=0.0), "Only the categories present in BOTH dicts were compared: take the union of the keys, a category absent from one dict has probability 0 there (a new category at serving is exactly what monitoring must see)."),
        (max(abs(diff[k]) for k in p), "Only the categories of p were compared: take the union of the keys, a category absent from one dict has probability 0 there (a new category at serving is exactly what monitoring must see)."),
        (max(abs(diff[k]) for k in q), "Only the categories of q were compared: take the union of the keys, a category absent from one dict has probability 0 there."),
        (max(diff.values()), "That is the largest SIGNED difference p(c) - q(c): take the absolute value, a category can grow or shrink."),
        (max(-v for v in diff.values()), "That is the largest SIGNED difference q(c) - p(c): take the absolute value, a category can grow or shrink."),
        (math.sqrt(sum(v * v for v in diff.values())), "That is the L2 (Euclidean) distance: the L-infinity distance is the largest single difference."),
    ]
    _match_float(got, expected, label, mistakes)


# =========================================================================== shared_histograms
def _hist_case(name: str):
    rng = np.random.default_rng(707)
    if name == "worked":
        return list(range(11)), [-3, 0, 2, 5, 10, 14, float("nan")], 5, "the worked example: train 0..10, 5 bins, serving with -3, 14 and a NaN"
    if name == "outliers":
        tr = rng.normal(50, 10, 400)
        sv = np.concatenate([rng.normal(58, 14, 300), [-40.0, 500.0, 1e6]])
        return tr, sv, 10, "normal data, serving shifted with far outliers on both sides, 10 bins"
    if name == "ties":
        tr = np.repeat(np.arange(0.0, 21.0), 3)            # 0..20: edges 0, 2.5, ... with bins=8; many values on edges
        sv = np.array([0.0, 2.5, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 20.0, 20.0, 2.5, 17.5])
        return tr, sv, 8, "values exactly on the bin edges (train 0..20, 8 bins)"
    if name == "nan_both":
        tr = np.where(rng.random(300) < 0.1, np.nan, rng.gamma(2.0, 3.0, 300))
        sv = np.where(rng.random(200) < 0.25, np.nan, rng.gamma(2.5, 3.0, 200))
        return pd.Series(tr), pd.Series(sv, index=np.arange(500, 700)), 12, "pandas Series with NaNs in both (10% and 25%), 12 bins"
    if name == "constant_train":
        return np.full(50, 4.0), np.array([4.0, 4.0, 4.2, 3.7, 9.0, -2.0, 4.0, 4.0]), 5, "a constant training column (min = max = 4), 5 bins"
    if name == "units_bug":
        tr = np.round(rng.beta(2, 5, 500), 3)
        return tr, tr[:100] * 100.0, 20, "a pipeline bug: serving sends percent (35.0) instead of a fraction (0.35), 20 bins"
    if name == "float32_ints":
        tr = rng.integers(300, 851, 250).astype("int64")
        sv = rng.normal(640, 70, 150).astype("float32")
        return tr, sv, 7, "int64 training scores, float32 serving values, 7 bins"
    raise ValueError(name)


def _variants_hist(tr: np.ndarray, sv: np.ndarray, bins: int) -> list[tuple[tuple, str]]:
    """(p, q) that common mistakes return, each with the sentence naming it (tr, sv NaN-free)."""
    out = []
    e_tr = np.histogram_bin_edges(tr, bins)
    p_ok = np.histogram(tr, e_tr)[0] / len(tr)
    if np.ptp(sv) > 0:
        e_sv = np.histogram_bin_edges(sv, bins)
        out.append(((np.histogram(np.clip(tr, e_sv[0], e_sv[-1]), e_sv)[0] / len(tr), np.histogram(sv, e_sv)[0] / len(sv)),
                    "The bins were built from the SERVING data: both histograms must use bins spanning the TRAINING data's min to max (the baseline), or a shift moves the bins with it and hides itself."))
        out.append(((np.histogram(tr, e_sv)[0] / len(tr), np.histogram(sv, e_sv)[0] / len(sv)),
                    "The bins were built from the SERVING data: both histograms must use bins spanning the TRAINING data's min to max (the baseline)."))
    both = np.concatenate([tr, sv])
    e_b = np.histogram_bin_edges(both, bins)
    out.append(((np.histogram(tr, e_b)[0] / len(tr), np.histogram(sv, e_b)[0] / len(sv)),
                "The bins span the training AND serving data together: they must span the training data only (its min to max), with serving values outside that range counted in the first or last bin."))
    q_in = np.histogram(sv, e_tr)[0]
    dropped = "Serving values outside the training range were dropped (np.histogram ignores values outside its bins or range=): clip them into the first and last bin first, e.g. np.clip(serve, edges[0], edges[-1]). Out-of-range values are the most important ones to see."
    out.append(((p_ok, q_in / len(sv)), dropped))
    if q_in.sum() > 0:
        out.append(((p_ok, q_in / q_in.sum()), dropped))
    q_ok = np.histogram(np.clip(sv, e_tr[0], e_tr[-1]), e_tr)[0]
    out.append(((np.histogram(tr, e_tr)[0].astype(float), q_ok.astype(float)), "Those are counts: return the FRACTIONS of each sample in each bin (count / number of non-missing values)."))
    out.append(((q_ok / len(sv), p_ok), "p and q are swapped: return (p, q) with the training fractions first."))
    inner = e_tr[1:-1]
    left_tr = np.bincount(np.digitize(tr, inner, right=True), minlength=bins)[:bins] / len(tr)
    left_sv = np.bincount(np.digitize(np.clip(sv, e_tr[0], e_tr[-1]), inner, right=True), minlength=bins)[:bins] / len(sv)
    out.append(((left_tr, left_sv), "Values lying exactly ON an inner bin edge were put in the bin on the LEFT: numpy.histogram puts them in the bin on the RIGHT (bins are [a, b), and only the last is [a, b])."))
    if np.ptp(tr) == 0:
        e0 = np.full(bins + 1, tr[0])
        out.append(((np.histogram(tr, e0)[0] / len(tr), np.histogram(np.clip(sv, tr[0], tr[0]), e0)[0] / len(sv)),
                    "The training column is constant (min = max), so bins of width 0 put everything in the last bin: numpy's rule (np.histogram_bin_edges) widens the range to min - 0.5 .. max + 0.5."))
    return out


def check_shared_histograms(shared_histograms: Callable, case: str) -> None:
    train, serve, bins, desc = _hist_case(case)
    label = f"shared_histograms(train, serve, bins={bins}) [{desc}]"
    p_exp, q_exp = ref_shared_histograms(train, serve, bins)
    try:
        got = call(shared_histograms, train, serve, bins, what=f"shared_histograms(train, serve, {bins})")
    except CheckFailed as exc:
        msg = str(exc)
        if "nan" in msg.lower() or "not finite" in msg:
            msg += " The data contain NaNs: drop the missing values first (x[~np.isnan(x)]); the min, max and bins of data with NaN are NaN."
        raise CheckFailed(msg) from None
    if got is None:
        raise CheckFailed(f"{label} returned None: did the function forget to `return`?")
    if isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[0] == 2:
        got = (got[0], got[1])
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed(f"{label} should return a pair (p, q) of arrays, got {type(got).__name__}: {_short(got)}.")
    p, q = as_array(got[0], "p"), as_array(got[1], "q")
    if p.shape == (bins + 1,) or q.shape == (bins + 1,):
        raise CheckFailed(f"{label}: p and q should have one fraction per bin ({bins}); got {p.size} and {q.size} values. Did you return the edges?")
    if p.size != bins or q.size != bins:
        raise CheckFailed(f"{label}: p and q should each have {bins} values (one per bin), got {p.size} and {q.size}.")
    p, q = p.ravel(), q.ravel()
    if np.allclose(p, p_exp, rtol=RTOL, atol=ATOL) and np.allclose(q, q_exp, rtol=RTOL, atol=ATOL):
        return
    head = f"{label}: expected p = {_short(np.round(p_exp, 4))}, q = {_short(np.round(q_exp, 4))}; got p = {_short(np.round(p, 4))}, q = {_short(np.round(q, 4))}."
    if np.any(np.isnan(p)) or np.any(np.isnan(q)):
        raise CheckFailed(f"{head} NaNs in the result: drop the missing values first (x[~np.isnan(x)]); np.histogram cannot bin NaN and min/max of data with NaN is NaN.")
    tr, sv = _numeric(train), _numeric(serve)
    for (pv, qv), message in _variants_hist(tr, sv, bins):
        if np.allclose(p, pv, rtol=RTOL, atol=ATOL) and np.allclose(q, qv, rtol=RTOL, atol=ATOL):
            raise CheckFailed(f"{head} {message}")
    n_tr, n_sv = len(np.asarray(train, dtype=float).ravel()), len(np.asarray(serve, dtype=float).ravel())
    if (n_tr != len(tr) and np.allclose(p * n_tr / len(tr), p_exp)) or (n_sv != len(sv) and np.allclose(q * n_sv / len(sv), q_exp)):
        raise CheckFailed(f"{head} The NaNs were counted in the denominator: drop them first, the fractions are over the non-missing values and sum to 1.")
    if np.allclose(p, p_exp, rtol=RTOL, atol=ATOL):
        raise CheckFailed(f"{head} p is right, q is not: count the serving values in the TRAINING bins, with values outside the training range clipped into the first or last bin.")
    raise CheckFailed(head)


# =========================================================================== js_divergence
def _js_case(name: str):
    rng = np.random.default_rng(717)
    if name == "worked":
        return [0.5, 0.5, 0.0], [0.0, 0.5, 0.5], "the worked example p = (0.5, 0.5, 0), q = (0, 0.5, 0.5): expected 0.5"
    if name == "identical":
        p = rng.dirichlet(np.ones(10))
        return p, p.copy(), "identical histograms: expected 0"
    if name == "disjoint":
        return np.array([0.3, 0.7, 0.0, 0.0]), np.array([0.0, 0.0, 0.9, 0.1]), "no bin in common: expected 1 (the maximum with base-2 logs)"
    if name == "counts":
        return [12, 30, 0, 8, 50], [40, 22, 5, 3, 30], "raw counts that do not sum to 1 (normalise first)"
    if name == "random_zeros":
        p = rng.dirichlet(np.ones(20) * 0.6)
        q = rng.dirichlet(np.ones(20) * 0.6)
        p[[2, 7, 11]] = 0.0
        q[[7, 15]] = 0.0
        return p / p.sum(), q / q.sum(), "20-bin histograms with empty bins in one or both"
    if name == "float32_lists":
        p = rng.dirichlet(np.ones(8)).astype("float32")
        q = rng.dirichlet(np.ones(8) * 3).astype("float32")
        return p.tolist(), q, "a list of Python floats and a float32 array"
    raise ValueError(name)


def _kl(p: np.ndarray, q: np.ndarray, log=np.log2) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * (log(p) - log(q)), 0.0)
    return float(np.sum(terms))


def check_js_divergence(js_divergence: Callable, case: str) -> None:
    p_in, q_in, desc = _js_case(case)
    label = f"js_divergence(p, q) [{desc}]"
    expected = ref_js_divergence(p_in, q_in)
    got = _one_float(call(js_divergence, p_in, q_in, what="js_divergence(p, q)"), label)
    pr, qr = np.asarray(p_in, dtype=float), np.asarray(q_in, dtype=float)
    p, q = pr / pr.sum(), qr / qr.sum()
    ln2 = math.log(2)
    with np.errstate(divide="ignore", invalid="ignore"):
        mr = (pr + qr) / 2
        raw = 0.5 * _kl(pr, mr) + 0.5 * _kl(qr, mr)
        kl_pq, kl_qp = _kl(p, q), _kl(q, p)
        eps = 1e-10
        kl_eps = float(np.sum(p * np.log2((p + eps) / (q + eps))))
        kl_eps2 = float(np.sum(np.maximum(p, eps) * np.log2(np.maximum(p, eps) / np.maximum(q, eps))))
        js_mix = 0.5 * _kl(p, q) + 0.5 * _kl(q, p)
    mistakes = [
        (math.sqrt(expected), "That is the Jensen-Shannon DISTANCE, the square root of the divergence (what scipy's jensenshannon returns): Vertex AI's threshold applies to the divergence, so square it (or don't take the root)."),
        (expected * ln2, "That uses the natural logarithm: with base-2 logarithms the divergence lies in [0, 1] (1 for disjoint histograms). Use np.log2, or divide by ln 2."),
        (math.sqrt(expected * ln2), "That is scipy's default jensenshannon(p, q): the DISTANCE (a square root) with the NATURAL logarithm. Use jensenshannon(p, q, base=2) ** 2."),
        (kl_pq, "That is the Kullback-Leibler divergence KL(p || q), not Jensen-Shannon: JS compares each histogram with the MIXTURE m = (p + q) / 2, which is symmetric and finite even when a bin is empty in one of them."),
        (kl_qp, "That is the Kullback-Leibler divergence KL(q || p), not Jensen-Shannon: JS compares each histogram with the MIXTURE m = (p + q) / 2."),
        (kl_eps, "That is a Kullback-Leibler divergence (with a small epsilon), not Jensen-Shannon: JS compares each histogram with the mixture m = (p + q) / 2."),
        (kl_eps2, "That is a Kullback-Leibler divergence (with a small epsilon), not Jensen-Shannon: JS compares each histogram with the mixture m = (p + q) / 2."),
        (js_mix, "That is the symmetrised KL divergence (KL(p||q) + KL(q||p)) / 2, not Jensen-Shannon: compare each histogram with the mixture m = (p + q) / 2."),
        (raw, "The histograms were not normalised: divide p and q by their sums first (counts, or fractions that do not sum exactly to 1, must become probabilities)."),
    ]
    if math.isinf(got):
        raise CheckFailed(f"{label}: expected {expected:.6g}, got {got}. An infinite value comes from log(p / q) with q = 0: that is KL(p || q), not Jensen-Shannon. JS compares each histogram with the mixture m = (p + q) / 2, which is never 0 where p or q is not.")
    if math.isnan(got):
        raise CheckFailed(f"{label}: expected {expected:.6g}, got nan. The nan comes from 0 * log(0): by convention 0 log 0 = 0, so skip the bins where p (or q) is 0.")
    _match_float(got, expected, label, mistakes, rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)


# =========================================================================== population_stability_index
def _psi_case(name: str):
    if name == "worked":
        return [0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4], {}, "the worked example: expected 0.2282"
    if name == "empty_bins":
        return [0.3, 0.3, 0.2, 0.2, 0.0], [0.0, 0.25, 0.25, 0.3, 0.2], {}, "an empty bin in each (a new range appears at serving)"
    if name == "eps_argument":
        return np.array([0.5, 0.3, 0.2, 0.0]), np.array([0.35, 0.3, 0.0, 0.35]), {"eps": 1e-3}, "empty bins, eps=1e-3"
    if name == "tiny_fraction":
        return np.array([0.45, 0.35, 0.19995, 0.00005]), np.array([0.3, 0.3, 0.4, 0.0]), {}, "a fraction of 0.00005, below eps (floor it too, not only the zeros)"
    if name == "identical":
        p = np.random.default_rng(727).dirichlet(np.ones(10))
        return p, p.copy(), {}, "identical histograms: expected 0"
    if name == "lists_eps_small":
        return [0.2, 0.0, 0.5, 0.3], [0.1, 0.05, 0.45, 0.4], {"eps": 1e-6}, "Python lists, eps=1e-6"
    raise ValueError(name)


def check_population_stability_index(population_stability_index: Callable, case: str) -> None:
    e_in, a_in, kw, desc = _psi_case(case)
    eps = kw.get("eps", 1e-4)
    args = ", eps=" + repr(eps) if kw else ""
    label = f"population_stability_index(expected, actual{args}) [{desc}]"
    expected = ref_psi(e_in, a_in, eps)
    got = _one_float(call(population_stability_index, e_in, a_in, what=f"population_stability_index(expected, actual{args})", **kw), label)
    e, a = np.asarray(e_in, dtype=float), np.asarray(a_in, dtype=float)
    ef, af = np.maximum(e, eps), np.maximum(a, eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        zero_only = float(np.sum((np.where(a == 0, eps, a) - np.where(e == 0, eps, e)) * np.log(np.where(a == 0, eps, a) / np.where(e == 0, eps, e))))
        renorm = float(np.sum((af / af.sum() - ef / ef.sum()) * np.log((af / af.sum()) / (ef / ef.sum()))))
        added = float(np.sum((a + eps - e - eps) * np.log((a + eps) / (e + eps))))
        default_eps = ref_psi(e, a, 1e-4)
        kl = float(np.sum(af * np.log(af / ef)))
    mistakes = [
        (renorm, "The fractions were renormalised after flooring: floor both at eps (np.maximum(x, eps)) and stop there; the contract's PSI does not divide by the new sums."),
        (added, "eps was ADDED to every fraction: floor them instead, np.maximum(x, eps), which only changes the bins below eps."),
        (zero_only, "Only the empty bins (exactly 0) were floored: floor EVERY fraction below eps, np.maximum(x, eps); a fraction of 0.00005 is as unreliable as 0."),
        (default_eps, "The eps argument was ignored (1e-4 was used): floor at the eps you are given."),
        (expected / math.log(10), "That uses log base 10: PSI uses the natural logarithm, ln(a / e)."),
        (expected / math.log(2), "That uses log base 2: PSI uses the natural logarithm, ln(a / e)."),
        (kl, "That is the KL divergence sum a ln(a / e): PSI is sum (a - e) ln(a / e), symmetric in the two histograms."),
        (-expected, "The sign is flipped: PSI = sum (a - e) ln(a / e) is never negative (each term has the sign of (a - e) twice)."),
    ]
    if not math.isfinite(got):
        raise CheckFailed(f"{label}: expected {expected:.6g}, got {got}. Empty bins were not floored: ln(a / e) is infinite (or nan) when a fraction is 0, so floor both fractions at eps first, np.maximum(x, eps).")
    _match_float(got, expected, label, mistakes, rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL)


# =========================================================================== feature_alerts
def _alert_case(name: str):
    """(train_df, windows, kwargs, description)."""
    rng = np.random.default_rng(737)
    if name == "stream":
        from course.lessons.monitoring import loan_stream

        train, windows = loan_stream(seed=3, n_train=1500, n_windows=10, n_per_window=400)
        return train, windows, {}, "a 10-week loan stream (the pipeline bug and the slow drift), default threshold 0.3 and 20 bins"
    if name == "tiny":
        train = pd.DataFrame({"amount": [10.0, 12.0, 11.0, 13.0, 10.5, 12.5, 11.5, 14.0],
                              "channel": ["web", "web", "app", "web", "app", "web", "web", "branch"]})
        w0 = pd.DataFrame({"amount": [11.0, 12.0, 10.5, 13.5], "channel": ["web", "app", "web", "web"]})
        w1 = pd.DataFrame({"amount": [30.0, 31.0, 29.0, 33.0], "channel": ["app", "app", "app", "web"]})
        w2 = pd.DataFrame({"amount": [12.0, 10.0, 11.0, 13.0], "channel": ["web", "web", "app", "web"]})
        return train, [w0, w1, w2], {"threshold": 0.3, "bins": 4}, "3 tiny windows, a numeric and a string column, 4 bins"
    if name == "threshold_tie":
        train = pd.DataFrame({"channel": ["web", "web", "app", "branch"], "x": [1.0, 2.0, 3.0, 4.0]})
        windows = [pd.DataFrame({"channel": ["app", "app", "web", "branch"], "x": [1.0, 2.0, 3.0, 4.0]}),     # linf exactly 0.25
                   pd.DataFrame({"channel": ["app", "app", "app", "branch"], "x": [2.0, 1.0, 4.0, 3.0]})]     # linf 0.5
        return train, windows, {"threshold": 0.25, "bins": 4}, "a distance exactly equal to the threshold 0.25 (alert only when STRICTLY above)"
    if name == "dtypes":
        n, m = 600, 300
        train = pd.DataFrame({
            "has_cosigner": rng.random(n) < 0.5,
            "score": rng.integers(0, 4, n),
            "employment": pd.Categorical(rng.choice(["salaried", "retired", "self-employed"], n, p=[0.6, 0.3, 0.1])),
            "region": pd.Series(rng.choice(["north", "south", None], n, p=[0.5, 0.45, 0.05]), dtype="string"),
            "ratio": rng.beta(2, 5, n).astype("float32"),
        })
        windows = []
        for k in range(4):
            windows.append(pd.DataFrame({
                "ratio": np.clip(rng.beta(2, 5, m) + 0.12 * k, 0, None).astype("float32"),
                "region": pd.Series(rng.choice(["north", "south", None], m, p=[0.5 - 0.11 * k, 0.45, 0.05 + 0.11 * k]), dtype="string"),
                "score": rng.integers(0, 4 + k, m),
                "employment": pd.Categorical(rng.choice(["salaried", "retired", "self-employed"], m, p=[0.6 - 0.12 * k, 0.3, 0.1 + 0.12 * k])),
                "has_cosigner": rng.random(m) < 0.5 + 0.13 * k,
            }))
        return train, windows, {"threshold": 0.1, "bins": 8}, "bool, int, category, string and float32 columns (windows list them in another order), threshold 0.1, 8 bins"
    if name == "nan_and_range":
        n, m = 500, 250
        train = pd.DataFrame({"income": np.where(rng.random(n) < 0.05, np.nan, rng.lognormal(10.8, 0.4, n)),
                              "age": rng.integers(18, 80, n), "term": np.full(n, 36)})
        windows = [pd.DataFrame({"income": np.where(rng.random(m) < 0.3, np.nan, rng.lognormal(10.8, 0.4, m)),
                                 "age": rng.integers(18, 80, m), "term": np.full(m, 36)}),
                   pd.DataFrame({"income": rng.lognormal(10.8, 0.4, m) * 3, "age": rng.integers(60, 95, m), "term": np.full(m, 36)}),
                   pd.DataFrame({"income": rng.lognormal(10.8, 0.4, m), "age": rng.integers(18, 80, m) - 40,
                                 "term": np.where(rng.random(m) < 0.5, 36, 60)})]
        return train, windows, {"threshold": 0.2, "bins": 15}, "NaNs in training and serving, serving values outside the training range, a constant training column, threshold 0.2, 15 bins"
    raise ValueError(name)


def _as_alerts(got: Any, label: str) -> list[tuple[int, str, float]]:
    if got is None:
        raise CheckFailed(f"{label} returned None: did the function forget to `return`?")
    if isinstance(got, dict):
        raise CheckFailed(f"{label} should return a LIST of (window_index, feature, distance) tuples, got a dict.")
    if isinstance(got, (str, bytes)) or not isinstance(got, (list, tuple)):
        raise CheckFailed(f"{label} should return a list of (window_index, feature, distance) tuples, got {type(got).__name__}: {_short(got)}.")
    out = []
    for item in got:
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            raise CheckFailed(f"{label}: every alert should be a tuple (window_index, feature, distance), got {_short(item)}.")
        w, f, d = item
        try:
            wi = int(w)
            df = float(d)
        except (TypeError, ValueError):
            raise CheckFailed(f"{label}: in {_short(item)} the window index should be an int and the distance a float (order: window_index, feature, distance).") from None
        if wi != w:
            raise CheckFailed(f"{label}: the window index should be a whole number, got {w!r}.")
        out.append((wi, str(f), df))
    return out


def _same_alerts(got: list, exp: list, rtol: float = FLOAT32_RTOL, atol: float = FLOAT32_ATOL) -> bool:
    return len(got) == len(exp) and all(g[0] == e[0] and g[1] == e[1] and _close(g[2], e[2], rtol, atol) for g, e in zip(got, exp))


def _fmt_alerts(alerts: list, limit: int = 6) -> str:
    shown = ", ".join(f"({w}, {f!r}, {d:.3f})" for w, f, d in alerts[:limit])
    return "[" + shown + (f", ... {len(alerts) - limit} more" if len(alerts) > limit else "") + "]"


def _helper_hint(helpers, train, windows, bins: int, got: list, exp: list) -> str | None:
    """When the learner's alerts carry wrong distances, find a helper of theirs that disagrees
    with the reference on the same column (their functions run through ``call``)."""
    if not helpers:
        return None
    category_distribution, linf_distance, shared_histograms, js_divergence = helpers
    exp_keys = {(w, f): d for w, f, d in exp}
    for w, f, d in got:
        if (w, f) not in exp_keys or _close(d, exp_keys[(w, f)], FLOAT32_RTOL, FLOAT32_ATOL):
            continue
        col_tr, col_sv = train[f], windows[w][f]
        try:
            if _is_numeric_column(col_tr):
                p, q = ref_shared_histograms(col_tr, col_sv, bins)
                theirs = call(shared_histograms, col_tr, col_sv, bins, what="shared_histograms")
                tp, tq = as_array(theirs[0]).ravel(), as_array(theirs[1]).ravel()
                if tp.shape != p.shape or tq.shape != q.shape or not (np.allclose(tp, p) and np.allclose(tq, q)):
                    return f"Your shared_histograms gives different histograms for feature {f!r} in window {w}: fix Exercise 3 first."
                js = as_float(call(js_divergence, p, q, what="js_divergence"))
                if not _close(js, ref_js_divergence(p, q), FLOAT32_RTOL, FLOAT32_ATOL):
                    return f"Your js_divergence returns {js:.6g} for feature {f!r} in window {w} where the reference gives {ref_js_divergence(p, q):.6g}: fix Exercise 4 first."
            else:
                pr, qr = ref_category_distribution(col_tr), ref_category_distribution(col_sv)
                lin = as_float(call(linf_distance, pr, qr, what="linf_distance"))
                if not _close(lin, ref_linf_distance(pr, qr)):
                    return f"Your linf_distance returns {lin:.6g} for feature {f!r} in window {w} where the reference gives {ref_linf_distance(pr, qr):.6g}: fix Exercise 2 first."
                cd = call(category_distribution, col_tr, what="category_distribution")
                if not isinstance(cd, dict) or {_plain_key(k) for k in cd} != set(pr):
                    return f"Your category_distribution gives other categories for feature {f!r}: fix Exercise 1 first."
        except Exception:
            return None
    return None


def check_feature_alerts(feature_alerts: Callable, case: str, helpers: tuple | None = None) -> None:
    train, windows, kw, desc = _alert_case(case)
    call_txt = "feature_alerts(train_df, windows" + "".join(f", {k}={v!r}" for k, v in kw.items()) + ")"
    label = f"{call_txt} [{desc}]"
    threshold, bins = kw.get("threshold", 0.3), kw.get("bins", 20)
    exp = ref_feature_alerts(train, windows, threshold, bins)
    got = _as_alerts(call(feature_alerts, train, windows, what=call_txt, **kw), label)
    if _same_alerts(got, exp):
        return
    head = f"{label}: expected {len(exp)} alert(s) {_fmt_alerts(exp)}, got {len(got)}: {_fmt_alerts(got)}."
    variants = [
        (dict(ge=True), "A distance EQUAL to the threshold raised an alert: alert only when the distance is strictly above it (>, not >=)."),
        (dict(one_based=True), "The window indices are 1-based: use the 0-based position of the window in the list (enumerate(windows))."),
        (dict(by_feature=True), "The alerts are ordered by feature first: order them by window, then by the training frame's column order."),
        (dict(window_order=True), "The features follow each window's column order: use the TRAINING frame's column order (train_df.columns)."),
        (dict(bool_numeric=True), "A bool column was treated as numeric (pandas' is_numeric_dtype(bool) is True): bool, like object, string and category, uses linf_distance on category_distribution."),
        (dict(int_categorical=True), "An integer column was treated as categorical: integer and float columns are numeric (JS divergence on shared_histograms); only bool, object, string and category columns use linf_distance."),
        (dict(previous=True), "Each window was compared with the PREVIOUS window: feature_alerts compares every window with the TRAINING data (skew detection)."),
        (dict(sqrt=True), "The numeric distances are Jensen-Shannon DISTANCES (square roots): use the divergence, as in Exercise 4."),
        (dict(everything=True), "Every (window, feature) pair was returned: keep only those whose distance is strictly above the threshold."),
    ]
    for flags, message in variants:
        if _same_alerts(got, ref_feature_alerts(train, windows, threshold, bins, **flags)):
            raise CheckFailed(f"{head} {message}")
    if "threshold" in kw and _same_alerts(got, ref_feature_alerts(train, windows, 0.3, bins)):
        raise CheckFailed(f"{head} The threshold argument was ignored (0.3 was used): compare with the threshold you are given.")
    if "bins" in kw and bins != 20 and _same_alerts(got, ref_feature_alerts(train, windows, threshold, 20)):
        raise CheckFailed(f"{head} The bins argument was ignored (20 bins were used): pass bins on to shared_histograms.")
    if [a[:2] for a in got] == [a[:2] for a in exp]:
        hint = _helper_hint(helpers, train, windows, bins, got, exp)
        raise CheckFailed(f"{head} The right alerts, but some distances differ. " + (hint or "Numeric columns: js_divergence(*shared_histograms(train_col, window_col, bins)); the others: linf_distance of the two category_distribution dicts."))
    hint = _helper_hint(helpers, train, windows, bins, got, exp)
    raise CheckFailed(f"{head} {hint}" if hint else head)


# =========================================================================== validate_schema


def _type_ok(s: pd.Series, kind: str, *, int_strict: bool = False, bool_numeric: bool = False, object_only: bool = False) -> bool:
    dt = s.dtype
    is_bool = pd.api.types.is_bool_dtype(dt)
    if kind == "int":
        if is_bool:
            return bool_numeric
        if pd.api.types.is_integer_dtype(dt):
            return True
        if pd.api.types.is_float_dtype(dt) and not int_strict:
            v = s.dropna().to_numpy(dtype=float)
            return bool(np.all(np.isfinite(v) & (v == np.round(v))))
        return False
    if kind == "float":
        if is_bool:
            return bool_numeric
        return bool(pd.api.types.is_integer_dtype(dt) or pd.api.types.is_float_dtype(dt))
    if kind == "category":
        if object_only:
            return pd.api.types.is_object_dtype(dt)
        return bool(pd.api.types.is_object_dtype(dt) or pd.api.types.is_string_dtype(dt) or isinstance(dt, pd.CategoricalDtype))
    raise ValueError(kind)


def ref_validate(df: pd.DataFrame, schema: dict, *, missing_out_of_range: bool = False, missing_out_of_domain: bool = False,
                 exclusive: bool = False, two_sided: bool = False, range_on_wrong_type: bool = False, int_strict: bool = False,
                 bool_numeric: bool = False, object_only: bool = False, missing_ge: bool = False, default_no_missing: bool = False,
                 extra_columns: bool = False) -> list[tuple[str, str]]:
    """(column, check) pairs that fail; the keyword flags reproduce the mistakes the check names."""
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append((col, "absent"))
            continue
        s = df[col]
        ok = _type_ok(s, rule["type"], int_strict=int_strict, bool_numeric=bool_numeric, object_only=object_only)
        if not ok:
            out.append((col, "type"))
        present = s.notna().to_numpy()
        if ok or range_on_wrong_type:
            if "min" in rule or "max" in rule:
                try:
                    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
                except Exception:
                    v = np.full(len(s), np.nan)
                lo, hi = rule.get("min", -np.inf), rule.get("max", np.inf)
                with np.errstate(invalid="ignore"):
                    below = (v <= lo) if exclusive else (v < lo)
                    above = (v >= hi) if exclusive else (v > hi)
                if missing_out_of_range:
                    below = below | ~present
                else:
                    below, above = below & present, above & present
                if two_sided:
                    out += [(col, "range")] * (int(below.any()) + int(above.any()))
                elif below.any() or above.any():
                    out.append((col, "range"))
            if "domain" in rule:
                vals = s.astype(object).to_numpy()
                bad = np.array([not _is_missing(v) and v not in rule["domain"] for v in vals], dtype=bool)
                if missing_out_of_domain:
                    bad = bad | ~present
                if bad.any():
                    out.append((col, "domain"))
        frac = float((~present).mean()) if len(s) else 0.0
        limit = rule.get("max_missing", 0.0 if default_no_missing else None)
        if limit is not None and (frac >= limit and frac > 0 if missing_ge else frac > limit):
            out.append((col, "missing"))
    if extra_columns:
        out += [(c, "extra") for c in df.columns if c not in schema]
    return out


def _schema_case(name: str):
    rng = np.random.default_rng(747)
    base_schema = {
        "income": {"type": "float", "min": 0, "max": 1_000_000, "max_missing": 0.1},
        "credit_score": {"type": "int", "min": 300, "max": 850, "max_missing": 0.2},
        "employment": {"type": "category", "domain": ["salaried", "self-employed", "retired"], "max_missing": 0.25},
    }
    if name == "worked":
        df = pd.DataFrame({
            "income": [52_000.0, np.nan, 61_500.0, -10.0, 2_500_000.0, 48_000.0],
            "credit_score": [700, 640, 820, 580, 910, 690],
            "employment": ["salaried", "student", None, "retired", "salaried", "salaried"],
        })
        return df, base_schema, "the worked example"
    if name == "clean":
        df = pd.DataFrame({"income": [52_000.0, 0.0, 1_000_000.0, 75_000.0], "credit_score": [300, 850, 700, 640],
                           "employment": ["salaried", "retired", "self-employed", "salaried"]})
        return df, base_schema, "a clean batch, values exactly on the bounds (inclusive): expected []"
    if name == "missing_is_not_out_of_range":
        df = pd.DataFrame({"income": [52_000.0, np.nan, 61_000.0, 70_000.0, 44_000.0, 58_000.0, 39_000.0, 81_000.0, 90_000.0, 66_000.0, 51_000.0],
                           "credit_score": [700.0, np.nan, 640.0, 720.0, np.nan, 690.0, 710.0, 655.0, 800.0, 770.0, 705.0],
                           "employment": pd.Series(["salaried", None, "retired", "salaried", "salaried", None, "retired", "salaried", "self-employed", "salaried", "retired"], dtype="string")})
        return df, base_schema, "missing values within max_missing; credit_score stored as float64 because of its NaNs; a string-dtype column: expected []"
    if name == "absent_and_types":
        df = pd.DataFrame({"income": ["52000", "61000", "70000"], "credit_score": [700.5, 640.0, 720.0],
                           "has_cosigner": [True, False, True], "batch_id": ["b1", "b1", "b1"]})
        schema = dict(base_schema, has_cosigner={"type": "float"})
        return df, schema, "a missing column, income as text, a non-whole credit score, a bool column typed float, an extra column"
    if name == "wrong_type_skips_range":
        df = pd.DataFrame({"credit_score": ["high", "low", "high", "medium"], "employment": [1, 2, 1, 3],
                           "income": pd.Categorical(["a", "b", "a", "b"])})
        return df, base_schema, "every column of the wrong type (text scores, numeric employment codes, categorical income): only type violations"
    if name == "two_sides_and_ties":
        n = 40
        inc = rng.normal(60_000, 9_000, n)
        inc[[3, 17]] = [-5.0, 1_200_000.0]
        emp = rng.choice(["salaried", "retired", "self-employed"], n).astype(object)
        emp[:10] = None                                     # exactly 25% missing: not above max_missing 0.25
        df = pd.DataFrame({"income": inc, "credit_score": rng.integers(300, 851, n), "employment": pd.Categorical(emp)})
        df.loc[[5, 6, 7, 8], "income"] = np.nan            # 10% missing: not above 0.1
        return df, base_schema, "income below min AND above max, exactly max_missing missing values (not above), a category dtype column"
    if name == "no_missing_key":
        df = pd.DataFrame({"loan_amount": [np.nan, np.nan, 12_000.0, np.nan], "channel": [None, "web", None, "mobile"],
                           "term_months": [36, 60, 12, 36]})
        schema = {"loan_amount": {"type": "float", "min": 500}, "channel": {"type": "category", "domain": ["web", "app", "branch"]},
                  "term_months": {"type": "int", "domain": [12, 36, 60], "max_missing": 0.0}}
        return df, schema, "no max_missing key (no limit on missing values), a numeric domain"
    if name == "lesson_batch":
        from course.lessons.monitoring import bad_batch, training_schema

        return bad_batch(seed=5, n=300), training_schema(), "the lesson's bad batch against the training schema"
    raise ValueError(name)


def _mentions(text: str, col: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(col)}(?![A-Za-z0-9_])", text) is not None


def _counts(pairs: list, columns: list) -> dict:
    return {c: sum(1 for col, _ in pairs if col == c) for c in columns}


def check_validate_schema(validate_schema: Callable, case: str) -> None:
    df, schema, desc = _schema_case(case)
    label = f"validate_schema(df, schema) [{desc}]"
    exp = ref_validate(df, schema)
    try:
        got = call(validate_schema, df, schema, what="validate_schema(df, schema)")
    except CheckFailed as exc:
        msg = str(exc)
        if "KeyError" in msg:
            msg += " A column of the schema is absent from the frame: report it as a violation instead of reading it."
        elif "not supported between" in msg or "Cannot compare" in msg or "could not convert" in msg or "Categoricals can only" in msg:
            msg += (" The range was compared on a column of the wrong type (text against numbers): check range and "
                    "domain only when the type is right.")
        raise CheckFailed(msg) from None
    if got is None:
        raise CheckFailed(f"{label} returned None: did the function forget to `return`? Return [] for a clean frame.")
    if isinstance(got, str) or not isinstance(got, (list, tuple)):
        raise CheckFailed(f"{label} should return a list of strings (one per violation), got {type(got).__name__}: {_short(got)}.")
    bad = [g for g in got if not isinstance(g, str)]
    if bad:
        raise CheckFailed(f"{label}: every violation should be a string naming its column, got {_short(bad[0])}.")
    columns = list(dict.fromkeys(list(schema) + list(df.columns)))
    named = [[c for c in columns if _mentions(g, c)] for g in got]
    for g, cols in zip(got, named):
        if not cols:
            raise CheckFailed(f"{label}: the violation {g!r} does not name a column; every string must contain its column's name.")
    got_pairs = []
    for cols in named:   # a string naming several columns counts for the most specific (longest) name
        got_pairs.append((max(cols, key=len), "?"))
    got_counts, exp_counts = _counts(got_pairs, columns), _counts(exp, columns)
    if got_counts == exp_counts:
        return
    expected_txt = ", ".join(f"{c}: {check}" for c, check in exp) or "none"
    head = (f"{label}: expected {len(exp)} violation(s) ({expected_txt}), got {len(got)}: {_short(list(got), 400)}. "
            f"Per column, expected {({c: n for c, n in exp_counts.items() if n})}, got {({c: n for c, n in got_counts.items() if n})}.")
    variants = [
        (dict(missing_out_of_range=True), "Missing values were counted as out of range (NaN fails `min <= x <= max`, and Series.between is False for NaN): check the range on the non-missing values only; missing values have their own check, max_missing."),
        (dict(missing_out_of_domain=True), "Missing values were counted as outside the domain (isin() is False for NaN/None): check the domain on the non-missing values only; missing values have their own check, max_missing."),
        (dict(exclusive=True), "The bounds were treated as exclusive: min and max are allowed values (inclusive), only values strictly below min or above max violate."),
        (dict(two_sided=True), "Values below min and above max gave two strings: the range is ONE check, one string for both sides."),
        (dict(range_on_wrong_type=True), "The range or domain was checked on a column of the wrong type: check range and domain only when the type is right (the type violation says it all)."),
        (dict(int_strict=True), "A float column of whole numbers was rejected as 'int': an int column with missing values is stored as float64 (NaN is a float), so 'int' also accepts a float dtype whose non-missing values are all whole numbers."),
        (dict(bool_numeric=True), "A bool column was accepted as numeric (pandas' is_numeric_dtype(bool) is True): bool is neither 'int' nor 'float' here."),
        (dict(object_only=True), "Only object dtype was accepted as 'category': a pandas string dtype and a category dtype are categorical too (in pandas 3, text columns are string dtype by default)."),
        (dict(missing_ge=True), "A missing fraction EQUAL to max_missing was reported: only a fraction strictly above max_missing violates."),
        (dict(default_no_missing=True), "Without a max_missing key there is no limit on missing values (the absent key is not 0)."),
        (dict(extra_columns=True), "Columns that are not in the schema were reported: extra columns are not violations."),
    ]
    matches = [message for flags, message in variants if _counts(ref_validate(df, schema, **flags), columns) == got_counts]
    if len(matches) == 1:
        raise CheckFailed(f"{head} {matches[0]}")
    if matches:   # the counts cannot tell these mistakes apart on this case: name each candidate
        raise CheckFailed(f"{head} One of these mistakes gives exactly these counts: " + " OR: ".join(matches))
    absent = [c for c, check in exp if check == "absent"]
    if any(got_counts[c] > 1 for c in absent):
        raise CheckFailed(f"{head} An absent column gets ONE string (the column is absent) and no other check.")
    raise CheckFailed(head + " One string per (column, check) that fails: absent, type, range (one for both sides), domain, missing fraction.")
