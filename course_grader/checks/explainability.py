"""Checks for module 05: Shapley values, SHAP rankings and Integrated Gradients.

Each ``check_*`` function builds its own case (value functions, tree ensembles, small Keras
models; all seeded), calls the learner's function through ``call`` and compares it with an
independent oracle: shap's Kernel SHAP with every coalition enumerated (exact), shap's
interventional TreeExplainer and LinearExplainer, closed forms, and a fine quadrature of the
path integral computed with TensorFlow gradients. A wrong answer is compared with what each
common mistake would return, and the message names the mistake.
"""

from __future__ import annotations

from functools import lru_cache
from math import factorial
from typing import Callable

import numpy as np

from course.checks import CheckFailed, _short, as_array, as_float, call, close, expect, expect_close

# =========================================================================== Shapley values
#: tolerances that accept a correct computation done entirely in float32 (eps ~ 6e-8, summed
#: over up to 2^10 coalitions), while every named mistake is off by a factor or a term
FLOAT32_RTOL = 1e-5
FLOAT32_ATOL = 1e-6

def _as_input(values: np.ndarray, kind: str):
    if kind == "list":
        return [float(v) for v in values]
    if kind == "float32":
        return values.astype("float32")
    if kind == "tuple":
        return tuple(float(v) for v in values)
    return values.copy()


def _game(name: str):
    """(f, x, baseline, oracle_extra) for one named value function."""
    rng = np.random.default_rng(505)
    if name == "worked":
        f = lambda z: float(z[0] + 2.0 * z[1] + z[0] * z[1])  # noqa: E731
        return f, np.array([1.0, 2.0]), np.zeros(2), None
    if name == "three_way":
        f = lambda z: float(z[0] * z[1] * z[2] + z[0] + 2.0 * z[1] - z[2])  # noqa: E731
        return f, np.array([1.0, 2.0, 3.0]), np.zeros(3), None
    if name == "axioms":
        f = lambda z: float(3.0 * z[0] + 2.0 * z[1] * z[2] + z[1] + z[2] + np.tanh(z[0] * z[1] * z[2]))  # noqa: E731
        return f, np.array([1.5, 2.0, 2.0, 5.0]), np.array([0.5, -1.0, -1.0, 0.0]), None
    if name == "nonlinear10":
        w = rng.normal(size=10)

        def f(z):
            z = np.asarray(z, dtype=float)
            return float(w @ z + z[0] * z[1] * z[2] + np.tanh(z[3] * z[4] * z[5]) + max(z[6], z[7]) + np.sin(z[8]) * z[9] ** 2)

        return f, rng.normal(size=10), rng.normal(size=10), None
    if name == "baseline_above":
        f = lambda z: float(np.exp(0.3 * z[0]) * z[1] - z[2] * z[3] * z[4] + 0.5 * z[4])  # noqa: E731
        return f, np.array([0.2, -1.0, 0.5, 1.0, -2.0]), np.array([2.0, 1.5, 1.0, 2.5, 1.0]), None
    if name == "tree4":
        from sklearn.tree import DecisionTreeRegressor

        X = rng.normal(size=(300, 4))
        y = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + (X[:, 3] > 0) * X[:, 0]
        tree = DecisionTreeRegressor(max_depth=5, random_state=0).fit(X, y)
        f = lambda z: float(tree.predict(np.asarray(z, dtype=float).reshape(1, -1))[0])  # noqa: E731
        return f, np.array([1.2, -0.8, 0.4, 0.9]), np.array([-0.5, 0.7, -1.1, -0.6]), tree
    if name == "float32_output":
        w = np.array([0.5, -1.5, 2.0, 1.0], dtype="float32")
        f = lambda z: np.float32(np.dot(w, np.asarray(z, dtype="float32")) + np.float32(z[0] * z[3] * z[2]))  # noqa: E731
        return f, np.array([1.0, 2.0, -1.0, 3.0]), np.array([0.0, 1.0, 1.0, 0.0]), None
    if name == "one_feature":
        f = lambda z: float(z[0] ** 2 + 1.0)  # noqa: E731
        return f, np.array([3.0]), np.array([1.0]), None
    raise ValueError(name)


def _coalition_values(f, x, b) -> np.ndarray:
    n = len(x)
    v = np.empty(2**n)
    for mask in range(2**n):
        on = np.array([(mask >> i) & 1 for i in range(n)], dtype=bool)
        v[mask] = float(np.asarray(f(np.where(on, x, b))))
    return v


def _by_weights(v: np.ndarray, n: int, weight: Callable[[int, int], float]) -> np.ndarray:
    phi = np.zeros(n)
    for i in range(n):
        for mask in range(2**n):
            if not (mask >> i) & 1:
                k = bin(mask).count("1")
                phi[i] += weight(k, n) * (v[mask | (1 << i)] - v[mask])
    return phi


def kernel_shap_exact(f, x, baseline) -> np.ndarray:
    """shap's Kernel SHAP with every coalition enumerated: exact Shapley values for this baseline."""
    import shap

    x = np.asarray(x, dtype=float).ravel()
    b = np.asarray(baseline, dtype=float).ravel()
    if len(x) == 1:
        return np.array([float(f(x)) - float(f(b))])

    def fb(Z):
        return np.array([float(np.asarray(f(z))) for z in np.atleast_2d(Z)])

    values = shap.KernelExplainer(fb, b[None, :]).shap_values(x, nsamples=2 ** len(x), silent=True, l1_reg=False)
    return np.asarray(values, dtype=float).ravel()


def _shapley_misconceptions(f, x, b):
    n = len(x)
    v = _coalition_values(f, x, b)
    full, empty = 2**n - 1, 0
    uniform = ("Every coalition got the same weight: that is the Banzhaf value, not Shapley. Weight each "
               "coalition S (without i) by the combinatorial factor |S|! (n-|S|-1)! / n!, the share of the "
               "n! orderings in which exactly the features of S come before i.")
    out = [
        (_by_weights(v, n, lambda k, n: 1.0 / 2 ** (n - 1)), uniform),
        (_by_weights(v, n, lambda k, n: 1.0 / 2**n), uniform),
        (_by_weights(v, n, lambda k, n: 1.0 / n), uniform),
    ]
    # two ways to get the normalisation wrong; for n = 2 they give the same numbers, so a
    # message is claimed only when its own value matches (and both are named when both match)
    over_n1 = _by_weights(v, n, lambda k, n: factorial(k) * factorial(n - k - 1) / factorial(n - 1))
    undivided = _by_weights(v, n, lambda k, n: factorial(k) * factorial(n - k - 1))
    msg_n1 = ("The weights |S|! (n-|S|-1)! were divided by (n-1)! instead of n!: the weights sum to n, not 1, "
              "so every value is n times too large. Divide by n! (there are n! orderings of the n features).")
    msg_none = ("The combinatorial weights |S|! (n-|S|-1)! were not divided by n!: over all coalitions the weights must sum to 1.")
    if close(over_n1, undivided):
        out.append((over_n1, f"The weights |S|! (n-|S|-1)! were not divided by n! (with n = {n} features, dividing by "
                             "(n-1)! instead of n! gives the same numbers): the weights then sum to n, not 1. Divide by n!."))
    else:
        out += [(over_n1, msg_n1), (undivided, msg_none)]
    out += [
        (_by_weights(v, n, lambda k, n: factorial(k) * factorial(n - k) / factorial(n)),
         "The weights are k!(n-k)!/n! instead of k!(n-k-1)!/n! (k = |S|): the coalition S runs over subsets of the OTHER "
         "n-1 features, so of the n! orderings, k!(n-k-1)! put exactly the features of S before i and the rest after it."),
        (np.array([v[full] - v[full & ~(1 << i)] for i in range(n)]),
         "That is f(x) - f(x with feature i set to its baseline): only the marginal contribution to the full "
         "coalition (leave-one-out). Average the marginal contribution over ALL coalitions with the combinatorial weights."),
        (np.array([v[empty | (1 << i)] - v[empty] for i in range(n)]),
         "That is f(baseline with feature i set to x_i) - f(baseline): only the contribution to the empty "
         "coalition. Average over ALL coalitions with the combinatorial weights."),
        (_by_weights(_coalition_values(f, b, x), n, lambda k, n: factorial(k) * factorial(n - k - 1) / factorial(n)),
         "The signs are flipped: in v(S) the features in S take their values from x and the others from the baseline (x and baseline were swapped)."),
    ]
    return out


