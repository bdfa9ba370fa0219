"""Module 05 variants: common mistakes (must lose points) and alternative correct answers."""

from tests.variants import correct, wrong

MODULE = "05_explainability_shapley_ig"


# ------------------------------------------------------------------ exact_shapley
@wrong("combinatorial")
def exact_shapley__uniform_weights(f, x, baseline):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for i in range(n):
        for mask in range(2 ** n):
            if not (mask >> i) & 1:
                on = np.array([(mask >> j) & 1 for j in range(n)], dtype=bool)
                with_i = on.copy()
                with_i[i] = True
                phi[i] += (f(np.where(with_i, x, b)) - f(np.where(on, x, b))) / 2 ** (n - 1)
    return phi


@wrong("combinatorial")
def exact_shapley__uniform_over_all_subsets(f, x, baseline):
    import itertools
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for k in range(n):
            for S in itertools.combinations(others, k):
                z = b.copy()
                z[list(S)] = x[list(S)]
                before = f(z)
                z[i] = x[i]
                phi[i] += (f(z) - before) / 2 ** n
    return phi


@wrong("divided by n!")
def exact_shapley__no_n_factorial(f, x, baseline):
    import itertools
    import math
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for k in range(n):
            for S in itertools.combinations(others, k):
                z = b.copy()
                z[list(S)] = x[list(S)]
                before = f(z)
                z[i] = x[i]
                phi[i] += math.factorial(k) * math.factorial(n - k - 1) * (f(z) - before)
    return phi


@wrong("leave-one-out")
def exact_shapley__leave_one_out(f, x, baseline):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    out = []
    for i in range(len(x)):
        z = x.copy()
        z[i] = b[i]
        out.append(f(x) - f(z))
    return np.array(out)


@wrong("signs are flipped")
def exact_shapley__swapped_roles(f, x, baseline):
    import itertools
    import math
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for k in range(n):
            w = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for S in itertools.combinations(others, k):
                z = x.copy()                     # mistake: S takes the baseline, the rest x
                z[list(S)] = b[list(S)]
                before = f(z)
                z[i] = b[i]
                phi[i] += w * (f(z) - before)
    return phi


@wrong("OTHER n-1 features")
def exact_shapley__off_by_one_weights(f, x, baseline):
    import itertools
    import math
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for k in range(n):
            w = math.factorial(k) * math.factorial(n - k) / math.factorial(n)   # mistake: (n-k)! not (n-k-1)!
            for S in itertools.combinations(others, k):
                z = b.copy()
                z[list(S)] = x[list(S)]
                before = f(z)
                z[i] = x[i]
                phi[i] += w * (f(z) - before)
    return phi


@correct
def exact_shapley__combinations_math_comb(f, x, baseline):
    import itertools
    import math
    x = [float(v) for v in x]
    b = [float(v) for v in baseline]
    n = len(x)
    cache = {}

    def v(S):
        key = frozenset(S)
        if key not in cache:
            import numpy as np
            cache[key] = float(f(np.array([x[j] if j in key else b[j] for j in range(n)])))
        return cache[key]

    phi = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        total = 0.0
        for k in range(n):
            weight = 1.0 / (n * math.comb(n - 1, k))
            for S in itertools.combinations(others, k):
                total += weight * (v(S + (i,)) - v(S))
        phi.append(total)
    return phi                                   # a plain list


@correct
def exact_shapley__vectorized_tensor(f, x, baseline):
    import math
    import numpy as np
    import tensorflow as tf
    x = np.asarray(x, dtype=float).ravel()
    b = np.asarray(baseline, dtype=float).ravel()
    n = len(x)
    masks = ((np.arange(2 ** n)[:, None] >> np.arange(n)) & 1).astype(bool)   # (2^n, n)
    values = np.array([float(f(z)) for z in np.where(masks, x, b)])
    sizes = masks.sum(axis=1)
    weights = np.array([math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) for k in range(n)] + [0.0])
    phi = np.zeros(n)
    for i in range(n):
        without = ~masks[:, i]
        idx = np.nonzero(without)[0]
        phi[i] = np.sum(weights[sizes[idx]] * (values[idx | (1 << i)] - values[idx]))
    return tf.constant(phi)                       # a tensor


