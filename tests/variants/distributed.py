"""Module 06 variants: common mistakes (must lose points) and alternative correct answers."""

from tests.variants import correct, wrong

MODULE = "06_distributed_training"


# ------------------------------------------------------------------ shard_batch
@wrong("interleaved")
def shard_batch__strided(x, num_replicas):
    return [x[i::num_replicas] for i in range(num_replicas)]


@wrong("the last shard took the whole remainder")
def shard_batch__remainder_last(x, num_replicas):
    size = len(x) // num_replicas
    shards = [x[i * size:(i + 1) * size] for i in range(num_replicas - 1)]
    return shards + [x[(num_replicas - 1) * size:]]


@wrong("examples were lost")
def shard_batch__drop_remainder(x, num_replicas):
    size = len(x) // num_replicas
    return [x[i * size:(i + 1) * size] for i in range(num_replicas)]


@wrong("ceil(n / num_replicas)")
def shard_batch__ceil_chunks(x, num_replicas):
    import math
    size = math.ceil(len(x) / num_replicas) if len(x) else 0
    return [x[i * size:(i + 1) * size] for i in range(num_replicas)]


@wrong("EARLIER shards")
def shard_batch__larger_last(x, num_replicas):
    base, extra = divmod(len(x), num_replicas)
    sizes = [base + (1 if i >= num_replicas - extra else 0) for i in range(num_replicas)]
    out, start = [], 0
    for s in sizes:
        out.append(x[start:start + s])
        start += s
    return out


@wrong("trailing shards are EMPTY")
def shard_batch__no_empty_shards(x, num_replicas):
    import numpy as np
    k = max(1, min(num_replicas, len(x)))
    shards = np.array_split(np.asarray(x), k)
    return [list(s) if isinstance(x, list) else s for s in shards]


@wrong("a list gives lists")
def shard_batch__arrays_for_lists(x, num_replicas):
    import numpy as np
    return np.array_split(np.asarray(x), num_replicas)


@wrong("order of the examples is not kept")
def shard_batch__reversed_order(x, num_replicas):
    import numpy as np
    arr = np.asarray(x)[::-1]
    shards = np.array_split(arr, num_replicas)
    return [s.tolist() for s in shards] if isinstance(x, list) else shards


@correct
def shard_batch__array_split(x, num_replicas):
    import numpy as np
    if isinstance(x, list):
        bounds = np.cumsum([0] + [len(c) for c in np.array_split(np.arange(len(x)), num_replicas)])
        return [x[int(a):int(b)] for a, b in zip(bounds[:-1], bounds[1:])]
    return np.array_split(x, num_replicas)


@correct
def shard_batch__iterator(x, num_replicas):
    from itertools import islice
    it = iter(range(len(x)))
    out = []
    for i in range(num_replicas):
        size = len(x) // num_replicas + (i < len(x) % num_replicas)
        idx = list(islice(it, size))
        out.append(x[idx[0]:idx[-1] + 1] if idx else x[0:0])
    return out


# ------------------------------------------------------------------ replica_loss
@wrong("OWN mean")
def replica_loss__own_mean(per_example_loss, global_batch_size):
    import tensorflow as tf
    return tf.reduce_mean(per_example_loss)


@wrong("OWN mean")
def replica_loss__compute_average_loss_without_global_batch(per_example_loss, global_batch_size):
    import tensorflow as tf
    return tf.nn.compute_average_loss(per_example_loss)


@wrong("not divided by global_batch_size")
def replica_loss__sum_only(per_example_loss, global_batch_size):
    import tensorflow as tf
    return tf.reduce_sum(per_example_loss)


@wrong("not a TensorFlow tensor")
def replica_loss__numpy(per_example_loss, global_batch_size):
    import numpy as np
    return float(np.sum(np.asarray(per_example_loss)) / global_batch_size)


