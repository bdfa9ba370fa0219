"""Checks for module 02: vanishing and exploding gradients.

Each ``check_*`` function calls the learner's function on one case, compares it with an
independent oracle (a ``tf.GradientTape`` of its own, ``tf.clip_by_global_norm``, Keras'
variance-scaling formulas, the contract's closed forms) and, when the answer is wrong, computes
what each common mistake would have returned and names the misconception that matches.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from course.checks import CheckFailed, _short, as_array, as_float, call, call_in_kernel, expect
from course.probes.gradients import predict_spy_probe  # noqa: F401  (learner-side: the kernel or the test cells use them)
from course.lessons.gradients import relu_activations  # noqa: F401  (learner-side: the kernel or the test cells use them)

#: Gradient norms computed by two correct float32 implementations (kernels vs filtered
#: trainable_variables, tf.norm vs np.linalg.norm) agree to ~1e-7 relative; every mistake is
#: off by far more. The tolerance is purely relative: vanishing norms are 1e-12 and smaller.
NORM_RTOL = 1e-5


def _rel_close(a: Any, b: Any, rtol: float = NORM_RTOL) -> bool:
    try:
        a = np.asarray(a, dtype=float).ravel()
        b = np.asarray(b, dtype=float).ravel()
    except Exception:
        return False
    if a.shape != b.shape:
        return False
    both_nan = np.isnan(a) & np.isnan(b)
    same_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    ok = both_nan | same_inf | (np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)))
    return bool(np.all(ok))


def _explain(messages: list[str]) -> str:
    """One matching mistake: its sentence. Several give the same numbers here: name them all."""
    unique = list(dict.fromkeys(messages))
    if len(unique) == 1:
        return unique[0]
    return "Several mistakes give exactly these numbers here: " + " ".join(f"({i}) {m}" for i, m in enumerate(unique, 1))


def _values(seq: Any, what: str) -> np.ndarray:
    """A sequence of numbers (floats, numpy scalars, 0-d tensors) as a 1-D float array."""
    if seq is None:
        raise CheckFailed(f"{what} is None: did the function forget to `return`?")
    if isinstance(seq, dict):
        raise CheckFailed(f"{what} should be a list of numbers, got a dict.")
    try:
        items = list(seq)
    except TypeError:
        raise CheckFailed(f"{what} should be a list of numbers (one per Dense layer), got {type(seq).__name__}: {_short(seq)}.") from None
    out = []
    for i, item in enumerate(items):
        if item is None:
            raise CheckFailed(f"{what}[{i}] is None: the tape found no path from the loss to that kernel, so its gradient is None. "
                              "Run the forward pass inside the `with tf.GradientTape() as tape:` block, with the model itself: "
                              "loss = loss_fn(y, model(x, training=True)).")
        arr = as_array(item, f"{what}[{i}]")
        if arr.size != 1:
            raise CheckFailed(f"{what}[{i}] should be one number (a norm), got an array of shape {arr.shape}: "
                              "reduce each gradient to its Frobenius norm, sqrt(sum of squares).")
        out.append(float(arr.reshape(())))
    return np.array(out)


# =========================================================================== layer_gradient_norms
def gradient_case(name: str):
    """A fresh, seeded ``(model, x, y, loss_fn, description)`` for a named test case."""
    import keras
    import tensorflow as tf

    seed = sum(map(ord, name))  # a fixed seed per case (hash() of a str varies between runs)
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    n, d = 64, 8
    x = rng.normal(size=(n, d)).astype("float32")
    if name == "deep_sigmoid":
        model = keras.Sequential([keras.Input((d,))]
                                 + [keras.layers.Dense(16, activation="sigmoid", kernel_initializer=keras.initializers.RandomNormal(stddev=0.05)) for _ in range(6)]
                                 + [keras.layers.Dense(1, activation="sigmoid")])
        y = (x[:, :1] + x[:, 1:2] > 0).astype("float32")
        return model, x, y, keras.losses.BinaryCrossentropy(), "a 6-hidden-layer sigmoid network, naive init, numpy x and y, BinaryCrossentropy"
    if name in ("relu_mse", "relu_tensors"):
        model = keras.Sequential([keras.Input((d,))]
                                 + [keras.layers.Dense(12, activation="relu", kernel_initializer="he_normal") for _ in range(3)]
                                 + [keras.layers.Dense(1)])
        y = (x @ rng.normal(size=(d, 1))).astype("float32")
        if name == "relu_tensors":
            return model, tf.constant(x), tf.constant(y), keras.losses.MeanSquaredError(), "a ReLU network with tf.Tensor x and y, MeanSquaredError"
        return model, x, y, keras.losses.MeanSquaredError(), "a 3-hidden-layer ReLU network, He init, MeanSquaredError"
    if name == "functional_activation_layers":
        inputs = keras.Input((d,))
        h = inputs
        for units in (10, 7):
            h = keras.layers.Dense(units)(h)
            h = keras.layers.Activation("tanh")(h)
        out = keras.layers.Dense(3)(h)
        model = keras.Model(inputs, out)
        y = rng.normal(size=(n, 3))  # float64
        loss = lambda y_true, y_pred: tf.reduce_mean(tf.square(tf.cast(y_true, y_pred.dtype) - y_pred))  # noqa: E731
        return model, x.astype("float64"), y, loss, "a functional model with separate Activation layers, float64 numpy inputs, a plain-function loss"
    if name == "first_layer_without_bias":
        model = keras.Sequential([keras.Input((d,)),
                                  keras.layers.Dense(9, activation="relu", use_bias=False),
                                  keras.layers.Dense(9, activation="relu"),
                                  keras.layers.Dense(9, activation="relu"),
                                  keras.layers.Dense(1, activation="sigmoid")])
        y = (x[:, 2:3] > 0).astype("float32")
        return model, x, y, keras.losses.BinaryCrossentropy(), "a network whose first Dense layer has use_bias=False"
    if name == "batchnorm":
        # Section 2's third network, smaller: sigmoid, naive init, Dense -> BatchNormalization -> sigmoid.
        # In training mode batch norm standardizes with the batch's statistics; in inference mode
        # (model(x), model.predict) it uses its moving averages, which start at mean 0 and
        # variance 1 -- it then does almost nothing and the gradient vanishes as without it.
        layers = [keras.Input((d,))]
        for _ in range(5):
            layers += [keras.layers.Dense(16, use_bias=False, kernel_initializer=keras.initializers.RandomNormal(stddev=0.05)),
                       keras.layers.BatchNormalization(),
                       keras.layers.Activation("sigmoid")]
        model = keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])
        y = (x[:, :1] - x[:, 3:4] > 0).astype("float32")
        return model, x, y, keras.losses.BinaryCrossentropy(), "a sigmoid network with BatchNormalization layers (naive init), BinaryCrossentropy"
    raise ValueError(f"unknown case {name}")


def _reference(model, x, y, loss_fn, restore: Callable[[], None]):
    """Independent oracle: one tape, gradients for every trainable variable, kernels picked by
    layer; plus what common mistakes compute (inference mode, swapped loss arguments).
    ``restore()`` resets batch norm's moving statistics before every forward pass, so every
    computation (and the learner's call after them) starts from the same state."""
    import keras
    import tensorflow as tf

    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    kernels = [layer.kernel for layer in dense]
    biases = [layer.bias for layer in dense]
    variables = list(model.trainable_variables)
    xt = tf.convert_to_tensor(np.asarray(x, dtype="float32"))
    yt = tf.convert_to_tensor(np.asarray(y))

    def kernel_norms(training: bool, swap: bool = False, loss_override=None):
        fn = loss_fn if loss_override is None else loss_override
        restore()
        try:
            with tf.GradientTape() as tape:
                pred = model(xt, training=training)
                loss = fn(pred, yt) if swap else fn(yt, pred)
            grads = tape.gradient(loss, kernels)
            if any(g is None for g in grads):
                return None
            return [float(np.linalg.norm(np.asarray(g, dtype=float))) for g in grads]
        except Exception:  # a mistake that cannot even be computed cannot match
            return None

    restore()
    with tf.GradientTape() as tape:
        loss = loss_fn(yt, model(xt, training=True))
    grads = tape.gradient(loss, variables)
    by_id = {id(v): g for v, g in zip(variables, grads)}
    kg = [np.asarray(by_id[id(k)], dtype=float) for k in kernels]
    bg = [np.asarray(by_id[id(b)], dtype=float) if b is not None else None for b in biases]
    all_norms = [float(np.linalg.norm(np.asarray(g, dtype=float))) for g in grads]
    ref = {
        "kernels": [float(np.linalg.norm(g)) for g in kg],
        "kernel_sq": [float(np.sum(g**2)) for g in kg],
        "kernel_plus_bias": [float(np.sqrt(np.sum(k**2) + (0.0 if b is None else np.sum(b**2)))) for k, b in zip(kg, bg)],
        "kernel_mean_abs": [float(np.mean(np.abs(g))) for g in kg],
        "kernel_max_abs": [float(np.max(np.abs(g))) for g in kg],
        "kernel_spectral": [float(np.linalg.norm(g, 2)) for g in kg],
        "kernel_fro_per_unit_mean": [float(np.mean(np.linalg.norm(g, axis=0))) for g in kg],
        "weights": [float(np.linalg.norm(np.asarray(k, dtype=float))) for k in kernels],
        "all_variables": all_norms,
        "every_other": all_norms[::2],
        "n_variables": len(variables),
        "has_batchnorm": any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers),
    }
    ref["inference"] = kernel_norms(training=False)
    ref["swapped"] = kernel_norms(training=True, swap=True)
    # A common shortcut: ignoring loss_fn and always using the mean squared error.
    mse = lambda y_true, y_pred: tf.reduce_mean(tf.square(tf.cast(y_true, y_pred.dtype) - y_pred))  # noqa: E731
    ref["mse"] = kernel_norms(training=True, loss_override=mse)
    restore()
    return ref


