"""Module 03 (classification metrics): seeded data and figures.

Everything here is offline and deterministic. The figures use scikit-learn's curves (an
independent reference), title and label every axis, and return the figure.
"""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------- data
def fraud_classifier_scores(seed: int = 0):
    """One classifier, scored on the same population at two prevalences.

    A logistic regression is trained on a balanced synthetic "fraud" data set
    (``make_classification``: 8 features, 4 informative). Its predicted probabilities on a
    held-out pool are then split by class, and two test sets are drawn from that pool:

    * ``"50%"``: 2,000 positives and 2,000 negatives;
    * ``"2%"``: 200 positives and 9,800 negatives (fraud-like imbalance).

    Both use the same classifier and the same per-class score distributions; only the mix of
    classes changes. Returns ``{"50%": (y, scores), "2%": (y, scores)}`` with ``y`` an int
    array of 0/1 and ``scores`` float64 probabilities, each set shuffled.
    """
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    x, y = make_classification(
        n_samples=26_000, n_features=8, n_informative=4, n_redundant=2, class_sep=2.0,
        flip_y=0.0, weights=[0.5], random_state=seed,
    )
    n_train = 4_000
    model = LogisticRegression(max_iter=1000).fit(x[:n_train], y[:n_train])
    s_pool = model.predict_proba(x[n_train:])[:, 1]
    y_pool = y[n_train:]
    rng = np.random.default_rng(seed)
    pos = rng.permutation(np.flatnonzero(y_pool == 1))
    neg = rng.permutation(np.flatnonzero(y_pool == 0))
    out = {}
    for name, n_pos, n_neg in (("50%", 2_000, 2_000), ("2%", 200, 9_800)):
        idx = rng.permutation(np.concatenate([pos[:n_pos], neg[:n_neg]]))
        out[name] = (y_pool[idx].astype(int), s_pool[idx].astype(float))
    return out


def worked_example():
    """The 10-example worked example of the notebook: labels, scores, and predictions at 0.5."""
    y_true = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    scores = np.array([0.95, 0.80, 0.60, 0.30, 0.70, 0.55, 0.35, 0.20, 0.10, 0.05])
    y_pred = (scores >= 0.5).astype(int)
    return y_true, scores, y_pred


