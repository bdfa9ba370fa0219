"""Module 07 variants: common mistakes (must lose points) and alternative correct answers."""

from tests.variants import correct, wrong

MODULE = "07_monitoring_skew_drift"


# ------------------------------------------------------------------ category_distribution
@wrong("Missing values were dropped")
def category_distribution__value_counts_drops_nan(values):
    import pandas as pd
    return pd.Series(values).value_counts(normalize=True).to_dict()


@wrong("Those are counts")
def category_distribution__counts(values):
    import pandas as pd
    counts = {}
    for v in list(values):
        key = "<missing>" if pd.isna(v) else v
        counts[key] = counts.get(key, 0) + 1
    return counts


@wrong("Missing values must be the category")
def category_distribution__nan_key(values):
    import pandas as pd
    return pd.Series(values, dtype=object).value_counts(dropna=False, normalize=True).to_dict()


@wrong("Only the categories that occur")
def category_distribution__unused_categories_listed(values):
    import pandas as pd
    vc = pd.Series(values).value_counts(dropna=False, normalize=True)
    return {("<missing>" if pd.isna(k) else k): float(v) for k, v in vc.items()}


@wrong("over the non-missing values only")
def category_distribution__fractions_over_present(values):
    import pandas as pd
    s = pd.Series(values, dtype=object)
    out = s.value_counts(normalize=True).to_dict()      # NaN dropped BEFORE dividing
    n_missing = int(s.isna().sum())
    if n_missing:
        out["<missing>"] = n_missing / len(s)
    return out


@wrong("fillna('<missing>') fails")
def category_distribution__fillna_on_category_dtype(values):
    import pandas as pd
    return pd.Series(values).fillna("<missing>").value_counts(normalize=True).to_dict()


@wrong("not their text")
def category_distribution__string_keys(values):
    import pandas as pd
    s = pd.Series(values, dtype=object)
    s = s.where(s.notna(), "<missing>").astype(str)
    return s.value_counts(normalize=True).to_dict()


@correct
def category_distribution__pure_python(values):
    import math
    import pandas as pd
    counts, n = {}, 0
    for v in list(values):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            v = "<missing>"
        elif hasattr(v, "item"):
            v = v.item()                       # numpy scalar -> Python value
        counts[v] = counts.get(v, 0) + 1
        n += 1
    return {k: c / n for k, c in counts.items()}


@correct
def category_distribution__pandas_where(values):
    import pandas as pd
    import numpy as np
    s = pd.Series(np.asarray(values, dtype=object).tolist(), dtype=object)   # plain Python values
    s = s.where(s.notna(), "<missing>")
    return s.value_counts(normalize=True).to_dict()


@correct
def category_distribution__counter(values):
    from collections import Counter
    import numpy as np
    import pandas as pd
    vals = ["<missing>" if pd.isna(v) else v for v in np.asarray(values, dtype=object).ravel().tolist()]
    return {k: c / len(vals) for k, c in Counter(vals).items()}


# ------------------------------------------------------------------ linf_distance
@wrong("L1 distance")
def linf_distance__l1_sum(p, q):
    return sum(abs(p.get(c, 0.0) - q.get(c, 0.0)) for c in set(p) | set(q))


@wrong("total variation")
def linf_distance__total_variation(p, q):
    return 0.5 * sum(abs(p.get(c, 0.0) - q.get(c, 0.0)) for c in set(p) | set(q))


@wrong("present in BOTH")
def linf_distance__shared_categories_only(p, q):
    return max((abs(p[c] - q[c]) for c in set(p) & set(q)), default=0.0)


@wrong("Only the categories of p")
def linf_distance__keys_of_p_only(p, q):
    return max(abs(p[c] - q.get(c, 0.0)) for c in p)


@wrong("SIGNED difference")
def linf_distance__signed(p, q):
    return max(p.get(c, 0.0) - q.get(c, 0.0) for c in set(p) | set(q))


@correct
def linf_distance__pandas(p, q):
    import pandas as pd
    return float(pd.Series(p, dtype=float).sub(pd.Series(q, dtype=float), fill_value=0.0).abs().max())


