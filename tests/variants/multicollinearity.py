"""Module 04 variants: common mistakes (must lose points) and alternative correct answers."""

from tests.variants import correct, wrong

MODULE = "04_multicollinearity_pls_pca"


# ------------------------------------------------------------------ vif
@wrong("WITHOUT an intercept")
def vif__no_intercept(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        coef, *_ = np.linalg.lstsq(others, X[:, j], rcond=None)
        resid = X[:, j] - others @ coef
        r2 = 1 - resid @ resid / np.sum((X[:, j] - X[:, j].mean()) ** 2)
        out.append(1 / (1 - r2))
    return np.array(out)


@wrong("WITHOUT an intercept")
def vif__sklearn_fit_intercept_false(X):
    import numpy as np
    from sklearn.linear_model import LinearRegression
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        r2 = LinearRegression(fit_intercept=False).fit(others, X[:, j]).score(others, X[:, j])
        out.append(1 / (1 - r2))
    return np.array(out)


@wrong("That is R²ⱼ itself")
def vif__returns_r2(X):
    import numpy as np
    from sklearn.linear_model import LinearRegression
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        out.append(LinearRegression().fit(others, X[:, j]).score(others, X[:, j]))
    return np.array(out)


@wrong("That is 1 / R²ⱼ")
def vif__inverse_r2(X):
    import numpy as np
    from sklearn.linear_model import LinearRegression
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        out.append(1 / LinearRegression().fit(others, X[:, j]).score(others, X[:, j]))
    return np.array(out)


@wrong("PAIRWISE")
def vif__largest_pairwise_correlation(X):
    import numpy as np
    C = np.corrcoef(np.asarray(X, dtype=float), rowvar=False)
    np.fill_diagonal(C, 0.0)
    return 1 / (1 - np.max(C**2, axis=1))


@wrong("leave column j OUT")
def vif__keeps_column_j(X):
    import numpy as np
    from sklearn.linear_model import LinearRegression
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        r2 = LinearRegression().fit(X, X[:, j]).score(X, X[:, j])
        out.append(1 / (1 - r2) if r2 < 1 else np.inf)
    return np.array(out)


@wrong("WITHOUT an intercept")
def vif__no_intercept_variance_ratio(X):
    """No intercept, and R² computed as 1 - var(residual) / var(column)."""
    import numpy as np
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        coef, *_ = np.linalg.lstsq(others, X[:, j], rcond=None)
        resid = X[:, j] - others @ coef
        out.append(1 / (resid.var() / X[:, j].var()))
    return np.array(out)


@wrong("ADJUSTED R²")
def vif__adjusted_r2(X):
    import numpy as np
    from sklearn.linear_model import LinearRegression
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    out = []
    for j in range(p):
        others = np.delete(X, j, axis=1)
        r2 = LinearRegression().fit(others, X[:, j]).score(others, X[:, j])
        r2_adj = 1 - (1 - r2) * (n - 1) / (n - others.shape[1] - 1)
        out.append(1 / (1 - r2_adj))
    return np.array(out)


@wrong("always >= 1")
def vif__r2_score_arguments_swapped(X):
    """r2_score(prediction, truth) instead of r2_score(truth, prediction): R² can go negative."""
    import numpy as np
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import r2_score
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        pred = LinearRegression().fit(others, X[:, j]).predict(others)
        out.append(1 / (1 - r2_score(pred, X[:, j])))
    return np.array(out)


@wrong("don't round")
def vif__rounded(X):
    import numpy as np
    return np.round(np.diag(np.linalg.inv(np.corrcoef(np.asarray(X, dtype=float), rowvar=False))), 2)


@correct
def vif__sklearn_linear_regression(X):
    import numpy as np
    from sklearn.linear_model import LinearRegression
    X = np.asarray(X, dtype=float)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        r2 = LinearRegression().fit(others, X[:, j]).score(others, X[:, j])
        out.append(1 / (1 - r2))
    return np.array(out)


@correct
def vif__inverse_correlation_diagonal(X):
    import numpy as np
    return np.diag(np.linalg.inv(np.corrcoef(np.asarray(X, dtype=float), rowvar=False)))


@correct
def vif__pandas_list(X):
    """Works on the DataFrame's columns by name and returns a plain list."""
    import numpy as np
    import pandas as pd
    df = pd.DataFrame(X)
    out = []
    for col in df.columns:
        target = df[col].to_numpy(dtype=float)
        design = np.column_stack([np.ones(len(df)), df.drop(columns=col).to_numpy(dtype=float)])
        fitted = design @ np.linalg.pinv(design) @ target
        r2 = 1 - np.sum((target - fitted) ** 2) / np.sum((target - target.mean()) ** 2)
        out.append(float(1 / (1 - r2)))
    return out


@correct
def vif__float32_inverse_correlation(X):
    import numpy as np
    X = np.asarray(X, dtype=np.float32)
    return np.diag(np.linalg.inv(np.corrcoef(X, rowvar=False).astype(np.float32)))


@correct
def vif__float32_lstsq(X):
    import numpy as np
    X = np.asarray(X, dtype=np.float32)
    n, p = X.shape
    out = []
    for j in range(p):
        design = np.column_stack([np.ones(n, dtype=np.float32), np.delete(X, j, axis=1)])
        coef, *_ = np.linalg.lstsq(design, X[:, j], rcond=None)
        resid = X[:, j] - design @ coef
        out.append(1 / (resid @ resid / np.sum((X[:, j] - X[:, j].mean()) ** 2)))
    return np.array(out, dtype=np.float32)


@correct
def vif__float32_linear_regression(X):
    import numpy as np
    from sklearn.linear_model import LinearRegression
    X = np.asarray(X, dtype=np.float32)
    out = []
    for j in range(X.shape[1]):
        others = np.delete(X, j, axis=1)
        out.append(1 / (1 - LinearRegression().fit(others, X[:, j]).score(others, X[:, j])))
    return np.array(out, dtype=np.float32)


# ------------------------------------------------------------------ condition_number
@wrong("UNSTANDARDIZED")
def condition_number__raw(X):
    import numpy as np
    return float(np.linalg.cond(np.asarray(X, dtype=float)))


@wrong("square of the right value")
def condition_number__xtx(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    Z = (X - X.mean(0)) / X.std(0)
    return float(np.linalg.cond(Z.T @ Z))


@wrong("square of the right value")
def condition_number__correlation_eigenvalues(X):
    import numpy as np
    ev = np.linalg.eigvalsh(np.corrcoef(np.asarray(X, dtype=float), rowvar=False))
    return float(ev.max() / ev.min())


@wrong("not SCALED")
def condition_number__centered_only(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    return s[0] / s[-1]


@wrong("largest / smallest")
def condition_number__inverted(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    s = np.linalg.svd((X - X.mean(0)) / X.std(0), compute_uv=False)
    return s[-1] / s[0]


@correct
def condition_number__sqrt_correlation_eigenvalues(X):
    import numpy as np
    ev = np.linalg.eigvalsh(np.corrcoef(np.asarray(X, dtype=float), rowvar=False))
    return np.sqrt(ev[-1] / ev[0])  # a numpy scalar


@correct
def condition_number__standard_scaler_ddof1(X):
    import numpy as np
    from sklearn.preprocessing import StandardScaler
    Z = StandardScaler().fit_transform(np.asarray(X, dtype=float)) * 1.7  # any common scale factor
    return np.array([np.linalg.cond(Z)])  # a one-element array


@correct
def condition_number__float32_svd(X):
    import numpy as np
    X = np.asarray(X, dtype=np.float32)
    s = np.linalg.svd((X - X.mean(0)) / X.std(0), compute_uv=False)
    return s[0] / s[-1]  # a numpy float32


@correct
def condition_number__float32_eigenvalues(X):
    import numpy as np
    X = np.asarray(X, dtype=np.float32)
    ev = np.linalg.eigvalsh(np.corrcoef(X, rowvar=False).astype(np.float32))
    return np.sqrt(ev[-1] / ev[0])


# ------------------------------------------------------------------ pca_explained_variance_ratio
@wrong("UNCENTERED")
def pca_explained_variance_ratio__uncentered(X):
    import numpy as np
    s = np.linalg.svd(np.asarray(X, dtype=float), compute_uv=False)
    return s**2 / np.sum(s**2)


@wrong("Those are the singular values")
def pca_explained_variance_ratio__singular_values(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    return np.linalg.svd(X - X.mean(0), compute_uv=False)


@wrong("s / Σ s")
def pca_explained_variance_ratio__unsquared_ratio(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    return s / s.sum()


@wrong("CUMULATIVE")
def pca_explained_variance_ratio__cumulative(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    return np.cumsum(s**2) / np.sum(s**2)


@wrong("explained VARIANCE")
def pca_explained_variance_ratio__variance_not_ratio(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    return s**2 / (len(X) - 1)


@wrong("increasing order")
def pca_explained_variance_ratio__eigh_ascending(X):
    import numpy as np
    ev = np.linalg.eigvalsh(np.cov(np.asarray(X, dtype=float), rowvar=False))
    return ev / ev.sum()


@wrong("don't round")
def pca_explained_variance_ratio__rounded(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    s = np.linalg.svd(X - X.mean(0), compute_uv=False)
    return np.round(s**2 / np.sum(s**2), 4)


@correct
def pca_explained_variance_ratio__sklearn(X):
    from sklearn.decomposition import PCA
    return PCA().fit(X).explained_variance_ratio_


@correct
def pca_explained_variance_ratio__covariance_eigenvalues(X):
    import numpy as np
    X = np.asarray(X, dtype=float)
    ev = np.sort(np.atleast_1d(np.linalg.eigvalsh(np.atleast_2d(np.cov(X, rowvar=False)))))[::-1]
    return list(np.clip(ev, 0, None)[: min(X.shape)] / ev.sum())  # a p x p covariance has p eigenvalues: keep min(n, p)


@wrong("min(n_samples, n_features)")
def pca_explained_variance_ratio__one_per_feature(X):
    import numpy as np
    ev = np.sort(np.linalg.eigvalsh(np.cov(np.asarray(X, dtype=float), rowvar=False)))[::-1]
    return np.clip(ev, 0, None) / ev.sum()  # p ratios even when there are fewer rows than features


@correct
def pca_explained_variance_ratio__sklearn_float32(X):
    import numpy as np
    from sklearn.decomposition import PCA
    return PCA().fit(np.asarray(X, dtype=np.float32)).explained_variance_ratio_


# ------------------------------------------------------------------ make_pcr
@wrong("WITHOUT standardization")
def make_pcr__no_scaler(n_components):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    return make_pipeline(PCA(n_components=n_components), LinearRegression())


@wrong("already fitted")
def make_pcr__fitted(n_components):
    import numpy as np
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 16))
    return make_pipeline(StandardScaler(), PCA(n_components=n_components), LinearRegression()).fit(X, X[:, 0])


@wrong("use PCA(n_components=n_components)")
def make_pcr__fixed_two_components(n_components):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), PCA(n_components=2), LinearRegression())


@wrong("use PCA(n_components=n_components)")
def make_pcr__off_by_one(n_components):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), PCA(n_components=n_components + 1), LinearRegression())


@wrong("They match PLSRegression")
def make_pcr__pls(n_components):
    from sklearn.cross_decomposition import PLSRegression
    return PLSRegression(n_components=n_components)


@wrong("n_components is fixed at 3 whatever k you pass")
def make_pcr__fixed_three(n_components):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), PCA(n_components=3), LinearRegression())


@wrong("plain linear regression")
def make_pcr__linear_regression(n_components):
    from sklearn.linear_model import LinearRegression
    return LinearRegression()


@wrong("SAME object")
def make_pcr__same_object(n_components, _cache={}):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    if n_components not in _cache:
        _cache[n_components] = make_pipeline(StandardScaler(), PCA(n_components=n_components), LinearRegression())
    return _cache[n_components]


@correct
def make_pcr__named_pipeline(n_components):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    return Pipeline([("scale", StandardScaler()), ("pca", PCA(n_components=n_components, whiten=True, svd_solver="full")), ("ols", LinearRegression())])


# ------------------------------------------------------------------ make_pls
@wrong("scale=False")
def make_pls__no_scaling(n_components):
    from sklearn.cross_decomposition import PLSRegression
    return PLSRegression(n_components=n_components, scale=False)


@wrong("principal component regression")
def make_pls__pcr(n_components):
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), PCA(n_components=n_components), LinearRegression())


