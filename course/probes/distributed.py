"""Probes and kernel-side helpers of module 06 (distributed training) (see course.probes)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def probe_replica_loss(replica_loss, values, global_batch_size, num_replicas: int = 0) -> dict:
    """Runs next to the learner's code. Per-example losses ``values * w**2`` with ``w`` a variable
    of ones; returns the loss value(s) and the gradient d(loss)/dw as plain data. With
    ``num_replicas`` > 0 it runs under a MirroredStrategy: each replica gets a consecutive shard
    and the gradients are SUM-reduced, as a training step does."""
    import tensorflow as tf

    values = np.asarray(values, dtype=np.float32)

    def describe(out):
        if not tf.is_tensor(out):
            return {"is_tensor": False, "type": type(out).__name__, "value": np.asarray(out, dtype=float)}
        return {"is_tensor": True, "type": "tensor", "value": np.asarray(out.numpy(), dtype=float)}

    if num_replicas == 0:
        w = tf.Variable(np.ones_like(values))
        with tf.GradientTape() as tape:
            per_example = tf.constant(values) * tf.square(w)
            out = replica_loss(per_example, global_batch_size)
        info = describe(out)
        grad = tape.gradient(out, w) if info["is_tensor"] else None
        info["grad"] = None if grad is None else np.asarray(grad.numpy(), dtype=float)
        return info

    from course.lessons.distributed import cpu_devices

    strategy = tf.distribute.MirroredStrategy(cpu_devices(num_replicas))
    with strategy.scope():
        w = tf.Variable(np.ones_like(values))
    bounds = np.cumsum([0] + [len(c) for c in np.array_split(values, num_replicas)])
    infos: list = []

    def replica_fn():
        rid = tf.get_static_value(tf.distribute.get_replica_context().replica_id_in_sync_group)
        lo, hi = int(bounds[rid]), int(bounds[rid + 1])
        with tf.GradientTape() as tape:
            per_example = tf.constant(values[lo:hi]) * tf.square(w[lo:hi])
            out = replica_loss(per_example, global_batch_size)
        info = describe(out)
        infos.append(info)
        if not info["is_tensor"]:
            return tf.zeros_like(w)
        grad = tape.gradient(out, w)
        return tf.zeros_like(w) if grad is None else tf.convert_to_tensor(grad)

    grads = strategy.run(replica_fn)
    total = strategy.reduce("SUM", grads, axis=None)
    return {
        "is_tensor": all(i["is_tensor"] for i in infos),
        "type": ", ".join(sorted({i["type"] for i in infos})),
        "value": np.array([float(np.sum(i["value"])) for i in infos]),
        "grad": np.asarray(total.numpy(), dtype=float),
    }


def build_tiny_regressor():
    """A fresh, seeded Keras regressor (5 inputs, 8 tanh units, 1 output): the same weights on every call."""
    import keras

    keras.utils.set_random_seed(61)
    return keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])


def build_tiny_classifier():
    """A fresh, seeded Keras classifier (4 inputs, 6 ReLU units, 3 logits)."""
    import keras

    keras.utils.set_random_seed(62)
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(3)])


def per_example_squared_error(y_true, y_pred):
    """One squared error per example, shape (batch,)."""
    import tensorflow as tf

    return tf.reduce_mean(tf.square(tf.cast(y_true, y_pred.dtype) - y_pred), axis=-1)


def per_example_sparse_ce(y_true, y_pred):
    """One softmax cross-entropy (from logits) per example, shape (batch,)."""
    import keras

    return keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True)


def probe_mirrored_gradients(mirrored_gradients, build_model, x, y, loss_fn, num_replicas) -> dict:
    """Runs next to the learner's code: wraps ``build_model`` and ``loss_fn`` to record where the
    model was built (inside which strategy scope) and which replicas ran the loss, calls the
    learner's function, and returns the gradients as numpy arrays plus the record."""
    import tensorflow as tf

    builds: list = []
    batch_rows: list = []  # the batch size each call of the loss saw
    replicas: set = set()
    loss_calls = [0]

    def recorded_build():
        if tf.distribute.has_strategy():
            builds.append(int(tf.distribute.get_strategy().num_replicas_in_sync))
        else:
            builds.append(0)
        return build_model()

    def recorded_loss(y_true, y_pred):
        loss_calls[0] += 1
        rows = y_pred.shape[0] if getattr(y_pred, "shape", None) is not None and len(y_pred.shape) else None
        if rows is not None:
            batch_rows.append(int(rows))
        ctx = tf.distribute.get_replica_context()
        if ctx is not None and ctx.num_replicas_in_sync > 1:
            rid = tf.get_static_value(ctx.replica_id_in_sync_group)
            replicas.add(-1 if rid is None else int(rid))
        elif ctx is not None:
            replicas.add(0)
        return loss_fn(y_true, y_pred)

    record = {"builds": builds, "replicas": sorted(replicas), "loss_calls": loss_calls[0], "batch_rows": batch_rows}
    try:
        grads = mirrored_gradients(recorded_build, x, y, recorded_loss, num_replicas)
    except NotImplementedError:
        raise
    except Exception as exc:  # reported with the record: where the model was built explains many errors
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        record.update(replicas=sorted(replicas), loss_calls=loss_calls[0], grads=[], problem=None,
                      error=f"{type(exc).__name__}: {str(exc)[:300]} (line {where.lineno}: `{(where.line or '').strip()}`)")
        return record
    out: list = []
    problem = None
    try:
        items = list(grads)
    except TypeError:
        items, problem = [], f"a {type(grads).__name__}, not a list of arrays"
    for g in items:
        if g is None:
            out.append(None)
            continue
        if hasattr(g, "numpy"):
            g = g.numpy()
        try:
            out.append(np.asarray(g, dtype=float))
        except Exception:
            problem = (f"a {type(g).__name__} (per-replica values? reduce them with strategy.reduce('SUM', ..., axis=None) "
                       "and convert with .numpy())")
            break
    return {"grads": out, "problem": problem, "builds": builds, "replicas": sorted(replicas), "loss_calls": loss_calls[0],
            "batch_rows": batch_rows, "error": None}
