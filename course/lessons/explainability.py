"""Module 05 helpers: data, small models and figures for explainability (SHAP and IG).

Everything is offline (scikit-learn's bundled data sets) and seeded. Every figure function
titles and labels its axes and returns the figure.
"""

from __future__ import annotations

import numpy as np


def _plt():
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------- Shapley toys
def toy_model(z):
    """f(z) = 3 z0 + 2 z1 z2 + z1 + z2, and z3 is never used (a dummy feature).

    z1 and z2 enter symmetrically, so with x1 = x2 and baseline1 = baseline2 they must get the
    same Shapley value; z3 must get 0.
    """
    z = np.asarray(z, dtype=float)
    return float(3.0 * z[0] + 2.0 * z[1] * z[2] + z[1] + z[2])


def batch(f):
    """Turn a one-row function f(z) -> float into f(Z) -> array, as shap's explainers expect."""

    def f_batch(Z):
        return np.array([f(z) for z in np.atleast_2d(np.asarray(Z, dtype=float))])

    return f_batch


def kernel_shap_exact(f, x, baseline):
    """shap's Kernel SHAP with EVERY coalition enumerated (nsamples = 2**n): the exact Shapley
    values for the baseline (same numbers as ``shap.explainers.Exact``, without its numba
    compilation on first use)."""
    import shap

    x = np.asarray(x, dtype=float).ravel()
    baseline = np.asarray(baseline, dtype=float).ravel()
    explainer = shap.KernelExplainer(batch(f), baseline[None, :])
    values = explainer.shap_values(x, nsamples=2 ** len(x), silent=True, l1_reg=False)
    return np.asarray(values, dtype=float).ravel()


# --------------------------------------------------------------------------- tabular data
def diabetes_frame():
    """scikit-learn's diabetes data in original units (age in years, bmi, bp, s1..s6), ``(X, y)``."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    return X, y


def fit_diabetes_trees(X, y, seed: int = 0):
    """A gradient-boosted tree ensemble (100 trees of depth 3) for disease progression."""
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(n_estimators=100, max_depth=3, learning_rate=0.05, random_state=seed).fit(X, y)


def duplicate_feature_credit(X, y, feature: str = "bmi", seed: int = 0):
    """Mean |SHAP| per feature before and after adding an exact copy of ``feature``."""
    import shap

    base = fit_diabetes_trees(X, y, seed)
    imp_base = np.abs(shap.TreeExplainer(base).shap_values(X)).mean(axis=0)
    X2 = X.copy()
    X2.insert(list(X.columns).index(feature) + 1, f"{feature}_copy", X[feature])
    dup = fit_diabetes_trees(X2, y, seed)
    imp_dup = np.abs(shap.TreeExplainer(dup).shap_values(X2)).mean(axis=0)
    return dict(zip(X.columns, imp_base)), dict(zip(X2.columns, imp_dup))


def plot_duplicate_credit(imp_base: dict, imp_dup: dict, feature: str = "bmi"):
    """Bars: mean |SHAP| per feature for the original model and the model with a copied feature."""
    plt = _plt()
    names = list(imp_dup)
    pos = np.arange(len(names))
    base_vals = [imp_base.get(n, 0.0) for n in names]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    ax.bar(pos - 0.2, base_vals, width=0.4, label="original features")
    ax.bar(pos + 0.2, [imp_dup[n] for n in names], width=0.4, label=f"with an exact copy of {feature}")
    ax.set_xticks(pos)
    ax.set_xticklabels(names, rotation=45)
    ax.set_xlabel("feature")
    ax.set_ylabel("mean |SHAP value| (disease progression units)")
    ax.set_title(f"Correlated features share credit: {feature} and {feature}_copy split it")
    ax.legend()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- digits + Keras
def digits_images(seed: int = 0):
    """load_digits as float32 images in [0, 1], shape (n, 8, 8); ``(x_train, x_test, y_train, y_test)``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = (d.images / 16.0).astype("float32")
    return train_test_split(x, d.target, test_size=0.25, random_state=seed, stratify=d.target)