@wrong("already fitted")
def make_pls__fitted(n_components):
    import numpy as np
    from sklearn.cross_decomposition import PLSRegression
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 16))
    return PLSRegression(n_components=n_components).fit(X, X[:, 0])


@wrong("n_components is fixed at 2 whatever k you pass")
def make_pls__default_components(n_components):
    from sklearn.cross_decomposition import PLSRegression
    return PLSRegression()


@wrong("n_components is fixed at 3 whatever k you pass")
def make_pls__fixed_three(n_components):
    from sklearn.cross_decomposition import PLSRegression
    return PLSRegression(n_components=3)


@wrong("plain linear regression")
def make_pls__linear_regression(n_components):
    from sklearn.linear_model import LinearRegression
    return LinearRegression()


@correct
def make_pls__scaler_pipeline(n_components):
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), PLSRegression(n_components=n_components, scale=False))


@correct
def make_pls__explicit_arguments(n_components):
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    return Pipeline([("scale", StandardScaler()), ("pls", PLSRegression(n_components=n_components, scale=True, max_iter=1000, tol=1e-8))])


@correct
def make_pls__copy_false(n_components):
    """copy=False: PLS centers and scales the arrays it is given IN PLACE."""
    from sklearn.cross_decomposition import PLSRegression
    return PLSRegression(n_components=n_components, copy=False)


