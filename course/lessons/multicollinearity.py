"""Module 04 (multicollinearity, PCA, PCR and PLS): seeded data generators and figures.

Every generator is seeded and offline; every figure has a title and labelled axes and is
returned so a notebook cell shows it and a test can inspect it.
"""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------- data
def correlated_features(n: int = 60, rho: float = 0.0, n_features: int = 2, seed: int = 0):
    """``n`` rows of ``n_features`` standard normal features whose pairwise correlation is ``rho``.

    Built from a shared factor: ``x_j = sqrt(rho) * f + sqrt(1 - rho) * e_j``.
    """
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 1))
    e = rng.normal(size=(n, n_features))
    return np.sqrt(rho) * f + np.sqrt(1.0 - rho) * e


def collinear_regression(n: int = 60, rho: float = 0.98, noise: float = 1.0, seed: int = 0):
    """Two features with correlation ``rho`` and ``y = x1 + x2 + noise``; returns ``(X, y)``."""
    X = correlated_features(n, rho, 2, seed)
    rng = np.random.default_rng(seed + 1000)
    y = X @ np.array([1.0, 1.0]) + noise * rng.normal(size=n)
    return X, y


def bootstrap_coefficients(X, y, n_boot: int = 200, seed: int = 0, make_model=None):
    """Refit a linear model on ``n_boot`` bootstrap resamples of ``(X, y)``.

    Returns ``(coefs, r2)``: the coefficients of every refit (``n_boot x p``) and each refit's
    R^2 on the rows its resample left out (out-of-bag), i.e. how well it *predicts*.
    """
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score

    make_model = make_model or LinearRegression
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    rng = np.random.default_rng(seed)
    n = len(y)
    coefs, r2 = [], []
    for _ in range(n_boot):
        idx = rng.integers(0, n, size=n)
        oob = np.setdiff1d(np.arange(n), idx)
        # fancy indexing makes private copies: a copy=False estimator cannot touch X or y
        model = make_model().fit(np.array(X[idx], copy=True), np.array(y[idx], copy=True))
        coefs.append(np.ravel(model.coef_))
        r2.append(r2_score(y[oob], model.predict(np.array(X[oob], copy=True))) if len(oob) > 1 else np.nan)
    return np.array(coefs), np.array(r2)


def low_variance_target(n: int = 100, n_features: int = 36, n_latent: int = 12, target_component: int = 11,
                        noise: float = 0.3, feature_noise: float = 0.25, seed: int = 0, scales=None):
    """Correlated features driven by a few hidden directions; the target follows a LOW-variance one.

    ``n_latent`` hidden directions with standard deviations falling geometrically from 2 to 0.6
    are spread over ``n_features`` features by a random orthonormal mixing (so the features are
    strongly correlated), plus independent feature noise of standard deviation
    ``feature_noise``. ``y = 2 * z_k / sd_k + noise`` follows hidden direction
    ``target_component`` (0-based, ranked by variance; by default the weakest one), which PCA
    ranks at the bottom of the structured part. ``scales`` optionally multiplies the columns (different units).
    Returns ``(X, y)``.
    """
    rng = np.random.default_rng(seed)
    sd = np.geomspace(2.0, 0.6, n_latent)
    Z = rng.normal(size=(n, n_latent)) * sd
    A, _ = np.linalg.qr(rng.normal(size=(n_features, n_latent)))
    X = Z @ A.T + feature_noise * rng.normal(size=(n, n_features))
    y = 2.0 * Z[:, target_component] / sd[target_component] + noise * rng.normal(size=n)
    if scales is not None:
        X = X * np.asarray(scales, dtype=float)
    return X, y