@wrong("divided by (n-1)! instead of n!")
def exact_shapley__divided_by_n_minus_1_factorial(f, x, baseline):
    import itertools
    import math
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        for k in range(n):
            w = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n - 1)   # mistake: (n-1)! not n!
            for S in itertools.combinations(others, k):
                z = b.copy()
                z[list(S)] = x[list(S)]
                before = f(z)
                z[i] = x[i]
                phi[i] += w * (f(z) - before)
    return phi


@correct
def exact_shapley__float32(f, x, baseline):
    """Everything in float32: inputs, coalition values, weights and sums."""
    import math
    import numpy as np
    x = np.asarray(x, dtype="float32").ravel()
    b = np.asarray(baseline, dtype="float32").ravel()
    n = len(x)
    v = np.empty(2 ** n, dtype="float32")
    for mask in range(2 ** n):
        on = np.array([(mask >> i) & 1 for i in range(n)], dtype=bool)
        v[mask] = np.float32(f(np.where(on, x, b)))
    weight = np.array([math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) for k in range(n)], dtype="float32")
    phi = np.zeros(n, dtype="float32")
    for i in range(n):
        for mask in range(2 ** n):
            if not (mask >> i) & 1:
                phi[i] += weight[bin(mask).count("1")] * (v[mask | (1 << i)] - v[mask])
    return phi


# ------------------------------------------------------------------ linear_shapley
@wrong("without centering")
def linear_shapley__no_centering(w, x, x_mean):
    import numpy as np
    return np.asarray(w, dtype=float) * np.asarray(x, dtype=float)


@wrong("sign is flipped")
def linear_shapley__flipped(w, x, x_mean):
    import numpy as np
    return np.asarray(w, dtype=float) * (np.asarray(x_mean, dtype=float) - np.asarray(x, dtype=float))


@wrong("without the weights")
def linear_shapley__no_weights(w, x, x_mean):
    import numpy as np
    return np.asarray(x, dtype=float) - np.asarray(x_mean, dtype=float)


@wrong("not their sum")
def linear_shapley__summed(w, x, x_mean):
    import numpy as np
    return float(np.sum(np.asarray(w, dtype=float) * (np.asarray(x, dtype=float) - np.asarray(x_mean, dtype=float))))


@correct
def linear_shapley__tensorflow(w, x, x_mean):
    import numpy as np
    import tensorflow as tf
    t = lambda v: tf.constant(np.asarray(v, dtype="float64"))  # noqa: E731
    return t(w) * (t(x) - t(x_mean))


@correct
def linear_shapley__pandas_friendly(w, x, x_mean):
    import numpy as np
    return np.multiply(w, np.subtract(x, x_mean))   # keeps a pandas Series a Series


@correct
def linear_shapley__float32(w, x, x_mean):
    import numpy as np
    f32 = lambda v: np.asarray(v, dtype="float32")  # noqa: E731
    return f32(w) * (f32(x) - f32(x_mean))


# ------------------------------------------------------------------ shap_feature_ranking
@wrong("ascending order")
def shap_feature_ranking__ascending(model, X, feature_names):
    import numpy as np
    import shap
    sv = np.asarray(shap.TreeExplainer(model).shap_values(X))
    if sv.ndim == 3:
        sv = sv[..., 1]
    imp = np.abs(sv).mean(axis=0)
    names = list(feature_names)
    return [names[i] for i in np.argsort(imp)]


@wrong("SIGNED")
def shap_feature_ranking__signed_mean(model, X, feature_names):
    import numpy as np
    import shap
    sv = np.asarray(shap.TreeExplainer(model).shap_values(X))
    if sv.ndim == 3:
        sv = sv[..., 1]
    imp = sv.mean(axis=0)
    names = list(feature_names)
    return [names[i] for i in np.argsort(-imp)]


@wrong("feature_importances_")
def shap_feature_ranking__impurity(model, X, feature_names):
    import numpy as np
    names = list(feature_names)
    return [names[i] for i in np.argsort(-model.feature_importances_)]


@wrong("n_classes")
def shap_feature_ranking__old_list_api(model, X, feature_names):
    import numpy as np
    import shap
    sv = shap.TreeExplainer(model).shap_values(X)
    if getattr(model, "n_classes_", None) is not None and not hasattr(model, "init_"):
        sv = sv[1]                      # written for old shap, which returned one array per class
    imp = np.abs(np.asarray(sv)).mean(axis=0)
    names = list(feature_names)
    return [names[i] for i in np.argsort(-imp)]