def _state_keeper(model) -> Callable[[], None]:
    """A function that puts the model's non-trainable state (batch norm's moving mean and
    variance) back to what it is now: a forward pass in training mode updates it."""
    saved = [(v, np.array(v.numpy())) for v in model.non_trainable_variables]

    def restore() -> None:
        for v, value in saved:
            v.assign(value)

    return restore


def check_layer_gradient_norms(layer_gradient_norms: Callable, case: str) -> None:
    model, x, y, loss_fn, description = gradient_case(case)
    restore = _state_keeper(model)
    ref = _reference(model, x, y, loss_fn, restore)
    expected = np.array(ref["kernels"])
    n = len(expected)
    label = f"layer_gradient_norms on {description}"

    predict_message = (f"{label}: model.predict() was called. predict() runs outside the tape, so the gradient is None: "
                       "call model(x, training=True) inside the `with tf.GradientTape()` block (predict returns a numpy array, "
                       "which the tape cannot trace back to the kernels).")
    # the model is passed as is (deep-copying Keras models is slow); the probe notes predict() calls
    r = call_in_kernel(predict_spy_probe, layer_gradient_norms, model, x, y, loss_fn, what="layer_gradient_norms(model, x, y, loss_fn)")
    used = {"predict": int(r.get("predict_calls", 0)) if isinstance(r, dict) else 0}
    try:
        if not isinstance(r, dict) or "error" in r:
            err = r.get("error") if isinstance(r, dict) else "no answer"
            if r.get("not_implemented") if isinstance(r, dict) else False:
                raise CheckFailed("`layer_gradient_norms` is not implemented yet (it raises NotImplementedError).")
            raise CheckFailed(f"layer_gradient_norms(model, x, y, loss_fn) raised {err}")
        got = _values(r["value"], "layer_gradient_norms(...)")
    except CheckFailed:
        if used["predict"]:
            raise CheckFailed(predict_message) from None
        raise

    if len(got) != n:
        if len(got) == ref["n_variables"] and len(got) > n:
            raise CheckFailed(
                f"{label}: expected {n} norms (one per Dense layer), got {len(got)}: one per trainable variable. "
                "The bias gradients are included (and batch norm's gamma and beta, where there are some): keep only the kernels "
                "(layer.kernel, or the variables whose name is 'kernel')."
            )
        if len(got) == n - 1:
            raise CheckFailed(f"{label}: expected {n} norms, got {n - 1}: the output layer's kernel counts too (it is a Dense layer).")
        raise CheckFailed(f"{label}: expected {n} norms (one per Dense layer, input side first), got {len(got)}: {_short(got)}.")
    if _rel_close(got, expected):
        return
    if used["predict"]:
        raise CheckFailed(predict_message)
    mistakes = [
        (ref["inference"], "The forward pass ran in inference mode (model(x) or training=False): the contract asks for the gradients of the "
                           "TRAINING loss, so call model(x, training=True) inside the tape. It matters here because batch normalization "
                           "uses the batch's statistics while training and its moving averages at inference (which, at the start, barely "
                           "normalize anything, so the gradient vanishes as without batch norm)."),
        (ref["swapped"], "The loss arguments are swapped. Keras losses are loss_fn(y_true, y_pred): arguments swapped compute another loss "
                         "(binary cross-entropy then treats the labels as the predicted probabilities). Write loss_fn(y, model(x, training=True))."),
        (ref["mse"], "These are the gradients of the mean squared error, not of the loss you were given: use the loss_fn you are given, "
                     "loss = loss_fn(y, model(x, training=True)) (here it is not the MSE)."),
        (expected[::-1], "The order is reversed: list the layers input side first (layer 1 first, the output layer last), the order of model.layers."),
        (ref["kernel_plus_bias"], "Each value includes the bias gradient: the contract asks for the norm of the gradient with respect to the kernel only."),
        (ref["kernel_sq"], "These are squared norms (sum of squares): the Frobenius norm is the square root of the sum of squares (tf.norm or np.linalg.norm)."),
        (ref["kernel_spectral"], "That is the spectral norm (the largest singular value: np.linalg.norm(g, 2) or ord=2 on a matrix): the contract's "
                                 "norm is the Frobenius norm, sqrt(sum of squares of every entry) -- np.linalg.norm(g) or tf.norm(g) without ord."),
        (ref["weights"], "These are the norms of the kernels themselves, not of the loss gradient with respect to them: compute tape.gradient(loss, kernels) first."),
        (ref["kernel_mean_abs"], "That is the mean absolute gradient: the Frobenius norm is sqrt(sum of squares) over every entry of the kernel's gradient."),
        (ref["kernel_max_abs"], "That is the largest absolute gradient entry: the Frobenius norm is sqrt(sum of squares) over every entry."),
        (ref["kernel_fro_per_unit_mean"], "That is the mean of per-unit (column) norms: take one Frobenius norm over the whole kernel gradient."),
        (ref["every_other"][:n], "That is every other trainable variable: a layer with use_bias=False has no bias, so [::2] picks biases. Select the kernels by layer (layer.kernel) or by variable name."),
    ]
    matched = [message for value, message in mistakes
               if value is not None and len(value) == n and _rel_close(got, value) and not _rel_close(value, expected)]
    if matched:
        raise CheckFailed(f"{label}: expected {_short(expected)}, got {_short(got)}. {_explain(matched)}")
    ratio = got / np.where(expected == 0, np.nan, expected)
    hint = ""
    if np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio[0], rtol=1e-4):
        hint = (f" Every norm is {ratio[0]:.4g} times the expected one: the loss is scaled differently. Use loss_fn(y, model(x, training=True)) "
                "exactly as given (no extra sum, mean or factor).")
    elif ref["has_batchnorm"]:
        hint = (" This model has batch normalization: the forward pass must be model(x, training=True) inside the tape "
                "(batch norm uses the batch's statistics while training).")
    raise CheckFailed(f"{label}: expected {_short(expected)}, got {_short(got)}.{hint}")