@correct
def linf_distance__numpy(p, q):
    import numpy as np
    keys = list(set(p) | set(q))
    a = np.array([p.get(k, 0.0) for k in keys])
    b = np.array([q.get(k, 0.0) for k in keys])
    return np.max(np.abs(a - b))


# ------------------------------------------------------------------ shared_histograms
@wrong("built from the SERVING data")
def shared_histograms__bins_from_serving(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    edges = np.histogram_bin_edges(sv, bins)
    return np.histogram(np.clip(tr, edges[0], edges[-1]), edges)[0] / len(tr), np.histogram(sv, edges)[0] / len(sv)


@wrong("training AND serving data together")
def shared_histograms__bins_from_both(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    edges = np.histogram_bin_edges(np.concatenate([tr, sv]), bins)
    return np.histogram(tr, edges)[0] / len(tr), np.histogram(sv, edges)[0] / len(sv)


@wrong("were dropped")
def shared_histograms__range_drops_outliers(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    rng = (tr.min(), tr.max())
    return np.histogram(tr, bins, range=rng)[0] / len(tr), np.histogram(sv, bins, range=rng)[0] / len(sv)


@wrong("were dropped")
def shared_histograms__outliers_dropped_renormalised(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    counts_p, edges = np.histogram(tr, bins)
    counts_q = np.histogram(sv, edges)[0]
    return counts_p / counts_p.sum(), counts_q / counts_q.sum()


@wrong("Those are counts")
def shared_histograms__counts(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    edges = np.histogram_bin_edges(tr, bins)
    return np.histogram(tr, edges)[0], np.histogram(np.clip(sv, edges[0], edges[-1]), edges)[0]


@wrong("bin on the LEFT")
def shared_histograms__edge_values_go_left(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    edges = np.histogram_bin_edges(tr, bins)
    sv = np.clip(sv, edges[0], edges[-1])
    # digitize(right=True): a value equal to an inner edge goes to the bin on its left
    p = np.bincount(np.digitize(tr, edges[1:-1], right=True), minlength=bins) / len(tr)
    q = np.bincount(np.digitize(sv, edges[1:-1], right=True), minlength=bins) / len(sv)
    return p, q


@wrong("counted in the denominator")
def shared_histograms__nan_in_denominator(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    edges = np.histogram_bin_edges(tr[~np.isnan(tr)], bins)
    # np.histogram skips NaN when given edges, but len() still counts them
    return np.histogram(tr, edges)[0] / len(tr), np.histogram(np.clip(sv, edges[0], edges[-1]), edges)[0] / len(sv)


@wrong("drop the missing values first")
def shared_histograms__nan_not_dropped(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    edges = np.histogram_bin_edges(tr, bins)       # fails on NaN: the range is [nan, nan]
    return np.histogram(tr, edges)[0] / len(tr), np.histogram(np.clip(sv, edges[0], edges[-1]), edges)[0] / len(sv)


@wrong("widens the range")
def shared_histograms__zero_width_bins(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    edges = np.linspace(tr.min(), tr.max(), bins + 1)   # all equal when the column is constant
    return np.histogram(tr, edges)[0] / len(tr), np.histogram(np.clip(sv, edges[0], edges[-1]), edges)[0] / len(sv)


@wrong("swapped")
def shared_histograms__serving_first(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    edges = np.histogram_bin_edges(tr, bins)
    return np.histogram(np.clip(sv, edges[0], edges[-1]), edges)[0] / len(sv), np.histogram(tr, edges)[0] / len(tr)


@correct
def shared_histograms__pure_python_bisect(train, serve, bins):
    import math
    from bisect import bisect_right
    tr = [float(v) for v in list(train) if not math.isnan(float(v))]
    sv = [float(v) for v in list(serve) if not math.isnan(float(v))]
    lo, hi = min(tr), max(tr)
    if lo == hi:                                # numpy's rule for a constant column
        lo, hi = lo - 0.5, hi + 0.5
    step = (hi - lo) / bins
    edges = [k * step + lo for k in range(bins)] + [hi]

    def fractions(values):
        counts = [0] * bins
        for v in values:
            v = min(max(v, lo), hi)
            counts[min(bisect_right(edges, v) - 1, bins - 1)] += 1
        return [c / len(values) for c in counts]

    return fractions(tr), fractions(sv)


@correct
def shared_histograms__pandas_cut(train, serve, bins):
    import numpy as np
    import pandas as pd
    tr = pd.Series(np.asarray(train, dtype=float)).dropna()
    sv = pd.Series(np.asarray(serve, dtype=float)).dropna()
    edges = np.histogram_bin_edges(tr.to_numpy(), bins)

    def fractions(s):
        s = s.clip(edges[0], edges[-1])
        idx = pd.cut(s, edges, right=False, labels=False)      # [a, b): the max falls outside ...
        idx = idx.where(s < edges[-1], bins - 1)               # ... and joins the last bin
        return idx.value_counts(normalize=True).reindex(range(bins), fill_value=0.0).to_numpy()

    return fractions(tr), fractions(sv)


@correct
def shared_histograms__numpy_int_bins(train, serve, bins):
    import numpy as np
    tr = np.asarray(train, dtype=float)
    sv = np.asarray(serve, dtype=float)
    tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
    counts_p, edges = np.histogram(tr, bins=bins)
    counts_q, _ = np.histogram(np.clip(sv, edges[0], edges[-1]), bins=bins, range=(edges[0], edges[-1]))
    return tuple(counts_p / counts_p.sum()), tuple(counts_q / counts_q.sum())


# ------------------------------------------------------------------ js_divergence
@wrong("Jensen-Shannon DISTANCE")
def js_divergence__distance(p, q):
    from scipy.spatial.distance import jensenshannon
    return float(jensenshannon(p, q, base=2))


@wrong("natural logarithm")
def js_divergence__natural_log(p, q):
    import numpy as np
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    kl = lambda a, b: np.sum(a[a > 0] * np.log(a[a > 0] / b[a > 0]))  # noqa: E731
    return float(0.5 * kl(p, m) + 0.5 * kl(q, m))


@wrong("scipy's default")
def js_divergence__scipy_default(p, q):
    from scipy.spatial.distance import jensenshannon
    return float(jensenshannon(p, q))


@wrong("not Jensen-Shannon")
def js_divergence__kl(p, q):
    import numpy as np
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    with np.errstate(divide="ignore"):
        return float(np.sum(p[p > 0] * np.log2(p[p > 0] / q[p > 0])))


@wrong("Kullback-Leibler divergence (with a small epsilon)")
def js_divergence__kl_with_epsilon(p, q):
    import numpy as np
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    eps = 1e-10
    return float(np.sum(p * np.log2((p + eps) / (q + eps))))


@wrong("not normalised")
def js_divergence__not_normalised(p, q):
    import numpy as np
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = (p + q) / 2
    kl = lambda a, b: np.sum(a[a > 0] * np.log2(a[a > 0] / b[a > 0]))  # noqa: E731
    return float(0.5 * kl(p, m) + 0.5 * kl(q, m))


@wrong("0 log 0 = 0")
def js_divergence__nan_from_empty_bins(p, q):
    import numpy as np
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m)))


@correct
def js_divergence__scipy(p, q):
    from scipy.spatial.distance import jensenshannon
    return jensenshannon(p, q, base=2) ** 2


@correct
def js_divergence__entropies(p, q):
    import numpy as np
    from scipy.stats import entropy
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    p, q = p / p.sum(), q / q.sum()
    return float(entropy((p + q) / 2, base=2) - (entropy(p, base=2) + entropy(q, base=2)) / 2)


@correct
def js_divergence__pure_python(p, q):
    import math
    p, q = [float(v) for v in p], [float(v) for v in q]
    sp, sq = sum(p), sum(q)
    p, q = [v / sp for v in p], [v / sq for v in q]
    total = 0.0
    for a, b in zip(p, q):
        m = (a + b) / 2
        if a > 0:
            total += 0.5 * a * math.log2(a / m)
        if b > 0:
            total += 0.5 * b * math.log2(b / m)
    return total


@correct
def js_divergence__float32(p, q):
    import numpy as np
    p, q = np.asarray(p, dtype=np.float32), np.asarray(q, dtype=np.float32)
    p, q = p / p.sum(), q / q.sum()
    m = (p + q) / np.float32(2)
    kl = lambda a, b: np.sum(a[a > 0] * np.log2(a[a > 0] / b[a > 0]))  # noqa: E731
    return np.float32(0.5) * kl(p, m) + np.float32(0.5) * kl(q, m)     # a numpy float32


# ------------------------------------------------------------------ population_stability_index
@wrong("Empty bins were not floored")
def population_stability_index__no_floor(expected, actual, eps=1e-4):
    import numpy as np
    e, a = np.asarray(expected, dtype=float), np.asarray(actual, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.sum((a - e) * np.log(a / e)))


@wrong("renormalised after flooring")
def population_stability_index__renormalised(expected, actual, eps=1e-4):
    import numpy as np
    e = np.maximum(np.asarray(expected, dtype=float), eps)
    a = np.maximum(np.asarray(actual, dtype=float), eps)
    e, a = e / e.sum(), a / a.sum()
    return float(np.sum((a - e) * np.log(a / e)))


@wrong("eps was ADDED")
def population_stability_index__eps_added(expected, actual, eps=1e-4):
    import numpy as np
    e = np.asarray(expected, dtype=float) + eps
    a = np.asarray(actual, dtype=float) + eps
    return float(np.sum((a - e) * np.log(a / e)))


@wrong("Only the empty bins")
def population_stability_index__floor_only_zeros(expected, actual, eps=1e-4):
    import numpy as np
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    e, a = np.where(e == 0, eps, e), np.where(a == 0, eps, a)
    return float(np.sum((a - e) * np.log(a / e)))


@wrong("eps argument was ignored")
def population_stability_index__eps_hard_coded(expected, actual, eps=1e-4):
    import numpy as np
    e = np.maximum(np.asarray(expected, dtype=float), 1e-4)
    a = np.maximum(np.asarray(actual, dtype=float), 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


@wrong("log base 10")
def population_stability_index__log10(expected, actual, eps=1e-4):
    import numpy as np
    e = np.maximum(np.asarray(expected, dtype=float), eps)
    a = np.maximum(np.asarray(actual, dtype=float), eps)
    return float(np.sum((a - e) * np.log10(a / e)))


@wrong("That is the KL divergence")
def population_stability_index__kl(expected, actual, eps=1e-4):
    import numpy as np
    e = np.maximum(np.asarray(expected, dtype=float), eps)
    a = np.maximum(np.asarray(actual, dtype=float), eps)
    return float(np.sum(a * np.log(a / e)))


@correct
def population_stability_index__pure_python(expected, actual, eps=1e-4):
    import math
    total = 0.0
    for e, a in zip(expected, actual):
        e, a = max(float(e), eps), max(float(a), eps)
        total += (a - e) * math.log(a / e)
    return total


@correct
def population_stability_index__symmetric_kl(expected, actual, eps=1e-4):
    import numpy as np
    from scipy.special import rel_entr
    e = np.maximum(np.asarray(expected, dtype=float), eps)
    a = np.maximum(np.asarray(actual, dtype=float), eps)
    return rel_entr(a, e).sum() + rel_entr(e, a).sum()      # KL(a||e) + KL(e||a)


@correct
def population_stability_index__pandas(expected, actual, eps=1e-4):
    import numpy as np
    import pandas as pd
    df = pd.DataFrame({"e": list(expected), "a": list(actual)}).astype(float).clip(lower=eps)
    return float(((df["a"] - df["e"]) * np.log(df["a"] / df["e"])).sum())


@correct
def population_stability_index__float32(expected, actual, eps=1e-4):
    import numpy as np
    e = np.maximum(np.asarray(expected, dtype=np.float32), np.float32(eps))
    a = np.maximum(np.asarray(actual, dtype=np.float32), np.float32(eps))
    return np.sum((a - e) * np.log(a / e))


# ------------------------------------------------------------------ feature_alerts
@wrong("not >=")
def feature_alerts__greater_or_equal(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            s = train_df[c]
            numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
            d = js_divergence(*shared_histograms(s, w[c], bins)) if numeric else linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d >= threshold:
                out.append((i, c, d))
    return out


@wrong("1-based")
def feature_alerts__one_based_windows(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows, start=1):
        for c in train_df.columns:
            s = train_df[c]
            numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
            d = js_divergence(*shared_histograms(s, w[c], bins)) if numeric else linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@wrong("ordered by feature first")
def feature_alerts__feature_major_order(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for c in train_df.columns:
        s = train_df[c]
        numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
        for i, w in enumerate(windows):
            d = js_divergence(*shared_histograms(s, w[c], bins)) if numeric else linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@wrong("is_numeric_dtype(bool) is True")
def feature_alerts__bool_is_numeric(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            s = train_df[c]
            if pd.api.types.is_numeric_dtype(s.dtype):
                d = js_divergence(*shared_histograms(s.astype(float), w[c].astype(float), bins))  # noqa: F821
            else:
                d = linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@wrong("integer column was treated as categorical")
def feature_alerts__only_floats_numeric(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            s = train_df[c]
            if pd.api.types.is_float_dtype(s.dtype):
                d = js_divergence(*shared_histograms(s, w[c], bins))  # noqa: F821
            else:
                d = linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@wrong("PREVIOUS window")
def feature_alerts__previous_window_baseline(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        base = train_df if i == 0 else windows[i - 1]
        for c in train_df.columns:
            s = train_df[c]
            numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
            d = js_divergence(*shared_histograms(base[c], w[c], bins)) if numeric else linf_distance(category_distribution(base[c]), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@wrong("each window's column order")
def feature_alerts__window_column_order(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        for c in w.columns:
            s = train_df[c]
            numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
            d = js_divergence(*shared_histograms(s, w[c], bins)) if numeric else linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@wrong("Every (window, feature) pair")
def feature_alerts__no_filter(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            s = train_df[c]
            numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
            d = js_divergence(*shared_histograms(s, w[c], bins)) if numeric else linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            out.append((i, c, d))
    return out


@wrong("Jensen-Shannon DISTANCES")
def feature_alerts__js_distance(train_df, windows, threshold=0.3, bins=20):
    import math
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            s = train_df[c]
            numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
            d = math.sqrt(js_divergence(*shared_histograms(s, w[c], bins))) if numeric else linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@wrong("bins argument was ignored")
def feature_alerts__default_bins(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    out = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            s = train_df[c]
            numeric = (pd.api.types.is_integer_dtype(s.dtype) or pd.api.types.is_float_dtype(s.dtype)) and not pd.api.types.is_bool_dtype(s.dtype)
            d = js_divergence(*shared_histograms(s, w[c], 20)) if numeric else linf_distance(category_distribution(s), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                out.append((i, c, d))
    return out


@correct
def feature_alerts__select_dtypes(train_df, windows, threshold=0.3, bins=20):
    numeric = set(train_df.select_dtypes(include="number").columns)   # 'number' excludes bool
    alerts = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            if c in numeric:
                d = js_divergence(*shared_histograms(train_df[c], w[c], bins))  # noqa: F821
            else:
                d = linf_distance(category_distribution(train_df[c]), category_distribution(w[c]))  # noqa: F821
            if d > threshold:
                alerts.append((i, c, d))
    return alerts


@correct
def feature_alerts__self_contained_scipy(train_df, windows, threshold=0.3, bins=20):
    import numpy as np
    import pandas as pd
    from scipy.spatial.distance import jensenshannon

    def dist(a, b):
        a = pd.Series(a, dtype=object)
        b = pd.Series(b, dtype=object)
        pa = a.where(a.notna(), "<missing>").value_counts(normalize=True)
        pb = b.where(b.notna(), "<missing>").value_counts(normalize=True)
        return float(pa.sub(pb, fill_value=0).abs().max())

    alerts = []
    for i, w in enumerate(windows):
        for c in train_df.columns:
            kind = train_df[c].dtype.kind
            if kind in "iuf":
                tr = train_df[c].to_numpy(dtype=float)
                sv = w[c].to_numpy(dtype=float)
                tr, sv = tr[~np.isnan(tr)], sv[~np.isnan(sv)]
                edges = np.histogram_bin_edges(tr, bins)
                p = np.histogram(tr, edges)[0]
                q = np.histogram(np.clip(sv, edges[0], edges[-1]), edges)[0]
                d = jensenshannon(p, q, base=2) ** 2
            else:
                d = dist(train_df[c], w[c])
            if d > threshold:
                alerts.append((i, c, d))
    return alerts


@correct
def feature_alerts__table_then_filter(train_df, windows, threshold=0.3, bins=20):
    import pandas as pd
    table = {}
    for c in train_df.columns:
        s = train_df[c]
        is_num = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        for i, w in enumerate(windows):
            table[(i, c)] = (js_divergence(*shared_histograms(s, w[c], bins)) if is_num  # noqa: F821
                             else linf_distance(category_distribution(s), category_distribution(w[c])))  # noqa: F821
    order = {c: j for j, c in enumerate(train_df.columns)}
    return [[i, c, d] for (i, c), d in sorted(table.items(), key=lambda kv: (kv[0][0], order[kv[0][1]])) if d > threshold]


# ------------------------------------------------------------------ validate_schema
@wrong("counted as out of range")
def validate_schema__between_counts_missing(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            if "min" in rule or "max" in rule:
                if (~s.between(rule.get("min", -np.inf), rule.get("max", np.inf))).any():   # NaN -> False -> "outside"
                    out.append(f"{col}: out of range")
            if "domain" in rule and (~s.dropna().isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("counted as outside the domain")
def validate_schema__isin_counts_missing(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~s.isin(rule["domain"])).any():          # NaN is not in the domain
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("exclusive")
def validate_schema__exclusive_bounds(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v <= rule["min"]).any()) or ("max" in rule and (v >= rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("one string for both sides")
def validate_schema__two_strings_for_range(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if "min" in rule and (v < rule["min"]).any():
                out.append(f"{col}: below min")
            if "max" in rule and (v > rule["max"]).any():
                out.append(f"{col}: above max")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("of the wrong type")
def validate_schema__range_checked_on_wrong_type(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        v = s.dropna()                                   # range and domain checked whatever the type
        if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
            out.append(f"{col}: out of range")
        if "domain" in rule and (~v.isin(rule["domain"])).any():
            out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("stored as float64")
def validate_schema__int_means_int_dtype_only(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t)
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("is_numeric_dtype(bool) is True")
def validate_schema__bool_accepted_as_numeric(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or pd.api.types.is_bool_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)          # True for bool
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("Only object dtype was accepted")
def validate_schema__category_means_object(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = t == object
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("EQUAL to max_missing")
def validate_schema__missing_at_limit_reported(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        frac = s.isna().mean()
        if "max_missing" in rule and frac > 0 and frac >= rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("no limit on missing values")
def validate_schema__no_key_means_no_missing(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if s.isna().mean() > rule.get("max_missing", 0.0):
            out.append(f"{col}: too many missing")
    return out


@wrong("report it as a violation")
def validate_schema__reads_absent_column(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        s, kind = df[col], rule["type"]                  # KeyError when the column is absent
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    return out


@wrong("extra columns are not violations")
def validate_schema__reports_extra_columns(df, schema):
    import numpy as np
    import pandas as pd
    out = []
    for col, rule in schema.items():
        if col not in df.columns:
            out.append(f"{col}: absent")
            continue
        s, kind = df[col], rule["type"]
        t = s.dtype
        if pd.api.types.is_bool_dtype(t):
            ok = False
        elif kind == "int":
            ok = pd.api.types.is_integer_dtype(t) or (pd.api.types.is_float_dtype(t) and bool(np.all(s.dropna() % 1 == 0)))
        elif kind == "float":
            ok = pd.api.types.is_numeric_dtype(t)
        else:
            ok = pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype)
        if not ok:
            out.append(f"{col}: wrong type")
        else:
            v = s.dropna()
            if ("min" in rule and (v < rule["min"]).any()) or ("max" in rule and (v > rule["max"]).any()):
                out.append(f"{col}: out of range")
            if "domain" in rule and (~v.isin(rule["domain"])).any():
                out.append(f"{col}: out of domain")
        if "max_missing" in rule and s.isna().mean() > rule["max_missing"]:
            out.append(f"{col}: too many missing")
    out += [f"{c}: not in the schema" for c in df.columns if c not in schema]
    return out


@correct
def validate_schema__dtype_kind(df, schema):
    import math
    import pandas as pd
    found = []
    for col, rule in schema.items():
        if col not in df:
            found.append((col, "absent"))
            continue
        s = df[col]
        kind = s.dtype.kind                               # 'b' bool, 'i'/'u' int, 'f' float, 'O' object
        values = [v for v in s.tolist() if not (v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)))]
        if rule["type"] == "int":
            ok = kind in "iu" or (kind == "f" and all(float(v).is_integer() for v in values))
        elif rule["type"] == "float":
            ok = kind in "iuf"
        else:
            ok = kind == "O" or isinstance(s.dtype, (pd.CategoricalDtype, pd.StringDtype))
        if not ok:
            found.append((col, "type"))
        else:
            if ("min" in rule or "max" in rule) and any(v < rule.get("min", -math.inf) or v > rule.get("max", math.inf) for v in values):
                found.append((col, "range"))
            if "domain" in rule and any(v not in rule["domain"] for v in values):
                found.append((col, "domain"))
        if "max_missing" in rule and (len(s) - len(values)) / max(len(s), 1) > rule["max_missing"]:
            found.append((col, "missing values"))
    return [f"Column '{col}' failed the {check} check" for col, check in found]


@correct
def validate_schema__numpy_masks(df, schema):
    import numpy as np
    import pandas as pd
    problems = []
    for col, rule in schema.items():
        if col not in df.columns:
            problems.append(f"missing column {col}")
            continue
        s = df[col]
        t = s.dtype
        na = s.isna().to_numpy()
        is_bool = pd.api.types.is_bool_dtype(t)
        is_int = pd.api.types.is_integer_dtype(t) and not is_bool
        is_float = pd.api.types.is_float_dtype(t)
        wanted = rule["type"]
        if wanted == "int":
            ok = is_int or (is_float and bool(np.all(np.mod(s.to_numpy(dtype=float)[~na], 1) == 0)))
        elif wanted == "float":
            ok = is_int or is_float
        else:
            ok = not is_bool and (pd.api.types.is_object_dtype(t) or pd.api.types.is_string_dtype(t) or isinstance(t, pd.CategoricalDtype))
        if not ok:
            problems.append(f"{col} should be {wanted}, is {t}")
        else:
            if "min" in rule or "max" in rule:
                v = s.to_numpy(dtype=float)[~na]
                if np.any(v < rule.get("min", -np.inf)) or np.any(v > rule.get("max", np.inf)):
                    problems.append(f"{col} out of range")
            if "domain" in rule:
                v = s.astype(object).to_numpy()[~na]
                if not all(x in rule["domain"] for x in v):
                    problems.append(f"{col} has values outside its domain")
        if na.mean() > rule.get("max_missing", np.inf):
            problems.append(f"{col} has too many missing values")
    return problems


# ------------------------------------------------------------------ exam_answers
@wrong("wrong (you answered")
def exam_answers__drift_for_everything(*args):
    return {"q1": "A", "q2": "C", "q3": "B", "q4": "B", "q5": "A", "q6": "A", "q7": "B", "q8": "A"}


@wrong("wrong (you answered A)")
def exam_answers__retrain_first(*args):
    return {"q1": "B", "q2": "D", "q3": "A", "q4": "C", "q5": "A", "q6": "D", "q7": "A", "q8": "C"}


@correct
def exam_answers__lowercase(*args):
    return {"q1": "b", "Q2": "d", "q3": " a", "q4": "c", "q5": "b ", "q6": "d", "q7": "a", "q8": "c"}


#: proven through the real `nbgrader autograde` (tests/test_autograde.py); the rest in-process.
#: population_stability_index is used by no other graded function, so no other exercise moves.
END_TO_END_WRONG = population_stability_index__renormalised