def check_exact_shapley(exact_shapley: Callable, game: str, x_as: str = "numpy") -> None:
    """Compare with shap's exhaustive Kernel SHAP (exact) and, for a tree, TreeExplainer."""
    f, x, b, extra = _game(game)
    expected = kernel_shap_exact(f, x, b)
    if extra is not None:  # a fitted tree: shap's interventional TreeSHAP is exact for one baseline row
        import shap

        tree_values = np.asarray(shap.TreeExplainer(extra, data=b[None, :], feature_perturbation="interventional").shap_values(x[None, :])).ravel()
        assert np.allclose(tree_values, expected, atol=1e-8), "internal: the two oracles disagree"
    label = f"exact_shapley(f, x={_short(x)}, baseline={_short(b)})"
    got = as_array(call(exact_shapley, f, _as_input(x, x_as), _as_input(b, x_as), what=label), label)
    if got.shape != expected.shape and got.size == expected.size:
        got = got.reshape(expected.shape)
    expect(got.shape == expected.shape, f"{label} should return one value per feature, shape {expected.shape}; got shape {got.shape}.")
    scale = float(np.max(np.abs(expected))) + 1e-12
    rtol, atol = FLOAT32_RTOL, FLOAT32_ATOL * scale  # a correct float32 computation passes; named mistakes are O(1) off
    try:
        expect_close(got, expected, label, rtol=rtol, atol=atol, misconceptions=_shapley_misconceptions(f, x, b))
    except CheckFailed as exc:
        target = float(f(x)) - float(f(b))
        raise CheckFailed(f"{exc} (Efficiency: your values sum to {float(np.sum(got)):.6g}, f(x) - f(baseline) = {target:.6g}.)") from None


def check_shapley_axioms(exact_shapley: Callable) -> None:
    """Efficiency, symmetry (features 1 and 2) and dummy (feature 3) on a designed game."""
    f, x, b, _ = _game("axioms")
    label = "exact_shapley on f(z) = 3 z0 + 2 z1 z2 + z1 + z2 + tanh(z0 z1 z2), z3 unused"
    got = as_array(call(exact_shapley, f, x.copy(), b.copy(), what=label), label).ravel()
    expect(got.shape == (4,), f"{label}: expected 4 values, got shape {got.shape}.")
    target = f(x) - f(b)
    expected = kernel_shap_exact(f, x, b)
    misconceptions = _shapley_misconceptions(f, x, b)
    if not close(got, expected, rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL * (float(np.max(np.abs(expected))) + 1e-12)):  # a named mistake explains itself better than the axioms do
        for value, message in misconceptions:
            if close(got, value):
                raise CheckFailed(f"{label}: expected {_short(expected)}, got {_short(got)}. {message}")
    problems = []
    atol = FLOAT32_ATOL * (float(np.max(np.abs(expected))) + 1e-12)
    if not np.isclose(got.sum(), target, rtol=FLOAT32_RTOL, atol=atol):
        problems.append(f"efficiency fails: the values sum to {got.sum():.6g} but f(x) - f(baseline) = {target:.6g}. "
                        "With the combinatorial weights |S|!(n-|S|-1)!/n!, which sum to 1 over the coalitions S of the "
                        "other n-1 features for each i, the contributions add up exactly.")
    if not np.isclose(got[1], got[2], rtol=FLOAT32_RTOL, atol=atol):
        problems.append(f"symmetry fails: features 1 and 2 play identical roles (same x, same baseline) but got {got[1]:.6g} and {got[2]:.6g}.")
    if not np.isclose(got[3], 0.0, atol=atol):
        problems.append(f"dummy fails: f never reads feature 3, yet it got {got[3]:.6g} instead of 0.")
    if problems:
        raise CheckFailed(f"{label}: " + " ".join(problems))
    expect_close(got, expected, label, rtol=FLOAT32_RTOL, atol=atol, misconceptions=misconceptions)


# --------------------------------------------------------------------------- sampled Shapley
def _sampling_game(name: str):
    """(f, x, baseline) for the sampled-Shapley checks: cheap value functions with interactions."""
    if name == "interaction4":
        f = lambda z: float(z[0] * z[1] + 2.0 * z[2] - 1.5 * z[1] * z[2] * z[3] + np.tanh(z[0] + z[3]))  # noqa: E731
        return f, np.array([1.0, 2.0, -1.0, 1.5]), np.array([0.0, -0.5, 0.5, 0.0])
    if name == "nonlinear5":
        w = np.array([0.8, -1.2, 0.5, 2.0, -0.7])

        def f(z):
            z = np.asarray(z, dtype=float)
            return float(w @ z + z[0] * z[1] * z[2] + np.sin(z[3] * z[4]) + max(z[0], z[4]))

        return f, np.array([1.2, -0.7, 2.0, 0.9, 1.5]), np.array([-0.3, 0.8, 0.1, -1.0, 0.2])
    if name == "one_feature":
        f = lambda z: float(z[0] ** 3 - 2.0)  # noqa: E731
        return f, np.array([2.0]), np.array([-1.0])
    raise ValueError(name)


@lru_cache(maxsize=None)
def _order_table(name: str):
    """Every feature order of a game: the marginal-contribution vectors (one row per order),
    the same with the contribution measured against the baseline, and indexed by position."""
    import itertools

    f, x, b = _sampling_game(name)
    n = len(x)
    v0 = float(f(b))
    rows, vs_baseline, by_position = [], [], []
    for order in itertools.permutations(range(n)):
        z = b.copy()
        prev = v0
        phi, base, pos = np.zeros(n), np.zeros(n), np.zeros(n)
        for k, i in enumerate(order):
            z[i] = x[i]
            cur = float(f(z))
            phi[i] = cur - prev
            base[i] = cur - v0
            pos[k] = cur - prev
            prev = cur
        rows.append(phi)
        vs_baseline.append(base)
        by_position.append(pos)
    return np.array(rows), np.array(vs_baseline), np.array(by_position)


def _call_sampled(sampled_shapley: Callable, name: str, path_count: int, seed: int, x_as: str = "numpy") -> np.ndarray:
    f, x, b = _sampling_game(name)
    label = f"sampled_shapley(f, x, baseline, path_count={path_count}, rng=np.random.default_rng({seed}))"
    got = as_array(call(sampled_shapley, f, _as_input(x, x_as), _as_input(b, x_as), path_count, np.random.default_rng(seed), what=label), label)
    if got.size != len(x):
        raise CheckFailed(f"{label} should return one value per feature ({len(x)}), got shape {got.shape}.")
    return got.reshape(len(x))


