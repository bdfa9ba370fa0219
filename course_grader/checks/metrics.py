"""Checks for module 03: classification metrics.

Each ``check_*`` function calls the learner's function on one case (lists, numpy arrays, bool
labels or pandas Series), compares the answer with scikit-learn (an independent oracle) and,
when it is wrong, computes what each common mistake would have returned and names the one that
matches: precision and recall swapped, zero division not handled, AUC from hard labels, ties
not counted as one half, average precision by trapezoids, a threshold one score off.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from course.checks import CheckFailed, _short, as_array, as_float, call
from course.lessons.metrics import worked_example  # noqa: F401  (the test cells use it: checks.worked_example())


# --------------------------------------------------------------------------- helpers
def _labels(y: Any) -> np.ndarray:
    return np.asarray(y).astype(int).ravel()


def _scores(s: Any) -> np.ndarray:
    return np.asarray(s, dtype=float).ravel()


def _counts(yt: np.ndarray, yp: np.ndarray) -> tuple[int, int, int, int]:
    tp = int(np.sum((yt == 1) & (yp == 1)))
    fp = int(np.sum((yt == 0) & (yp == 1)))
    fn = int(np.sum((yt == 1) & (yp == 0)))
    tn = int(np.sum((yt == 0) & (yp == 0)))
    return tp, fp, fn, tn


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def _call(fn: Callable, *args: Any, what: str, zero_hint: str | None = None) -> Any:
    """``call`` plus a teaching hint for the exceptions this module's mistakes raise."""
    try:
        return call(fn, *args, what=what)
    except CheckFailed as exc:
        msg = str(exc)
        if zero_hint and ("ZeroDivisionError" in msg or "division by zero" in msg):
            msg += f" Zero division not handled: {zero_hint}"
        elif "boolean subtract" in msg or ("numpy boolean" in msg and "not supported" in msg):
            msg += (" Labels may be bool (True/False) and numpy cannot subtract bool arrays: convert "
                    "first with np.asarray(y, dtype=int), or compare with == instead of subtracting.")
        elif "KeyError" in msg:
            msg += (" With a pandas Series, y[i] looks up the index LABEL i, not the i-th position "
                    "(a test split keeps its original index): convert with np.asarray(y) first, or use .iloc.")
        raise CheckFailed(msg) from None