@wrong("divided by the number of replicas as well")
def replica_loss__divides_by_replicas(per_example_loss, global_batch_size):
    import tensorflow as tf
    n = tf.distribute.get_replica_context().num_replicas_in_sync
    return tf.reduce_sum(per_example_loss) / global_batch_size / n


@wrong("does not depend on per_example_loss")
def replica_loss__stop_gradient(per_example_loss, global_batch_size):
    import tensorflow as tf
    return tf.stop_gradient(tf.reduce_sum(per_example_loss)) / global_batch_size + 0.0 * tf.reduce_sum(per_example_loss)


@wrong("should return a scalar")
def replica_loss__not_reduced(per_example_loss, global_batch_size):
    return per_example_loss / global_batch_size


@correct
def replica_loss__compute_average_loss(per_example_loss, global_batch_size):
    import tensorflow as tf
    return tf.nn.compute_average_loss(per_example_loss, global_batch_size=global_batch_size)


@correct
def replica_loss__rescaled_mean(per_example_loss, global_batch_size):
    import tensorflow as tf
    n = tf.cast(tf.size(per_example_loss), per_example_loss.dtype)
    return tf.math.divide_no_nan(tf.reduce_mean(per_example_loss) * n, float(global_batch_size))


# ------------------------------------------------------------------ mirrored_gradients
@wrong("N times too large")
def mirrored_gradients__own_mean(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x))
    xb, yb = next(iter(strategy.experimental_distribute_dataset(ds)))

    def step(xs, ys):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(loss_fn(ys, model(xs, training=True)))
        return tape.gradient(loss, model.trainable_variables)

    grads = strategy.run(step, args=(xb, yb))
    return [strategy.reduce("SUM", g, axis=None).numpy() for g in grads]


@wrong("got the WHOLE batch")
def mirrored_gradients__whole_batch_on_every_replica(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()

    def step():
        with tf.GradientTape() as tape:  # every replica computes on all of x
            loss = tf.nn.compute_average_loss(loss_fn(y, model(x, training=True)), global_batch_size=len(x))
        return tape.gradient(loss, model.trainable_variables)

    grads = strategy.run(step)
    return [strategy.reduce("SUM", g, axis=None).numpy() for g in grads]


@wrong("times too small")
def mirrored_gradients__mean_reduce(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x))
    xb, yb = next(iter(strategy.experimental_distribute_dataset(ds)))

    def step(xs, ys):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(loss_fn(ys, model(xs, training=True)), global_batch_size=len(x))
        return tape.gradient(loss, model.trainable_variables)

    grads = strategy.run(step, args=(xb, yb))
    return [strategy.reduce("MEAN", g, axis=None).numpy() for g in grads]


@wrong("only the first replica")
def mirrored_gradients__first_replica_only(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x))
    xb, yb = next(iter(strategy.experimental_distribute_dataset(ds)))

    def step(xs, ys):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(loss_fn(ys, model(xs, training=True)))
        return tape.gradient(loss, model.trainable_variables)

    grads = strategy.run(step, args=(xb, yb))
    return [strategy.experimental_local_results(g)[0].numpy() for g in grads]


@wrong("outside strategy.scope()")
def mirrored_gradients__built_outside_scope(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    model = build_model()
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x))
    xb, yb = next(iter(strategy.experimental_distribute_dataset(ds)))

    def step(xs, ys):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(loss_fn(ys, model(xs, training=True)), global_batch_size=len(x))
        return tape.gradient(loss, model.trainable_variables)

    grads = strategy.run(step, args=(xb, yb))
    return [strategy.reduce("SUM", g, axis=None).numpy() for g in grads]