def _efficiency_message(got: np.ndarray, name: str, path_count: int, label: str) -> str | None:
    f, x, b = _sampling_game(name)
    n = len(x)
    target = float(f(x)) - float(f(b))
    total = float(np.sum(got))
    tol = 1e-6 * (abs(target) + float(np.max(np.abs(_order_table(name)[0])))) + 1e-9
    if abs(total - target) <= tol:
        return None
    head = f"{label}: the values sum to {total:.6g}, but f(x) - f(baseline) = {target:.6g}."
    _, vs_baseline, _ = _order_table(name)
    if path_count == 1 and any(np.allclose(got, row, rtol=1e-6, atol=1e-9) for row in vs_baseline):
        return (f"{head} Each contribution was measured against the baseline, f(z) - f(baseline), instead of against the "
                "previous coalition: a feature's marginal contribution is v(S + i) - v(S), where S holds the features "
                "that joined before it on this path. Then the contributions telescope and every path sums to "
                "f(x) - f(baseline) (efficiency).")
    if target != 0 and np.isclose(total, target * n / path_count, rtol=1e-6) and n != path_count:
        return (f"{head} The summed contributions were divided by the number of features ({n}) instead of by "
                f"path_count ({path_count}): the estimate is the MEAN over the path_count orders.")
    if target != 0 and np.isclose(total, target / n, rtol=1e-6) and n > 1:
        return (f"{head} The contributions were divided by n = {n} features as well as by the number of paths: divide the "
                "sum over paths by path_count only (each path already splits f(x) - f(baseline) among the features).")
    if target != 0 and path_count > 1 and np.isclose(total, target * path_count, rtol=1e-6):
        return (f"{head} The contributions were summed over the {path_count} paths but not divided by path_count: "
                "the estimate is the MEAN over the orders.")
    if target != 0 and np.isclose(total / target, path_count / (path_count + 1.0), rtol=1e-6):
        return f"{head} Divide the sum over paths by path_count, not path_count + 1 (the number of orders drawn)."
    return (f"{head} Efficiency must hold on EVERY path: along one order the marginal contributions "
            "v(S + i) - v(S) telescope to v(all) - v(empty) = f(x) - f(baseline), so their mean over paths does too.")


def check_sampled_shapley_paths(sampled_shapley: Callable, name: str, seeds=(0, 1, 2, 3), x_as: str = "numpy") -> None:
    """path_count=1: the result is the marginal-contribution vector of ONE order, so it sums to f(x) - f(b)."""
    rows, _, by_position = _order_table(name)
    for seed in seeds:
        label = f"sampled_shapley(..., path_count=1, rng=np.random.default_rng({seed}))"
        got = _call_sampled(sampled_shapley, name, 1, seed, x_as)
        message = _efficiency_message(got, name, 1, label)
        if message:
            raise CheckFailed(message)
        scale = float(np.max(np.abs(rows))) + 1e-12
        if not any(np.allclose(got, row, rtol=1e-6, atol=1e-9 * scale) for row in rows):
            if any(np.allclose(got, row, rtol=1e-6, atol=1e-9 * scale) for row in by_position):
                raise CheckFailed(f"{label}: got {_short(got)}. The contributions were stored by POSITION in the order "
                                  "(phi[k] for the k-th feature to join) instead of by feature (phi[order[k]]).")
            raise CheckFailed(f"{label}: got {_short(got)}, which is not the vector of marginal contributions of any "
                              "feature order. With one path the estimate is exactly the contributions v(S + i) - v(S) "
                              "of each feature i when it joins the features before it in one random order.")


def check_sampled_shapley_efficiency(sampled_shapley: Callable, name: str, path_count: int, seeds=(0, 1, 2), x_as: str = "numpy") -> None:
    for seed in seeds:
        label = f"sampled_shapley(..., path_count={path_count}, rng=np.random.default_rng({seed}))"
        got = _call_sampled(sampled_shapley, name, path_count, seed, x_as)
        message = _efficiency_message(got, name, path_count, label)
        if message:
            raise CheckFailed(message)


def check_sampled_shapley_seeded(sampled_shapley: Callable, name: str, path_count: int = 3, seeds=(0, 1, 2, 3, 4)) -> None:
    """The same seed gives the same result; different seeds do not all give the same result."""
    results = []
    for seed in seeds:
        first = _call_sampled(sampled_shapley, name, path_count, seed)
        again = _call_sampled(sampled_shapley, name, path_count, seed)
        if not np.allclose(first, again, rtol=1e-12, atol=0.0):
            raise CheckFailed(
                f"sampled_shapley(..., path_count={path_count}, rng=np.random.default_rng({seed})) called twice with "
                f"the same seed gave {_short(first)} and then {_short(again)}: the same seed must give the same "
                "result. Draw every order from the `rng` passed in (rng.permutation(n)), not from np.random's global "
                "generator or an unseeded default_rng().")
        results.append(first)
    if all(np.allclose(r, results[0], rtol=1e-12, atol=0.0) for r in results[1:]):
        raise CheckFailed(
            f"sampled_shapley(..., path_count={path_count}) gave the same result {_short(results[0])} for {len(seeds)} "
            "different seeds: the function ignores the `rng` argument (a fixed seed of its own, or no randomness). "
            "Draw the orders with the rng that is passed in.")


def check_sampled_shapley_converges(sampled_shapley: Callable, name: str, path_count: int = 1000, seeds=(0, 1, 2)) -> None:
    """With many paths the estimate is within 6 standard errors of the exact Shapley values."""
    rows, _, _ = _order_table(name)
    exact, sd = rows.mean(axis=0), rows.std(axis=0)
    tol = 6.0 * sd / np.sqrt(path_count) + 1e-9 * (float(np.max(np.abs(exact))) + 1.0)
    for seed in seeds:
        label = f"sampled_shapley(..., path_count={path_count}, rng=np.random.default_rng({seed}))"
        got = _call_sampled(sampled_shapley, name, path_count, seed)
        message = _efficiency_message(got, name, path_count, label)
        if message:
            raise CheckFailed(message)
        if np.any(np.abs(got - exact) > tol):
            if any(np.allclose(got, row, rtol=1e-6, atol=1e-9) for row in rows):
                raise CheckFailed(
                    f"{label}: got {_short(got)}, exactly the contributions of ONE feature order, far from the exact "
                    f"Shapley values {_short(exact)}. One order was drawn and reused for every path: draw a NEW random "
                    "order for each of the path_count paths and average.")
            raise CheckFailed(
                f"{label}: got {_short(got)}, but the exact Shapley values are {_short(exact)} and {path_count} random "
                f"orders should land within {_short(tol)} of them (6 standard errors). Draw a new order per path and "
                "average the marginal contributions over exactly path_count paths.")