def _expect_float(got: float, expected: float, label: str, mis: list, rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Like ``expect_close`` for one float, with numbers printed as 0.6 rather than array reprs.
    ``mis`` pairs the value a known mistake returns with the sentence naming it; an optional third
    item is a callable that confirms the mistake on a second case (the hint is given only then)."""
    if np.isclose(got, expected, rtol=rtol, atol=atol):
        return
    for value, message, *verify in mis:
        if not np.isclose(value, expected, rtol=1e-9, atol=1e-12) and np.isclose(got, value, rtol=rtol, atol=atol):
            if verify and verify[0] is not None and not verify[0]():
                continue
            raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}. {message}")
    raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}.")


def _describe(y_true: Any, extra: Any = None) -> str:
    kind = type(y_true).__name__
    if kind == "ndarray":
        kind = f"numpy {np.asarray(y_true).dtype}"
    n = len(np.asarray(y_true).ravel())
    return f"{kind}, {n} labels" if extra is None else f"{kind}, {n} labels, {extra}"


# --------------------------------------------------------------------------- confusion counts
def check_confusion_counts(confusion_counts: Callable, y_true: Any, y_pred: Any) -> None:
    from sklearn.metrics import confusion_matrix

    yt, yp = _labels(y_true), _labels(y_pred)
    expected = _counts(yt, yp)
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(yt, yp, labels=[0, 1]).ravel())
    assert expected == (tp, fp, fn, tn), "internal check: hand counts differ from scikit-learn"
    # a case where TP == TN or FP == FN cannot tell sklearn's (tn, fp, fn, tp) order or an FP/FN swap apart
    # (only where both classes appear: a single-class case is an edge case of its own)
    if len(set(yt.tolist()) | set(yp.tolist())) == 2:
        assert tp != tn and fp != fn, "internal check: choose a case with TP != TN and FP != FN"
    label = f"confusion_counts(y_true, y_pred) [{_describe(y_true)}]"
    one_class = ("Only one class appears in y_true and y_pred here, so sklearn's confusion_matrix(y_true, y_pred) "
                 "returns a 1x1 matrix (it only lists the labels it sees): pass labels=[0, 1] to always get the 2x2 matrix.")
    try:
        got = _call(confusion_counts, y_true, y_pred, what=label)
    except CheckFailed as exc:
        if "unpack" in str(exc) and len(set(yt.tolist()) | set(yp.tolist())) == 1:
            raise CheckFailed(f"{exc} {one_class}") from None
        raise
    if got is None:
        raise CheckFailed(f"{label} returned None: did the function forget to `return`?")
    if isinstance(got, dict):
        raise CheckFailed(f"{label} returned a dict: return the tuple (tp, fp, fn, tn) in that order.")
    arr = as_array(got, label)
    if arr.shape == (2, 2):
        raise CheckFailed(f"{label} returned a 2x2 matrix {_short(got)}: return the four counts as a tuple (tp, fp, fn, tn).")
    if arr.size != 4:
        extra = f" {one_class}" if arr.size == 1 and len(set(yt.tolist()) | set(yp.tolist())) == 1 else ""
        raise CheckFailed(f"{label} should return 4 counts (tp, fp, fn, tn), got {arr.size} values: {_short(got)}.{extra}")
    vals = arr.ravel()
    if not np.all(np.isfinite(vals)) or not np.allclose(vals, np.round(vals)):
        n = len(yt)
        if np.allclose(vals * n, np.round(vals * n)) and np.isclose(vals.sum(), 1.0):
            raise CheckFailed(f"{label}: got fractions {_short(got)}; return the counts themselves (whole numbers), not rates.")
        raise CheckFailed(f"{label}: counts must be whole numbers, got {_short(got)}.")
    pair = tuple(int(round(v)) for v in vals)
    if pair == expected:
        return
    mistakes = [
        ((tn, fp, fn, tp), "That is the order of sklearn's confusion_matrix(...).ravel(): (tn, fp, fn, tp). This function returns (tp, fp, fn, tn)."),
        ((tp, fn, fp, tn), "FP and FN are swapped: a false positive is PREDICTED 1 but truly 0; a false negative is predicted 0 but truly 1 (or y_true and y_pred were passed in the wrong order)."),
        ((tn, fn, fp, tp), "Every count is mirrored: class 0 was treated as the positive class. The positive class is 1 (or True)."),
        ((tp, fp, tn, fn), "FN and TN are swapped: FN counts true positives that were predicted 0."),
        ((fp, tp, fn, tn), "TP and FP are swapped: TP counts predicted 1 AND truly 1."),
    ]
    hint = next((msg for value, msg in mistakes if value == pair), "")
    raise CheckFailed(f"{label}: expected (tp, fp, fn, tn) = {expected}, got {pair}. {hint}".strip())


# --------------------------------------------------------------------------- precision, recall, F1
_ZERO = {
    "precision": "nothing was predicted positive, so TP + FP = 0; return 0.0 there, like sklearn's zero_division=0.",
    "recall": "y_true has no positives, so TP + FN = 0; return 0.0 there, like sklearn's zero_division=0.",
    "f1_score": "when TP = 0, precision + recall (or 2TP + FP + FN) can be 0; return 0.0 there, like sklearn's zero_division=0.",
}

#: when each metric is undefined (0/0), in words
_UNDEFINED = {
    "precision": "when nothing is predicted positive (TP + FP = 0), precision is undefined",
    "recall": "when y_true has no positives (TP + FN = 0), recall is undefined",
    "f1_score": "when TP = 0, precision + recall = 0 and the harmonic mean 2PR / (P + R) is 0/0, so F1 is undefined",
}

_NAME = {"precision": "precision", "recall": "recall", "f1_score": "F1"}


def _metric(kind: str, tp: int, fp: int, fn: int) -> float:
    """The metric from counts, 0.0 where undefined (sklearn's zero_division=0)."""
    if kind == "precision":
        return _div(tp, tp + fp)
    if kind == "recall":
        return _div(tp, tp + fn)
    return _div(2 * tp, 2 * tp + fp + fn)


def _quiet_call(namespace: dict | None, name: str, *args: Any) -> Any:
    """Call the learner's own ``name`` from their namespace (None if missing or failing)."""
    import contextlib
    import copy
    import io

    fn = (namespace or {}).get(name)
    if not callable(fn):
        return None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return fn(*copy.deepcopy(args))
    except Exception:  # their function is checked by its own test cell
        return None


def _own_counts(namespace: dict | None, y_true: Any, y_pred: Any) -> tuple[int, int, int, int] | None:
    got = _quiet_call(namespace, "confusion_counts", y_true, y_pred)
    try:
        vals = np.asarray(got, dtype=float).ravel()
    except Exception:
        return None
    if vals.size != 4 or not np.all(np.isfinite(vals)):
        return None
    return tuple(int(round(v)) for v in vals)


def _own_float(namespace: dict | None, name: str, y_true: Any, y_pred: Any) -> float | None:
    got = _quiet_call(namespace, name, y_true, y_pred)
    try:
        value = float(np.asarray(got, dtype=float).reshape(()))
    except Exception:
        return None
    return value if np.isfinite(value) else None


def _upstream_mistakes(kind: str, namespace: dict | None, y_true: Any, y_pred: Any,
                       counts: tuple[int, int, int, int], p: float, r: float) -> list:
    """(value, message) for a metric built on the learner's OWN broken helper functions:
    their confusion_counts (all three metrics) and their precision / recall (F1)."""
    out = []
    own = _own_counts(namespace, y_true, y_pred)
    if own is not None and own != counts:
        tp_, fp_, fn_, _ = own
        out.append((_metric(kind, tp_, fp_, fn_),
                    f"Your {kind} uses your confusion_counts, which returns (tp, fp, fn, tn) = {own} here instead of "
                    f"{counts}: fix confusion_counts first (its own test names the mistake); then {kind} will follow."))
    if kind == "f1_score":
        p_own = _own_float(namespace, "precision", y_true, y_pred)
        r_own = _own_float(namespace, "recall", y_true, y_pred)
        if p_own is not None and r_own is not None and not (np.isclose(p_own, p, rtol=1e-6, atol=1e-9)
                                                           and np.isclose(r_own, r, rtol=1e-6, atol=1e-9)):
            f1_own = _div(2 * p_own * r_own, p_own + r_own)
            facts, broken = [], []
            for name, own, right in (("precision", p_own, p), ("recall", r_own, r)):
                if np.isclose(own, right, rtol=1e-6, atol=1e-9):
                    facts.append(f"your {name} is right ({own:.6g})")
                else:
                    facts.append(f"your {name} returns {own:.6g} instead of {right:.6g}")
                    broken.append(name)
            out.append((f1_own,
                        f"Your f1_score uses your precision/recall; fix those first: here {' and '.join(facts)}, and "
                        f"2PR / (P + R) of those gives {f1_own:.6g}. The {' and '.join(broken)} "
                        f"test{'s' if len(broken) > 1 else ''} above name{'' if len(broken) > 1 else 's'} the mistake."))
    return out


#: a second case with TP=5, FP=2, FN=3, TN=7, where every formula below gives a different value
_PROBE_COUNTS = (5, 2, 3, 7)
_PROBE = ([1, 0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0], [1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0])

_ACC = (lambda tp, fp, fn, tn: (tp + tn) / (tp + fp + fn + tn),
        "That is accuracy (TP + TN) / n, which ignores how the errors split between the classes.")

#: (value from the counts (tp, fp, fn, tn), the sentence naming the mistake)
_FORMULA_MISTAKES = {
    "precision": [
        (lambda tp, fp, fn, tn: _div(tp, tp + fn), "That equals TP / (TP + FN), which is recall: precision and recall "
         "are swapped. Precision divides by everything PREDICTED positive: TP / (TP + FP)."),
        (lambda tp, fp, fn, tn: _div(tp, tp + fp + fn + tn), "That is TP / n: precision divides TP by the predicted "
         "positives, TP + FP."),
        (lambda tp, fp, fn, tn: _div(tp + fp, tp + fp + fn + tn), "That is (TP + FP) / n, the fraction predicted "
         "positive (the mean of y_pred): precision is the fraction of the predicted positives that are truly positive, "
         "TP / (TP + FP)."),
        (lambda tp, fp, fn, tn: _div(tn, tn + fn), "That is TN / (TN + FN), the negative predictive value (precision "
         "of the class 0): precision is about the positive class, TP / (TP + FP)."),
        _ACC,
    ],
    "recall": [
        (lambda tp, fp, fn, tn: _div(tp, tp + fp), "That equals TP / (TP + FP), which is precision: precision and "
         "recall are swapped. Recall divides by everything truly positive: TP / (TP + FN)."),
        (lambda tp, fp, fn, tn: _div(tn, tn + fp), "That is TN / (TN + FP), the specificity (true negative rate): "
         "recall is about the positive class, TP / (TP + FN)."),
        (lambda tp, fp, fn, tn: _div(fn, tp + fn), "That is FN / (TP + FN), the miss rate (false negative rate, "
         "1 - recall): recall counts the positives that were FOUND, TP / (TP + FN)."),
        (lambda tp, fp, fn, tn: _div(fp, fp + tn), "That is FP / (FP + TN), the false positive rate (the x-axis of "
         "the ROC curve): recall is about the truly positive examples, TP / (TP + FN)."),
        _ACC,
    ],
    "f1_score": [
        (lambda tp, fp, fn, tn: (_div(tp, tp + fp) + _div(tp, tp + fn)) / 2, "That is the arithmetic mean (P + R) / 2: "
         "F1 is the harmonic mean 2PR / (P + R), which punishes a low precision or recall."),
        (lambda tp, fp, fn, tn: _div(_div(tp, tp + fp) * _div(tp, tp + fn), _div(tp, tp + fp) + _div(tp, tp + fn)),
         "That is PR / (P + R): the harmonic mean has a factor 2, F1 = 2PR / (P + R)."),
        (lambda tp, fp, fn, tn: float(np.sqrt(_div(tp, tp + fp) * _div(tp, tp + fn))), "That is the geometric mean "
         "sqrt(PR): F1 is the harmonic mean 2PR / (P + R)."),
        _ACC,
    ],
}


def _check_rate(kind: str, fn: Callable, y_true: Any, y_pred: Any, namespace: dict | None = None) -> None:
    from sklearn import metrics

    yt, yp = _labels(y_true), _labels(y_pred)
    tp, fp, fn_, tn = _counts(yt, yp)
    sk = {"precision": metrics.precision_score, "recall": metrics.recall_score, "f1_score": metrics.f1_score}[kind]
    expected = float(sk(yt, yp, zero_division=0))
    assert np.isclose(expected, _metric(kind, tp, fp, fn_)), "internal check: counts differ from scikit-learn"
    p, r = _div(tp, tp + fp), _div(tp, tp + fn_)
    undefined = {"precision": tp + fp == 0, "recall": tp + fn_ == 0, "f1_score": tp == 0}[kind]
    label = f"{kind}(y_true, y_pred) [{_describe(y_true, f'TP={tp}, FP={fp}, FN={fn_}, TN={tn}')}]"
    raw = _call(fn, y_true, y_pred, what=label, zero_hint=_ZERO[kind])
    if raw is None and undefined:
        raise CheckFailed(f"{label} returned None. {_UNDEFINED[kind][0].upper()}{_UNDEFINED[kind][1:]}: "
                          f"return 0.0 where {_NAME[kind]} is undefined, like sklearn's zero_division=0.")
    got = as_float(raw, label)
    if not np.isfinite(got):
        raise CheckFailed(f"{label}: expected {expected:g}, got {got}. Zero division not handled: {_ZERO[kind]}")
    # a wrong helper of their own first (the root cause; computed from their own functions, so
    # already verified), then the formula mistakes. A formula mistake is named only when the
    # learner's function ALSO returns that formula's value on a second case (_PROBE), where every
    # candidate differs: on one small case several formulas can coincide (e.g. 1.0).
    mis = _upstream_mistakes(kind, namespace, y_true, y_pred, (tp, fp, fn_, tn), p, r)
    probe_got: list = []

    def probe_value() -> float | None:
        if not probe_got:
            probe_got.append(_own_float({"f": fn}, "f", *_PROBE))
        return probe_got[0]

    def confirmed(formula: Callable) -> Callable:
        def verify() -> bool:
            v = probe_value()
            return v is not None and bool(np.isclose(v, formula(*_PROBE_COUNTS), rtol=1e-6, atol=1e-9))
        return verify

    cands = []
    if undefined:
        cands.append((lambda tp, fp, fn, tn: 1.0 if {"precision": tp + fp == 0, "recall": tp + fn == 0,
                                                     "f1_score": tp == 0}[kind] else _metric(kind, tp, fp, fn),
                      f"{_UNDEFINED[kind][0].upper()}{_UNDEFINED[kind][1:]}: return 0.0 like sklearn's "
                      "zero_division=0, not 1.0."))
    cands += _FORMULA_MISTAKES[kind]
    for formula, message in cands:
        mis.append((formula(tp, fp, fn_, tn), message, confirmed(formula)))
    _expect_float(got, expected, label, mis)


def check_precision(precision: Callable, y_true: Any, y_pred: Any, namespace: dict | None = None) -> None:
    """``namespace`` (the notebook's ``globals()``) lets the feedback trace a wrong answer back
    to the learner's own ``confusion_counts``."""
    _check_rate("precision", precision, y_true, y_pred, namespace)


def check_recall(recall: Callable, y_true: Any, y_pred: Any, namespace: dict | None = None) -> None:
    """``namespace``: as in :func:`check_precision`."""
    _check_rate("recall", recall, y_true, y_pred, namespace)


def check_f1_score(f1_score: Callable, y_true: Any, y_pred: Any, namespace: dict | None = None) -> None:
    """``namespace`` (the notebook's ``globals()``) lets the feedback trace a wrong F1 back to the
    learner's own ``precision`` / ``recall`` / ``confusion_counts``."""
    _check_rate("f1_score", f1_score, y_true, y_pred, namespace)


# --------------------------------------------------------------------------- ROC-AUC
def pair_auc(y: np.ndarray, s: np.ndarray, tie: float = 0.5) -> float:
    """Fraction of (positive, negative) pairs where the positive scores higher, ties weighted ``tie``."""
    pos, neg = s[y == 1], s[y == 0]
    gt = np.sum(pos[:, None] > neg[None, :])
    eq = np.sum(pos[:, None] == neg[None, :])
    return float((gt + tie * eq) / (len(pos) * len(neg)))


def _orders(s: np.ndarray, y: np.ndarray):
    """Sort orders for descending scores that break ties differently: the two stable ones,
    then negatives first and positives first within ties (the two extremes)."""
    return (np.argsort(-s, kind="stable"), np.argsort(s, kind="stable")[::-1],
            np.lexsort((y, -s)), np.lexsort((-y, -s)))


def _between(value: float, bounds: list[float]) -> bool:
    """Strictly between (an end point is a named mistake of its own)."""
    lo, hi = min(bounds), max(bounds)
    return lo + 1e-9 < value < hi - 1e-9


#: a second case WITHOUT tied scores (40 examples, 15 positives), to tell a tie-handling slip from
#: a formula error, and to confirm an "AUC from hard labels" diagnosis
_rng_probe = np.random.default_rng(303)
_TIE_FREE_Y = (_rng_probe.random(40) < 0.4).astype(int)
_TIE_FREE_S = np.round(_rng_probe.random(40) * 0.7 + 0.25 * _TIE_FREE_Y, 6)
assert len(np.unique(_TIE_FREE_S)) == 40
del _rng_probe


def _on_tie_free(fn: Callable) -> float | None:
    """The learner's value on the tie-free case (lists), None if it fails."""
    return _own_float({"f": fn}, "f", _TIE_FREE_Y.tolist(), _TIE_FREE_S.tolist())


def _close_or_tie_hint(fn: Callable, got: float, expected: float, label: str, mis: list, bounds: list[float],
                       tie_msg: str, metric: Callable, n_ties: int, generic_tie_msg: str) -> None:
    """expect_close with the named mistakes; when none matched and the case has tied scores, a tie
    hint only when the function is RIGHT on a case without ties (so the ties are the problem): that
    the ties were ordered arbitrarily if the value lies strictly between the results of the two
    extreme orderings, else that they are handled wrong in some other way."""
    mis = [m for m in mis if not np.isclose(m[0], expected, rtol=1e-9)]
    if np.isclose(got, expected, rtol=1e-6, atol=1e-9):
        return
    try:
        _expect_float(got, expected, label, mis)
    except CheckFailed as exc:
        if str(exc) != f"{label}: expected {expected:.6g}, got {got:.6g}.":
            raise   # a named mistake
    if n_ties:
        v = _on_tie_free(fn)
        if v is not None and np.isclose(v, metric(_TIE_FREE_Y, _TIE_FREE_S), rtol=1e-6, atol=1e-9):
            if _between(got, bounds):
                raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}, which lies between what the two "
                                  f"extreme orderings of the tied scores give (positives first, negatives first). {tie_msg}")
            raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}. Your function is right on a second "
                              f"case without tied scores, so the tied scores are handled wrong here. {generic_tie_msg}")
    raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}.")


