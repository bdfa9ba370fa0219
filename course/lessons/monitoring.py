"""Module 07 (monitoring: training-serving skew and drift): a generated serving stream and figures.

The stream is a loan-approval model's input features: a training set and 12 weekly serving
windows. Two things go wrong in it, on purpose:

* **skew** (a pipeline bug): from week 6 (window index 5) a new release of the serving
  pipeline sends ``debt_to_income`` as a percentage (35.0) instead of a fraction (0.35);
* **drift** (the world changes slowly): applicants' ``income`` creeps up week after week (a
  marketing campaign reaches a richer segment), about 8% a week in the median.

Everything else only changes by sampling noise, except ``channel``, whose share of app
applications grows a little (a real change that stays below the alert threshold).
Everything is seeded and offline. The figures title and label every axis and return the figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FEATURES = ["income", "loan_amount", "debt_to_income", "credit_score", "employment", "channel", "has_cosigner"]
SKEWED_FEATURE, SKEW_START = "debt_to_income", 5
DRIFTING_FEATURE = "income"


def _plt():
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------- data
def _applicants(rng: np.random.Generator, n: int, week: float | None) -> pd.DataFrame:
    """``n`` applicants; ``week`` None is the training period, 0..11 a serving week."""
    t = 0.0 if week is None else week + 1.0
    income = np.round(np.exp(rng.normal(np.log(52_000) + 0.075 * t, 0.45, n)), -2)
    loan = np.round(np.exp(rng.normal(np.log(14_000), 0.6, n)), -2)
    dti = np.round(rng.beta(2.0, 5.0, n), 3)
    score = np.clip(np.round(rng.normal(690, 60, n)), 300, 850).astype(int)
    employment = rng.choice(["salaried", "self-employed", "retired", "unemployed"], n, p=[0.62, 0.2, 0.12, 0.06])
    employment = np.where(rng.random(n) < 0.02, None, employment)   # 2% not filled in
    p_app = 0.30 + 0.012 * t                                           # the app slowly wins
    channel = rng.choice(["web", "app", "branch", "partner"], n, p=[0.4, p_app, 0.5 - p_app, 0.1])
    return pd.DataFrame({
        "income": income,
        "loan_amount": loan,
        "debt_to_income": dti,
        "credit_score": score,
        "employment": pd.Categorical(employment, categories=["salaried", "self-employed", "retired", "unemployed"]),
        "channel": channel,
        "has_cosigner": rng.random(n) < 0.15,
    })


def loan_stream(seed: int = 0, n_train: int = 5_000, n_windows: int = 12, n_per_window: int = 1_000):
    """``(train_df, windows)``: the training data and a list of ``n_windows`` weekly serving
    DataFrames with the same columns (``FEATURES``). The pipeline bug and the drift are the
    ones described in this module's docstring."""
    rng = np.random.default_rng(seed)
    train = _applicants(rng, n_train, None)
    windows = []
    for week in range(n_windows):
        w = _applicants(rng, n_per_window, week)
        if week >= SKEW_START:
            w["debt_to_income"] = w["debt_to_income"] * 100.0   # the bug: percent, not fraction
        windows.append(w)
    return train, windows


def training_schema() -> dict:
    """The schema the team wrote from the training data (TFDV style): types, ranges, domains and
    how much may be missing. Checked on every new batch before it is used for training."""
    return {
        "income": {"type": "float", "min": 0, "max": 5_000_000, "max_missing": 0.0},
        "loan_amount": {"type": "float", "min": 500, "max": 500_000, "max_missing": 0.0},
        "debt_to_income": {"type": "float", "min": 0.0, "max": 1.0, "max_missing": 0.01},
        "credit_score": {"type": "int", "min": 300, "max": 850, "max_missing": 0.01},
        "employment": {"type": "category", "domain": ["salaried", "self-employed", "retired", "unemployed"], "max_missing": 0.05},
        "channel": {"type": "category", "domain": ["web", "app", "branch", "partner"]},
    }


def bad_batch(seed: int = 1, n: int = 400) -> pd.DataFrame:
    """A new batch of training rows exported by a changed upstream job: debt-to-income in
    percent, credit scores exported as text, a new channel name, many missing employments and
    an extra column."""
    rng = np.random.default_rng(seed)
    df = _applicants(rng, n, None)
    df["debt_to_income"] = df["debt_to_income"] * 100.0
    df["credit_score"] = df["credit_score"].astype(str)
    df.loc[rng.random(n) < 0.08, "channel"] = "mobile"
    emp = df["employment"].astype(object)
    emp[rng.random(n) < 0.12] = None
    df["employment"] = emp
    df["batch_id"] = "2026-11-30"
    return df


