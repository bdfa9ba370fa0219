"""Checks for module 06: distributed training.

Each ``check_*`` function calls the learner's function on one case, judges only the value that
comes back (converted here to plain numbers and arrays) against an independent oracle (the
contract's closed forms, a single-device ``tf.GradientTape``), and names the misconception a
wrong value matches. Where a check must observe more than a return value (gradients flowing
through ``replica_loss``'s tensor, where ``mirrored_gradients`` built its model and how many
replicas ran the loss), a module-level PROBE runs next to the learner's code and returns plain
data: ``call_in_kernel(probe, fn, *args)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from course.checks import CheckFailed, _short, as_array, as_float, call, call_in_kernel, expect, expect_close
from course.probes.distributed import build_tiny_classifier, build_tiny_regressor, per_example_sparse_ce, per_example_squared_error, probe_mirrored_gradients, probe_replica_loss  # noqa: F401  (learner-side: the kernel or the test cells use them)


def _explain(messages: list[str]) -> str:
    unique = list(dict.fromkeys(messages))
    if len(unique) == 1:
        return unique[0]
    return "Several mistakes give exactly these numbers here: " + " ".join(f"({i}) {m}" for i, m in enumerate(unique, 1))


# =========================================================================== shard_batch
def _expected_sizes(n: int, k: int) -> list[int]:
    q, r = divmod(n, k)
    return [q + 1 if i < r else q for i in range(k)]


def check_shard_batch(shard_batch, x, num_replicas: int) -> None:
    is_list = isinstance(x, list)
    n, k = len(x), int(num_replicas)
    got = call(shard_batch, x, num_replicas, what=f"shard_batch(x of length {n}, {k})")
    if got is None:
        raise CheckFailed("shard_batch returned None: did the function forget to `return`?")
    if isinstance(got, np.ndarray):
        raise CheckFailed(f"shard_batch should return a Python list of {k} shards, got one numpy array of shape {got.shape} "
                          "(np.split/np.array_split already return a list; do not stack the shards).")
    if not isinstance(got, (list, tuple)):
        raise CheckFailed(f"shard_batch should return a list of {k} shards, got {type(got).__name__}: {_short(got)}.")
    got = list(got)
    if len(got) != k:
        hint = ""
        if k > n:
            hint = (f" When num_replicas ({k}) > len(x) ({n}) the trailing shards are EMPTY: every replica gets a shard, "
                    "some of them with no examples.")
        raise CheckFailed(f"shard_batch should return exactly num_replicas = {k} shards, got {len(got)}.{hint}")
    for i, s in enumerate(got):
        if is_list and not isinstance(s, list):
            raise CheckFailed(f"x is a list, so every shard should be a list too (a list gives lists), but shard {i} is a "
                              f"{type(s).__name__}. Slice the list itself: x[start:stop].")
        if not is_list and not isinstance(s, np.ndarray):
            raise CheckFailed(f"x is a numpy array, so every shard should be a numpy array (an array gives arrays), but shard {i} "
                              f"is a {type(s).__name__}.")
    sizes = [len(s) for s in got]
    want = _expected_sizes(n, k)
    if sizes != want:
        q = n // k
        mistakes = []
        if sum(sizes) < n:
            mistakes.append(f"examples were lost ({n - sum(sizes)} of {n}): the remainder n % num_replicas must be spread, "
                            "one extra example to each of the first shards, not dropped.")
        if k > 1 and sizes == [q] * (k - 1) + [n - q * (k - 1)]:
            mistakes.append("the last shard took the whole remainder: uneven sizes. Sizes must differ by at most one, "
                            "with the extra examples on the EARLIER shards.")
        if sizes == want[::-1]:
            mistakes.append("the larger shards come last: the contract puts the extra examples on the EARLIER shards "
                            "(as numpy.array_split does).")
        if n and sizes == [min(math.ceil(n / k), max(0, n - i * math.ceil(n / k))) for i in range(k)]:
            mistakes.append(f"every shard got ceil(n / num_replicas) = {math.ceil(n / k)} examples until they ran out, so the "
                            "last shards are short: uneven sizes (they must differ by at most one).")
        msg = f"shard sizes should be {want}, got {sizes}."
        if mistakes:
            msg += " " + _explain(mistakes)
        elif max(sizes) - min(sizes) > 1:
            msg += " Uneven sizes: they must differ by at most one."
        raise CheckFailed(msg)
    arr = np.asarray(x)
    bounds = np.cumsum([0] + want)
    for i, s in enumerate(got):
        exp = arr[bounds[i]:bounds[i + 1]]
        s_arr = np.asarray(s)
        if len(exp) == 0:
            continue
        if s_arr.shape != exp.shape or not np.array_equal(s_arr, exp):
            strided = [arr[j::k] for j in range(k)]
            if all(len(g) == len(t) and np.array_equal(np.asarray(g), t) for g, t in zip(got, strided)):
                raise CheckFailed("the shards are interleaved (x[i::num_replicas]): right sizes, but the order of the examples "
                                  "is lost. Each shard must be a CONSECUTIVE block of the batch: x[start:stop].")
            flat = np.concatenate([np.asarray(g).reshape(len(g), *arr.shape[1:]) for g in got if len(g)]) if n else arr
            if flat.shape == arr.shape and np.array_equal(np.sort(flat, axis=0), np.sort(arr, axis=0)):
                raise CheckFailed(f"shard {i} holds the right number of examples but not the right ones: the order of the "
                                  "examples is not kept (shuffled or sorted). Shards are consecutive blocks, in order.")
            raise CheckFailed(f"shard {i} should be {_short(exp)}, got {_short(s)}.")


# =========================================================================== ring_allreduce
def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)):
            raise CheckFailed(f"{what} should be an int (whole bytes), got the float {value!r}: count the bytes with integer "
                              "arithmetic (8 * number of elements sent).")
        raise CheckFailed(f"{what} should be an int, got {type(value).__name__}: {_short(value)}.")
    return int(value)


def check_ring_allreduce(ring_allreduce, vectors) -> None:
    n = len(vectors)
    length = len(vectors[0])
    floats = [np.asarray(v, dtype=np.float64) for v in vectors]
    total = np.sum(floats, axis=0)
    got = call(ring_allreduce, vectors, what=f"ring_allreduce({n} vectors of length {length})")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed(f"ring_allreduce should return a pair (results, bytes_sent), got {type(got).__name__}: {_short(got)}.")
    results, sent = got
    if isinstance(results, np.ndarray) and results.ndim == 2:
        results = list(results)  # one row per replica: as good as a list of arrays
    if not isinstance(results, (list, tuple)) or len(results) != n:
        raise CheckFailed(f"results should be a list of {n} arrays (one per replica), got {_short(results)}.")
    int_inputs = any(np.asarray(v).dtype.kind in "iub" for v in vectors)
    for i, r in enumerate(results):
        r_arr = as_array(r, f"results[{i}]").ravel()
        if r_arr.shape != total.shape:
            raise CheckFailed(f"results[{i}] should be a 1-D array of length {length}, got shape {r_arr.shape}.")
        if np.allclose(r_arr, total, rtol=1e-9, atol=1e-9):
            continue
        mistakes = []
        if np.allclose(r_arr, total / n, rtol=1e-9, atol=1e-9):
            mistakes.append("it is the element-wise MEAN: all-reduce here SUMS (the optimizer's division by the global batch "
                            "size already happened in the loss).")
        if np.allclose(r_arr, floats[i], rtol=1e-9, atol=1e-9):
            mistakes.append("it is replica i's own vector, unchanged.")
        chunks = np.array_split(np.arange(length), n)
        right = [c for c in chunks if len(c) and np.allclose(r_arr[c], total[c], rtol=1e-9, atol=1e-9)]
        if n > 1 and len(right) == 1 and length >= n:
            mistakes.append("only one chunk holds the sum: that is where the reduce-scatter phase ends. Run the all-gather "
                            "phase too (N - 1 more steps that pass the summed chunks around the ring).")
        if int_inputs and np.allclose(r_arr, np.trunc(r_arr)) and not np.allclose(total, np.trunc(total)):
            mistakes.append("the sums were truncated to integers: an integer input array kept its integer dtype. Convert "
                            "every vector to float64 first (np.asarray(v, dtype=float)).")
        msg = f"results[{i}] should be the element-wise sum {_short(total)}, got {_short(r_arr)}."
        if mistakes:
            msg += " " + _explain(mistakes)
        raise CheckFailed(msg)
    if not isinstance(sent, (list, tuple)) and not isinstance(sent, np.ndarray):
        raise CheckFailed(f"bytes_sent should be a list of {n} ints, got {type(sent).__name__}: {_short(sent)}.")
    sent = list(sent)
    if len(sent) != n:
        raise CheckFailed(f"bytes_sent should hold one count per replica ({n}), got {len(sent)}.")
    counts = [_as_int(b, f"bytes_sent[{i}]") for i, b in enumerate(sent)]
    vec_bytes = 8 * length
    want_total = 2 * (n - 1) * vec_bytes
    got_total = sum(counts)
    if got_total != want_total:
        mistakes = []
        if n > 1 and got_total == n * want_total:
            mistakes.append("each step was counted as sending the WHOLE vector: a ring step sends one chunk, 1/N of it "
                            "(that is why ring all-reduce scales).")
        if n > 1 and got_total * 2 == want_total:
            mistakes.append("only the reduce-scatter was counted: the all-gather sends as much again, 2 (N - 1) chunk "
                            "messages per replica in all.")
        if got_total * 8 == want_total:
            mistakes.append("elements were counted, not bytes: a float64 element is 8 bytes.")
        if n > 1 and got_total * 2 == want_total:
            mistakes.append("4 bytes per element were counted: the vectors are float64, 8 bytes per element.")
        if n > 2 and got_total == n * (n - 1) * vec_bytes:
            mistakes.append("each replica sent its whole vector to every other replica (naive all-to-all), not one chunk "
                            "per step around the ring.")
        msg = (f"the bytes sent by all replicas together should be 2 (N - 1) x length x 8 = {want_total}, got "
               f"sum(bytes_sent) = {got_total} ({counts}).")
        if mistakes:
            msg += " " + _explain(mistakes)
        raise CheckFailed(msg)
    if length % n == 0:
        each = want_total // n
        if counts != [each] * n:
            raise CheckFailed(f"with N = {n} dividing the length {length}, every replica sends 2 (N - 1) / N of the vector's "
                              f"{vec_bytes} bytes = {each} bytes; got {counts}.")
    if any(c < 0 for c in counts):
        raise CheckFailed(f"bytes_sent cannot be negative: {counts}.")


# =========================================================================== allreduce_seconds
def allreduce_formula(model_bytes, num_workers, bandwidth, latency) -> float:
    n = num_workers
    return 2 * (n - 1) * (latency + model_bytes / (n * bandwidth))


def check_allreduce_seconds(allreduce_seconds, model_bytes, num_workers, bandwidth, latency) -> None:
    n, b, bw, lat = num_workers, model_bytes, bandwidth, latency
    got = call(allreduce_seconds, model_bytes, num_workers, bandwidth, latency,
               what=f"allreduce_seconds({model_bytes}, {num_workers}, {bandwidth}, {latency})")
    want = allreduce_formula(b, n, bw, lat)
    wrongs = []
    if n > 1:
        wrongs = [
            ((n - 1) * (lat + b / (n * bw)), "that is the reduce-scatter alone: the all-gather takes as many steps again, "
                                             "hence the factor 2 (N - 1)."),
            (2 * (n - 1) * (lat + b / bw), "each step was charged the WHOLE model's bytes: a ring step sends one chunk, "
                                           "model_bytes / N."),
            (2 * (n - 1) * b / (n * bw) + lat, "the latency was charged once: every one of the 2 (N - 1) steps pays it."),
            (2 * n * (lat + b / (n * bw)), "2 N steps were counted: ring all-reduce takes 2 (N - 1) steps."),
            (2 * (n - 1) * (lat + 8 * b / (n * bw)), "bytes were converted to bits: model_bytes and bandwidth are both in "
                                                     "bytes (per second)."),
            (2 * (n - 1) * b / (n * bw), "the latency term is missing: each step costs latency + chunk bytes / bandwidth."),
        ]
    expect_close(got, want, "allreduce_seconds", rtol=1e-9, atol=1e-15,
                 misconceptions=[(w, m) for w, m in wrongs if not np.isclose(w, want, rtol=1e-9, atol=1e-15)])


# =========================================================================== scaled_learning_rate
def lr_formula(base_lr, base_batch, global_batch, step, warmup_steps) -> float:
    target = base_lr * global_batch / base_batch
    if warmup_steps <= 0:
        return target
    return target * min(1.0, (step + 1) / warmup_steps)


def check_scaled_learning_rate(scaled_learning_rate, base_lr, base_batch, global_batch, step, warmup_steps) -> None:
    args = (base_lr, base_batch, global_batch, step, warmup_steps)
    try:
        got = call(scaled_learning_rate, *args, what=f"scaled_learning_rate{args}")
    except CheckFailed as exc:
        if "ZeroDivisionError" in str(exc) and warmup_steps == 0:
            raise CheckFailed(str(exc) + " warmup_steps = 0 means NO warm-up: return the target rate directly.") from None
        raise
    want = lr_formula(*args)
    target = base_lr * global_batch / base_batch
    w = warmup_steps
    frac = (lambda v: min(1.0, v)) if w > 0 else None
    wrongs = [
        (base_lr * base_batch / global_batch * (frac((step + 1) / w) if w else 1.0),
         "the ratio is inverted: the linear scaling rule MULTIPLIES by global_batch / base_batch (a bigger batch, a bigger rate)."),
        (base_lr * math.sqrt(global_batch / base_batch) * (frac((step + 1) / w) if w else 1.0),
         "that is the square-root rule: the contract asks for the LINEAR rule, base_lr x global_batch / base_batch."),
        (base_lr * (frac((step + 1) / w) if w else 1.0),
         "the learning rate was not scaled: the target is base_lr x global_batch / base_batch."),
    ]
    if w > 0:
        wrongs += [
            (target * min(1.0, step / w), "warm-up off by one: step 0 is the FIRST step and already trains at target / "
                                          "warmup_steps; use (step + 1) / warmup_steps, reaching the target at step warmup_steps - 1."),
            (target * min(1.0, (step + 1) / (w + 1)), "warm-up off by one: it reaches the target one step late; step "
                                                      "warmup_steps - 1 must already be at the target."),
            (target, "no warm-up was applied: during the first warmup_steps steps the rate grows linearly to the target."),
            (target * (step + 1) / w, "the rate kept growing after the warm-up: from step warmup_steps - 1 on it stays at the target."),
            (base_lr + (target - base_lr) * min(1.0, (step + 1) / w), "the warm-up starts from base_lr: the contract's warm-up "
                                                                      "starts at target / warmup_steps (step 0) and grows linearly."),
        ]
    expect_close(got, want, f"scaled_learning_rate{args}", rtol=1e-9, atol=1e-15,
                 misconceptions=[(v, m) for v, m in wrongs if not np.isclose(v, want, rtol=1e-9, atol=1e-15)])


# =========================================================================== replica_loss
def check_replica_loss(replica_loss, values, global_batch_size: int, num_replicas: int = 0) -> None:
    values = np.asarray(values, dtype=np.float32)
    b = int(global_batch_size)
    where = f"under a MirroredStrategy of {num_replicas} replicas" if num_replicas else "outside any strategy"
    info = call_in_kernel(probe_replica_loss, replica_loss, values, b, num_replicas,
                          what=f"replica_loss(per_example_loss, {b}) {where}")
    if not isinstance(info, dict):
        raise CheckFailed(f"the probe of replica_loss returned {type(info).__name__}, not a dict.")
    if not info.get("is_tensor"):
        raise CheckFailed(f"replica_loss returned a {info.get('type')}, not a TensorFlow tensor: the loss left TensorFlow "
                          "(numpy or a Python float), so no gradient flows back to the model. Compute it with TensorFlow ops "
                          "(tf.reduce_sum(per_example_loss) / global_batch_size, or tf.nn.compute_average_loss).")
    value = np.asarray(info["value"], dtype=float)
    n_rep = max(num_replicas, 1)
    shards = np.array_split(values.astype(float), n_rep)
    want_values = np.array([s.sum() / b for s in shards])
    if not num_replicas:
        if value.size != 1:
            raise CheckFailed(f"replica_loss should return a scalar (shape ()), got shape {value.shape}: reduce the per-example "
                              "losses to one number.")
        value = value.reshape(1)
    if info.get("grad") is None:
        raise CheckFailed("no gradient flows through replica_loss's result (tape.gradient gave None): the loss must be computed "
                          "from per_example_loss with TensorFlow ops.")
    grad = np.asarray(info["grad"], dtype=float)
    want_grad = 2.0 * values.astype(float) / b  # d/dw of sum(values * w**2) / B at w = 1
    mistakes = [
        (np.array([s.mean() if len(s) else 0.0 for s in shards]),
         "that is the replica's OWN mean (divided by its local batch size): summing the replicas' gradients then makes "
         "them N times too large. Divide the sum by the GLOBAL batch size."),
        (np.array([s.sum() for s in shards]), "the per-example losses were summed but not divided by global_batch_size."),
        (np.array([s.sum() / b / n_rep for s in shards]), "the loss was divided by the number of replicas as well: "
                                                           "sum / global_batch_size is already the replica's share."),
    ]
    if not np.allclose(value, want_values, rtol=1e-5, atol=1e-7):
        msgs = [m for wv, m in mistakes if wv.shape == value.shape and np.allclose(value, wv, rtol=1e-5, atol=1e-7)
                and not np.allclose(wv, want_values, rtol=1e-5, atol=1e-7)]
        shown = value if num_replicas else float(value[0])
        expected = want_values if num_replicas else float(want_values[0])
        raise CheckFailed(f"replica_loss {where} should be sum(per_example_loss) / global_batch_size = {_short(expected)}, got "
                          f"{_short(shown)}." + (" " + _explain(msgs) if msgs else ""))
    if not np.allclose(grad, want_grad, rtol=1e-5, atol=1e-7):
        raise CheckFailed(f"the gradient through replica_loss {where} should be {_short(want_grad)}, got {_short(grad)}: the value "
                          "is right but part of it does not depend on per_example_loss (a stop_gradient, a numpy round trip?).")


# =========================================================================== mirrored_gradients
def mirrored_case(name: str):
    """``(build_model, x, y, loss_fn, num_replicas, description)`` for a named test case."""
    rng = np.random.default_rng(sum(map(ord, name)))
    if name.startswith("regression"):
        n, reps = {"regression_2": (8, 2), "regression_4": (16, 4), "regression_1": (6, 1), "regression_4_big": (32, 4)}[name]
        x = rng.normal(size=(n, 5)).astype("float32")
        y = (x[:, :1] - 0.5 * x[:, 1:2] + 0.1 * rng.normal(size=(n, 1))).astype("float32")
        return build_tiny_regressor, x, y, per_example_squared_error, reps, f"regressor, batch {n}, {reps} replica(s)"
    if name.startswith("classifier"):
        n, reps = {"classifier_2": (12, 2), "classifier_4": (8, 4)}[name]
        x = rng.normal(size=(n, 4)).astype("float32")
        y = rng.integers(0, 3, size=n).astype("int64")
        return build_tiny_classifier, x, y, per_example_sparse_ce, reps, f"3-class classifier, batch {n}, {reps} replicas"
    raise ValueError(f"unknown case {name}")


def _oracle_gradients(build_model, x, y, loss_fn, shard: tuple[int, int] | None = None):
    import tensorflow as tf

    model = build_model()
    xs, ys = (x, y) if shard is None else (x[shard[0]:shard[1]], y[shard[0]:shard[1]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(loss_fn(ys, model(xs, training=True)))
    return [np.asarray(g.numpy(), dtype=float) for g in tape.gradient(loss, model.trainable_variables)]


def _close_all(a, b, rtol=1e-4, atol=1e-6) -> bool:
    return len(a) == len(b) and all(x is not None and x.shape == y.shape and np.allclose(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b))


def check_mirrored_gradients(mirrored_gradients, case: str) -> None:
    build_model, x, y, loss_fn, n, description = mirrored_case(case)
    info = call_in_kernel(probe_mirrored_gradients, mirrored_gradients, build_model, x, y, loss_fn, n,
                          what=f"mirrored_gradients(build_model, x, y, loss_fn, {n}) on a {description}")
    if not isinstance(info, dict):
        raise CheckFailed(f"the probe of mirrored_gradients returned {type(info).__name__}, not a dict.")
    builds = info.get("builds", [])
    if n > 1 and builds and any(b != n for b in builds):
        where = "outside strategy.scope()" if 0 in builds else f"in a scope of {builds} replicas"
        raise CheckFailed(f"build_model() was called {where}: build it inside the scope of a MirroredStrategy over {n} logical CPU "
                          "devices, so its variables are mirrored on every replica."
                          + (f" (It then failed: {info['error']})" if info.get("error") else ""))
    if info.get("error"):
        raise CheckFailed(f"mirrored_gradients(build_model, x, y, loss_fn, {n}) raised {info['error']}")
    if not builds:
        raise CheckFailed("build_model() was never called: build the model with it, inside strategy.scope().")
    if info.get("problem"):
        raise CheckFailed(f"mirrored_gradients should return a list of numpy arrays (one per trainable variable), got {info['problem']}.")
    grads = info["grads"]
    want = _oracle_gradients(build_model, x, y, loss_fn)
    if len(grads) != len(want):
        raise CheckFailed(f"mirrored_gradients should return one gradient per trainable variable ({len(want)}), got {len(grads)}.")
    for i, g in enumerate(grads):
        if g is None:
            raise CheckFailed(f"gradient {i} is None: the loss was not computed from the model's output inside the tape.")
        if g.shape != want[i].shape:
            raise CheckFailed(f"gradient {i} should have the shape of its variable {want[i].shape}, got {g.shape}.")
    ratio_mistakes = []
    if not _close_all(grads, want):
        whole = n > 1 and len(x) in info.get("batch_rows", [])
        if whole and _close_all(grads, [n * w for w in want]):
            ratio_mistakes.append(f"the gradients are {n} = N times too large because every replica got the WHOLE batch "
                                  f"({len(x)} examples) instead of its shard of {len(x) // n}: distribute the batch "
                                  "(experimental_distribute_dataset or experimental_distribute_values_from_function).")
        elif n > 1 and _close_all(grads, [n * w for w in want]):
            ratio_mistakes.append(f"the gradients are {n} = N times too large: each replica minimised its OWN mean loss, and SUM "
                                  "adds N such means. Scale each replica's loss by the GLOBAL batch size (replica_loss).")
        if n > 1 and _close_all(grads, [w / n for w in want]):
            ratio_mistakes.append(f"the gradients are N = {n} times too small: the loss was already divided by the global batch "
                                  "size, so reduce with SUM (not MEAN), and do not divide again.")
        per = len(x) // n
        first = _oracle_gradients(build_model, x, y, loss_fn, (0, per))
        if n > 1 and (_close_all(grads, first) or _close_all(grads, [w / n for w in first])):
            ratio_mistakes.append("only the first replica's gradients came back (experimental_local_results()[0]?): reduce the "
                                  "per-replica gradients with strategy.reduce('SUM', ..., axis=None).")
        msg = (f"the gradients should equal the single-device gradients of the mean loss over the whole batch "
               f"(first one {_short(want[0])}), got {_short(grads[0])}.")
        if ratio_mistakes:
            msg += " " + _explain(ratio_mistakes)
        raise CheckFailed(msg)
    replicas = info.get("replicas", [])
    if n > 1 and len(replicas) < n:
        raise CheckFailed(f"the gradients are right, but the loss ran on {len(replicas)} replica(s) instead of {n}: it was not "
                          f"distributed. Run the per-replica step with strategy.run over a MirroredStrategy of {n} devices.")


# =========================================================================== scaling_efficiency
def check_scaling_efficiency(scaling_efficiency, step_seconds: dict) -> None:
    keys = [int(k) for k in step_seconds]
    got = call(scaling_efficiency, step_seconds, what=f"scaling_efficiency({_short(step_seconds)})")
    if not isinstance(got, dict):
        raise CheckFailed(f"scaling_efficiency should return a dict {{n: efficiency}}, got {type(got).__name__}: {_short(got)}.")
    bad = [k for k in got if isinstance(k, bool) or not isinstance(k, (int, np.integer))]
    if bad:
        raise CheckFailed(f"the keys should be the worker counts as ints, like the input's ({sorted(keys)}), got {bad!r}.")
    if sorted(int(k) for k in got) != sorted(keys):
        raise CheckFailed(f"the dict should have one entry per measured worker count {sorted(keys)}, got keys {sorted(int(k) for k in got)}.")
    t = {int(k): float(v) for k, v in step_seconds.items()}
    t1 = t[1]
    first = t[keys[0]]
    fastest = min(t.values())
    for n in sorted(keys):
        want = t1 / (n * t[n])
        wrongs = [
            (n * t[n] / t1, "the ratio is inverted: efficiency = t_1 / (N t_N), at most 1 when adding workers never helps more "
                            "than linearly (you computed N t_N / t_1)."),
            (t1 / t[n], "that is the SPEEDUP t_1 / t_N: efficiency divides it by the number of workers N."),
            (first / (n * t[n]), "the baseline must be the time at ONE worker (the key 1), not the first entry of the dict."),
            (fastest / (n * t[n]), "the baseline must be the time at ONE worker (the key 1), not the fastest time."),
            (t1 / (n * t[n]) * 100, "that is a percentage: return the efficiency as a fraction (1.0 = perfect scaling)."),
        ]
        expect_close(got[[k for k in got if int(k) == n][0]], want, f"efficiency at {n} workers", rtol=1e-9, atol=1e-12,
                     misconceptions=[(v, m) for v, m in wrongs if not np.isclose(v, want, rtol=1e-9, atol=1e-12)])