def _hard_label_confirmed(fn: Callable, metric: Callable) -> Callable:
    """Confirms 'computed from hard labels': the learner's value on the tie-free case equals a
    hard-label value there too (one coincidence on one case proves nothing)."""
    def verify() -> bool:
        v = _on_tie_free(fn)
        return v is not None and any(np.isclose(v, h, rtol=1e-6, atol=1e-9)
                                     for h in _hard_label_values(metric, _TIE_FREE_Y, _TIE_FREE_S))
    return verify


def _roc_trapezoid_no_origin(y: np.ndarray, s: np.ndarray) -> float:
    """Trapezoids over the ROC points of the distinct scores, WITHOUT the (0, 0) start."""
    thr = np.unique(s)[::-1]
    tpr = [np.mean(s[y == 1] >= t) for t in thr]
    fpr = [np.mean(s[y == 0] >= t) for t in thr]
    return float(np.trapezoid(tpr, fpr))


def _roc_trapezoid_per_sample(y: np.ndarray, order: np.ndarray) -> float:
    yy = y[order]
    tpr = np.r_[0.0, np.cumsum(yy) / yy.sum()]
    fpr = np.r_[0.0, np.cumsum(1 - yy) / (1 - yy).sum()]
    return float(np.trapezoid(tpr, fpr))