def check_sampled_shapley_rate(sampled_shapley: Callable, name: str, counts=(40, 1000), seeds=tuple(range(6))) -> None:
    """The root-mean-square error over seeds shrinks like 1 / sqrt(path_count)."""
    rows, _, _ = _order_table(name)
    exact, var = rows.mean(axis=0), rows.var(axis=0)
    rmse = {}
    for p in counts:
        errors = np.array([_call_sampled(sampled_shapley, name, p, seed) - exact for seed in seeds])
        rmse[p] = float(np.sqrt(np.mean(errors ** 2)))
        theory = float(np.sqrt(np.mean(var) / p))
        if rmse[p] > 2.0 * theory:
            raise CheckFailed(
                f"sampled_shapley with path_count={p}: the root-mean-square error against exact Shapley over {len(seeds)} "
                f"seeds is {rmse[p]:.3g}, more than twice the {theory:.3g} that averaging {p} independent random orders "
                "gives (the error of a mean of p independent paths is sd / sqrt(p)). Draw a new order per path and use "
                "all path_count of them.")
    small, large = counts
    expected_ratio = np.sqrt(large / small)
    got_ratio = rmse[small] / max(rmse[large], 1e-300)
    if got_ratio < expected_ratio / 3.0:
        raise CheckFailed(
            f"sampled_shapley: going from path_count={small} to {large} shrank the error only {got_ratio:.2g}-fold; "
            f"averaging independent paths shrinks it like 1 / sqrt(path_count), about {expected_ratio:.2g}-fold. "
            "Does the function use path_count paths?")


# --------------------------------------------------------------------------- linear closed form
def _linear_case(name: str):
    rng = np.random.default_rng(506)
    if name == "worked":
        return np.array([2.0, -1.0, 0.5]), np.array([3.0, 1.0, 4.0]), np.array([1.0, 2.0, 2.0])
    if name == "diabetes":
        from sklearn.datasets import load_diabetes
        from sklearn.linear_model import LinearRegression

        X, y = load_diabetes(return_X_y=True, scaled=False)
        reg = LinearRegression().fit(X, y)
        return reg.coef_, X[:7], X.mean(axis=0)
    if name == "lists":
        return [0.5, -2.0, 1.5, 3.0], [1.0, 0.0, -2.0, 4.0], [0.5, 0.5, 0.5, 0.5]
    if name == "pandas":
        import pandas as pd

        cols = ["income", "age", "debt"]
        return (pd.Series([0.8, -0.3, -1.2], index=cols), pd.Series([52.0, 41.0, 13.0], index=cols),
                pd.Series([47.5, 38.0, 9.0], index=cols))
    if name == "float32_batch":
        return (rng.normal(size=5).astype("float32"), rng.normal(2.0, 1.0, size=(4, 5)).astype("float32"),
                rng.normal(2.0, 0.1, size=5).astype("float32"))
    raise ValueError(name)


def check_linear_shapley(linear_shapley: Callable, case: str) -> None:
    import shap

    w, x, x_mean = _linear_case(case)
    W, X, M = (np.asarray(v, dtype=float) for v in (w, x, x_mean))
    # independent oracle: shap's LinearExplainer with the mean as the only background row
    explainer = shap.explainers.Linear((W, 0.0), shap.maskers.Independent(M[None, :]))
    expected = np.asarray(explainer(np.atleast_2d(X)).values, dtype=float).reshape(X.shape)
    label = f"linear_shapley(w, x, x_mean) [{case}]"
    got = as_array(call(linear_shapley, w, x, x_mean, what=label), label)
    if got.size == 1 and expected.size > 1:
        raise CheckFailed(f"{label} returned one number ({float(got.ravel()[0]):.6g}): return one value per feature, w * (x - x_mean), not their sum.")
    # float32 slack: x - x_mean loses ~eps32 (|x| + |x_mean|) to rounding before the product with w
    scale = float(np.max(np.abs(expected))) + 1e-12
    rounding = float(np.max(np.abs(W) * (np.abs(X) + np.abs(M))))
    rtol, atol = FLOAT32_RTOL, FLOAT32_ATOL * scale + 4 * float(np.finfo("float32").eps) * rounding
    expect_close(got, expected, label, rtol=rtol, atol=atol, misconceptions=[
        (W * X, "That is w * x without centering: a feature at its average value contributes nothing, so subtract x_mean first: w * (x - x_mean)."),
        (X - M, "That is x - x_mean without the weights: multiply by w."),
        (W * (M - X), "The sign is flipped: the contribution is w * (x - x_mean), not w * (x_mean - x)."),
        (W * (X - X.mean(axis=-1, keepdims=True)), "x was centered with its own mean across features: subtract the x_mean argument (the training mean of each feature)."),
        (W * (X - X.mean(axis=0)) if X.ndim == 2 else W * X, "Each column was centered with the mean of the rows passed in: use the x_mean argument (the training means)."),
    ])


# =========================================================================== SHAP rankings
@lru_cache(maxsize=None)
def _ranking_case(name: str):
    """(model, X, feature_names) for one named tree-ensemble case."""
    from sklearn.datasets import load_breast_cancer, load_diabetes

    if name.startswith("diabetes"):
        X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
        Xs = X.sample(120, random_state=5)
        if name == "diabetes_gbr":
            from sklearn.ensemble import GradientBoostingRegressor

            model = GradientBoostingRegressor(n_estimators=50, max_depth=3, learning_rate=0.1, random_state=0).fit(X, y)
            return model, Xs, list(X.columns)
        if name == "diabetes_rf_numpy":
            from sklearn.ensemble import RandomForestRegressor

            model = RandomForestRegressor(n_estimators=25, max_depth=5, random_state=0).fit(X.to_numpy(), y.to_numpy())
            return model, Xs.to_numpy(), tuple(f"f{i}_{c}" for i, c in enumerate(X.columns))
        if name == "diabetes_index":
            from sklearn.ensemble import ExtraTreesRegressor

            model = ExtraTreesRegressor(n_estimators=25, max_depth=6, random_state=1).fit(X, y)
            return model, Xs, X.columns
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X = X.iloc[:, :12]
    Xs = X.sample(100, random_state=3)
    if name == "cancer_rf_classifier":
        from sklearn.ensemble import RandomForestClassifier

        model = RandomForestClassifier(n_estimators=25, max_depth=4, random_state=0).fit(X, y)
        return model, Xs, list(X.columns)
    if name == "cancer_gb_classifier":
        from sklearn.ensemble import GradientBoostingClassifier

        model = GradientBoostingClassifier(n_estimators=30, max_depth=2, random_state=0).fit(X, y)
        return model, Xs, list(X.columns)
    raise ValueError(name)


def _importances_from(sv) -> tuple[dict[str, np.ndarray], np.ndarray, bool]:
    if isinstance(sv, list):  # older shap: one array per class
        sv = np.stack([np.asarray(s) for s in sv], axis=-1)
    sv = np.asarray(sv, dtype=float)
    if sv.ndim == 2:
        return {"single output": np.abs(sv).mean(axis=0)}, sv, False
    accepted = {
        "positive class": np.abs(sv[..., -1]).mean(axis=0),
        "class 0": np.abs(sv[..., 0]).mean(axis=0),
        "mean |SHAP| over classes": np.abs(sv).mean(axis=(0, 2)),
        "|SHAP| summed over classes": np.abs(sv).sum(axis=2).mean(axis=0),
    }
    return accepted, sv[..., -1], True


def _shap_importances(model, X) -> tuple[dict[str, np.ndarray], np.ndarray, bool]:
    """Mean |SHAP| per feature under each accepted convention for a class axis, the main
    (n, features) SHAP array, and whether the model's SHAP values have a class axis.

    The exercise's algorithm: ``shap.TreeExplainer(model)`` without data, whose default is
    ``feature_perturbation="tree_path_dependent"``."""
    import shap

    return _importances_from(shap.TreeExplainer(model).shap_values(X))