@wrong("interventional")
def shap_feature_ranking__explainer_with_background(model, X, feature_names):
    import numpy as np
    import shap
    values = np.asarray(shap.Explainer(model, X)(X).values)   # interventional TreeSHAP, not the default
    if values.ndim == 3:
        values = values[..., 1]
    imp = np.abs(values).mean(axis=0)
    names = list(feature_names)
    return [names[i] for i in np.argsort(-imp)]


@correct
def shap_feature_ranking__pandas_mean_over_classes(model, X, feature_names):
    import numpy as np
    import pandas as pd
    import shap
    sv = shap.TreeExplainer(model).shap_values(X)
    if isinstance(sv, list):
        sv = np.stack(sv, axis=-1)
    sv = np.abs(np.asarray(sv))
    imp = sv.mean(axis=(0, 2)) if sv.ndim == 3 else sv.mean(axis=0)
    return pd.Series(imp, index=list(feature_names)).sort_values(ascending=False).index.tolist()


@correct
def shap_feature_ranking__explanation_object(model, X, feature_names):
    import numpy as np
    import shap
    explanation = shap.TreeExplainer(model)(X)
    values = explanation.values
    if values.ndim == 3:
        values = values[:, :, 1]
    order = np.argsort(np.abs(values).mean(0))[::-1]
    return np.array(list(feature_names), dtype=object)[order]   # an array of names


@wrong("absolute value of the mean")
def shap_feature_ranking__abs_of_signed_mean(model, X, feature_names):
    import numpy as np
    import shap
    sv = np.asarray(shap.TreeExplainer(model).shap_values(X))
    if sv.ndim == 3:
        sv = sv[..., 1]
    imp = np.abs(sv.mean(0))                      # mistake: |mean| instead of mean |.|
    names = list(feature_names)
    return [names[i] for i in np.argsort(-imp)]


# ------------------------------------------------------------------ integrated_gradients
@wrong("multiply it elementwise by (x - baseline)")
def integrated_gradients__no_input_difference(model, x, baseline, steps):
    import tensorflow as tf
    x = tf.convert_to_tensor(x, tf.float32)
    b = tf.convert_to_tensor(baseline, tf.float32)
    alphas = tf.reshape((tf.range(steps, dtype=tf.float32) + 0.5) / steps, (-1,) + (1,) * len(x.shape))
    path = b[None] + alphas * (x - b)[None]
    with tf.GradientTape() as tape:
        tape.watch(path)
        out = model(path)
    return tf.reduce_mean(tape.gradient(out, path), axis=0).numpy()


@wrong("summed, not averaged")
def integrated_gradients__sum_not_mean(model, x, baseline, steps):
    import tensorflow as tf
    x = tf.convert_to_tensor(x, tf.float32)
    b = tf.convert_to_tensor(baseline, tf.float32)
    alphas = tf.reshape(tf.range(1, steps + 1, dtype=tf.float32) / steps, (-1,) + (1,) * len(x.shape))
    path = b[None] + alphas * (x - b)[None]
    with tf.GradientTape() as tape:
        tape.watch(path)
        out = model(path)
    return (tf.reduce_sum(tape.gradient(out, path), axis=0) * (x - b)).numpy()


@wrong("gradient at x")
def integrated_gradients__gradient_at_x(model, x, baseline, steps):
    import tensorflow as tf
    x = tf.convert_to_tensor(x, tf.float32)
    b = tf.convert_to_tensor(baseline, tf.float32)
    xs = x[None]
    with tf.GradientTape() as tape:
        tape.watch(xs)
        out = model(xs)
    return (tape.gradient(out, xs)[0] * (x - b)).numpy()


@wrong("path starts at zero")
def integrated_gradients__ignores_baseline(model, x, baseline, steps):
    import tensorflow as tf
    x = tf.convert_to_tensor(x, tf.float32)
    alphas = tf.reshape((tf.range(steps, dtype=tf.float32) + 0.5) / steps, (-1,) + (1,) * len(x.shape))
    path = alphas * x[None]
    with tf.GradientTape() as tape:
        tape.watch(path)
        out = model(path)
    return (tf.reduce_mean(tape.gradient(out, path), axis=0) * x).numpy()