def _hard_label_values(metric: Callable, y: np.ndarray, s: np.ndarray) -> list[float]:
    out = []
    for pred in (s >= 0.5, s > 0.5, s >= 0, s > 0, s >= np.median(s)):
        pred = pred.astype(int)
        if 0 < pred.sum() < len(pred):
            out.append(float(metric(y, pred)))
    return out


def check_roc_auc(roc_auc: Callable, y_true: Any, scores: Any) -> None:
    from sklearn.metrics import average_precision_score, roc_auc_score

    y, s = _labels(y_true), _scores(scores)
    expected = float(roc_auc_score(y, s))
    ties = int(np.sum(s[y == 1][:, None] == s[y == 0][None, :]))
    label = f"roc_auc(y_true, scores) [{_describe(y_true, f'{int(y.sum())} positives, {ties} tied positive-negative pairs')}]"
    got = as_float(_call(roc_auc, y_true, scores, what=label), label)
    coin = ("A positive and a negative with the SAME score are a coin flip, so each tied pair counts 1/2 "
            "(on the ROC curve a threshold that admits both at once moves diagonally; the triangle under it is the 1/2).")
    mis = [(v, "AUC computed from hard labels instead of scores: thresholding first leaves one ROC point, "
               "so this equals (TPR + TNR) / 2. AUC must use the continuous scores to rank every positive against every negative.",
            _hard_label_confirmed(roc_auc, roc_auc_score))
           for v in _hard_label_values(roc_auc_score, y, s)]
    mis += [
        (_roc_trapezoid_no_origin(y, s), "The trapezoids start at the first threshold's ROC point, not at the "
         "origin: the ROC curve starts at (0, 0): prepend that point (threshold above every score: nothing flagged). "
         "Here the highest score is shared by a positive and a negative, so the first point is not on an axis and the "
         "triangle between (0, 0) and it is missing."),
    ]
    mis += [
        (pair_auc(y, s, 0.0), "Ties were not counted as 1/2: they were ignored (a tied pair scored 0, a strict > only). " + coin),
        (pair_auc(y, s, 1.0), "Ties were not counted as 1/2: a tied pair scored a full win (>= instead of >). " + coin),
    ]
    order_msg = ("Ties were not counted as 1/2: tied scores were stepped through one example at a time, so the "
                 "result depends on how the sort happened to order them. Group equal scores into one threshold. " + coin)
    mis += [(_roc_trapezoid_per_sample(y, o), order_msg) for o in _orders(s, y)]
    mis += [
        (1.0 - expected, "That is 1 - AUC: the orientation is flipped (the chance a NEGATIVE outranks a positive). Higher scores must mean 'more likely positive'."),
        (float(average_precision_score(y, s)), "That is average precision (the area under the precision-recall curve), not the ROC-AUC."),
    ]
    _close_or_tie_hint(roc_auc, got, expected, label, mis, [pair_auc(y, s, 0.0), pair_auc(y, s, 1.0)], order_msg,
                       roc_auc_score, ties, coin + " A rank-sum (Mann-Whitney) formula must give tied scores their "
                       "AVERAGE rank (scipy.stats.rankdata's default method='average'), not the min, max or sort order.")