# =========================================================================== glorot_std / he_std
def _keras_std(mode: str, fan_in: int, fan_out: int, scale: float) -> float:
    """The standard deviation Keras' VarianceScaling initializer targets (its own formula)."""
    fan_in, fan_out = float(fan_in), float(fan_out)
    denom = {"fan_in": max(1.0, fan_in), "fan_out": max(1.0, fan_out), "fan_avg": max(1.0, (fan_in + fan_out) / 2.0)}[mode]
    return float(np.sqrt(scale / denom))


def check_glorot_std(glorot_std: Callable, fan_in, fan_out) -> None:
    label = f"glorot_std({fan_in}, {fan_out})"
    expected = _keras_std("fan_avg", fan_in, fan_out, 1.0)  # = sqrt(2 / (fan_in + fan_out)), keras GlorotNormal
    got = as_float(call(glorot_std, fan_in, fan_out, what=label), label)
    if np.isclose(got, expected, rtol=1e-6, atol=0):
        return
    fi, fo = float(fan_in), float(fan_out)
    mistakes = [
        (np.sqrt(1 / fi), "That is sqrt(1 / fan_in), LeCun's initialization: Glorot averages the two fans, sqrt(2 / (fan_in + fan_out)), so the variance is kept both forward and backward."),
        (np.sqrt(2 / fi), "That is sqrt(2 / fan_in), He's formula for ReLU: Glorot uses both fans, sqrt(2 / (fan_in + fan_out))."),
        (np.sqrt(1 / fo), "That is sqrt(1 / fan_out), which uses fan_out only: Glorot uses both fans, sqrt(2 / (fan_in + fan_out))."),
        (np.sqrt(2 / fo), "That is sqrt(2 / fan_out), He's formula with fan_out: Glorot uses both fans, sqrt(2 / (fan_in + fan_out))."),
        (2 / (fi + fo), "That is the variance 2 / (fan_in + fan_out): return the standard deviation, its square root."),
        (np.sqrt(6 / (fi + fo)), "That is sqrt(6 / (fan_in + fan_out)), the limit of Glorot's UNIFORM distribution: the normal version's standard deviation is sqrt(2 / (fan_in + fan_out))."),
        (np.sqrt(1 / (fi + fo)), "The factor 2 is missing: the average fan is (fan_in + fan_out) / 2, so the variance is 2 / (fan_in + fan_out)."),
        (np.sqrt(2 / (fi * fo)), "That divides by fan_in * fan_out: Glorot divides by their sum, sqrt(2 / (fan_in + fan_out))."),
    ]
    matched = [message for value, message in mistakes if np.isclose(got, value, rtol=1e-6, atol=0)]
    if matched:
        raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}. {_explain(matched)}")
    raise CheckFailed(f"{label}: expected sqrt(2 / (fan_in + fan_out)) = {expected:.6g}, got {got:.6g}.")