@wrong("it was not distributed")
def mirrored_gradients__single_device(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()
    with tf.GradientTape() as tape:  # never calls strategy.run: one device does all the work
        loss = tf.reduce_mean(loss_fn(y, model(x, training=True)))
    return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


@wrong("per-replica values")
def mirrored_gradients__per_replica_values(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x))
    xb, yb = next(iter(strategy.experimental_distribute_dataset(ds)))

    def step(xs, ys):
        with tf.GradientTape() as tape:
            loss = tf.nn.compute_average_loss(loss_fn(ys, model(xs, training=True)), global_batch_size=len(x))
        return tape.gradient(loss, model.trainable_variables)

    return strategy.run(step, args=(xb, yb))  # not reduced


@correct
def mirrored_gradients__distribute_dataset(build_model, x, y, loss_fn, num_replicas):
    import numpy as np
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(len(x))
    xb, yb = next(iter(strategy.experimental_distribute_dataset(dataset)))

    def step(xs, ys):
        with tf.GradientTape() as tape:
            per_example = loss_fn(ys, model(xs, training=True))
            loss = tf.reduce_sum(per_example) / len(x)
        return tape.gradient(loss, model.trainable_variables)

    grads = strategy.run(step, args=(xb, yb))
    return [np.asarray(strategy.reduce(tf.distribute.ReduceOp.SUM, g, axis=None)) for g in grads]


@correct
def mirrored_gradients__compiled_step(build_model, x, y, loss_fn, num_replicas):
    import tensorflow as tf
    strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(num_replicas)])
    with strategy.scope():
        model = build_model()
    global_batch = len(x)
    dist = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices((x, y)).batch(global_batch))

    @tf.function
    def train_grads(batch):
        def step(xb, yb):
            with tf.GradientTape() as tape:
                loss = tf.nn.compute_average_loss(loss_fn(yb, model(xb, training=True)), global_batch_size=global_batch)
            return tape.gradient(loss, model.trainable_variables)
        grads = strategy.run(step, args=batch)
        return [strategy.reduce("SUM", g, axis=None) for g in grads]

    return train_grads(next(iter(dist)))  # tensors: the grader converts them to numpy


# ------------------------------------------------------------------ ring_allreduce
@wrong("MEAN")
def ring_allreduce__average(vectors):
    import numpy as np
    bufs = [np.array(v, dtype=float) for v in vectors]
    n = len(bufs)
    total = np.sum(bufs, axis=0)
    chunks = np.array_split(np.arange(len(bufs[0])), n)
    sent = [2 * (n - 1) * 0 for _ in range(n)]
    for s in range(n - 1):
        for i in range(n):
            sent[i] += 8 * len(chunks[(i - s) % n]) + 8 * len(chunks[(i + 1 - s) % n])
    return [total / n for _ in range(n)], sent


@wrong("WHOLE vector")
def ring_allreduce__whole_vector_bytes(vectors):
    import numpy as np
    bufs = [np.array(v, dtype=float) for v in vectors]
    n = len(bufs)
    total = np.sum(bufs, axis=0)
    return [total.copy() for _ in range(n)], [2 * (n - 1) * 8 * len(total) for _ in range(n)]


@wrong("only the reduce-scatter was counted")
def ring_allreduce__reduce_scatter_bytes_only(vectors):
    import numpy as np
    bufs = [np.array(v, dtype=np.float64) for v in vectors]
    n = len(bufs)
    chunks = np.array_split(np.arange(len(bufs[0])), n)
    sent = [0] * n
    for s in range(n - 1):
        msgs = [(i, (i + 1) % n, (i - s) % n) for i in range(n)]
        data = [bufs[i][chunks[c]].copy() for i, _, c in msgs]
        for (i, j, c), d in zip(msgs, data):
            bufs[j][chunks[c]] += d
            sent[i] += 8 * d.size
    for s in range(n - 1):
        msgs = [(i, (i + 1) % n, (i + 1 - s) % n) for i in range(n)]
        data = [bufs[i][chunks[c]].copy() for i, _, c in msgs]
        for (i, j, c), d in zip(msgs, data):
            bufs[j][chunks[c]] = d  # forgot to count these
    return bufs, sent