# --------------------------------------------------------------------------- average precision
def _ap_per_sample(y: np.ndarray, order: np.ndarray) -> float:
    yy = y[order]
    prec_at_k = np.cumsum(yy) / np.arange(1, len(yy) + 1)
    return float(np.sum(prec_at_k[yy == 1]) / yy.sum())


def check_average_precision(average_precision: Callable, y_true: Any, scores: Any) -> None:
    from sklearn.metrics import auc, average_precision_score, precision_recall_curve, roc_auc_score

    y, s = _labels(y_true), _scores(scores)
    expected = float(average_precision_score(y, s))
    prec, rec, _ = precision_recall_curve(y, s)
    step = -float(np.sum(np.diff(rec) * prec[:-1]))
    assert np.isclose(step, expected), "internal check: step sum differs from scikit-learn"
    label = f"average_precision(y_true, scores) [{_describe(y_true, f'{int(y.sum())} positives')}]"
    got = as_float(_call(average_precision, y_true, scores, what=label), label)
    trap_msg = ("That is the trapezoid area under the PR curve (sklearn.metrics.auc(recall, precision)): it "
                "interpolates precision linearly between PR points, which no threshold achieves (precision does "
                "not change linearly with recall between operating points), so it can come out higher or lower "
                "than AP. sklearn's average precision is the step sum AP = sum_n (R_n - R_(n-1)) * P_n, each "
                "recall gain weighted by the precision at the threshold where it happens.")
    mis = [
        (float(auc(rec, prec)), trap_msg),
        (float(auc(rec[:-1], prec[:-1])), trap_msg),
        (float(abs(np.trapezoid(prec, rec))), trap_msg),
    ]
    tie_msg = ("Ties were not grouped: tied scores were taken one example at a time (precision at each "
               "positive's rank), so the result depends on how the sort broke the ties. Examples with equal "
               "scores share one threshold, and the recall step there is weighted by the precision after ALL "
               "of them are included.")
    per_sample = [_ap_per_sample(y, o) for o in _orders(s, y)]
    mis += [(v, tie_msg) for v in per_sample]
    mis += [
        (-float(np.sum(np.diff(rec) * np.maximum.accumulate(prec)[:-1])), "That uses interpolated precision (the "
         "best precision at any higher recall, as in PASCAL VOC): sklearn weights each recall step by the precision "
         "at that threshold, P_n, without interpolation."),
        (-float(np.sum(np.diff(rec) * prec[1:])), "Each recall step was weighted by the precision of the previous "
         "(higher) threshold: use P_n, the precision at the threshold where the recall increases."),
        (float(roc_auc_score(y, s)), "That is the ROC-AUC, not average precision (the precision-recall summary)."),
        (float(y.mean()), "That is the positive rate: the average precision of a random classifier, not of these scores."),
    ]
    mis += [(v, "AP computed from hard labels instead of scores: thresholding first leaves a single PR point. "
                "Rank the examples by their continuous scores.", _hard_label_confirmed(average_precision, average_precision_score))
            for v in _hard_label_values(average_precision_score, y, s)]
    n_ties = len(s) - len(np.unique(s))
    _close_or_tie_hint(average_precision, got, expected, label, mis, per_sample[2:], tie_msg, average_precision_score, n_ties,
                       "Examples with equal scores share one threshold: the recall step there is weighted by the "
                       "precision after ALL of them are included.")