def train_digits_model(x_train, y_train, epochs: int = 5, seed: int = 0):
    """A small MLP (8x8 -> 64 ReLU -> 10 logits) trained with Adam; about a second on a CPU."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((8, 8)),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(5e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
    return model


def class_logit(model, c: int):
    """F(X) = the logit of class ``c``: maps a batch (n, 8, 8) to (n,), differentiable in TensorFlow."""
    import tensorflow as tf

    def F(X):
        X = tf.convert_to_tensor(X, dtype=tf.float32)
        return model(tf.reshape(X, (-1, 8, 8)))[:, c]

    return F


def blurred(image, sigma: float = 1.0):
    """A Gaussian-blurred copy of an image: a baseline that keeps coarse shape, removes detail."""
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(np.asarray(image, dtype="float32"), sigma=sigma, mode="constant").astype("float32")


def plot_ig_maps(images, labels, preds, maps_black, maps_blur, baselines_blur):
    """One row per digit: the image, IG from a black baseline, the blurred baseline, IG from it."""
    plt = _plt()
    n = len(images)
    fig, axes = plt.subplots(n, 4, figsize=(8.4, 2.1 * n), squeeze=False)
    titles = ["digit (input x)", "IG, black baseline", "blurred baseline", "IG, blurred baseline"]
    for r in range(n):
        lim = max(np.abs(maps_black[r]).max(), np.abs(maps_blur[r]).max(), 1e-9)
        panels = [(images[r], "gray", 0, 1), (maps_black[r], "RdBu_r", -lim, lim),
                  (baselines_blur[r], "gray", 0, 1), (maps_blur[r], "RdBu_r", -lim, lim)]
        for c, (img, cmap, lo, hi) in enumerate(panels):
            ax = axes[r][c]
            im = ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if r == 0:
                ax.set_title(titles[c], fontsize=9)
            if c == 0:
                ax.set_ylabel(f"label {labels[r]}\npredicted {preds[r]}", fontsize=9)
            if c == 3:
                fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04).ax.tick_params(labelsize=7)
    fig.suptitle("Integrated Gradients for the predicted class (red: pushes the logit up, blue: down)", fontsize=10)
    fig.tight_layout()
    return fig


def plot_completeness_vs_steps(steps, gaps: dict):
    """Completeness gap |sum(IG) - (F(x) - F(baseline))| against the number of steps (log-log)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for label, g in gaps.items():
        ax.loglog(steps, np.maximum(np.asarray(g, dtype=float), 1e-9), marker="o", label=label)
    ax.set_xlabel("number of steps")
    ax.set_ylabel("completeness gap (logit units)")
    ax.set_title("More steps, smaller completeness gap")
    ax.legend()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- sampled Shapley