@wrong("Run the all-gather")
def ring_allreduce__no_all_gather(vectors):
    import numpy as np
    bufs = [np.array(v, dtype=np.float64) for v in vectors]
    n = len(bufs)
    chunks = np.array_split(np.arange(len(bufs[0])), n)
    sent = [0] * n
    for s in range(n - 1):
        msgs = [(i, (i + 1) % n, (i - s) % n) for i in range(n)]
        data = [bufs[i][chunks[c]].copy() for i, _, c in msgs]
        for (i, j, c), d in zip(msgs, data):
            bufs[j][chunks[c]] += d
            sent[i] += 16 * d.size
    return bufs, sent


@wrong("elements were counted, not bytes")
def ring_allreduce__elements(vectors):
    import numpy as np
    bufs = [np.array(v, dtype=float) for v in vectors]
    n = len(bufs)
    total = np.sum(bufs, axis=0)
    chunks = np.array_split(np.arange(len(total)), n)
    sent = [0] * n
    for s in range(n - 1):
        for i in range(n):
            sent[i] += len(chunks[(i - s) % n]) + len(chunks[(i + 1 - s) % n])
    return [total.copy() for _ in range(n)], sent


@wrong("naive all-to-all")
def ring_allreduce__all_to_all(vectors):
    import numpy as np
    bufs = [np.array(v, dtype=float) for v in vectors]
    n = len(bufs)
    return [np.sum(bufs, axis=0) for _ in range(n)], [8 * len(b) * (n - 1) for b in bufs]


@wrong("truncated to integers")
def ring_allreduce__keeps_integer_dtype(vectors):
    import numpy as np
    bufs = [np.array(v) for v in vectors]  # an int array stays int
    n = len(bufs)
    chunks = np.array_split(np.arange(len(bufs[0])), n)
    sent = [0] * n
    for phase in (0, 1):
        for s in range(n - 1):
            msgs = [(i, (i + 1) % n, (i - s + phase) % n) for i in range(n)]
            data = [bufs[i][chunks[c]].copy() for i, _, c in msgs]
            for (i, j, c), d in zip(msgs, data):
                bufs[j][chunks[c]] = bufs[j][chunks[c]] + d if phase == 0 else d  # assignment casts back to int
                sent[i] += 8 * d.size
    return bufs, sent


@wrong("whole bytes")
def ring_allreduce__float_bytes(vectors):
    import numpy as np
    bufs = [np.array(v, dtype=float) for v in vectors]
    n = len(bufs)
    total = np.sum(bufs, axis=0)
    return [total.copy() for _ in range(n)], [2 * (n - 1) / n * 8 * len(total) for _ in range(n)]


@correct
def ring_allreduce__pure_python_other_convention(vectors):
    # lists instead of arrays; replica i starts the reduce-scatter with chunk i + 1 (another convention)
    vecs = [[float(v) for v in vec] for vec in vectors]
    n, length = len(vecs), len(vecs[0])
    q, r = divmod(length, n)
    bounds = [0]
    for c in range(n):
        bounds.append(bounds[-1] + q + (1 if c < r else 0))
    sent = [0] * n
    for phase in ("reduce", "gather"):
        for s in range(n - 1):
            offset = 1 - s if phase == "reduce" else 2 - s
            msgs = []
            for i in range(n):
                c = (i + offset) % n
                msgs.append((i, (i + 1) % n, c, vecs[i][bounds[c]:bounds[c + 1]]))
            for i, j, c, data in msgs:
                for k, v in enumerate(data):
                    if phase == "reduce":
                        vecs[j][bounds[c] + k] += v
                    else:
                        vecs[j][bounds[c] + k] = v
                sent[i] += 8 * len(data)
    return vecs, sent