def check_he_std(he_std: Callable, fan_in) -> None:
    label = f"he_std({fan_in})"
    expected = _keras_std("fan_in", fan_in, fan_in, 2.0)  # = sqrt(2 / fan_in), keras HeNormal
    got = as_float(call(he_std, fan_in, what=label), label)
    if np.isclose(got, expected, rtol=1e-6, atol=0):
        return
    fi = float(fan_in)
    mistakes = [
        (np.sqrt(1 / fi), "That is sqrt(1 / fan_in), LeCun's initialization: ReLU zeroes half of its inputs on average, so He doubles the variance to 2 / fan_in."),
        (2 / fi, "That is the variance 2 / fan_in: return the standard deviation, its square root."),
        (1 / fi, "That is 1 / fan_in: He's standard deviation is sqrt(2 / fan_in)."),
        (np.sqrt(6 / fi), "That is sqrt(6 / fan_in), the limit of He's UNIFORM distribution: the normal version's standard deviation is sqrt(2 / fan_in)."),
        (np.sqrt(2) / fi, "That is sqrt(2) / fan_in: the square root covers the whole fraction, sqrt(2 / fan_in)."),
        (np.sqrt(2 * fi), "The fraction is upside down: sqrt(2 / fan_in), not sqrt(2 * fan_in)."),
    ]
    for value, message in mistakes:
        if np.isclose(got, value, rtol=1e-6, atol=0):
            raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}. {message}")
    raise CheckFailed(f"{label}: expected sqrt(2 / fan_in) = {expected:.6g}, got {got:.6g}.")


