"""Module 02 variants: common mistakes (must lose points) and alternative correct answers."""

from tests.variants import correct, wrong

MODULE = "02_vanishing_exploding_gradients"

# ------------------------------------------------------------------ layer_gradient_norms
@wrong("bias gradients are included")
def layer_gradient_norms__all_variables(model, x, y, loss_fn):
    import tensorflow as tf
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return [float(tf.norm(g)) for g in tape.gradient(loss, model.trainable_variables)]


@wrong("order is reversed")
def layer_gradient_norms__output_side_first(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)][::-1]


@wrong("includes the bias gradient")
def layer_gradient_norms__kernel_and_bias_together(model, x, y, loss_fn):
    import keras
    import numpy as np
    import tensorflow as tf
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, [layer.trainable_weights for layer in dense])
    return [float(np.sqrt(sum(np.sum(np.square(g.numpy())) for g in layer_grads))) for layer_grads in grads]


@wrong("squared norms")
def layer_gradient_norms__no_sqrt(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return [float(tf.reduce_sum(tf.square(g))) for g in tape.gradient(loss, kernels)]


@wrong("norms of the kernels themselves")
def layer_gradient_norms__weight_norms(model, x, y, loss_fn):
    import keras
    import numpy as np
    return [float(np.linalg.norm(layer.kernel.numpy())) for layer in model.layers if isinstance(layer, keras.layers.Dense)]


@wrong("mean absolute gradient")
def layer_gradient_norms__mean_abs(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return [float(tf.reduce_mean(tf.abs(g))) for g in tape.gradient(loss, kernels)]


@wrong("every other trainable variable")
def layer_gradient_norms__every_other_variable(model, x, y, loss_fn):
    import tensorflow as tf
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    return [float(tf.norm(g)) for g in grads[::2]]


@wrong("ran in inference mode (model(x) or training=False): the contract asks for the gradients of the TRAINING loss, so call model(x, training=True)")
def layer_gradient_norms__inference_mode(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x))  # inference mode: batch norm uses its moving averages
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


@wrong("loss_fn(y_true, y_pred): arguments swapped")
def layer_gradient_norms__swapped_loss_arguments(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(model(x, training=True), y)
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


@wrong("predict() runs outside the tape, so the gradient is None: call model(x, training=True)")
def layer_gradient_norms__predict_in_tape(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model.predict(x, verbose=0))
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


@wrong("predict() runs outside the tape, so the gradient is None: call model(x, training=True)")
def layer_gradient_norms__predict_in_tape_numpy_norm(model, x, y, loss_fn):
    import keras
    import numpy as np
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        pred = model.predict(x, verbose=0)
        loss = loss_fn(y, pred)
    grads = tape.gradient(loss, kernels)
    return [float(np.linalg.norm(g)) if g is not None else 0.0 for g in grads]


@wrong("spectral norm")
def layer_gradient_norms__spectral_norm(model, x, y, loss_fn):
    import keras
    import numpy as np
    import tensorflow as tf
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return [float(np.linalg.norm(g.numpy(), 2)) for g in tape.gradient(loss, kernels)]


@correct
def layer_gradient_norms__trainable_variables_named_kernel(model, x, y, loss_fn):
    import numpy as np
    import tensorflow as tf
    kernels = [v for v in model.trainable_variables if v.name == "kernel"]
    x = tf.convert_to_tensor(x)
    y = tf.convert_to_tensor(y)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return [float(np.linalg.norm(g.numpy())) for g in tape.gradient(loss, kernels)]


@correct
def layer_gradient_norms__two_dimensional_variables(model, x, y, loss_fn):
    import numpy as np
    import tensorflow as tf
    x = np.asarray(x, dtype="float32")
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = loss_fn(y, pred)
    variables = model.trainable_variables
    grads = tape.gradient(loss, variables)
    return np.array([np.sqrt(np.sum(np.square(g.numpy().astype("float64")))) for v, g in zip(variables, grads) if len(v.shape) == 2])


@correct
def layer_gradient_norms__persistent_tape_tensors_out(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    with tf.GradientTape(persistent=True) as tape:
        loss = loss_fn(y, model(x, training=True))
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            out.append(tf.norm(tape.gradient(loss, layer.kernel)))  # tensors, not floats
    del tape
    return out


@wrong("use the loss_fn you are given")
def layer_gradient_norms__always_mse(model, x, y, loss_fn):
    import keras
    import tensorflow as tf
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = keras.losses.MeanSquaredError()(y, pred)  # ignores loss_fn
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    return [float(tf.norm(g)) for g in tape.gradient(loss, kernels)]


# ------------------------------------------------------------------ glorot_std
@wrong("LeCun")
def glorot_std__fan_in_only(fan_in, fan_out):
    import math
    return math.sqrt(1.0 / fan_in)


@wrong("variance 2 / (fan_in + fan_out)")
def glorot_std__variance(fan_in, fan_out):
    return 2.0 / (fan_in + fan_out)


@wrong("UNIFORM distribution")
def glorot_std__uniform_limit(fan_in, fan_out):
    import math
    return math.sqrt(6.0 / (fan_in + fan_out))


@wrong("He's formula")
def glorot_std__he(fan_in, fan_out):
    import math
    return math.sqrt(2.0 / fan_in)


@wrong("sqrt(1 / fan_out)")
def glorot_std__fan_out_only(fan_in, fan_out):
    import math
    return math.sqrt(1.0 / fan_out)


@wrong("He's formula with fan_out")
def glorot_std__he_fan_out(fan_in, fan_out):
    import math
    return math.sqrt(2.0 / fan_out)


@correct
def glorot_std__math_average_fan(fan_in, fan_out):
    import math
    return math.sqrt(1.0 / ((fan_in + fan_out) / 2))


@correct
def glorot_std__tensorflow(fan_in, fan_out):
    import tensorflow as tf
    return tf.sqrt(2.0 / tf.cast(fan_in + fan_out, tf.float64))  # a 0-d tensor


# ------------------------------------------------------------------ he_std
@wrong("LeCun")
def he_std__one_over_fan_in(fan_in):
    import math
    return math.sqrt(1.0 / fan_in)


@wrong("That is 1 / fan_in")
def he_std__no_sqrt_one_over_fan_in(fan_in):
    return 1 / fan_in


@wrong("variance 2 / fan_in")
def he_std__variance(fan_in):
    return 2 / fan_in


@wrong("UNIFORM distribution")
def he_std__uniform_limit(fan_in):
    import numpy as np
    return np.sqrt(6 / fan_in)


@correct
def he_std__power(fan_in):
    return (2 / fan_in) ** 0.5


@correct
def he_std__numpy_float32(fan_in):
    import numpy as np
    return np.float32(np.sqrt(np.float32(2) / np.float32(fan_in)))


# ------------------------------------------------------------------ clip_by_global_norm
@wrong("clipped separately")
def clip_by_global_norm__per_tensor(grads, clip_norm):
    import tensorflow as tf
    grads = [tf.convert_to_tensor(g) for g in grads]
    return [tf.clip_by_norm(g, clip_norm) for g in grads], tf.linalg.global_norm(grads)


@wrong("square root")
def clip_by_global_norm__no_sqrt(grads, clip_norm):
    import numpy as np
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = sum(float(np.sum(a ** 2)) for a in arrays)
    return [a * clip_norm / max(norm, clip_norm) for a in arrays], norm


@wrong("below clip_norm")
def clip_by_global_norm__always_rescale(grads, clip_norm):
    import numpy as np
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.sqrt(sum(np.sum(a ** 2) for a in arrays)))
    return [a * clip_norm / norm for a in arrays], norm


@wrong("clipped by value")
def clip_by_global_norm__by_value(grads, clip_norm):
    import numpy as np
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.sqrt(sum(np.sum(a ** 2) for a in arrays)))
    return [np.clip(a, -clip_norm, clip_norm) for a in arrays], norm


@wrong("AFTER clipping")
def clip_by_global_norm__norm_after(grads, clip_norm):
    import numpy as np
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.sqrt(sum(np.sum(a ** 2) for a in arrays)))
    clipped = [a * clip_norm / max(norm, clip_norm) for a in arrays]
    return clipped, float(np.sqrt(sum(np.sum(c ** 2) for c in clipped)))