# --------------------------------------------------------------------------- threshold for a recall target
def expected_threshold(y: np.ndarray, s: np.ndarray, target_recall: float) -> float:
    """The highest score value t such that ``s >= t`` reaches recall >= target (sklearn's ROC curve)."""
    from sklearn.metrics import roc_curve

    _, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    ok = np.isfinite(thr) & (tpr >= target_recall)
    best = float(np.max(thr[ok]))
    # brute force over every distinct score, as a second opinion
    P = int(np.sum(y == 1))
    brute = max(float(t) for t in np.unique(s) if np.sum((s >= t) & (y == 1)) / P >= target_recall)
    assert best == brute, "internal check: roc_curve and brute force disagree"
    return best


def _operating_point(y: np.ndarray, s: np.ndarray, t: float) -> dict:
    """Recall, precision, alerts (examples flagged) and false alarms of ``s >= t``."""
    pred = s >= t
    tp = int(np.sum(pred & (y == 1)))
    n = int(pred.sum())
    return {"recall": tp / int(np.sum(y == 1)), "precision": _div(tp, n), "n": n, "tp": tp, "fp": n - tp}


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _lower_costs(star: dict, got: dict, t_star: float) -> str:
    """What a threshold below t* changes, in facts only (precision may rise or fall)."""
    more_tp, more_fp = got["tp"] - star["tp"], got["fp"] - star["fp"]
    change = ("rises" if got["precision"] > star["precision"] + 1e-12 else
              "falls" if got["precision"] < star["precision"] - 1e-12 else "stays")
    return (f"Compared with t = {t_star:.6g}, it flags {_plural(got['n'] - star['n'], 'more example')} "
            f"({_plural(more_fp, 'false alarm')}, {_plural(more_tp, 'positive')}) and precision "
            f"{change} ({star['precision']:.3f} -> {got['precision']:.3f}). The contract asks for the HIGHEST t that "
            f"meets the target: it does so with the fewest alerts and the fewest false alarms.")