# =========================================================================== clip_by_global_norm
def _is_scalar(value) -> bool:
    try:
        return as_array(value).size == 1
    except Exception:
        return False


def _describe_grads(grads) -> str:
    kind = type(grads).__name__
    inner = type(grads[0]).__name__ if len(grads) else "?"
    shapes = ", ".join(str(tuple(np.shape(g))) for g in grads)
    return f"a {kind} of {len(grads)} {inner}s shaped {shapes}"


def check_clip_by_global_norm(clip_by_global_norm: Callable, grads, clip_norm: float) -> None:
    import tensorflow as tf

    label = f"clip_by_global_norm({_describe_grads(grads)}, clip_norm={clip_norm})"
    g64 = [np.asarray(g, dtype=float) for g in grads]
    ref_list, ref_norm = tf.clip_by_global_norm([tf.constant(g, dtype=tf.float64) for g in g64], clip_norm)
    expected = [np.asarray(g) for g in ref_list]
    expected_norm = float(ref_norm)

    out = call(clip_by_global_norm, grads, clip_norm, what=label)
    if out is None:
        raise CheckFailed(f"{label} returned None: return the pair (clipped_list, global_norm).")
    try:
        pair = list(out)
    except TypeError:
        raise CheckFailed(f"{label} should return a pair (clipped_list, global_norm), got {type(out).__name__}.") from None
    expect(len(pair) == 2, f"{label} should return a pair (clipped_list, global_norm), got {len(pair)} values.")
    clipped, norm = pair
    if isinstance(norm, (list, tuple)) and len(norm) == len(grads) and _is_scalar(clipped):
        raise CheckFailed(f"{label}: the pair is swapped. Return (clipped_list, global_norm), in that order, like tf.clip_by_global_norm.")
    norm_v = as_float(norm, f"{label}: the global norm (second value)")
    try:
        clipped = list(clipped)
    except TypeError:
        raise CheckFailed(f"{label}: the first value should be a list of clipped gradients, got {type(clipped).__name__}.") from None
    expect(len(clipped) == len(grads), f"{label}: expected {len(grads)} clipped gradients (one per input), got {len(clipped)}.")
    got = [as_array(c, f"{label}: clipped gradient {i}") for i, c in enumerate(clipped)]
    for i, (gc, ge) in enumerate(zip(got, expected)):
        expect(gc.shape == ge.shape, f"{label}: clipped gradient {i} has shape {gc.shape}, expected {ge.shape} (the input's shape).")

    sq = float(sum(np.sum(g**2) for g in g64))
    true_norm = float(np.sqrt(sq))
    per_tensor = [float(np.linalg.norm(g)) for g in g64]
    norm_ok = np.isclose(norm_v, expected_norm, rtol=1e-5, atol=1e-12)
    lists_ok = all(np.allclose(gc, ge, rtol=1e-5, atol=1e-12) for gc, ge in zip(got, expected))
    if norm_ok and lists_ok:
        return

    def same(candidate):
        return all(np.allclose(gc, c, rtol=1e-5, atol=1e-12) for gc, c in zip(got, candidate))

    if not norm_ok:
        norm_mistakes = [
            (sq, "That is the sum of squares: the global norm is its square root, sqrt(sum of every squared entry)."),
            (min(true_norm, clip_norm), "That is the norm AFTER clipping: return the global norm of the input gradients (before clipping), as tf.clip_by_global_norm does, so you can log how large they really were."),
            (sum(per_tensor), "That is the sum of the per-tensor norms: the global norm is sqrt(sum of squares over ALL tensors) = sqrt(sum of squared per-tensor norms)."),
            (float(np.mean(per_tensor)), "That is the mean of the per-tensor norms: the global norm is sqrt(sum of squares over ALL tensors)."),
            (max(per_tensor), "That is the largest per-tensor norm: the global norm combines every tensor, sqrt(sum of squares over all of them)."),
            (per_tensor[0], "That is the norm of the first tensor only: the global norm combines EVERY tensor of the list, sqrt(sum of squares over all of them)."),
        ]
        matched = [message for value, message in norm_mistakes if np.isclose(norm_v, value, rtol=1e-5, atol=1e-12)]
        if matched:
            raise CheckFailed(f"{label}: expected global norm {expected_norm:.6g}, got {norm_v:.6g}. {_explain(matched)}")
        raise CheckFailed(f"{label}: expected global norm sqrt(sum of squares of every entry) = {expected_norm:.6g}, got {norm_v:.6g}.")

    list_mistakes = [
        ([g * min(1.0, clip_norm / n) if n > 0 else g for g, n in zip(g64, per_tensor)],
         "Each tensor was clipped separately (like tf.clip_by_norm per tensor): clip_by_global_norm scales ALL tensors by the same factor "
         "clip_norm / max(global_norm, clip_norm), which keeps the direction of the whole gradient."),
        ([g * clip_norm / true_norm for g in g64],
         "The gradients were rescaled although the global norm is below clip_norm: only scale down when global_norm > clip_norm "
         "(factor clip_norm / max(global_norm, clip_norm)); otherwise return them unchanged."),
        ([g * clip_norm / max(sq, clip_norm) for g in g64],
         "The scale factor used the sum of squares: divide by the global norm (its square root)."),
        ([np.clip(g, -clip_norm, clip_norm) for g in g64],
         "Each entry was clipped by value (np.clip / tf.clip_by_value): clipping by global norm rescales every tensor by one common factor instead."),
        ([g * true_norm / clip_norm for g in g64], "The factor is upside down: multiply by clip_norm / global_norm, not global_norm / clip_norm."),
        ([g64[0] * (clip_norm / max(true_norm, clip_norm))] + g64[1:],
         "Only the first tensor was clipped: scale EVERY tensor of the list by the same factor clip_norm / max(global_norm, clip_norm) "
         "(loop over all of them)."),
        (g64, "The gradients came back unchanged although the global norm exceeds clip_norm: scale them by clip_norm / global_norm."),
    ]
    matched = [message for value, message in list_mistakes if same(value)]
    if matched:
        raise CheckFailed(f"{label}: the clipped gradients differ from tf.clip_by_global_norm. {_explain(matched)}")
    worst = max(range(len(got)), key=lambda i: float(np.max(np.abs(got[i] - expected[i]))) if got[i].size else 0.0)
    raise CheckFailed(f"{label}: clipped gradient {worst} should be {_short(expected[worst])}, got {_short(got[worst])} "
                      f"(global norm {expected_norm:.6g}, clip_norm {clip_norm}).")