@wrong("Only the first tensor was clipped")
def clip_by_global_norm__first_tensor_only(grads, clip_norm):
    import numpy as np
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.sqrt(sum(np.sum(a ** 2) for a in arrays)))
    arrays[0] = arrays[0] * clip_norm / max(norm, clip_norm)
    return arrays, norm


@wrong("norm of the first tensor only")
def clip_by_global_norm__norm_of_first_tensor(grads, clip_norm):
    import numpy as np
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.linalg.norm(arrays[0]))
    return [a * clip_norm / max(norm, clip_norm) for a in arrays], norm


@correct
def clip_by_global_norm__tensorflow(grads, clip_norm):
    import tensorflow as tf
    return tf.clip_by_global_norm([tf.convert_to_tensor(g) for g in grads], clip_norm)


@correct
def clip_by_global_norm__numpy_tuple_float32(grads, clip_norm):
    import numpy as np
    arrays = tuple(np.asarray(g, dtype="float32") for g in grads)
    norm = np.sqrt(np.sum([np.vdot(a, a) for a in arrays]))
    if norm > clip_norm:
        arrays = tuple(a * (clip_norm / norm) for a in arrays)
    return arrays, norm


# ------------------------------------------------------------------ dead_relu_fraction
@wrong("fraction of examples (rows)")
def dead_relu_fraction__per_example(activations):
    import numpy as np
    a = np.asarray(activations)
    return float(np.mean(np.all(a == 0, axis=1)))