def _interventional_importances(model, X) -> list[tuple[str, np.ndarray]]:
    """Mean |SHAP| under interventional TreeSHAP, as ``shap.Explainer(model, X)`` (background
    subsampled to 100 rows) and ``shap.TreeExplainer(model, data=X)`` compute it."""
    import shap

    out = []
    attempts = [
        ("shap.Explainer(model, X)", lambda: shap.Explainer(model, X)(X, check_additivity=False).values),
        ("shap.TreeExplainer(model, data=X)", lambda: shap.TreeExplainer(model, data=X, feature_perturbation="interventional")
         .shap_values(X, check_additivity=False)),
    ]
    for name, compute in attempts:
        try:
            accepted, _, _ = _importances_from(compute())
        except Exception:  # an oracle for the hint only: never let it break the check
            continue
        out += [(name, imp) for imp in accepted.values()]
    return out


#: two features whose mean |SHAP| differ by less than this fraction of the largest one are a
#: near-tie: either order is accepted (a different but valid summation order must not fail)
NEAR_TIE = 0.01


def _is_sorted_desc(values: np.ndarray, tol: float) -> bool:
    return bool(np.all(np.diff(values) <= tol))


def _n_classes(model) -> int | None:
    classes = getattr(model, "classes_", None)
    return None if classes is None else len(classes)


def _mixed_axis_importances(model, X) -> list[np.ndarray]:
    """Per-feature scores a learner gets by mixing up the axes of an (n, features, classes)
    SHAP array: class 0 (accepted for two classes, kept for safety), or one row taken as if it
    were a class (old list API: sv[k] is row k in shap 0.51) averaged over the class axis."""
    import shap

    sv = shap.TreeExplainer(model).shap_values(X)
    if isinstance(sv, list):
        sv = np.stack([np.asarray(a) for a in sv], axis=-1)
    sv = np.asarray(sv, dtype=float)
    if sv.ndim != 3:
        return []
    out = [np.abs(sv[..., c]).mean(axis=0) for c in range(sv.shape[-1])]
    out += [np.abs(sv[k]).mean(axis=-1) for k in range(min(sv.shape[-1], sv.shape[0]))]   # row k read as "class k"
    out += [np.abs(sv[k]).sum(axis=-1) for k in range(min(sv.shape[-1], sv.shape[0]))]
    return out


CLASS_AXIS_HINT = (" This model is a classifier: in shap 0.51 TreeExplainer.shap_values returns an array shaped "
                   "(n_samples, n_features, n_classes) (older versions: a list with one array per class). Take the "
                   "positive class [..., 1] (for two classes every class gives the same magnitudes), then mean |SHAP| over axis 0.")

DEFAULT_ALGORITHM = ("This exercise uses shap.TreeExplainer(model) with NO background data: its default algorithm, "
                     "feature_perturbation='tree_path_dependent', follows the training data's proportions stored in the trees.")


class _NamedMistake(CheckFailed):
    """A ranking failure already explained by a named misconception."""


def check_shap_feature_ranking(shap_feature_ranking: Callable, case: str) -> None:
    """Accepts any order along which mean |SHAP| never increases, up to near-ties (NEAR_TIE)."""
    try:
        _check_ranking(shap_feature_ranking, case)
    except _NamedMistake as exc:
        raise CheckFailed(str(exc)) from None
    except CheckFailed as exc:
        text = str(exc)
        if "Additivity check failed" in text:
            raise CheckFailed(text + " That error comes from interventional TreeSHAP (shap.Explainer(model, X) or "
                              "shap.TreeExplainer(model, data=X)), which compares every row with a background data set. "
                              + DEFAULT_ALGORITHM) from None
        model, X, _ = _ranking_case(case)
        crashed = text.startswith("Calling") or "raised" in text  # the learner's code raised
        shape_trouble = any(w in text.lower() for w in ("index", "shape", "dimension", "axis", "broadcast"))
        if crashed and shape_trouble and _shap_importances(model, X)[2] and "n_classes" not in text:
            raise CheckFailed(text + " (If your code indexes the SHAP values:" + CLASS_AXIS_HINT + ")") from None
        raise


def _check_ranking(shap_feature_ranking: Callable, case: str) -> None:
    model, X, names = _ranking_case(case)
    names_list = [str(n) for n in names]
    label = f"shap_feature_ranking(model, X, feature_names) [{case}]"
    raw = call(shap_feature_ranking, model, X, names, what=label)
    if raw is None:
        raise CheckFailed(f"{label} returned None: did the function forget to `return`?")
    try:
        got = list(raw)
    except TypeError:
        raise CheckFailed(f"{label} should return a list of feature names, got {type(raw).__name__}.") from None
    if got and all(isinstance(g, (int, np.integer)) for g in got):
        raise CheckFailed(f"{label} returned column indices {got[:4]}...: return the feature NAMES, e.g. [feature_names[i] for i in order].")
    got = [str(g) for g in got]
    accepted, sv_main, has_class_axis = _shap_importances(model, X)
    if sorted(got) != sorted(names_list):
        missing = sorted(set(names_list) - set(got))
        msg = (f"{label} should return every feature name exactly once ({len(names_list)} names); "
               f"got {len(got)} names" + (f", missing {missing[:3]}" if missing else ", with repeats") + ".")
        n_classes = _n_classes(model)
        if has_class_axis and n_classes and len(got) == n_classes:  # one value per class was ranked
            msg += f" You returned {n_classes} names, one per class:" + CLASS_AXIS_HINT
        raise CheckFailed(msg)
    pos = {n: i for i, n in enumerate(names_list)}
    order = np.array([pos[g] for g in got])
    for imp in accepted.values():
        if _is_sorted_desc(imp[order], tol=NEAR_TIE * float(imp.max() + 1e-12)):
            return
    imp = accepted["single output"] if "single output" in accepted else accepted["positive class"]
    expected = [names_list[i] for i in np.argsort(-imp, kind="stable")]
    tol = NEAR_TIE * float(imp.max() + 1e-12)
    seq = imp[order]
    k = int(np.argmax(np.diff(seq) > tol))
    msg = (f"{label}: expected (largest mean |SHAP| first) {expected[:4]}..., got {got[:4]}...; "
           f"{got[k + 1]!r} (your rank {k + 2}, mean |SHAP| {seq[k + 1]:.4g}) should come before {got[k]!r} (your rank {k + 1}, {seq[k]:.4g}).")
    signed = sv_main.mean(axis=0)
    if _is_sorted_desc(imp[order][::-1], tol):
        raise _NamedMistake(msg + " Your list is in ascending order (smallest first): sort by mean |SHAP| largest first (descending).")
    if _is_sorted_desc(signed[order], 1e-9 * float(np.abs(signed).max() + 1e-12)) or _is_sorted_desc(-signed[order], 1e-9 * float(np.abs(signed).max() + 1e-12)):
        raise _NamedMistake(msg + " That is the order of the mean SIGNED SHAP value: positive and negative contributions cancel out, "
                          "so a feature that pushes predictions strongly both ways looks unimportant. Rank by the mean of the absolute values.")
    abs_signed = np.abs(signed)
    if _is_sorted_desc(abs_signed[order], 1e-9 * float(abs_signed.max() + 1e-12)):
        raise _NamedMistake(msg + " That is the order of the absolute value of the mean SHAP value, |mean(SHAP)| "
                            "(np.abs(sv.mean(0))): the signed values cancel out before the absolute value is taken. "
                            "Take the absolute value of every SHAP value first, then average: np.abs(sv).mean(0).")
    fi = getattr(model, "feature_importances_", None)
    if fi is not None and _is_sorted_desc(np.asarray(fi)[order], 1e-12):
        raise _NamedMistake(msg + " That is the order of model.feature_importances_ (impurity-based importance), not of mean |SHAP|: use shap.TreeExplainer.")
    first = np.abs(sv_main[0])
    if _is_sorted_desc(first[order], 1e-12):
        raise _NamedMistake(msg + " That ranks the features by |SHAP| of the first example only: average |SHAP| over all rows of X (axis 0).")
    maxabs = np.abs(sv_main).max(axis=0)
    if _is_sorted_desc(maxabs[order], 1e-12):
        raise _NamedMistake(msg + " That ranks by the largest |SHAP| value: use the MEAN absolute SHAP value over the rows.")
    for _, imp_i in _interventional_importances(model, X):
        if _is_sorted_desc(imp_i[order], NEAR_TIE * float(imp_i.max() + 1e-12)):
            a, b = got[k], got[k + 1]
            ia, ib = imp_i[pos[a]], imp_i[pos[b]]
            raise _NamedMistake(
                msg + " Your order is that of INTERVENTIONAL SHAP (what shap.Explainer(model, X) and shap.TreeExplainer(model, "
                "data=X) compute: each row is compared with background data, which breaks the correlations between features): "
                f"there {a!r} gets {ia:.4g} and {b!r} {ib:.4g}, but the default "
                f"algorithm gives {seq[k]:.4g} and {seq[k + 1]:.4g}; the two are both valid SHAP values and differ most for "
                f"correlated features whose mean |SHAP| are close. " + DEFAULT_ALGORITHM)
    if has_class_axis and any(_is_sorted_desc(imp_m[order], 1e-9 * float(imp_m.max() + 1e-12)) for imp_m in _mixed_axis_importances(model, X)):
        raise CheckFailed(msg + " Your order is what a mix-up of the SHAP array's axes gives (a row or the class axis "
                          "taken for another axis)." + CLASS_AXIS_HINT)
    raise CheckFailed(msg + " Compute shap.TreeExplainer(model).shap_values(X), then np.abs(...).mean(axis=0), and sort the names by it, largest first.")