# --------------------------------------------------------------------------- figures
def plot_train_vs_serving(train, serve, feature: str, bins: int = 20, title: str | None = None, week: int | None = None):
    """Training vs serving histogram of one numeric feature, on the training data's bins
    (serving values outside the training range are drawn in the first/last bin, as they are
    counted)."""
    plt = _plt()
    tr = np.asarray(train, dtype=float)
    tr = tr[~np.isnan(tr)]
    sv = np.asarray(serve, dtype=float)
    sv = sv[~np.isnan(sv)]
    lo, hi = float(tr.min()), float(tr.max())
    edges = np.linspace(lo, hi, bins + 1) if hi > lo else np.array([lo - 0.5, lo + 0.5])
    outside = float(np.mean((sv < edges[0]) | (sv > edges[-1])))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    # matplotlib counts the rows; each weighs 1/len so the bars are fractions of the rows
    ax.hist(tr, bins=edges, weights=np.full(len(tr), 1 / len(tr)), alpha=0.55, label="training data", edgecolor="white")
    ax.hist(np.minimum(np.maximum(sv, edges[0]), edges[-1]), bins=edges, weights=np.full(len(sv), 1 / len(sv)), alpha=0.55,
            label=f"serving{'' if week is None else f', week {week}'}", edgecolor="white")
    ax.set_xlabel(f"{feature} (training range, {bins} equal-width bins)")
    ax.set_ylabel("fraction of rows in the bin")
    ax.set_title(title or f"{feature}: training vs serving")
    if outside > 0:
        ax.annotate(f"{outside:.0%} of serving values lie outside the\ntraining range, counted in the edge bins",
                    xy=(0.98, 0.95), xycoords="axes fraction", ha="right", va="top", fontsize=8)
    ax.legend(loc="upper left" if outside == 0 else "center right")
    fig.tight_layout()
    return fig


def plot_distance_heatmap(distances, features, threshold: float, title: str = "Distance from the training data, per feature and week"):
    """``distances``: array (n_windows, n_features). A heat map (red above the threshold) with
    every alert (distance strictly above ``threshold``) marked by a black frame and its value."""
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.patches import Rectangle

    plt = _plt()
    d = np.asarray(distances, dtype=float)
    n_w, n_f = d.shape
    fig, ax = plt.subplots(figsize=(9, 3.9))
    vmax = max(1.0, float(np.nanmax(d)))
    im = ax.imshow(d.T, aspect="auto", cmap="RdYlGn_r", norm=TwoSlopeNorm(vmin=0.0, vcenter=threshold, vmax=vmax))
    for w in range(n_w):
        for f in range(n_f):
            alert = d[w, f] > threshold
            ax.text(w, f, f"{d[w, f]:.2f}", ha="center", va="center", fontsize=7, fontweight="bold" if alert else "normal")
            if alert:
                ax.add_patch(Rectangle((w - 0.5, f - 0.5), 1, 1, fill=False, lw=1.8, ec="black"))
    ax.set_xticks(range(n_w), [str(w + 1) for w in range(n_w)])
    ax.set_yticks(range(n_f), list(features))
    ax.set_xlabel("serving week (window index + 1)")
    ax.set_ylabel("feature")
    ax.set_title(title)
    ax.grid(False)
    cb = fig.colorbar(im, ax=ax, pad=0.01)
    cb.set_label(f"distance (alert above {threshold:g}, framed)")
    fig.tight_layout()
    return fig


def plot_distance_lines(distances, features, threshold: float, title: str = "Distance per feature over time"):
    """One line per feature (distance against the week), the threshold dashed, alerts marked."""
    plt = _plt()
    d = np.asarray(distances, dtype=float)
    weeks = np.arange(1, d.shape[0] + 1)
    fig, ax = plt.subplots(figsize=(9, 3.8))
    for j, name in enumerate(features):
        line, = ax.plot(weeks, d[:, j], marker=".", label=name)
        hot = d[:, j] > threshold
        ax.scatter(weeks[hot], d[hot, j], s=80, facecolors="none", edgecolors=line.get_color(), linewidths=1.5)
    ax.axhline(threshold, color="black", ls="--", lw=1, label=f"threshold {threshold:g}")
    ax.set_xlabel("serving week")
    ax.set_ylabel("distance from training")
    ax.set_xticks(weeks)
    ax.set_title(title + " (circled: alert)")
    ax.legend(fontsize=7, ncol=2, loc="upper left")
    fig.tight_layout()
    return fig


def plot_noise_floor(sample_sizes, distances, threshold: float, title: str = "Sampling noise: distance between two samples of the SAME distribution"):
    """Distance between two samples of one unchanged feature, against the sample size."""
    plt = _plt()
    d = np.asarray(distances, dtype=float)
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    ax.boxplot(d.T, positions=np.arange(len(sample_sizes)), widths=0.5)
    ax.set_xticks(np.arange(len(sample_sizes)), [f"{n:,}" for n in sample_sizes])
    ax.axhline(threshold, color="black", ls="--", lw=1, label=f"threshold {threshold:g}")
    ax.set_xlabel("rows sampled in the window")
    ax.set_ylabel("JS divergence, 20 bins")
    ax.set_title(title, fontsize=10)
    ax.legend()
    fig.tight_layout()
    return fig