@correct
def ring_allreduce__closed_form(vectors):
    # the results are the sum; each replica's traffic follows the textbook schedule's chunk sizes
    import numpy as np
    arrs = [np.asarray(v, dtype=np.float64) for v in vectors]
    n = len(arrs)
    total = np.sum(arrs, axis=0)
    sizes = [len(c) for c in np.array_split(total, n)]
    sent = []
    for i in range(n):
        chunks = [(i - s) % n for s in range(n - 1)] + [(i + 1 - s) % n for s in range(n - 1)]
        sent.append(int(sum(8 * sizes[c] for c in chunks)))
    return tuple(total.copy() for _ in range(n)), np.array(sent)


@correct
def ring_allreduce__matrix_of_buffers(vectors):
    # all buffers as the rows of one (N, length) float64 matrix, bytes from the chunk sizes actually sent
    import numpy as np
    bufs = np.array([np.asarray(v, dtype=np.float64) for v in vectors])
    n, length = bufs.shape
    chunks = np.array_split(np.arange(length), n)
    sent = [0] * n
    for s in range(n - 1):
        payload = {i: bufs[i, chunks[(i - s) % n]].copy() for i in range(n)}
        for i in range(n):
            bufs[(i + 1) % n, chunks[(i - s) % n]] += payload[i]
            sent[i] += 8 * payload[i].size
    for s in range(n - 1):
        payload = {i: bufs[i, chunks[(i + 1 - s) % n]].copy() for i in range(n)}
        for i in range(n):
            bufs[(i + 1) % n, chunks[(i + 1 - s) % n]] = payload[i]
            sent[i] += 8 * payload[i].size
    return bufs, sent


# ------------------------------------------------------------------ allreduce_seconds
@wrong("reduce-scatter alone")
def allreduce_seconds__no_factor_two(model_bytes, num_workers, bandwidth, latency):
    n = num_workers
    return (n - 1) * (latency + model_bytes / (n * bandwidth))


@wrong("WHOLE model's bytes")
def allreduce_seconds__whole_model_per_step(model_bytes, num_workers, bandwidth, latency):
    return 2 * (num_workers - 1) * (latency + model_bytes / bandwidth)


@wrong("latency was charged once")
def allreduce_seconds__latency_once(model_bytes, num_workers, bandwidth, latency):
    n = num_workers
    if n == 1:
        return 0.0
    return latency + 2 * (n - 1) * model_bytes / (n * bandwidth)


@wrong("2 N steps")
def allreduce_seconds__2n_steps(model_bytes, num_workers, bandwidth, latency):
    n = num_workers
    return 2 * n * (latency + model_bytes / (n * bandwidth))


@wrong("bits")
def allreduce_seconds__bits(model_bytes, num_workers, bandwidth, latency):
    n = num_workers
    return 2 * (n - 1) * (latency + 8 * model_bytes / (n * bandwidth))


@wrong("latency term is missing")
def allreduce_seconds__no_latency(model_bytes, num_workers, bandwidth, latency):
    n = num_workers
    return 2 * (n - 1) * model_bytes / (n * bandwidth)


@correct
def allreduce_seconds__expanded_numpy(model_bytes, num_workers, bandwidth, latency):
    import numpy as np
    n = np.float64(num_workers)
    return 2 * (n - 1) * latency + 2 * (n - 1) / n * model_bytes / bandwidth


# ------------------------------------------------------------------ scaled_learning_rate
@wrong("off by one")
def scaled_learning_rate__step_over_warmup(base_lr, base_batch, global_batch, step, warmup_steps):
    target = base_lr * global_batch / base_batch
    return target if warmup_steps == 0 else target * min(1.0, step / warmup_steps)


@wrong("off by one")
def scaled_learning_rate__one_step_late(base_lr, base_batch, global_batch, step, warmup_steps):
    target = base_lr * global_batch / base_batch
    return target if warmup_steps == 0 else target * min(1.0, (step + 1) / (warmup_steps + 1))