# =========================================================================== Integrated Gradients
@lru_cache(maxsize=None)
def _ig_model(name: str):
    """(F, x, shape_note): F maps a batch (n, *x.shape) to (n,) or (n, 1), differentiable in TF."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(507)
    if name == "linear":
        w = tf.constant(rng.normal(size=6), dtype=tf.float32)

        def F(X):
            return tf.linalg.matvec(tf.convert_to_tensor(X, tf.float32), w) + 0.3

        return F, np.array([1.5, -2.0, 0.5, 3.0, -1.0, 2.5])
    if name == "quadratic":
        a = tf.constant([1.0, -0.5, 2.0, 0.25], dtype=tf.float32)

        def F(X):
            return tf.reduce_sum(a * tf.square(tf.convert_to_tensor(X, tf.float32)), axis=-1) - 1.0

        return F, np.array([2.0, -1.5, 1.0, 3.0])
    if name == "mlp":
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
        model.set_weights([rng.normal(0, 0.8, (5, 8)).astype("float32"), rng.normal(0, 0.3, 8).astype("float32"),
                           rng.normal(0, 1.0, (8, 1)).astype("float32"), np.array([0.7], dtype="float32")])
        return model, np.array([1.2, -0.7, 2.0, 0.3, -1.5])
    if name == "wiggly":  # strongly curved along the path: few steps leave a visible quadrature error
        a = tf.constant([1.0, -0.8, 0.6, 1.2, -0.5], dtype=tf.float32)
        w = tf.constant([2.0, 3.0, 4.0, 2.5, 3.5], dtype=tf.float32)

        def F(X):
            X = tf.convert_to_tensor(X, tf.float32)
            return tf.reduce_sum(a * tf.sin(w * X), axis=-1) + 0.5 * tf.tanh(X[..., 0] * X[..., 1])

        return F, np.array([1.5, -2.0, 1.8, 2.2, -1.6])
    if name in ("image", "image_relu"):
        from sklearn.datasets import load_digits

        act = "softplus" if name == "image" else "relu"
        model = keras.Sequential([keras.Input((8, 8)), keras.layers.Flatten(), keras.layers.Dense(16, activation=act), keras.layers.Dense(1)])
        model.set_weights([rng.normal(0, 0.25, (64, 16)).astype("float32"), rng.normal(0, 0.1, 16).astype("float32"),
                           rng.normal(0, 0.5, (16, 1)).astype("float32"), np.array([0.1], dtype="float32")])
        image = (load_digits().images[7] / 16.0).astype("float64")
        return model, image
    raise ValueError(name)


def _baseline(x: np.ndarray, kind: str) -> np.ndarray:
    if kind == "zeros":
        return np.zeros_like(x)
    if kind == "shifted":
        return np.linspace(-1.0, 1.0, x.size).reshape(x.shape) * 0.8
    if kind == "blurred":
        from scipy.ndimage import gaussian_filter

        return gaussian_filter(x, sigma=1.5, mode="constant")
    raise ValueError(kind)


def model_output(F, X) -> np.ndarray:
    import tensorflow as tf

    out = F(tf.convert_to_tensor(np.asarray(X, dtype="float32")))
    return np.asarray(out, dtype=float).reshape(-1)


def path_gradients(F, x: np.ndarray, b: np.ndarray, alphas) -> np.ndarray:
    """Gradients of F's scalar output at baseline + alpha (x - baseline), one row per alpha."""
    import tensorflow as tf

    alphas = np.asarray(alphas, dtype=float)
    points = b[None] + alphas.reshape((-1,) + (1,) * x.ndim) * (x - b)[None]
    p = tf.convert_to_tensor(points.astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(p)
        total = tf.reduce_sum(F(p))
    return np.asarray(tape.gradient(total, p), dtype=float)


def _rule(F, x, b, alphas, weights) -> np.ndarray:
    g = path_gradients(F, x, b, alphas)
    return np.tensordot(np.asarray(weights, dtype=float), g, axes=1) * (x - b)


def ig_reference(F, x, b, steps: int = 4096) -> np.ndarray:
    """A fine midpoint quadrature of the IG path integral (the oracle)."""
    return _rule(F, x, b, (np.arange(steps) + 0.5) / steps, np.full(steps, 1.0 / steps))


def _simpson_weights(m: int) -> np.ndarray:
    from scipy.integrate import simpson

    nodes = np.linspace(0.0, 1.0, m + 1)
    return np.array([simpson(e, x=nodes) for e in np.eye(m + 1)])


def ig_rules(F, x, b, m: int) -> dict[str, np.ndarray]:
    """IG with m steps under each common quadrature rule (all correct approximations): Riemann
    sums, trapezoid (captum's and TensorFlow's tutorial variants), Simpson and Gauss-Legendre
    (captum's default and what Vertex AI uses)."""
    k = np.arange(m)
    trap_w = np.full(m + 1, 1.0 / m)
    trap_w[[0, -1]] /= 2
    rules = {
        "left": _rule(F, x, b, k / m, np.full(m, 1.0 / m)),
        "right": _rule(F, x, b, (k + 1) / m, np.full(m, 1.0 / m)),
        "midpoint": _rule(F, x, b, (k + 0.5) / m, np.full(m, 1.0 / m)),
        "trapezoid": _rule(F, x, b, np.arange(m + 1) / m, trap_w),
        "linspace(0, 1, steps)": _rule(F, x, b, np.linspace(0, 1, m), np.full(m, 1.0 / m)),
        "linspace(0, 1, steps + 1)": _rule(F, x, b, np.linspace(0, 1, m + 1), np.full(m + 1, 1.0 / (m + 1))),
        "Simpson": _rule(F, x, b, np.linspace(0, 1, m + 1), _simpson_weights(m)),
    }
    if m >= 2:
        trap_n = np.full(m, 1.0 / (m - 1))
        trap_n[[0, -1]] /= 2
        rules["trapezoid on linspace(0, 1, steps)"] = _rule(F, x, b, np.linspace(0, 1, m), trap_n)
    nodes, weights = _gauss_legendre(m)
    rules["Gauss-Legendre"] = _rule(F, x, b, nodes, weights)
    return rules


@lru_cache(maxsize=None)
def _gauss_legendre(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, 1] (scipy's roots_legendre = numpy's leggauss, faster)."""
    from scipy.special import roots_legendre

    nodes, weights = roots_legendre(m)
    return (nodes + 1) / 2, weights / 2


def _convert(x: np.ndarray, kind: str):
    if kind == "tensor":
        import tensorflow as tf

        return tf.constant(x, dtype=tf.float32)
    if kind == "list":
        return x.tolist()
    if kind == "float32":
        return x.astype("float32")
    return x.copy()


#: a correct answer may be this many times further from the exact integral than the worst
#: standard rule with the same number of steps
SAFETY = 3.0


def _ig_tolerance(F, x, b, steps, truth):
    """Per element: SAFETY x the largest error of any standard `steps`-point rule, plus a share
    of the largest error anywhere (so that an element where every listed rule happens to be
    accurate does not reject another valid rule) and float32 slack."""
    rules = ig_rules(F, x, b, steps)
    dev = np.max([np.abs(r - truth) for r in rules.values()], axis=0)
    return SAFETY * dev + 0.1 * float(dev.max()) + 1e-4 * float(np.max(np.abs(truth))) + 1e-6


def _ig_misconceptions(F, x, b, steps, truth):
    diff = x - b
    mean_grad = np.mean(path_gradients(F, x, b, (np.arange(512) + 0.5) / 512), axis=0)
    g_x = path_gradients(F, x, b, [1.0])[0]
    g_b = path_gradients(F, x, b, [0.0])[0]
    out = [
        (mean_grad, "That is the average gradient along the path without the final factor: multiply it elementwise by (x - baseline)."),
        (mean_grad * steps * diff, "The gradients were summed, not averaged: divide the sum by steps (a Riemann sum weights each step by 1/steps)."),
        (-truth, "The sign is flipped: multiply by (x - baseline), not (baseline - x)."),
        (g_x * diff, "That is the gradient at x times (x - baseline): the gradient must be averaged along the whole straight path from the baseline to x, not taken at x alone."),
        (g_b * diff, "That is the gradient at the baseline times (x - baseline): average the gradient along the whole path, not at one end."),
    ]
    if np.any(b != 0):
        out += [
            (mean_grad * x, "The average gradient was multiplied by x instead of (x - baseline): that is only right for an all-zero baseline."),
            (ig_reference(F, x, np.zeros_like(x), 1024), "The path starts at zero instead of the baseline: interpolate baseline + alpha * (x - baseline)."),
            (g_x * x, "That is gradient x input (the gradient at x times x): Integrated Gradients averages gradients along the path from the baseline and multiplies by (x - baseline)."),
        ]
    return out


def _close_within(a: np.ndarray, b: np.ndarray, tol) -> bool:
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol))


def _call_ig(integrated_gradients: Callable, F, x, b, steps: int, x_as: str, label: str) -> np.ndarray:
    raw = call(integrated_gradients, F, _convert(x, x_as), _convert(b, x_as), steps, what=label)
    got = as_array(raw, label)
    if got.shape != x.shape:
        if got.ndim == x.ndim + 1 and got.shape[1:] == x.shape and got.shape[0] != 1:
            raise CheckFailed(f"{label} returned shape {got.shape}: one row per step. Average the gradients over the steps (axis 0), then multiply by (x - baseline).")
        raise CheckFailed(f"{label} should return an array shaped like x, {x.shape}; got shape {got.shape}.")
    return got


def check_integrated_gradients(integrated_gradients: Callable, case: str, steps: int, baseline: str = "zeros",
                               x_as: str = "numpy", closed_form: str | None = None, few_steps: int | None = None) -> None:
    """IG with `steps` must match the exact path integral within what a standard `steps`-point
    rule achieves; with `few_steps` (if given) it must NOT be much more accurate than every
    standard rule with that few points (which would mean `steps` is ignored)."""
    F, x = _ig_model(case)
    x = np.asarray(x, dtype=float)
    b = _baseline(x, baseline)
    truth = ig_reference(F, x, b)
    if closed_form == "linear":
        w = path_gradients(F, x, b, [0.5])[0]
        assert np.allclose(truth, w * (x - b), rtol=1e-4, atol=1e-6)
    label = f"integrated_gradients(model, x of shape {x.shape}, {baseline} baseline, steps={steps}) [{case}]"
    got = _call_ig(integrated_gradients, F, x, b, steps, x_as, label)
    tol = _ig_tolerance(F, x, b, steps, truth)
    if not _close_within(got, truth, tol):
        worst = float(np.max(np.abs(got - truth)))
        for value, message in _ig_misconceptions(F, x, b, steps, truth):
            loose = tol + 0.02 * float(np.max(np.abs(value)) + 1e-12)
            if _close_within(got, value, loose):
                raise CheckFailed(f"{label}: expected {_short(truth)}, got {_short(got)}. {message}")
        target = float(model_output(F, x[None])[0] - model_output(F, b[None])[0])
        if worst <= 0.05 * float(np.max(np.abs(truth))) + float(tol.max()):
            raise CheckFailed(
                f"{label}: expected {_short(truth)}, got {_short(got)}: close, but the largest difference {worst:.3g} is more "
                f"than any correct {steps}-point rule gives here (left, right, midpoint, trapezoid, Simpson and Gauss-Legendre "
                f"all stay within {float(tol.max()) / SAFETY:.2g}). The path and the factor (x - baseline) look right; the "
                f"quadrature error is too large for steps={steps}: use exactly `steps` interpolation points spread over the "
                "whole path from alpha = 0 to 1, with weights that sum to 1 (is `steps` ignored or replaced by a fixed "
                "number of points? is the sum of the gradients divided by the number of points?).")
        raise CheckFailed(f"{label}: expected {_short(truth)}, got {_short(got)} (largest difference {worst:.3g}). "
                          f"Completeness: your attributions sum to {float(got.sum()):.6g}, F(x) - F(baseline) = {target:.6g}.")
    if few_steps:
        _check_uses_steps(integrated_gradients, F, x, b, few_steps, x_as, truth,
                          f"integrated_gradients(model, x, {baseline} baseline, steps={few_steps}) [{case}]")


def _check_uses_steps(integrated_gradients: Callable, F, x, b, m: int, x_as: str, truth: np.ndarray, label: str) -> None:
    """With m steps, a correct answer carries the m-point quadrature error: an answer that is far
    more accurate than the best standard m-point rule is not computed with m points."""
    got = _call_ig(integrated_gradients, F, x, b, m, x_as, label)
    rules = ig_rules(F, x, b, m)
    _check_not_rescaled(got, F, x, b, m, rules, truth, label)
    errors = {name: float(np.max(np.abs(r - truth))) for name, r in rules.items()}
    best = min(errors, key=errors.get)
    err = float(np.max(np.abs(got - truth)))
    if err < 0.25 * errors[best]:
        raise CheckFailed(
            f"{label}: with only {m} steps your attributions are closer to the exact integral (largest error {err:.2g}) than "
            f"any {m}-point quadrature rule can be (the most accurate one here, {best}, is off by {errors[best]:.2g}; left and "
            f"right Riemann sums by about {errors['left']:.2g}): `steps` seems to be ignored or replaced by a fixed number of "
            "points. Interpolate exactly `steps` points between the baseline and x; the tests call your function with few "
            "steps and with many.")


def _check_not_rescaled(got, F, x, b, m, rules, truth, label) -> None:
    """With few steps every honest rule leaves a clear completeness gap; attributions whose sum
    hits F(x) - F(baseline) exactly (while the features are off) were rescaled to force it."""
    target = float(model_output(F, x[None])[0] - model_output(F, b[None])[0])
    gaps = {name: abs(float(r.sum()) - target) for name, r in rules.items()}
    smallest = min(gaps.values())
    if smallest < 1e-2 * abs(target) + 1e-4:  # some honest rule is (nearly) complete here: nothing to tell apart
        return
    gap = abs(float(got.sum()) - target)
    if gap < 0.02 * smallest:
        rescaled = {name: r * target / float(r.sum()) for name, r in rules.items() if abs(float(r.sum())) > 1e-12}
        like = min(rescaled, key=lambda k: float(np.max(np.abs(rescaled[k] - got))))
        raise CheckFailed(
            f"{label}: your attributions sum to {float(got.sum()):.6g}, exactly F(x) - F(baseline) = {target:.6g}, with only "
            f"{m} steps, where every {m}-point rule leaves a gap of at least {smallest:.2g}; yet per feature they are off "
            f"the exact integral by up to {float(np.max(np.abs(got - truth))):.2g} (expected {_short(truth)}, got {_short(got)}; "
            f"it looks like the {like} rule rescaled). The attributions were rescaled to force completeness: that hides the "
            "quadrature error instead of fixing it. Return the integral estimate as it is; the completeness gap is the "
            "diagnostic that tells you to use more steps.")


def check_ig_completeness(integrated_gradients: Callable, case: str, steps: int, baseline: str = "zeros") -> None:
    """The completeness axiom: sum of attributions = F(x) - F(baseline), up to the discretization error."""
    F, x = _ig_model(case)
    x = np.asarray(x, dtype=float)
    b = _baseline(x, baseline)
    label = f"completeness of integrated_gradients [{case}, steps={steps}]"
    got = as_array(call(integrated_gradients, F, x.copy(), b.copy(), steps, what=label), label)
    target = float(model_output(F, x[None])[0] - model_output(F, b[None])[0])
    rules = ig_rules(F, x, b, steps)
    dev = max(abs(float(r.sum()) - target) for r in rules.values())
    tol = SAFETY * dev + 1e-4 * abs(target) + 1e-5
    gap = abs(float(got.sum()) - target)
    if gap > tol:
        raise CheckFailed(f"{label}: your attributions sum to {float(got.sum()):.6g} but F(x) - F(baseline) = {target:.6g} "
                          f"(gap {gap:.3g}; a correct {steps}-point rule stays within {tol / SAFETY:.2g}). Average the gradients along the path "
                          "baseline + alpha (x - baseline) and multiply by (x - baseline).")


# --------------------------------------------------------------------------- completeness gap
def _gap_case(name: str):
    """(F, x, baseline, attributions) for one named completeness-gap case."""
    if name == "mlp_overshoot":  # attributions 10% too large: positive signed gap
        F, x = _ig_model("mlp")
        x = np.asarray(x, dtype=float)
        b = _baseline(x, "shifted")
        return F, x, b, 1.1 * ig_reference(F, x, b, 2048)
    if name == "mlp_undershoot":  # attributions 20% too small: negative signed gap (when F(x) > F(b))
        F, x = _ig_model("mlp")
        x = np.asarray(x, dtype=float)
        b = _baseline(x, "shifted")
        attr = ig_reference(F, x, b, 2048)
        factor = 0.8 if attr.sum() > 0 else 1.2
        return F, x, b, factor * attr
    if name == "opposite_sign":  # sign-flipped, halved attributions: sum and F(x) - F(baseline) have opposite signs
        F, x = _ig_model("mlp")
        x = np.asarray(x, dtype=float)
        b = _baseline(x, "zeros")
        return F, x, b, -0.5 * ig_reference(F, x, b, 2048)
    if name == "image_coarse":  # a coarse 4-step left Riemann sum, from a blurred baseline
        F, x = _ig_model("image")
        x = np.asarray(x, dtype=float)
        b = _baseline(x, "blurred")
        return F, x, b, ig_rules(F, x, b, 4)["left"]
    if name == "quadratic_left":
        F, x = _ig_model("quadratic")
        x = np.asarray(x, dtype=float)
        b = _baseline(x, "shifted")
        return F, x, b, ig_rules(F, x, b, 5)["left"]
    if name == "linear_exact":  # exact attributions: the gap is (numerically) zero
        F, x = _ig_model("linear")
        x = np.asarray(x, dtype=float)
        b = _baseline(x, "zeros")
        return F, x, b, ig_reference(F, x, b, 16)
    raise ValueError(name)


def check_completeness_gap(completeness_gap: Callable, case: str, attr_as: str = "numpy", x_as: str = "numpy") -> None:
    F, x, b, attr = _gap_case(case)
    fx, fb = float(model_output(F, x[None])[0]), float(model_output(F, b[None])[0])
    s = float(np.sum(attr))
    signed = s - (fx - fb)
    expected = abs(signed)
    label = f"completeness_gap(model, x, baseline, attributions) [{case}]"
    got = as_float(call(completeness_gap, F, _convert(x, x_as), _convert(b, x_as), _convert(attr, attr_as), what=label), label)
    atol = 1e-5 * (abs(fx) + abs(fb) + float(np.sum(np.abs(attr)))) + 1e-7
    expect_close(got, expected, label, rtol=1e-5, atol=atol, misconceptions=[
        (signed, "That is the signed difference sum(attributions) - (F(x) - F(baseline)): take its absolute value."),
        (abs(s - fx), "The baseline's output was not subtracted: completeness compares the sum with F(x) - F(baseline), not with F(x)."),
        (s - fx, "The baseline's output was not subtracted (and the absolute value is missing): use |sum(attributions) - (F(x) - F(baseline))|."),
        (abs(abs(s) - abs(fx - fb)), "The absolute values were taken separately, ||sum| - |F(x) - F(baseline)||: here "
         "the sum and F(x) - F(baseline) have opposite signs, and that hides most of the gap (swapping F(x) and F(baseline) "
         "gives the same wrong number). Take one absolute value of the signed difference: |sum(attributions) - (F(x) - F(baseline))|."),
        (abs(s - (fb - fx)), "F(x) and F(baseline) were swapped: attributions explain F(x) - F(baseline)."),
        (abs(float(np.sum(np.abs(attr))) - (fx - fb)), "You summed |attributions|: sum the signed attributions (negative ones pull the output down)."),
        (expected / abs(fx - fb), "That is a relative gap (divided by |F(x) - F(baseline)|): return the absolute gap."),
    ])