def diabetes_score_function(X, y, width: int = 24, seed: int = 0):
    """A cheap nonlinear model of the diabetes data: ``width`` random tanh features of the
    standardized inputs, combined by least squares. Returns ``f(z) -> float`` for one row (in the
    original units), so sampled and exact Shapley values can be computed quickly."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    mean, std = X.mean(axis=0), X.std(axis=0)
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(X.shape[1], width)) / np.sqrt(X.shape[1]) * 1.5
    c = rng.normal(size=width) * 0.5
    H = np.column_stack([np.tanh(((X - mean) / std) @ W + c), np.ones(len(X))])
    coef = np.linalg.lstsq(H, y, rcond=None)[0]

    def f(z):
        h = np.tanh(((np.asarray(z, dtype=float) - mean) / std) @ W + c)
        return float(h @ coef[:-1] + coef[-1])

    return f


def plot_sampled_shapley_error(path_counts, rmse, reference=None):
    """Root-mean-square error of sampled Shapley against exact Shapley, against path_count (log-log)."""
    plt = _plt()
    path_counts = np.asarray(path_counts, dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.loglog(path_counts, np.asarray(rmse, dtype=float), marker="o", label="your sampled_shapley (RMSE over seeds)")
    if reference is not None:
        ax.loglog(path_counts, reference / np.sqrt(path_counts), "k--", label=r"$\sigma / \sqrt{\mathrm{path\_count}}$")
    ax.axvline(50, color="grey", lw=0.8, ls=":")
    ax.text(50, ax.get_ylim()[1], " Vertex's maximum path_count (50)", va="top", fontsize=8, color="grey")
    ax.set_xlabel("path_count (random feature orders)")
    ax.set_ylabel("RMSE against exact Shapley (target units)")
    ax.set_title("Sampled Shapley: the error shrinks like 1 / sqrt(path_count)")
    ax.legend()
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- XRAI, simplified
def image_segments(image, ink_threshold: float = 0.3) -> list:
    """Candidate regions of an 8x8 digit at three scales (boolean masks): the 4 quadrants, the
    16 2x2 blocks, and the connected pieces of ink and of background. XRAI over-segments with
    Felzenszwalb's graph method at several scales; on 8x8 images fixed blocks and the ink's
    connected components play that role."""
    from scipy import ndimage

    img = np.asarray(image, dtype=float)
    h, w = img.shape
    masks = []
    for size in (h // 2, 2):
        for r in range(0, h, size):
            for c in range(0, w, size):
                m = np.zeros((h, w), dtype=bool)
                m[r:r + size, c:c + size] = True
                masks.append(m)
    for part in (img > ink_threshold, img <= ink_threshold):
        labels, n = ndimage.label(part)
        masks += [labels == k for k in range(1, n + 1)]
    return masks


def xrai_ranking(attributions, segments) -> np.ndarray:
    """XRAI's greedy step: repeatedly add the segment with the highest attribution per NEW pixel,
    until every pixel is covered. Returns a map giving each pixel the rank (0 = first) of the
    step that added it, so thresholding the map keeps the most important regions."""
    a = np.asarray(attributions, dtype=float)
    covered = np.zeros(a.shape, dtype=bool)
    rank = np.full(a.shape, np.inf)
    remaining = list(segments)
    step = 0
    while not covered.all() and remaining:
        gains = [(a[m & ~covered].sum() / max((m & ~covered).sum(), 1), i) for i, m in enumerate(remaining) if (m & ~covered).any()]
        if not gains:
            break
        _, best = max(gains)
        new = remaining.pop(best) & ~covered
        rank[new] = step
        covered |= new
        step += 1
    return rank


def plot_xrai(images, ig_maps, rankings, top_fraction: float = 0.3):
    """Per digit: the image, its IG map (black + white baselines), and the top XRAI regions."""
    plt = _plt()
    n = len(images)
    fig, axes = plt.subplots(n, 3, figsize=(6.6, 2.1 * n), squeeze=False)
    for r in range(n):
        ig = np.asarray(ig_maps[r])
        lim = max(np.abs(ig).max(), 1e-9)
        order = np.sort(rankings[r].ravel())
        cut = order[max(int(np.ceil(top_fraction * order.size)) - 1, 0)]
        keep = rankings[r] <= cut
        panels = [(images[r], "gray", 0, 1, "digit"), (ig, "RdBu_r", -lim, lim, "IG (black + white baselines)"),
                  (images[r], "gray", 0, 1, f"top XRAI regions (~{top_fraction:.0%} of pixels)")]
        for c, (img, cmap, lo, hi, title) in enumerate(panels):
            ax = axes[r][c]
            ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi)
            if c == 2:  # the kept regions in translucent yellow, outlined in red
                overlay = np.zeros(keep.shape + (4,))
                overlay[keep] = (1.0, 0.85, 0.0, 0.55)
                ax.imshow(overlay)
                ax.contour(keep.astype(float), levels=[0.5], colors="red", linewidths=1.5)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(title, fontsize=9)
    fig.suptitle("XRAI: Integrated Gradients summed over regions, regions ranked by attribution density", fontsize=10)
    fig.tight_layout()
    return fig