@wrong("inverted")
def scaled_learning_rate__inverted(base_lr, base_batch, global_batch, step, warmup_steps):
    target = base_lr * base_batch / global_batch
    return target if warmup_steps == 0 else target * min(1.0, (step + 1) / warmup_steps)


@wrong("square-root rule")
def scaled_learning_rate__sqrt(base_lr, base_batch, global_batch, step, warmup_steps):
    target = base_lr * (global_batch / base_batch) ** 0.5
    return target if warmup_steps == 0 else target * min(1.0, (step + 1) / warmup_steps)


@wrong("not scaled")
def scaled_learning_rate__unscaled(base_lr, base_batch, global_batch, step, warmup_steps):
    return base_lr if warmup_steps == 0 else base_lr * min(1.0, (step + 1) / warmup_steps)


@wrong("no warm-up was applied")
def scaled_learning_rate__no_warmup(base_lr, base_batch, global_batch, step, warmup_steps):
    return base_lr * global_batch / base_batch


@wrong("kept growing")
def scaled_learning_rate__no_cap(base_lr, base_batch, global_batch, step, warmup_steps):
    target = base_lr * global_batch / base_batch
    return target if warmup_steps == 0 else target * (step + 1) / warmup_steps


@wrong("starts from base_lr")
def scaled_learning_rate__from_base(base_lr, base_batch, global_batch, step, warmup_steps):
    target = base_lr * global_batch / base_batch
    if warmup_steps == 0:
        return target
    return base_lr + (target - base_lr) * min(1.0, (step + 1) / warmup_steps)


@wrong("means NO warm-up")
def scaled_learning_rate__divides_by_zero(base_lr, base_batch, global_batch, step, warmup_steps):
    target = base_lr * global_batch / base_batch
    return target * min(1.0, (step + 1) / warmup_steps)


@correct
def scaled_learning_rate__branches(base_lr, base_batch, global_batch, step, warmup_steps):
    import numpy as np
    target = np.float64(base_lr) * global_batch / base_batch
    if step < warmup_steps - 1:
        return target / warmup_steps * (step + 1)
    return target


# ------------------------------------------------------------------ scaling_efficiency
@wrong("inverted")
def scaling_efficiency__inverted(step_seconds):
    return {n: n * t / step_seconds[1] for n, t in step_seconds.items()}


@wrong("SPEEDUP")
def scaling_efficiency__speedup(step_seconds):
    return {n: step_seconds[1] / t for n, t in step_seconds.items()}


@wrong("not the first entry")
def scaling_efficiency__first_entry(step_seconds):
    t1 = next(iter(step_seconds.values()))
    return {n: t1 / (n * t) for n, t in step_seconds.items()}


@wrong("percentage")
def scaling_efficiency__percent(step_seconds):
    return {n: 100 * step_seconds[1] / (n * t) for n, t in step_seconds.items()}


@wrong("keys should be the worker counts")
def scaling_efficiency__string_keys(step_seconds):
    return {f"{n} workers": step_seconds[1] / (n * t) for n, t in step_seconds.items()}


@correct
def scaling_efficiency__numpy(step_seconds):
    import numpy as np
    ns = np.array(sorted(step_seconds))
    t = np.array([step_seconds[n] for n in ns], dtype=float)
    eff = t[ns == 1][0] / (ns * t)
    return {int(n): float(e) for n, e in zip(ns, eff)}


# ------------------------------------------------------------------ exam_answers
@wrong("wrong (you answered")
def exam_answers__multi_worker_and_sync(*args):
    return {"q1": "D", "q2": "B", "q3": "A", "q4": "A", "q5": "C", "q6": "A", "q7": "C"}


@correct
def exam_answers__lowercase(*args):
    return {"q1": "b", "Q2": "c", "q3": " a", "q4": "d", "q5": "b ", "q6": "c", "q7": "a"}


#: proven through the real `nbgrader autograde` (tests/test_autograde.py); the rest in-process
END_TO_END_WRONG = mirrored_gradients__own_mean