# --------------------------------------------------------------------------- figures
def plot_confusion_matrices(cm_by_hand, cm_sklearn, title: str = "Confusion matrix: by hand vs scikit-learn"):
    """Two 2x2 matrices side by side in scikit-learn's layout: rows = true class, columns =
    predicted class, class 0 first (``[[TN, FP], [FN, TP]]``)."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    names = [["TN", "FP"], ["FN", "TP"]]
    for ax, cm, label in ((axes[0], cm_by_hand, "by hand (your confusion_counts)"), (axes[1], cm_sklearn, "sklearn.metrics.confusion_matrix")):
        cm = np.asarray(cm)
        ax.imshow(cm, cmap="Blues", vmin=0, vmax=max(1, cm.max()) * 1.3)
        for i in range(2):
            for j in range(2):
                ax.text(j, i, f"{names[i][j]}\n{int(cm[i, j]):,}", ha="center", va="center", fontsize=12)
        ax.set_xticks([0, 1], ["predicted 0", "predicted 1"])
        ax.set_yticks([0, 1], ["true 0", "true 1"])
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_title(label, fontsize=10)
        ax.grid(False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_roc_pr_prevalence(sets: dict, seed: int = 0, title: str = "One classifier at two prevalences"):
    """ROC curves (left) and precision-recall curves (right) for each ``name -> (y, scores)``.

    A random classifier (uniform random scores) is drawn too: on the ROC plot it follows the
    diagonal whatever the prevalence; on the PR plot it sits at precision = positive rate.
    """
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    plt = _plt()
    rng = np.random.default_rng(seed)
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(12, 4.8))
    colors = ["tab:blue", "tab:red", "tab:green", "tab:purple"]
    for (name, (y, s)), color in zip(sets.items(), colors):
        y = np.asarray(y).astype(int)
        s = np.asarray(s, dtype=float)
        rate = y.mean()
        fpr, tpr, _ = roc_curve(y, s)
        prec, rec, _ = precision_recall_curve(y, s)
        ax_roc.plot(fpr, tpr, color=color, lw=2, label=f"prevalence {name}: ROC-AUC = {roc_auc_score(y, s):.3f}")
        ax_pr.step(rec, prec, where="post", color=color, lw=2, label=f"prevalence {name}: AP = {average_precision_score(y, s):.3f}")
        random_scores = rng.random(len(y))
        p_r, r_r, _ = precision_recall_curve(y, random_scores)
        ax_pr.plot(r_r[:-1], p_r[:-1], color=color, lw=0.8, alpha=0.45, label=f"random scores at {name} (its actual PR curve)")
        ax_pr.axhline(rate, color=color, ls="--", lw=1.2, label=f"random classifier at {name}: precision = {rate:.2f}")
    ax_roc.plot([0, 1], [0, 1], color="grey", ls="--", lw=1.2, label="random classifier (any prevalence)")
    ax_roc.set_xlabel("false positive rate  FP / (FP + TN)")
    ax_roc.set_ylabel("true positive rate (recall)  TP / (TP + FN)")
    ax_roc.set_title("ROC curve: hardly moves with prevalence")
    ax_roc.legend(loc="lower right", fontsize=8)
    ax_pr.set_xlabel("recall  TP / (TP + FN)")
    ax_pr.set_ylabel("precision  TP / (TP + FP)")
    ax_pr.set_title("Precision-recall curve: collapses at 2%")
    ax_pr.set_ylim(0, 1.02)
    ax_pr.legend(loc="center right", bbox_to_anchor=(1.0, 0.62), fontsize=8)
    for ax in (ax_roc, ax_pr):
        ax.set_xlim(-0.01, 1.01)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_precision_recall_vs_threshold(y, scores, threshold=None, target_recall=None,
                                       title: str = "Precision and recall against the threshold"):
    """Precision and recall of ``scores >= t`` for every threshold t (scikit-learn's curve).

    When ``threshold`` is given it is marked, with the precision and recall it gives; when
    ``target_recall`` is given, a horizontal line marks it.
    """
    from sklearn.metrics import precision_recall_curve

    plt = _plt()
    y = np.asarray(y).astype(int)
    s = np.asarray(scores, dtype=float)
    prec, rec, thr = precision_recall_curve(y, s)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(thr, prec[:-1], color="tab:orange", lw=2, label="precision")
    ax.plot(thr, rec[:-1], color="tab:blue", lw=2, label="recall")
    ax.axhline(y.mean(), color="tab:orange", ls=":", lw=1, label=f"positive rate {y.mean():.2f} (precision at t = min score)")
    if target_recall is not None:
        ax.axhline(target_recall, color="tab:blue", ls="--", lw=1, label=f"target recall {target_recall:.0%}")
    if threshold is not None:
        pred = s >= threshold
        tp = int(np.sum(pred & (y == 1)))
        p_t = tp / max(int(pred.sum()), 1)
        r_t = tp / max(int(y.sum()), 1)
        ax.axvline(threshold, color="black", lw=1.2)
        ax.plot([threshold, threshold], [r_t, p_t], "o", color="black", ms=5)
        ax.annotate(f"t = {threshold:.3f}: recall {r_t:.2f}", (threshold, r_t),
                    textcoords="offset points", xytext=(12, -28), fontsize=9,
                    arrowprops={"arrowstyle": "->", "color": "black"})
        ax.annotate(f"precision {p_t:.2f}: {pred.sum():,} flagged, {tp:,} of them positive", (threshold, p_t),
                    textcoords="offset points", xytext=(-150, 40), fontsize=9,
                    arrowprops={"arrowstyle": "->", "color": "black"})
    ax.set_xlabel("threshold t (predict positive when score >= t)")
    ax.set_ylabel("precision / recall")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.legend(loc="center left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_score_histograms(y, scores, title: str = "Scores of positives and negatives"):
    """Overlaid score histograms per class: AUC is the chance a positive outranks a negative."""
    plt = _plt()
    y = np.asarray(y).astype(int)
    s = np.asarray(scores, dtype=float)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bins = np.linspace(s.min(), s.max(), 41)
    ax.hist(s[y == 0], bins=bins, alpha=0.55, density=True, color="tab:green", label=f"negatives (n={int((y == 0).sum()):,})")
    ax.hist(s[y == 1], bins=bins, alpha=0.55, density=True, color="tab:red", label=f"positives (n={int((y == 1).sum()):,})")
    ax.set_xlabel("score (predicted probability of the positive class)")
    ax.set_ylabel("density")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- imbalance remedies
def imbalance_remedies(n: int = 30000, positive_rate: float = 0.02, keep_negatives: float = 0.1, seed: int = 0):
    """Four logistic regressions on one imbalanced data set: plain, class weights ("balanced"),
    negatives downsampled to ``keep_negatives``, and downsampled then upweighted by ``1 / keep_negatives``.

    A logistic model is the true model of the generated data, so the fits differ only by what each
    remedy does. Returns ``(y_val, {name: predicted probabilities on the untouched validation half})``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    gen = np.random.default_rng(seed)
    X = gen.normal(size=(n, 8))
    w = np.array([1.2, -1.0, 0.8, 0.6, -0.5, 0.4, 0.0, 0.0])
    logit = X @ w + np.log(positive_rate / (1 - positive_rate)) - 1.45  # about `positive_rate` positives
    y = (gen.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    keep = (y_tr == 1) | (gen.random(len(y_tr)) < keep_negatives)
    weight = np.where(y_tr[keep] == 1, 1.0, 1.0 / keep_negatives)
    models = {
        "plain": LogisticRegression(max_iter=1000).fit(X_tr, y_tr),
        "class weights (balanced)": LogisticRegression(max_iter=1000, class_weight="balanced").fit(X_tr, y_tr),
        f"negatives downsampled to {keep_negatives:.0%}": LogisticRegression(max_iter=1000).fit(X_tr[keep], y_tr[keep]),
        f"downsampled + upweighted x{1 / keep_negatives:g}": LogisticRegression(max_iter=1000).fit(X_tr[keep], y_tr[keep], sample_weight=weight),
    }
    return y_va, {name: m.predict_proba(X_va)[:, 1] for name, m in models.items()}


def plot_calibration(y, probabilities: dict, bins: int = 10, title: str = "Calibration (reliability diagram)"):
    """Mean predicted probability against the observed positive rate, per quantile bin of the predictions."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    y = np.asarray(y, dtype=float)
    lo = 1.0
    for name, p in probabilities.items():
        p = np.asarray(p, dtype=float)
        edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
        idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
        groups = [b for b in range(len(edges) - 1) if np.any(idx == b)]
        mean_p = np.array([p[idx == b].mean() for b in groups])
        rate = np.array([y[idx == b].mean() for b in groups])
        lo = min(lo, mean_p.min())
        ax.plot(mean_p, rate, marker="o", label=name)
    ax.plot([lo, 1], [lo, 1], "k--", lw=1, label="perfectly calibrated")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_ylim(0, 1.2)
    ax.set_xlabel("mean predicted probability in the bin (log scale)")
    ax.set_ylabel("observed fraction of positives in the bin (symlog)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