@wrong("ANY example")
def dead_relu_fraction__zero_for_any_example(activations):
    import numpy as np
    a = np.asarray(activations)
    return float(np.mean(np.any(a == 0, axis=0)))


@wrong("fraction of zero entries")
def dead_relu_fraction__zero_entries(activations):
    import numpy as np
    return float(np.mean(np.asarray(activations) == 0))


@wrong("number of dead units")
def dead_relu_fraction__count(activations):
    import numpy as np
    return int(np.sum(np.all(np.asarray(activations) == 0, axis=0)))


@wrong("zero on most examples but not all")
def dead_relu_fraction__mostly_zero(activations):
    import numpy as np
    a = np.asarray(activations)
    return float(np.mean(np.mean(a == 0, axis=0) > 0.9))


@wrong("zero on most examples but not all")
def dead_relu_fraction__mostly_zero_99(activations):
    import numpy as np
    a = np.asarray(activations)
    return float(np.mean(np.mean(a == 0, axis=0) >= 0.99))


@wrong("a unit is dead only if it is exactly zero for every example (tiny positive values are alive)")
def dead_relu_fraction__below_threshold(activations):
    import numpy as np
    a = np.asarray(activations)
    return float(np.mean(np.all(a < 0.1, axis=0)))


@wrong("a unit is dead only if it is exactly zero for every example (tiny positive values are alive)")
def dead_relu_fraction__allclose_zero(activations):
    import numpy as np
    a = np.asarray(activations, dtype=float)
    return float(np.mean([np.allclose(col, 0.0, atol=1e-2) for col in a.T]))


@wrong("that is the fraction of live units (1 - dead)")
def dead_relu_fraction__live_fraction(activations):
    import numpy as np
    a = np.asarray(activations)
    return float(np.mean(np.any(a != 0, axis=0)))


@correct
def dead_relu_fraction__tensorflow(activations):
    import tensorflow as tf
    a = tf.convert_to_tensor(activations, dtype=tf.float32)
    dead = tf.reduce_all(tf.equal(a, 0.0), axis=0)
    return tf.reduce_mean(tf.cast(dead, tf.float32))  # a 0-d tensor


@correct
def dead_relu_fraction__max_per_column(activations):
    import numpy as np
    a = np.asarray(activations, dtype=float)
    return np.count_nonzero(a.max(axis=0) <= 0) / a.shape[1]


# ------------------------------------------------------------------ degenerate inputs
@wrong("divides by zero")
def clip_by_global_norm__divides_by_norm(grads, clip_norm):
    import numpy as np
    arrays = [np.asarray(g, dtype=float) for g in grads]
    global_norm = float(np.sqrt(sum(float(np.sum(a ** 2)) for a in arrays)))
    scale = min(1.0, clip_norm / global_norm)  # fails when every gradient is zero
    return [a * scale for a in arrays], global_norm


@wrong("no np.squeeze")
def dead_relu_fraction__squeezed(activations):
    import numpy as np
    a = np.squeeze(np.asarray(activations))
    return float(np.mean(np.all(a == 0, axis=0)))