@wrong("seems to be ignored")
def integrated_gradients__ignores_steps(model, x, baseline, steps):
    import tensorflow as tf
    x = tf.convert_to_tensor(x, tf.float32)
    b = tf.convert_to_tensor(baseline, tf.float32)
    m = 16                                            # mistake: a fixed number of points, `steps` unused
    alphas = tf.reshape((tf.range(m, dtype=tf.float32) + 0.5) / m, (-1,) + (1,) * len(x.shape))
    path = b[None] + alphas * (x - b)[None]
    with tf.GradientTape() as tape:
        tape.watch(path)
        out = model(path)
    return (tf.reduce_mean(tape.gradient(out, path), axis=0) * (x - b)).numpy()


@correct
def integrated_gradients__gauss_legendre(model, x, baseline, steps):
    """Gauss-Legendre quadrature with `steps` nodes (captum's default; what Vertex AI uses)."""
    import numpy as np
    import tensorflow as tf
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    alphas = ((nodes + 1) / 2).astype("float32")
    x = tf.convert_to_tensor(x, tf.float32)
    b = tf.convert_to_tensor(baseline, tf.float32)
    path = b[None] + tf.reshape(alphas, (-1,) + (1,) * len(x.shape)) * (x - b)[None]
    with tf.GradientTape() as tape:
        tape.watch(path)
        out = tf.reshape(model(path), (-1,))
    grads = tape.gradient(out, path)
    w = tf.reshape(tf.constant(weights / 2, tf.float32), (-1,) + (1,) * len(x.shape))
    return (tf.reduce_sum(w * grads, axis=0) * (x - b)).numpy()


@correct
def integrated_gradients__simpson_scipy(model, x, baseline, steps):
    """Simpson's rule over steps + 1 points (scipy), gradients from one tape."""
    import numpy as np
    import tensorflow as tf
    from scipy.integrate import simpson
    x = np.asarray(x, dtype="float32")
    b = np.asarray(baseline, dtype="float32")
    alphas = np.linspace(0.0, 1.0, steps + 1)
    path = tf.constant(b[None] + alphas.reshape((-1,) + (1,) * x.ndim).astype("float32") * (x - b)[None])
    with tf.GradientTape() as tape:
        tape.watch(path)
        total = tf.reduce_sum(model(path))
    g = tape.gradient(total, path).numpy().astype("float64")
    return simpson(g, x=alphas, axis=0) * (x - b)


@correct
def integrated_gradients__loop_trapezoid(model, x, baseline, steps):
    import numpy as np
    import tensorflow as tf
    x = tf.constant(np.asarray(x, dtype="float32"))
    b = tf.constant(np.asarray(baseline, dtype="float32"))
    grads = []
    for k in range(steps + 1):
        point = tf.Variable((b + (k / steps) * (x - b))[None])
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(model(point))
        grads.append(tape.gradient(y, point)[0].numpy())
    g = np.array(grads)
    avg = (g[0] / 2 + g[1:-1].sum(axis=0) + g[-1] / 2) / steps
    return avg * (np.asarray(x) - np.asarray(b))


@correct
def integrated_gradients__left_riemann_float64_out(model, x, baseline, steps):
    import numpy as np
    import tensorflow as tf
    x = np.asarray(x, dtype="float32")
    b = np.asarray(baseline, dtype="float32")
    alphas = np.arange(steps, dtype="float32") / steps
    path = tf.constant(b[None] + alphas.reshape((-1,) + (1,) * x.ndim) * (x - b)[None])
    with tf.GradientTape() as tape:
        tape.watch(path)
        total = tf.reduce_sum(model(path))
    g = tape.gradient(total, path).numpy().astype("float64")
    return g.mean(axis=0) * (x - b).astype("float64")


@correct
def integrated_gradients__numpy_finite_differences(model, x, baseline, steps):
    """No autodiff: central finite differences of the model's output, midpoint rule."""
    import numpy as np
    x = np.asarray(x, dtype="float64")
    b = np.asarray(baseline, dtype="float64")
    eps = 1e-2
    alphas = (np.arange(steps) + 0.5) / steps
    points = b[None] + alphas.reshape((-1,) + (1,) * x.ndim) * (x - b)[None]
    grads = np.zeros_like(points)
    for j in np.ndindex(x.shape):
        up, down = points.copy(), points.copy()
        up[(slice(None),) + j] += eps
        down[(slice(None),) + j] -= eps
        f_up = np.asarray(model(up.astype("float32")), dtype="float64").reshape(-1)
        f_down = np.asarray(model(down.astype("float32")), dtype="float64").reshape(-1)
        grads[(slice(None),) + j] = (f_up - f_down) / (2 * eps)
    return grads.mean(axis=0) * (x - b)