# ------------------------------------------------------------------ best_n_components
@wrong("TRAINING R²")
def best_n_components__training_r2(make_model, X, y, max_components, cv):
    import numpy as np
    scores = [make_model(k).fit(X, y).score(X, y) for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("FEWEST components")
def best_n_components__ties_to_most(make_model, X, y, max_components, cv):
    from sklearn.model_selection import cross_val_score
    best_k, best = None, -float("inf")
    for k in range(1, max_components + 1):
        s = cross_val_score(make_model(k), X, y, cv=cv).mean()
        if s >= best:  # >= lets a later tie replace the earlier one
            best_k, best = k, s
    return best_k


@wrong("0-based index")
def best_n_components__zero_based(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [cross_val_score(make_model(k), X, y, cv=cv).mean() for k in range(1, max_components + 1)]
    return int(np.argmax(scores))


@wrong("was never tried")
def best_n_components__range_excludes_max(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [cross_val_score(make_model(k), X, y, cv=cv).mean() for k in range(1, max_components)]
    return int(np.argmax(scores)) + 1


@wrong("MEDIAN")
def best_n_components__median(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [np.median(cross_val_score(make_model(k), X, y, cv=cv)) for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("did not use the cv argument")
def best_n_components__ignores_cv(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [cross_val_score(make_model(k), X, y, cv=5).mean() for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("did not use the cv argument")
def best_n_components__default_cv(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [cross_val_score(make_model(k), X, y).mean() for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("one-standard-error rule")
def best_n_components__one_standard_error_rule(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    folds = np.array([cross_val_score(make_model(k), X, y, cv=cv) for k in range(1, max_components + 1)])
    mean = folds.mean(1)
    best = int(np.argmax(mean))
    se = folds[best].std(ddof=1) / np.sqrt(folds.shape[1])
    return int(np.flatnonzero(mean >= mean[best] - se)[0]) + 1


@wrong("rounded")
def best_n_components__rounded_scores(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [round(cross_val_score(make_model(k), X, y, cv=cv).mean(), 2) for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("k starts at 1")
def best_n_components__starts_at_two(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    ks = list(range(2, max_components + 1))
    scores = [cross_val_score(make_model(k), X, y, cv=cv).mean() for k in ks]
    return ks[int(np.argmax(scores))]


@wrong("did not use the cv argument")
def best_n_components__own_shuffled_kfold(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import KFold, cross_val_score
    mine = KFold(5, shuffle=True, random_state=42)
    scores = [cross_val_score(make_model(k), X, y, cv=mine).mean() for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("top candidates by mean cross-validated R²")
def best_n_components__pooled_cross_val_predict(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.metrics import r2_score
    from sklearn.model_selection import cross_val_predict
    scores = [r2_score(y, np.ravel(cross_val_predict(make_model(k), X, y, cv=cv))) for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("top candidates by mean cross-validated R²")
def best_n_components__worst_fold(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [cross_val_score(make_model(k), X, y, cv=cv).min() for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@wrong("expected")
def best_n_components__neg_mse(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    scores = [cross_val_score(make_model(k), X, y, cv=cv, scoring="neg_mean_squared_error").mean() for k in range(1, max_components + 1)]
    return int(np.argmax(scores)) + 1


@correct
def best_n_components__cross_validate(make_model, X, y, max_components, cv):
    from sklearn.model_selection import cross_validate
    best_k, best = 1, None
    for k in range(1, max_components + 1):
        s = cross_validate(make_model(k), X, y, cv=cv, scoring="r2")["test_score"].mean()
        if best is None or s > best:
            best_k, best = k, s
    return best_k


@correct
def best_n_components__numpy_int(make_model, X, y, max_components, cv):
    import numpy as np
    from sklearn.model_selection import cross_val_score
    ks = np.arange(1, max_components + 1)
    scores = np.array([np.mean(cross_val_score(make_model(int(k)), X, y, cv=cv, scoring="r2")) for k in ks])
    return ks[np.flatnonzero(scores == scores.max())[0]]  # a numpy integer


# ------------------------------------------------------------------ exam_answers
@wrong("wrong (you answered")
def exam_answers__variance_means_relevance(*args):
    """Trusts variance-based rules: more PCA variance for Q1, the 95% rule for Q4, variance as truth for Q6-Q7."""
    return {"q1": "A", "q2": "B", "q3": "A", "q4": "C", "q5": "A", "q6": "A", "q7": "A"}


@wrong("wrong (you answered B)")
def exam_answers__previous_key(*args):
    """The answer key of the earlier version of these questions (B, A, C, B, B)."""
    return {"q1": "B", "q2": "A", "q3": "C", "q4": "B", "q5": "B", "q6": "B", "q7": "B"}


@correct
def exam_answers__lowercase(*args):
    return {"q1": "c", "Q2": " b", "q3": "d", "q4": "A", "q5": "b ", "q6": "d", "Q7": "c"}


#: proven through the real `nbgrader autograde` (tests/test_autograde.py); the rest in-process
END_TO_END_WRONG = vif__no_intercept
