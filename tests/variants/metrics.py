"""Module 03 variants: common mistakes (must lose points) and alternative correct answers."""

from tests.variants import correct, wrong

MODULE = "03_classification_metrics"

# ------------------------------------------------------------------ confusion_counts
@wrong("confusion_matrix(...).ravel()")
def confusion_counts__sklearn_ravel_order(y_true, y_pred):
    from sklearn.metrics import confusion_matrix
    return tuple(int(v) for v in confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel())


@wrong("FP and FN are swapped")
def confusion_counts__fp_fn_swapped(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp = int(np.sum((yt == 1) & (yp == 1)))
    fn = int(np.sum((yt == 0) & (yp == 1)))   # mislabeled
    fp = int(np.sum((yt == 1) & (yp == 0)))   # mislabeled
    tn = int(np.sum((yt == 0) & (yp == 0)))
    return tp, fp, fn, tn


@wrong("cannot subtract bool")
def confusion_counts__bool_subtraction(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    diff = yp - yt          # 1: false positive, -1: false negative (fails on bool arrays)
    tp = int(np.sum(yt * yp))
    fp = int(np.sum(diff == 1))
    fn = int(np.sum(diff == -1))
    return tp, fp, fn, len(yt) - tp - fp - fn


@wrong("index LABEL")
def confusion_counts__positional_indexing(y_true, y_pred):
    tp = fp = fn = tn = 0
    for i in range(len(y_true)):
        t, p = int(y_true[i]), int(y_pred[i])   # a Series looks up the label i
        tp += t == 1 and p == 1
        fp += t == 0 and p == 1
        fn += t == 1 and p == 0
        tn += t == 0 and p == 0
    return tp, fp, fn, tn


@wrong("class 0 was treated as the positive class")
def confusion_counts__zero_is_positive(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int) == 0, np.asarray(y_pred).astype(int) == 0
    return int(np.sum(yt & yp)), int(np.sum(~yt & yp)), int(np.sum(yt & ~yp)), int(np.sum(~yt & ~yp))


@wrong("labels=[0, 1]")
def confusion_counts__ravel_without_labels(y_true, y_pred):
    from sklearn.metrics import confusion_matrix
    tn, fp, fn, tp = confusion_matrix(y_true, y_pred).ravel()   # 1x1 when only one class appears
    return int(tp), int(fp), int(fn), int(tn)


@correct
def confusion_counts__pure_python(y_true, y_pred):
    pairs = list(zip(list(y_true), list(y_pred)))
    tp = sum(1 for t, p in pairs if t and p)
    fp = sum(1 for t, p in pairs if not t and p)
    fn = sum(1 for t, p in pairs if t and not p)
    tn = sum(1 for t, p in pairs if not t and not p)
    return tp, fp, fn, tn


@correct
def confusion_counts__sklearn_numpy_ints(y_true, y_pred):
    import numpy as np
    from sklearn.metrics import confusion_matrix
    tn, fp, fn, tp = confusion_matrix(np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int), labels=[0, 1]).ravel()
    return [tp, fp, fn, tn]   # numpy ints, in a list


# ------------------------------------------------------------------ precision
@wrong("precision and recall are swapped")
def precision__is_recall(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp = np.sum((yt == 1) & (yp == 1))
    fn = np.sum((yt == 1) & (yp == 0))
    return float(tp / (tp + fn)) if tp + fn else 0.0


@wrong("zero division not handled")
def precision__zero_division_error(y_true, y_pred):
    tp = sum(1 for t, p in zip(list(y_true), list(y_pred)) if t == 1 and p == 1)
    fp = sum(1 for t, p in zip(list(y_true), list(y_pred)) if t == 0 and p == 1)
    return tp / (tp + fp)


@wrong("zero division not handled")
def precision__nan(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.float64(np.sum(yt & yp)) / np.float64(np.sum(yp))


@wrong("precision is undefined: return 0.0 like sklearn's zero_division=0")
def precision__one_on_zero_division(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp, fp = np.sum((yt == 1) & (yp == 1)), np.sum((yt == 0) & (yp == 1))
    return float(tp / (tp + fp)) if tp + fp else 1.0   # "no false alarms, so perfect"


@wrong("return 0.0 where precision is undefined")
def precision__none_on_zero_division(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp, fp = np.sum((yt == 1) & (yp == 1)), np.sum((yt == 0) & (yp == 1))
    if tp + fp > 0:
        return float(tp / (tp + fp))   # falls through (None) when nothing is predicted positive


@wrong("your precision uses your confusion_counts")
def precision__built_on_broken_confusion_counts(y_true, y_pred):
    # A learner whose confusion_counts returns sklearn's (tn, fp, fn, tp) order and whose precision
    # calls it: the broken helper is installed in the notebook namespace, as their cell would.
    import numpy as np
    from sklearn.metrics import confusion_matrix

    def confusion_counts(y_true, y_pred):
        return tuple(int(v) for v in confusion_matrix(np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int), labels=[0, 1]).ravel())

    globals()["confusion_counts"] = confusion_counts
    tp, fp, fn, tn = confusion_counts(y_true, y_pred)
    return tp / (tp + fp) if tp + fp else 0.0


@wrong("fraction predicted positive")
def precision__mean_of_predictions(y_true, y_pred):
    import numpy as np
    return float(np.mean(np.asarray(y_pred).astype(int)))


@wrong("negative predictive value")
def precision__negative_predictive_value(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tn, fn = np.sum((yt == 0) & (yp == 0)), np.sum((yt == 1) & (yp == 0))
    return float(tn / (tn + fn)) if tn + fn else 0.0


@correct
def precision__sklearn(y_true, y_pred):
    from sklearn.metrics import precision_score
    import numpy as np
    return precision_score(np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int), zero_division=0)


@correct
def precision__float32_mean(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
    return np.float32(yt[yp].mean()) if yp.any() else np.float32(0)


# ------------------------------------------------------------------ recall
@wrong("precision and recall are swapped")
def recall__is_precision(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp = np.sum((yt == 1) & (yp == 1))
    fp = np.sum((yt == 0) & (yp == 1))
    return float(tp / (tp + fp)) if tp + fp else 0.0


@wrong("zero division not handled")
def recall__zero_division_error(y_true, y_pred):
    tp = sum(1 for t, p in zip(list(y_true), list(y_pred)) if t == 1 and p == 1)
    positives = sum(1 for t in list(y_true) if t == 1)
    return tp / positives


@wrong("specificity")
def recall__specificity(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tn = np.sum((yt == 0) & (yp == 0))
    fp = np.sum((yt == 0) & (yp == 1))
    return float(tn / (tn + fp)) if tn + fp else 0.0


@wrong("recall is undefined: return 0.0 like sklearn's zero_division=0")
def recall__one_on_zero_division(y_true, y_pred):
    yt, yp = [int(v) for v in y_true], [int(v) for v in y_pred]
    positives = sum(yt)
    return sum(t * p for t, p in zip(yt, yp)) / positives if positives else 1.0


@wrong("miss rate")
def recall__miss_rate(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp, fn = np.sum((yt == 1) & (yp == 1)), np.sum((yt == 1) & (yp == 0))
    return float(fn / (tp + fn)) if tp + fn else 0.0


@wrong("false positive rate")
def recall__false_positive_rate(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    fp, tn = np.sum((yt == 0) & (yp == 1)), np.sum((yt == 0) & (yp == 0))
    return float(fp / (fp + tn)) if fp + tn else 0.0


@correct
def recall__sklearn(y_true, y_pred):
    from sklearn.metrics import recall_score
    import numpy as np
    return recall_score(np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int), zero_division=0)


@correct
def recall__mean_of_predictions_on_positives(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    return float(yp[yt].mean()) if yt.any() else 0.0


# ------------------------------------------------------------------ f1_score
@wrong("arithmetic mean")
def f1_score__arithmetic_mean(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp, fp, fn = np.sum(yt & yp), np.sum((1 - yt) & yp), np.sum(yt & (1 - yp))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return float((p + r) / 2)


@wrong("zero division not handled")
def f1_score__zero_division_error(y_true, y_pred):
    pairs = list(zip(list(y_true), list(y_pred)))
    tp = sum(1 for t, p in pairs if t == 1 and p == 1)
    fp = sum(1 for t, p in pairs if t == 0 and p == 1)
    fn = sum(1 for t, p in pairs if t == 1 and p == 0)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r)


@wrong("factor 2")
def f1_score__no_factor_two(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    tp, fp, fn = np.sum(yt & yp), np.sum((1 - yt) & yp), np.sum(yt & (1 - yp))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return float(p * r / (p + r)) if p + r else 0.0


@wrong("your f1_score uses your precision/recall; fix those first")
def f1_score__built_on_broken_precision(y_true, y_pred):
    # A learner whose precision divides TP by n (its own test names that) and whose f1_score calls
    # precision() and recall(): the broken precision is installed in the notebook namespace.
    import numpy as np

    def precision(y_true, y_pred):
        yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
        return float(np.sum((yt == 1) & (yp == 1)) / len(yt))

    globals()["precision"] = precision
    p, r = precision(y_true, y_pred), recall(y_true, y_pred)
    return 2 * p * r / (p + r) if p + r else 0.0


@correct
def f1_score__from_own_precision_and_recall(y_true, y_pred):
    p, r = precision(y_true, y_pred), recall(y_true, y_pred)   # the notebook's (correct) functions
    return 2 * p * r / (p + r) if p + r else 0.0


@correct
def f1_score__harmonic_mean_guarded(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    tp, fp, fn = np.sum(yt & yp), np.sum(~yt & yp), np.sum(yt & ~yp)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r > 0 else 0.0


@correct
def f1_score__sklearn(y_true, y_pred):
    from sklearn.metrics import f1_score as sk_f1
    import numpy as np
    return sk_f1(np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int), zero_division=0)


# ------------------------------------------------------------------ roc_auc
@wrong("hard labels instead of scores")
def roc_auc__hard_labels(y_true, scores):
    import numpy as np
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(np.asarray(y_true).astype(int), (np.asarray(scores, dtype=float) >= 0.5).astype(int))


@wrong("ties were not counted as 1/2")
def roc_auc__ties_ignored(y_true, scores):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    return float(np.mean(pos[:, None] > neg[None, :]))


@wrong("ties were not counted as 1/2")
def roc_auc__ties_as_win(y_true, scores):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    return float(np.mean(pos[:, None] >= neg[None, :]))


@wrong("ties were not counted as 1/2")
def roc_auc__trapezoid_without_grouping_ties(y_true, scores):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    yy = y[np.argsort(-s)]   # default quicksort: tied scores in an arbitrary order
    tpr = np.r_[0, np.cumsum(yy)] / yy.sum()
    fpr = np.r_[0, np.cumsum(1 - yy)] / (1 - yy).sum()
    return float(np.trapezoid(tpr, fpr))


@wrong("the ROC curve starts at (0, 0): prepend that point")
def roc_auc__trapezoid_without_origin(y_true, scores):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    thresholds = np.unique(s)[::-1]
    tpr = [float(np.mean(s[y == 1] >= t)) for t in thresholds]   # no (0, 0) in front
    fpr = [float(np.mean(s[y == 0] >= t)) for t in thresholds]
    return float(np.trapezoid(tpr, fpr))


@wrong("tied scores are handled wrong")
def roc_auc__rank_sum_min_ranks(y_true, scores):
    import numpy as np
    from scipy.stats import rankdata
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    n_pos, n_neg = y.sum(), len(y) - y.sum()
    ranks = rankdata(s, method="min")   # ties need the average rank
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


@wrong("orientation is flipped")
def roc_auc__flipped(y_true, scores):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    return float(np.mean(neg[:, None] > pos[None, :]) + 0.5 * np.mean(neg[:, None] == pos[None, :]))


@correct
def roc_auc__rank_sum(y_true, scores):
    import numpy as np
    from scipy.stats import rankdata
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    n_pos, n_neg = y.sum(), len(y) - y.sum()
    ranks = rankdata(s)   # average ranks for ties
    return (ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


@correct
def roc_auc__trapezoid_distinct_thresholds(y_true, scores):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    thresholds = np.unique(s)[::-1]
    tpr = [0.0] + [float(np.mean(s[y == 1] >= t)) for t in thresholds]
    fpr = [0.0] + [float(np.mean(s[y == 0] >= t)) for t in thresholds]
    return np.float32(np.trapezoid(tpr, fpr))


@correct
def roc_auc__pure_python_pairs(y_true, scores):
    ys, ss = [int(v) for v in y_true], [float(v) for v in scores]
    pos = [s for s, y in zip(ss, ys) if y == 1]
    neg = [s for s, y in zip(ss, ys) if y == 0]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


@correct
def roc_auc__sklearn(y_true, scores):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(y_true, scores)


# ------------------------------------------------------------------ average_precision
@wrong("higher or lower than AP")
def average_precision__trapezoid(y_true, scores):
    from sklearn.metrics import auc, precision_recall_curve
    precision, recall, _ = precision_recall_curve(y_true, scores)
    return auc(recall, precision)


@wrong("ties were not grouped")
def average_precision__ties_ignored(y_true, scores):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    yy = y[np.argsort(-s, kind="stable")]
    precision_at_k = np.cumsum(yy) / np.arange(1, len(yy) + 1)
    return float(precision_at_k[yy == 1].mean())


@wrong("interpolated precision")
def average_precision__interpolated(y_true, scores):
    import numpy as np
    from sklearn.metrics import precision_recall_curve
    precision, recall, _ = precision_recall_curve(y_true, scores)
    interp = np.maximum.accumulate(precision)   # best precision at this recall or higher
    return float(-np.sum(np.diff(recall) * interp[:-1]))


@wrong("hard labels instead of scores")
def average_precision__hard_labels(y_true, scores):
    import numpy as np
    from sklearn.metrics import average_precision_score
    return average_precision_score(np.asarray(y_true).astype(int), (np.asarray(scores, dtype=float) >= 0.5).astype(int))


@correct
def average_precision__sklearn_curve_step_sum(y_true, scores):
    import numpy as np
    from sklearn.metrics import precision_recall_curve
    precision, recall, _ = precision_recall_curve(np.asarray(y_true).astype(int), np.asarray(scores, dtype=float))
    return -np.sum(np.diff(recall) * precision[:-1])   # a numpy float


@correct
def average_precision__pure_python(y_true, scores):
    ys, ss = [int(v) for v in y_true], [float(v) for v in scores]
    n_pos = sum(ys)
    ap, prev_recall = 0.0, 0.0
    for t in sorted(set(ss), reverse=True):
        flagged = [y for y, s in zip(ys, ss) if s >= t]
        tp = sum(flagged)
        recall_t = tp / n_pos
        ap += (recall_t - prev_recall) * tp / len(flagged)
        prev_recall = recall_t
    return ap


@correct
def average_precision__sklearn(y_true, scores):
    from sklearn.metrics import average_precision_score
    return average_precision_score(y_true, scores)


# ------------------------------------------------------------------ threshold_for_recall
@wrong("strict >")
def threshold_for_recall__strict_greater(y_true, scores, target_recall):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    for t in np.unique(s)[::-1]:                       # highest first
        if np.sum((s > t) & (y == 1)) / y.sum() >= target_recall:
            return float(t)


@wrong("off by one: that is the next lower")
def threshold_for_recall__next_lower_positive(y_true, scores, target_recall):
    import math
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    pos = np.sort(s[y == 1])[::-1]
    k = math.ceil(target_recall * len(pos))
    return float(pos[min(k, len(pos) - 1)])          # index k instead of k - 1


@wrong("falls short")
def threshold_for_recall__next_higher(y_true, scores, target_recall):
    import math
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    pos = np.sort(s[y == 1])[::-1]
    k = math.ceil(target_recall * len(pos))
    return float(pos[max(k - 2, 0)])


@wrong("quantile")
def threshold_for_recall__quantile_of_all_scores(y_true, scores, target_recall):
    import numpy as np
    return float(np.quantile(np.asarray(scores, dtype=float), 1 - target_recall))


@wrong("a higher one does too")
def threshold_for_recall__lowest_positive(y_true, scores, target_recall):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    return float(s[y == 1].min())   # always reaches the target, never the highest such t


@wrong("roc_curve drops intermediate thresholds by default (drop_intermediate=True)")
def threshold_for_recall__roc_curve_default(y_true, scores, target_recall):
    from sklearn.metrics import roc_curve
    f, t, th = roc_curve(y_true, scores)
    return th[t >= target_recall].max()


@wrong("floating-point rounding")
def threshold_for_recall__ceil_target_times_p(y_true, scores, target_recall):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    pos = np.sort(s[y == 1])[::-1]
    k = int(np.ceil(target_recall * len(pos)))   # 0.28 * 25 = 7.000000000000001 -> 8
    return float(pos[k - 1])


@wrong("floating-point rounding")
def threshold_for_recall__tp_at_least_target_times_p(y_true, scores, target_recall):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    P = y.sum()
    for t in np.unique(s)[::-1]:
        if np.sum((s >= t) & (y == 1)) >= target_recall * P:
            return float(t)


@wrong("lowest score of all")
def threshold_for_recall__min_score_at_full_recall(y_true, scores, target_recall):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    if target_recall >= 1:
        return float(s.min())             # "flag everything": reaches recall 1, not the highest such t
    pos = np.sort(s[y == 1])[::-1]
    k = next(k for k in range(1, len(pos) + 1) if k / len(pos) >= target_recall)
    return float(pos[k - 1])


@wrong("return one of the score values")
def threshold_for_recall__midpoint(y_true, scores, target_recall):
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores, dtype=float)
    distinct = np.unique(s)[::-1]
    for i, t in enumerate(distinct):
        if np.sum((s >= t) & (y == 1)) / y.sum() >= target_recall:
            return float((t + distinct[i + 1]) / 2) if i + 1 < len(distinct) else float(t)   # midpoint


@correct
def threshold_for_recall__roc_curve(y_true, scores, target_recall):
    import numpy as np
    from sklearn.metrics import roc_curve
    _, tpr, thresholds = roc_curve(np.asarray(y_true).astype(int), np.asarray(scores), drop_intermediate=False)
    return thresholds[tpr >= target_recall].max()


@correct
def threshold_for_recall__ceil_with_tolerance(y_true, scores, target_recall):
    import math
    import numpy as np
    y, s = np.asarray(y_true).astype(int), np.asarray(scores)
    pos = np.sort(s[y == 1])[::-1]
    k = math.ceil(target_recall * len(pos) - 1e-9)
    return pos[k - 1]   # a numpy scalar (float32 when the scores are float32)


@correct
def threshold_for_recall__brute_force_lists(y_true, scores, target_recall):
    ys, ss = [int(v) for v in y_true], [float(v) for v in scores]
    n_pos = sum(ys)
    for t in sorted(set(ss), reverse=True):
        if sum(1 for y, s in zip(ys, ss) if y == 1 and s >= t) / n_pos >= target_recall:
            return t


# ------------------------------------------------------------------ column-shaped inputs (Keras predict)
@wrong("shape (n, 1)")
def confusion_counts__no_flatten(y_true, y_pred):
    import numpy as np
    yt, yp = np.asarray(y_true).astype(int), np.asarray(y_pred).astype(int)
    return (int(np.sum((yt == 1) & (yp == 1))), int(np.sum((yt == 0) & (yp == 1))),
            int(np.sum((yt == 1) & (yp == 0))), int(np.sum((yt == 0) & (yp == 0))))


# ------------------------------------------------------------------ exam_answers
@wrong("wrong (you answered")
def exam_answers__metric_confusion(*args):
    return {"q1": "A", "q2": "A", "q3": "B", "q4": "B", "q5": "D", "q6": "A", "q7": "B"}


@wrong("wrong (you answered A)")
def exam_answers__f1_for_equal_costs_and_balanced_test_set(*args):
    return {"q1": "B", "q2": "C", "q3": "C", "q4": "A", "q5": "A", "q6": "B", "q7": "D"}


@correct
def exam_answers__lowercase(*args):
    return {"q1": "b", "Q2": "c", "q3": " d", "q4": "a", "q5": "c ", "q6": "b", "q7": "D"}


#: proven through the real `nbgrader autograde` (tests/test_autograde.py); the rest in-process
END_TO_END_WRONG = roc_auc__hard_labels