# --------------------------------------------------------------------------- figures
def plot_bootstrap_coefficients(results: dict, true_coef=(1.0, 1.0),
                                title: str = "OLS coefficients across 200 bootstrap resamples"):
    """``results`` maps a label to ``(coefs, r2)`` from :func:`bootstrap_coefficients`.

    One scatter of (coefficient 1, coefficient 2) per data set, on shared axes, and a last panel
    with each data set's out-of-bag R^2.
    """
    plt = _plt()
    k = len(results)
    fig, axes = plt.subplots(1, k + 1, figsize=(4.3 * (k + 1), 4.2))
    allc = np.vstack([c for c, _ in results.values()])
    lo, hi = allc.min() - 0.3, allc.max() + 0.3
    for ax, (label, (coefs, _)) in zip(axes, results.items()):
        flips = np.mean((coefs < 0).any(axis=1))
        ax.scatter(coefs[:, 0], coefs[:, 1], s=10, alpha=0.5)
        ax.plot(*true_coef, "k*", ms=14, label="true coefficients")
        ax.axhline(0, color="grey", lw=0.8)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlim(lo, hi)
        ax.set_ylim(lo, hi)
        ax.set_aspect("equal")
        ax.set_xlabel("coefficient of x1")
        ax.set_ylabel("coefficient of x2")
        ax.set_title(f"{label}\n{flips:.0%} of resamples have a negative coefficient", fontsize=10)
        ax.legend(loc="upper right", fontsize=8)
    ax = axes[-1]
    ax.boxplot([r for _, r in results.values()], tick_labels=[lab.split(":")[0] for lab in results])
    ax.set_ylabel("out-of-bag R²")
    ax.set_xlabel("data set")
    ax.set_title("...while predictions stay about as good", fontsize=10)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _plain_log_ticks(ax, top: float) -> None:
    """Readable ticks (1, 2, 5, 10, 20, ...) on a log axis instead of powers of ten."""
    from matplotlib.ticker import FixedLocator, NullFormatter, ScalarFormatter

    ticks = [m * 10**e for e in range(0, 6) for m in (1, 2, 5) if m * 10**e <= max(top * 1.5, 10)]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())