def _highest_t_with_tp(y: np.ndarray, s: np.ndarray, need: float) -> float | None:
    """Highest distinct score t with (number of positives scoring >= t) >= need."""
    for t in np.unique(s)[::-1]:
        if np.sum((s >= t) & (y == 1)) >= need:
            return float(t)
    return None


def check_threshold_for_recall(threshold_for_recall: Callable, y_true: Any, scores: Any, target_recall: float) -> None:
    import math

    from sklearn.metrics import roc_curve

    y, s = _labels(y_true), _scores(scores)
    t_star = expected_threshold(y, s, target_recall)
    P = int(np.sum(y == 1))
    label = f"threshold_for_recall(y_true, scores, target_recall={target_recall}) [{_describe(y_true, f'{P} positives')}]"
    got = as_float(_call(threshold_for_recall, y_true, scores, target_recall, what=label), label)
    if np.isclose(got, t_star, rtol=1e-6, atol=1e-12):
        return
    if not np.isfinite(got):
        raise CheckFailed(f"{label}: expected {t_star:.6g}, got {got}. Return one of the score values.")
    star, mine = _operating_point(y, s, t_star), _operating_point(y, s, got)
    head = (f"{label}: expected t = {t_star:.6g} (recall {star['recall']:.3f}, precision {star['precision']:.3f}), "
            f"got {got:.6g} (predicting scores >= {got:.6g} gives recall {mine['recall']:.3f}, precision "
            f"{mine['precision']:.3f}).")

    def near(value: float | None) -> bool:
        return value is not None and not np.isclose(value, t_star, rtol=1e-9) and np.isclose(got, value, rtol=1e-9)

    k_true = next(k for k in range(1, P + 1) if k / P >= target_recall)   # positives needed, as recall is computed
    t_rounded = _highest_t_with_tp(y, s, target_recall * P)               # ceil(target * P) / tp >= target * P
    _, tpr_d, thr_d = roc_curve(y, s)                                      # default drop_intermediate=True
    ok = np.isfinite(thr_d) & (tpr_d >= target_recall)
    t_dropped = float(np.max(thr_d[ok])) if ok.any() else None
    distinct = np.unique(s)
    lower, higher = distinct[distinct < t_star], distinct[distinct > t_star]
    pos_lower = np.sort(s[(y == 1) & (s < t_star)])[::-1]
    q_all, q_pos = np.quantile(s, 1 - target_recall), np.quantile(s[y == 1], 1 - target_recall)

    causes = []   # every named mistake that would return exactly this value
    if near(t_dropped):
        causes.append("sklearn's roc_curve drops intermediate thresholds by default (drop_intermediate=True): it "
                      "keeps only the corners of the ROC curve, so the threshold where the recall first reaches the "
                      "target can be missing and the best remaining one is lower. Call roc_curve(..., "
                      "drop_intermediate=False), or count positives at the positive scores yourself.")
    if near(t_rounded) and math.ceil(target_recall * P) != k_true:
        causes.append(f"Floating-point rounding: target_recall * P = {target_recall!r} * {P} = {target_recall * P!r} "
                      f"in floating point, so ceil(target_recall * P) asks for {math.ceil(target_recall * P)} positives "
                      f"(and `tp >= target_recall * P` rejects tp = {k_true}), while {k_true} of {P} already gives "
                      f"recall {k_true} / {P} = {k_true / P!r} >= {target_recall!r}. Recall is TP / P computed in "
                      f"floating point (sklearn's recall_score gives the same {k_true / P!r}): compare "
                      f"tp / P >= target_recall instead of rounding target_recall * P.")
    if lower.size and near(float(lower[-1])):
        causes.append("Threshold off by one: that is the next lower score. Predictions are `scores >= t`, so the "
                      "example scoring exactly t counts as positive; searching with a strict > (scores > t), or "
                      "stepping one position too far in the sorted scores, lands one score lower.")
    elif pos_lower.size and near(float(pos_lower[0])):
        causes.append("Threshold off by one: that is the next lower POSITIVE score. With k = the number of positives "
                      "needed (the smallest k with k / P >= target_recall), the answer is the k-th highest positive "
                      "score, index k - 1 when counting from 0; a strict > comparison makes the same slip.")
    if higher.size and near(float(higher[0])):
        causes.append(f"Threshold off by one in the other direction: at this next higher score the recall "
                      f"{mine['recall']:.3f} falls short of the target {target_recall}. The target is a minimum: "
                      f"recall >= target.")
    if near(float(s.min())):
        causes.append("That is the lowest score of all: flagging every example reaches any recall, but a higher "
                      "threshold does too.")
    elif target_recall < 1 and (near(float(q_all)) or near(float(q_pos))):
        causes.append("That is a quantile of the scores: quantiles interpolate between scores (and over ALL scores, "
                      "recall only counts positives). Count true positives at each candidate score instead.")
    is_score = bool(np.any(np.isclose(s, got, rtol=1e-6, atol=1e-12)))
    if not causes and not is_score and s.min() < got < s.max():
        below, above = float(distinct[distinct < got].max()), float(distinct[distinct > got].min())
        causes.append(f"{got:.6g} is not one of the scores: it lies between the scores {below:.6g} and {above:.6g} "
                      f"(a midpoint?). Return one of the score values: the highest score t with "
                      f"recall(scores >= t) >= target_recall, here {t_star:.6g}.")
    if len(causes) == 1:
        hint = causes[0]
    elif causes:
        count = {2: "Two", 3: "Three"}.get(len(causes), str(len(causes)))
        hint = f"{count} known mistakes give exactly this value: " + " ".join(f"({i}) {c}" for i, c in enumerate(causes, 1))
    elif mine["recall"] < target_recall:
        hint = f"At that threshold the recall {mine['recall']:.3f} falls short of the target {target_recall}: lower the threshold."
    elif got < t_star:
        hint = "That threshold reaches the recall, but a higher one does too."
    else:
        hint = "Return one of the score values: the highest score t with recall(scores >= t) >= target_recall."
    if got < t_star and mine["recall"] >= target_recall and mine["n"] != star["n"]:
        hint += " " + _lower_costs(star, mine, t_star)
    raise CheckFailed(f"{head} {hint}")