@wrong("rescaled to force completeness")
def integrated_gradients__rescaled_to_completeness(model, x, baseline, steps):
    import numpy as np
    import tensorflow as tf
    x = tf.convert_to_tensor(x, tf.float32)
    b = tf.convert_to_tensor(baseline, tf.float32)
    alphas = tf.reshape((tf.range(steps, dtype=tf.float32) + 0.5) / steps, (-1,) + (1,) * len(x.shape))
    path = b[None] + alphas * (x - b)[None]
    with tf.GradientTape() as tape:
        tape.watch(path)
        out = model(path)
    attr = (tf.reduce_mean(tape.gradient(out, path), axis=0) * (x - b)).numpy().astype("float64")
    ends = np.asarray(model(tf.stack([x, b])), dtype="float64").reshape(-1)
    return attr * (ends[0] - ends[1]) / attr.sum()   # mistake: forces sum(attr) == F(x) - F(b)


# ------------------------------------------------------------------ completeness_gap
@wrong("baseline's output was not subtracted")
def completeness_gap__no_baseline(model, x, baseline, attributions):
    import numpy as np
    fx = float(np.asarray(model(np.asarray(x, dtype="float32")[None])).reshape(-1)[0])
    return abs(float(np.sum(np.asarray(attributions))) - fx)


@wrong("absolute value")
def completeness_gap__signed(model, x, baseline, attributions):
    import numpy as np
    F = lambda z: float(np.asarray(model(np.asarray(z, dtype="float32")[None])).reshape(-1)[0])  # noqa: E731
    return float(np.sum(np.asarray(attributions))) - (F(x) - F(baseline))


@wrong("relative gap")
def completeness_gap__relative(model, x, baseline, attributions):
    import numpy as np
    F = lambda z: float(np.asarray(model(np.asarray(z, dtype="float32")[None])).reshape(-1)[0])  # noqa: E731
    diff = F(x) - F(baseline)
    return abs(float(np.sum(np.asarray(attributions))) - diff) / abs(diff)


@wrong("absolute values were taken separately")
def completeness_gap__abs_of_abs(model, x, baseline, attributions):
    import numpy as np
    F = lambda z: float(np.asarray(model(np.asarray(z, dtype="float32")[None])).reshape(-1)[0])  # noqa: E731
    fx, fb = F(x), F(baseline)
    return abs(abs(float(np.sum(attributions))) - abs(fx - fb))


@correct
def completeness_gap__tensorflow(model, x, baseline, attributions):
    import tensorflow as tf
    x = tf.convert_to_tensor(x, tf.float32)
    b = tf.convert_to_tensor(baseline, tf.float32)
    both = tf.reshape(model(tf.stack([x, b])), (-1,))
    total = tf.reduce_sum(tf.cast(tf.convert_to_tensor(attributions), tf.float32))
    return tf.abs(total - (both[0] - both[1]))      # a 0-d tensor


@correct
def completeness_gap__numpy_squeeze(model, x, baseline, attributions):
    import numpy as np
    fx = np.squeeze(np.asarray(model(np.expand_dims(np.asarray(x, dtype="float32"), 0))))
    fb = np.squeeze(np.asarray(model(np.expand_dims(np.asarray(baseline, dtype="float32"), 0))))
    return np.abs(np.sum(np.asarray(attributions, dtype="float64")) - (float(fx) - float(fb)))