# =========================================================================== dead_relu_fraction
def check_dead_relu_fraction(dead_relu_fraction: Callable, activations) -> None:
    a = as_array(activations, "the activations")
    kind = type(activations).__name__
    label = f"dead_relu_fraction({kind} of shape {a.shape})"
    expected = float(np.mean(np.all(a == 0, axis=0)))
    got = as_float(call(dead_relu_fraction, activations, what=label), label)
    if np.isclose(got, expected, rtol=1e-6, atol=1e-9):
        return
    zero = a == 0
    mistakes = [
        (float(np.mean(np.all(zero, axis=1))), "That is the fraction of examples (rows) whose units are all zero: a unit is a column, and it is dead when it is zero for every row."),
        (float(np.mean(np.any(zero, axis=0))), "That counts units that are zero for ANY example: a live ReLU unit is zero on many examples (that is normal sparsity). Dead means zero for EVERY example."),
        (float(np.mean(zero)), "That is the fraction of zero entries: count units (columns) that are zero for every example (row), then divide by the number of units."),
        (float(np.mean(np.mean(zero, axis=0))), "That is the mean fraction of zeros per unit: count units (columns) that are zero for every example (row)."),
        (float(np.sum(np.all(zero, axis=0))), "That is the number of dead units: divide by the number of units to get a fraction."),
        (100.0 * expected, "That is a percentage: return a fraction between 0 and 1."),
        (1.0 - expected, "That is the fraction of live units (1 - dead): count the units that are zero for EVERY example instead."),
        (float(np.mean(np.all(zero, axis=0))) * a.shape[1] / max(a.shape[0], 1), "That divides by the number of examples: divide the dead-unit count by the number of units (columns)."),
    ]
    matched = [message for value, message in mistakes
               if np.isclose(got, value, rtol=1e-6, atol=1e-9) and not np.isclose(value, expected, rtol=1e-6, atol=1e-9)]
    if matched:
        raise CheckFailed(f"{label}: expected {expected:.6g}, got {got:.6g}. {_explain(matched)}")
    # "almost zero" instead of "exactly zero": a threshold on the values, e.g. np.all(a < 0.1, axis=0)
    if a.ndim == 2 and got > expected:
        col_max = np.max(a, axis=0) if a.shape[0] else np.zeros(a.shape[1])
        for t in (1e-8, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1, 0.2, 0.5, 1.0):
            tiny = int(np.sum((col_max > 0) & (col_max <= t)))
            if tiny and any(np.isclose(got, float(np.mean(cmp)), rtol=1e-6, atol=1e-9)
                            for cmp in (np.all(a < t, axis=0), np.all(a <= t, axis=0), np.all(np.abs(a) < t, axis=0))):
                raise CheckFailed(
                    f"{label}: expected {expected:.6g}, got {got:.6g}. Units whose activations are small but positive were counted as dead "
                    f"(a threshold of {t:g} or more on the values: {tiny} units here stay below {t:g} without being zero). A unit is dead only if it is exactly "
                    "zero for every example (tiny positive values are alive): such a unit still passes a gradient. Use np.all(a == 0, axis=0), no threshold.")
    # "mostly zero" instead of "always zero": the fraction of units whose share of zeros is above
    # some threshold t between 1/2 and 1 (> t or >= t), e.g. np.mean(np.mean(a == 0, axis=0) > 0.9)
    share = np.mean(zero, axis=0) if a.ndim == 2 else np.mean(zero).reshape(1)
    thresholds = [t for t in np.unique(np.concatenate([share, [0.5, 0.8, 0.9, 0.95, 0.99]])) if 0.5 <= t < 1]
    mostly = {float(np.mean(share > t)) for t in thresholds} | {float(np.mean(share >= t)) for t in thresholds}
    if got > expected and any(np.isclose(got, value, rtol=1e-6, atol=1e-9) for value in mostly):
        almost = int(np.sum((share >= 0.5) & (share < 1)))
        raise CheckFailed(
            f"{label}: expected {expected:.6g}, got {got:.6g}. Units that are zero on most examples but not all were counted as dead "
            f"({almost} units here are zero on at least half of the examples without being zero on all of them; the one closest to dead "
            f"is zero on {int(np.max(np.where(share < 1, np.sum(zero, axis=0), 0)))} of {a.shape[0]}). Such a unit is alive: it still gets a gradient "
            "from the examples where it fires. Dead means zero for EVERY example: np.all(a == 0, axis=0), no threshold.")
    raise CheckFailed(f"{label}: expected {expected:.6g} (units zero on every example / number of units), got {got:.6g}.")