def plot_vif_bars(vifs, names, title: str = "Variance inflation factor per feature"):
    """A bar per feature, coloured by the usual rules of thumb, with lines at VIF 5 and 10."""
    plt = _plt()
    vifs = np.asarray(vifs, dtype=float)
    colors = ["tab:red" if v > 10 else "tab:orange" if v > 5 else "tab:blue" for v in vifs]
    fig, ax = plt.subplots(figsize=(7.5, 4))
    ax.bar(list(names), vifs, color=colors)
    ax.axhline(5, color="tab:orange", ls="--", lw=1.2, label="VIF = 5 (worth a look)")
    ax.axhline(10, color="tab:red", ls="--", lw=1.2, label="VIF = 10 (serious)")
    for i, v in enumerate(vifs):
        ax.annotate(f"{v:.1f}", (i, v), ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    _plain_log_ticks(ax, vifs.max())
    ax.set_xlabel("feature")
    ax.set_ylabel("VIF = 1 / (1 − R²ⱼ)  (log scale)")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_vif_condition_vs_rho(rhos, max_vifs, conds, n_features: int = 2,
                              title: str = "Collinearity diagnostics grow as the correlation grows"):
    """VIF (left) and condition number (right) against the correlation between the features."""
    plt = _plt()
    rhos = np.asarray(rhos, dtype=float)
    grid = np.linspace(0, rhos.max(), 200)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    a1.plot(rhos, max_vifs, "o", label="measured on a sample")
    if n_features == 2:
        a1.plot(grid, 1 / (1 - grid**2), color="grey", lw=1, label="theory 1 / (1 − ρ²)")
        a2.plot(grid, np.sqrt((1 + grid) / (1 - grid)), color="grey", lw=1, label="theory √((1 + ρ) / (1 − ρ))")
    a1.axhline(5, color="tab:orange", ls="--", lw=1, label="VIF = 5")
    a1.axhline(10, color="tab:red", ls="--", lw=1, label="VIF = 10")
    a1.set_yscale("log")
    _plain_log_ticks(a1, float(np.max(max_vifs)))
    a1.set_xlabel("correlation ρ between the features")
    a1.set_ylabel("largest VIF (log scale)")
    a1.set_title("VIF")
    a1.legend(fontsize=8)
    a2.plot(rhos, conds, "o", color="tab:green", label="measured on a sample")
    a2.axhline(10, color="tab:orange", ls="--", lw=1, label="κ = 10")
    a2.axhline(30, color="tab:red", ls="--", lw=1, label="κ = 30")
    a2.set_yscale("log")
    _plain_log_ticks(a2, 30.0)
    a2.set_xlabel("correlation ρ between the features")
    a2.set_ylabel("condition number κ of standardized X (log)")
    a2.set_title("Condition number")
    a2.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_explained_variance(ratios: dict, marks: dict | None = None,
                            title: str = "PCA: share of the variance each component keeps"):
    """One panel per data set: bars per component and the cumulative share, lines at 90% / 95%.

    ``marks`` optionally maps a data set's label to ``(component_index_0_based, text)``.
    """
    plt = _plt()
    k = len(ratios)
    fig, axes = plt.subplots(1, k, figsize=(5.6 * k, 4), squeeze=False)
    for ax, (label, r) in zip(axes[0], ratios.items()):
        r = np.asarray(r, dtype=float)
        comps = np.arange(1, len(r) + 1)
        ax.bar(comps, r, color="tab:blue", alpha=0.7, label="this component")
        ax.step(comps, np.cumsum(r), where="mid", color="tab:red", label="cumulative")
        ax.plot(comps, np.cumsum(r), ".", color="tab:red")
        lines = []
        for level, ls in ((0.9, ":"), (0.95, "--")):
            ax.axhline(level, color="grey", ls=ls, lw=1)
            need = int(np.searchsorted(np.cumsum(r), level - 1e-12) + 1)
            lines.append(f"{level:.0%} of the variance: {need} components")
        ax.text(0.97, 0.22, "\n".join(lines), transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
                bbox=dict(boxstyle="round", facecolor="white", alpha=0.9, edgecolor="lightgrey"))
        if marks and label in marks:
            idx, text = marks[label]
            ax.annotate(text, (idx + 1, r[idx]), xytext=(idx + 1 - 4, 0.45), fontsize=8,
                        arrowprops=dict(arrowstyle="->", color="black"))
        ax.set_ylim(0, 1.05)
        ax.set_xticks(comps if len(r) <= 12 else np.r_[1, np.arange(5, len(r) + 1, 5)])
        ax.set_xlabel("principal component")
        ax.set_ylabel("explained variance ratio")
        ax.set_title(label, fontsize=10)
        ax.legend(loc="center right", fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_cv_components(ks, curves: dict, best: dict | None = None,
                       title: str = "Choosing the number of components: cross-validated R²"):
    """``curves`` maps a model name to ``(cv_r2, train_r2)`` lists over ``ks``; ``best`` marks a k."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9.5, 4.3))
    colors = ["tab:blue", "tab:red", "tab:green", "tab:purple"]
    for (name, (cv_r2, train_r2)), color in zip(curves.items(), colors):
        ax.plot(ks, cv_r2, "o-", color=color, label=f"{name}: cross-validated R²")
        if train_r2 is not None:
            ax.plot(ks, train_r2, ":", color=color, label=f"{name}: training R²")
        if best and name in best:
            k = best[name]
            ax.plot([k], [cv_r2[list(ks).index(k)]], "*", ms=16, color=color, markeredgecolor="black")
            ax.annotate(f"{name}: k = {k}", (k, cv_r2[list(ks).index(k)]), textcoords="offset points",
                        xytext=(-10, -22), fontsize=9, color=color)
    ax.set_xticks(list(ks) if len(ks) <= 20 else list(ks)[::2])
    ax.set_xlabel("number of components k")
    ax.set_ylabel("R²")
    lowest = min(float(np.min(cv_r2)) for cv_r2, _ in curves.values())
    ax.set_ylim(max(-0.5, min(-0.1, lowest - 0.05)), 1.0)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- test-case data (test cells call it as checks.<name>)
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
    # means several standard deviations from zero, in each column's own units (so float32 keeps
    # about 7 significant digits of every column's spread)
    return (X + np.linspace(-5.0, 8.0, p)) * np.geomspace(0.01, 100, p)


REG_FEATURES = 16


def first_component_case():
    """Noisy target on the highest-variance direction, few rows: ONE PLS component is best."""
    from course.lessons.multicollinearity import low_variance_target

    return low_variance_target(n=60, n_features=16, n_latent=8, target_component=0, noise=1.0, seed=0)


def regression_case(n: int = 150, seed: int = 0, scaled: bool = True):
    """Low-variance-target data (16 correlated features, not centered); with ``scaled`` the
    columns also get very different units."""
    from course.lessons.multicollinearity import low_variance_target

    scales = np.geomspace(0.01, 100, REG_FEATURES) if scaled else None
    X, y = low_variance_target(n=n, n_features=REG_FEATURES, n_latent=8, target_component=6, seed=seed, scales=scales)
    return X + 7.0 * (np.arange(REG_FEATURES) - 5), y


def n_components_factory(*steps):
    """``make_model`` for ``best_n_components``: ``k -> a new unfitted estimator`` chaining the
    scikit-learn classes ``steps`` (in a pipeline when there are several), giving
    ``n_components=k`` to each one that takes it. E.g. ``n_components_factory(PLSRegression)``."""
    from functools import partial

    return partial(_with_components, tuple(steps))


def _with_components(steps: tuple, n_components: int):
    import inspect

    from sklearn.pipeline import make_pipeline

    made = [s(n_components=n_components) if "n_components" in inspect.signature(s).parameters else s() for s in steps]
    return made[0] if len(made) == 1 else make_pipeline(*made)