# ------------------------------------------------------------------ sampled_shapley
@wrong("One order was drawn and reused for every path")
def sampled_shapley__one_order_for_all_paths(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    order = rng.permutation(n)  # drawn once, outside the loop
    phi = np.zeros(n)
    for _ in range(path_count):
        z = b.copy()
        prev = f(z)
        for i in order:
            z[i] = x[i]
            cur = f(z)
            phi[i] += cur - prev
            prev = cur
    return phi / path_count


@wrong("the same seed must give the same result")
def sampled_shapley__global_numpy_random(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for _ in range(path_count):
        z = b.copy()
        prev = f(z)
        for i in np.random.permutation(n):  # the global generator, not rng
            z[i] = x[i]
            cur = f(z)
            phi[i] += cur - prev
            prev = cur
    return phi / path_count


@wrong("ignores the `rng` argument")
def sampled_shapley__own_fixed_seed(f, x, baseline, path_count, rng):
    import numpy as np
    own = np.random.default_rng(42)
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for _ in range(path_count):
        z = b.copy()
        prev = f(z)
        for i in own.permutation(n):
            z[i] = x[i]
            cur = f(z)
            phi[i] += cur - prev
            prev = cur
    return phi / path_count


@wrong("instead of against the previous coalition")
def sampled_shapley__against_baseline(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    f_base = f(b)
    for _ in range(path_count):
        z = b.copy()
        for i in rng.permutation(n):
            z[i] = x[i]
            phi[i] += f(z) - f_base
    return phi / path_count


@wrong("divided by n =")
def sampled_shapley__divides_by_paths_and_features(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for _ in range(path_count):
        z = b.copy()
        prev = f(z)
        for i in rng.permutation(n):
            z[i] = x[i]
            cur = f(z)
            phi[i] += cur - prev
            prev = cur
    return phi / (path_count * n)


@wrong("not divided by path_count")
def sampled_shapley__sum_not_mean(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for _ in range(path_count):
        z = b.copy()
        prev = f(z)
        for i in rng.permutation(n):
            z[i] = x[i]
            cur = f(z)
            phi[i] += cur - prev
            prev = cur
    return phi


@wrong("by POSITION in the order")
def sampled_shapley__credited_by_position(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    phi = np.zeros(n)
    for _ in range(path_count):
        z = b.copy()
        prev = f(z)
        for k, i in enumerate(rng.permutation(n)):
            z[i] = x[i]
            cur = f(z)
            phi[k] += cur - prev
            prev = cur
    return phi / path_count


@wrong("over exactly path_count paths")
def sampled_shapley__fixed_number_of_paths(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    b = np.asarray(baseline, dtype=float)
    n = len(x)
    paths = min(path_count, 30)  # "30 paths are plenty"
    phi = np.zeros(n)
    for _ in range(paths):
        z = b.copy()
        prev = f(z)
        for i in rng.permutation(n):
            z[i] = x[i]
            cur = f(z)
            phi[i] += cur - prev
            prev = cur
    return phi / paths


@correct
def sampled_shapley__contribution_matrix(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=float).ravel()
    b = np.asarray(baseline, dtype=float).ravel()
    n = len(x)
    contributions = np.zeros((path_count, n))
    for p in range(path_count):
        order = np.argsort(rng.random(n))
        z = b.copy()
        values = [f(z)]
        for i in order:
            z[i] = x[i]
            values.append(f(z))
        contributions[p, order] = np.diff(values)
    return contributions.mean(axis=0)


@correct
def sampled_shapley__python_lists(f, x, baseline, path_count, rng):
    import numpy as np
    x = [float(v) for v in np.ravel(x)]
    b = [float(v) for v in np.ravel(baseline)]
    n = len(x)
    totals = [0.0] * n
    for _ in range(path_count):
        order = list(range(n))
        rng.shuffle(order)
        z = list(b)
        prev = float(f(np.array(z)))
        for i in order:
            z[i] = x[i]
            cur = float(f(np.array(z)))
            totals[i] += cur - prev
            prev = cur
    return [t / path_count for t in totals]


@correct
def sampled_shapley__choice_without_replacement(f, x, baseline, path_count, rng):
    import numpy as np
    x = np.asarray(x, dtype=np.float32).ravel()
    b = np.asarray(baseline, dtype=np.float32).ravel()
    n = len(x)
    phi = np.zeros(n)
    for _ in range(path_count):
        order = rng.choice(n, size=n, replace=False)
        mask = np.zeros(n, dtype=bool)
        prev = f(np.where(mask, x, b))
        for i in order:
            mask[i] = True
            cur = f(np.where(mask, x, b))
            phi[i] += cur - prev
            prev = cur
    return phi / path_count


# ------------------------------------------------------------------ exam_answers
@wrong("wrong (you answered")
def exam_answers__ig_everywhere(*args):
    return {"q1": "A", "q2": "C", "q3": "A", "q4": "A", "q5": "B", "q6": "B", "q7": "A"}


@wrong("wrong (you answered B)")
def exam_answers__one_wrong(*args):
    return {"q1": "D", "q2": "A", "q3": "C", "q4": "B", "q5": "C", "q6": "B", "q7": "D"}


@correct
def exam_answers__lowercase(*args):
    return {"q1": "d", "Q2": " a", "q3": "c", "q4": "B", "q5": "c ", "q6": "a", "Q7": "d"}


#: proven through the real `nbgrader autograde` (tests/test_autograde.py); the rest in-process
END_TO_END_WRONG = exact_shapley__uniform_weights