# =========================================================================== diagnose_gradients
def _diagnose(norms, low=1e-2, high=1e2, max_norm=None, *, invert=False, ignore_nonfinite=False, inclusive=False,
              extremes=False, first_only=False, ignore_max=False, max_global=False, max_inclusive=False,
              ratio_first=False, skip_last=False, max_truthy=False):
    """The contract's rule, with one knob turned to simulate a common mistake."""
    v = np.asarray(norms, dtype=float).ravel()
    finite_part = v[:-1] if skip_last else v
    if not ignore_nonfinite and not np.all(np.isfinite(finite_part)):
        return "exploding"
    use_max = max_norm is not None and not ignore_max and (bool(max_norm) if max_truthy else True)

    def above_max():
        if not use_max:
            return False
        if max_global:
            return bool(np.sqrt(np.sum(v ** 2)) > max_norm)
        return bool(np.any(v >= max_norm) if max_inclusive else np.any(v > max_norm))

    if not ratio_first and above_max():
        return "exploding"
    with np.errstate(divide="ignore", invalid="ignore"):
        if extremes:
            ratio = np.nanmax(v) / np.nanmin(v)
        elif first_only:
            ratio = v[0]
        else:
            ratio = v[-1] / v[0] if invert else v[0] / v[-1]
    if (ratio >= high) if inclusive else (ratio > high):
        return "exploding"
    if (ratio <= low) if inclusive else (ratio < low):
        return "vanishing"
    if ratio_first and above_max():
        return "exploding"
    return "healthy"