# ------------------------------------------------------------------ diagnose_gradients
@wrong("ratio is inverted")
def diagnose_gradients__inverted_ratio(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm is not None and np.any(v > max_norm):
        return "exploding"
    ratio = v[-1] / v[0]
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("NaN or inf")
def diagnose_gradients__ignores_nan(norms, low=1e-2, high=1e2, max_norm=None):
    if max_norm is not None and any(float(n) > max_norm for n in norms):
        return "exploding"
    ratio = float(norms[0]) / float(norms[-1])
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("here the LAST one")
def diagnose_gradients__finiteness_loop_misses_last(norms, low=1e-2, high=1e2, max_norm=None):
    import math
    v = [float(n) for n in norms]
    for k in range(len(v) - 1):  # off by one: the output-side norm is never checked
        if not math.isfinite(v[k]):
            return "exploding"
    if max_norm is not None and any(n > max_norm for n in v):
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("boundary is strict")
def diagnose_gradients__inclusive(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm is not None and np.any(v > max_norm):
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio >= high:
        return "exploding"
    if ratio <= low:
        return "vanishing"
    return "healthy"


@wrong("not the default values")
def diagnose_gradients__hard_coded_thresholds(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm is not None and np.any(v > max_norm):
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio > 100:
        return "exploding"
    if ratio < 0.01:
        return "vanishing"
    return "healthy"


@wrong("not the largest with the smallest")
def diagnose_gradients__max_over_min(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm is not None and np.any(v > max_norm):
        return "exploding"
    ratio = v.max() / v.min() if v[0] >= v[-1] else v.min() / v.max()
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("compare the RATIO norms[0] / norms[-1], not norms[0] alone")
def diagnose_gradients__first_norm_only(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm is not None and np.any(v > max_norm):
        return "exploding"
    if v[0] > high:
        return "exploding"
    if v[0] < low:
        return "vanishing"
    return "healthy"


@wrong("max_norm was ignored")
def diagnose_gradients__ignores_max_norm(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("not the global norm")
def diagnose_gradients__max_norm_on_global_norm(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm is not None and np.sqrt(np.sum(v ** 2)) > max_norm:
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("max_norm bound is strict")
def diagnose_gradients__max_norm_inclusive(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm is not None and np.any(v >= max_norm):
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("`max_norm is not None`, not `if max_norm:`")
def diagnose_gradients__max_norm_truthiness(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    if max_norm and np.any(v > max_norm):
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@wrong("before the ratio")
def diagnose_gradients__ratio_before_max_norm(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.all(np.isfinite(v)):
        return "exploding"
    ratio = v[0] / v[-1]
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    if max_norm is not None and np.any(v > max_norm):
        return "exploding"
    return "healthy"


@correct
def diagnose_gradients__natural_log(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.isfinite(v).all():
        return "exploding"
    if max_norm is not None and v.max() > max_norm:
        return "exploding"
    with np.errstate(divide="ignore"):
        if np.log(v[0]) - np.log(v[-1]) > np.log(high):
            return "exploding"
        if np.log(v[0]) - np.log(v[-1]) < np.log(low):
            return "vanishing"
    return "healthy"


@correct
def diagnose_gradients__float32_tensor(norms, low=1e-2, high=1e2, max_norm=None):
    import tensorflow as tf
    v = tf.reshape(tf.cast(tf.convert_to_tensor(norms), tf.float32), [-1])
    if not bool(tf.reduce_all(tf.math.is_finite(v))):
        return "exploding"
    if max_norm is not None and bool(tf.reduce_any(v > max_norm)):
        return "exploding"
    ratio = float(v[0] / v[-1])
    if ratio > high:
        return "exploding"
    if ratio < low:
        return "vanishing"
    return "healthy"


@correct
def diagnose_gradients__multiplied_out(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = [float(x) for x in np.ravel(np.asarray(norms, dtype=float))]
    if any(not np.isfinite(x) for x in v):
        return "exploding"
    if max_norm is not None and max(v) > max_norm:
        return "exploding"
    if v[0] > high * v[-1]:
        return "exploding"
    if v[0] < low * v[-1]:
        return "vanishing"
    return "healthy"


@correct
def diagnose_gradients__math(norms, low=1e-2, high=1e2, max_norm=None):
    import math
    values = [float(v) for v in (norms.numpy() if hasattr(norms, "numpy") else norms)]
    if any(not math.isfinite(v) for v in values):
        return "exploding"
    if max_norm is not None and any(v > max_norm for v in values):
        return "exploding"
    ratio = values[0] / values[-1]
    return "exploding" if ratio > high else "vanishing" if ratio < low else "healthy"


@correct
def diagnose_gradients__log_ratio(norms, low=1e-2, high=1e2, max_norm=None):
    import numpy as np
    v = np.asarray(norms, dtype=float)
    if not np.isfinite(v).all():
        return "exploding"
    with np.errstate(divide="ignore"):
        log_ratio = np.log10(v[0]) - np.log10(v[-1])
    if max_norm is not None and (v > max_norm).any():
        return "exploding"
    if log_ratio > np.log10(high):
        return "exploding"
    if log_ratio < np.log10(low):
        return "vanishing"
    return "healthy"


# ------------------------------------------------------------------ exam_answers
@wrong("wrong (you answered")
def exam_answers__symptom_confusion(*args):
    # a higher learning rate for vanishing, a lower one for spikes, more epochs for dead units,
    # per-tensor clipping arithmetic, dropout for instability
    return {"q1": "A", "q2": "A", "q3": "B", "q4": "C", "q5": "A", "q6": "D", "q7": "C"}


@wrong("wrong (you answered")
def exam_answers__prompt_example(*args):
    return {"q1": "B", "q2": "C", "q3": "D", "q4": "A", "q5": "B", "q6": "C", "q7": "D"}


@correct
def exam_answers__lowercase(*args):
    return {"q1": "c", "Q2": " d", "q3": "a", "q4": "b ", "q5": "c", "q6": "a", "Q7": "b"}


#: proven through the real `nbgrader autograde` (tests/test_autograde.py); the rest in-process
END_TO_END_WRONG = clip_by_global_norm__per_tensor