# --------------------------------------------------------------------------- column-shaped inputs
_COLUMN_HINT = ("{what} has shape (n, 1), the shape of a Keras model's predict() output: flatten the inputs with "
                "np.ravel (or .reshape(-1)) first. Without it numpy broadcasts an (n,) array against an (n, 1) one "
                "into an n x n table, and sorting an (n, 1) array sorts each one-element row.")


def _column_case(fn: Callable, check: Callable, y_true: Any, second: Any, what: str, *extra: Any) -> None:
    """Run ``check`` on a case whose second argument is an (n, 1) column; when it fails but the
    same call with the column flattened passes, say that the shape is the problem."""
    try:
        check(fn, y_true, second, *extra)
    except CheckFailed as exc:
        flat = np.asarray(second).reshape(-1)
        try:
            check(fn, y_true, flat, *extra)
        except CheckFailed:
            raise exc from None
        raise CheckFailed(f"{exc} {_COLUMN_HINT.format(what=what)}") from None


def check_confusion_counts_column(confusion_counts: Callable, y_true: Any, y_pred_column: Any) -> None:
    """``y_pred`` shaped (n, 1), as ``(model.predict(x) > 0.5).astype(int)`` gives it."""
    _column_case(confusion_counts, check_confusion_counts, y_true, y_pred_column, "y_pred")