def check_diagnose_gradients(diagnose_gradients: Callable, norms, low=None, high=None, max_norm=None, pass_max_norm=False) -> None:
    """One call of ``diagnose_gradients`` against the contract's rule.

    ``max_norm`` is passed as a keyword when it is not None or when ``pass_max_norm`` is True
    (to check that an explicit ``max_norm=None`` means "no bound").
    """
    kwargs = {}
    if low is not None:
        kwargs["low"] = low
    if high is not None:
        kwargs["high"] = high
    if max_norm is not None or pass_max_norm:
        kwargs["max_norm"] = max_norm
    v = as_array(norms, "the norms").ravel()
    shown = "[" + ", ".join(f"{x:.3g}" for x in v) + "]"
    args = shown + "".join(f", {k}={val:g}" if val is not None else f", {k}=None" for k, val in kwargs.items())
    label = f"diagnose_gradients({args}) ({type(norms).__name__} input)"
    expected = _diagnose(norms, **kwargs)
    got = call(diagnose_gradients, norms, what=label, **kwargs)
    if not isinstance(got, (str, np.str_)):
        raise CheckFailed(f"{label} should return one of the strings 'exploding', 'vanishing', 'healthy', got {type(got).__name__}: {_short(got)}.")
    answer = str(got).strip().lower()
    if answer == expected:
        return
    if answer not in ("exploding", "vanishing", "healthy"):
        raise CheckFailed(f"{label}: expected {expected!r}, got {str(got)!r}. Return exactly one of 'exploding', 'vanishing', 'healthy'.")
    ratio = v[0] / v[-1] if v[-1] != 0 else float("inf")
    mistakes = [
        (dict(skip_last=True), "A norm is NaN or inf (here the LAST one): every norm must be checked with np.isfinite, the last included; a loop that stops one short misses it."),
        (dict(ignore_nonfinite=True), "A norm is NaN or inf: that alone means 'exploding' (check np.isfinite on every norm first; comparisons with NaN are always False)."),
        (dict(max_truthy=True), "max_norm=0 was treated as 'no bound': test `max_norm is not None`, not `if max_norm:` (0 is a bound, and every positive norm is above it)."),
        (dict(max_inclusive=True), "The max_norm bound is strict: a norm exactly equal to max_norm is not above it (use norm > max_norm)."),
        (dict(ratio_first=True), "A norm above max_norm means 'exploding' even when the ratio says 'vanishing': check the non-finite norms and the max_norm bound before the ratio."),
        (dict(ignore_max=True), "max_norm was ignored: when it is given, any single layer norm above max_norm means 'exploding', whatever the ratio (the absolute size of a gradient, not only the layer-wise ratio, signals an explosion)."),
        (dict(max_global=True), "max_norm bounds EACH layer's norm, not the global norm sqrt(sum of squares) over the layers: compare every norm with max_norm separately."),
        (dict(defaults=True), "Use the thresholds passed as low= and high=, not the default values 1e-2 and 1e2."),
        (dict(invert=True), f"The ratio is inverted: the rule uses norms[0] / norms[-1] (input side over output side), here {ratio:.3g}: a small ratio means the input side gets too little gradient (vanishing), a large one too much (exploding)."),
        (dict(inclusive=True), "The boundary is strict: a ratio exactly equal to `high` (or `low`) is still 'healthy' (use > high and < low)."),
        (dict(first_only=True), f"That compares norms[0] = {v[0]:.3g} alone with the thresholds: compare the RATIO norms[0] / norms[-1], not norms[0] alone "
                                f"(here {ratio:.3g}): what matters is how the input side's gradient compares with the output side's."),
        (dict(extremes=True), "The rule compares the input side with the output side, norms[0] / norms[-1], not the largest with the smallest norm."),
    ]
    for knobs, message in mistakes:
        if knobs.get("defaults"):
            ratio_kwargs = {k: val for k, val in kwargs.items() if k in ("low", "high")}
            if ratio_kwargs and _diagnose(norms, max_norm=kwargs.get("max_norm")) == answer:
                raise CheckFailed(f"{label}: expected {expected!r}, got {answer!r}. {message}")
            continue
        if _diagnose(norms, **kwargs, **knobs) == answer:
            raise CheckFailed(f"{label}: expected {expected!r}, got {answer!r}. {message}")
    raise CheckFailed(f"{label}: expected {expected!r} (ratio norms[0] / norms[-1] = {ratio:.3g}), got {answer!r}.")


# =========================================================================== degenerate inputs
def check_clip_all_zero(clip_by_global_norm: Callable) -> None:
    """All-zero gradients (a frozen layer, a converged step): global norm 0, nothing changes."""
    grads = [np.zeros((3, 2)), np.zeros(2)]
    try:
        check_clip_by_global_norm(clip_by_global_norm, grads, 1.0)
    except CheckFailed as exc:
        raise CheckFailed(f"{exc} With all-zero gradients the global norm is 0: clip_norm / global_norm divides by zero "
                          "(ZeroDivisionError, or inf * 0 = NaN). Scale by clip_norm / max(global_norm, clip_norm), "
                          "which is 1 whenever the norm is at most clip_norm.") from None


def check_dead_relu_one_example(dead_relu_fraction: Callable) -> None:
    """A batch of ONE example, shape (1, units): a unit is dead if its one activation is 0."""
    activations = np.array([[0.0, 0.7, 0.0, 1.3, 0.0, 0.2, 0.0, 0.4]])
    try:
        check_dead_relu_fraction(dead_relu_fraction, activations)
    except CheckFailed as exc:
        raise CheckFailed(f"{exc} The batch has shape (1, 8): one example, eight units. Keep the 2-D shape (no np.squeeze): "
                          "squeezing turns it into one row of 8 values, and np.all(..., axis=0) then tests whether ALL "
                          "activations are zero instead of each unit.") from None
