"""Seeded data sets for the notebooks: generated, or shipped inside scikit-learn (offline)."""

from __future__ import annotations


def overfitting_classification(n_samples: int = 300, n_features: int = 40, seed: int = 0):
    """Few noisy examples, many features: a wide network memorizes them and overfits.

    Returns standardized float32 ``x_train, x_val, y_train, y_val`` (half of the rows each).
    """
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    x, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=6, n_redundant=4,
        flip_y=0.1, class_sep=1.0, random_state=seed,
    )
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=0.5, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(x_tr)
    return (scaler.transform(x_tr).astype("float32"), scaler.transform(x_va).astype("float32"),
            y_tr.astype("float32"), y_va.astype("float32"))


def diabetes_standardized():
    """scikit-learn's diabetes data (442 patients, 10 features), standardized; ``(X, y, names)``."""
    from sklearn.datasets import load_diabetes

    d = load_diabetes()
    x = (d.data - d.data.mean(0)) / d.data.std(0)
    y = (d.target - d.target.mean()) / d.target.std()
    return x, y, list(d.feature_names)
