"""Module 06 (distributed training): logical CPU devices, seeded data and tiny models, the
measurements (step time against replicas, large-batch training, an input pipeline) and the
figures of the notebook.

TensorFlow fixes its device list when it initialises (the first op, or the first call that
lists logical devices). :func:`split_cpu` must therefore run in the notebook's setup cell,
before anything else touches TensorFlow; it only affects the process it runs in (this
module's kernel), never the other modules' notebooks.
"""

from __future__ import annotations

import time

import numpy as np

#: How many logical CPU devices the notebook works with (MirroredStrategy needs one per replica).
NUM_LOGICAL_CPUS = 4


# ----------------------------------------------------------------------------- devices
def split_cpu(n: int = NUM_LOGICAL_CPUS, verbose: bool = True) -> int:
    """Split the physical CPU into ``n`` logical CPU devices, before TensorFlow initialises.

    Returns the number of logical CPU devices TensorFlow then has. Calling it again (or after
    TensorFlow started with the same split) is harmless; if TensorFlow already started with
    fewer devices, the split cannot change any more: it says so and returns what there is.
    """
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # as setup_notebook: TensorFlow reads these when it starts
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")  # MirroredStrategy's "running eagerly has overhead" notices
    cpus = tf.config.list_physical_devices("CPU")
    try:
        tf.config.set_logical_device_configuration(cpus[0], [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
    except RuntimeError:
        pass  # TensorFlow already initialised: the device list is fixed
    have = len(tf.config.list_logical_devices("CPU"))
    if verbose:
        if have >= n:
            print(f"TensorFlow sees {have} logical CPU devices on {len(cpus)} physical CPU "
                  f"(backed by {_physical_cores()} cores): /cpu:0 ... /cpu:{have - 1}")
        else:
            print(f"WARNING: TensorFlow started before the CPU could be split and has only {have} "
                  f"logical CPU device(s). Restart the kernel and run the setup cell first.")
    return have


def _physical_cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def cpu_devices(n: int) -> list[str]:
    """``["/cpu:0", ..., "/cpu:{n-1}"]``: the device list for ``MirroredStrategy(devices=...)``."""
    return [f"/cpu:{i}" for i in range(n)]


# ----------------------------------------------------------------------------- data and models
def regression_data(n: int = 256, n_features: int = 8, seed: int = 0):
    """A seeded regression set, float32 ``x`` ``(n, n_features)`` and standardized ``y`` ``(n, 1)``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_features)).astype("float32")
    w = rng.normal(size=(n_features, 1))
    y = np.tanh(x @ w / 3.0) + 0.3 * np.sin(3.0 * x[:, :1]) + 0.1 * rng.normal(size=(n, 1))
    y = (y - y.mean()) / y.std()
    return x, y.astype("float32")


def small_regressor(n_features: int = 8, hidden: int = 16, seed: int = 0):
    """A fresh, seeded two-layer Keras regressor (the same weights on every call)."""
    import keras

    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((n_features,)),
        keras.layers.Dense(hidden, activation="tanh"),
        keras.layers.Dense(1),
    ])


def build_small_regressor():
    """``small_regressor()`` with its defaults: a ``build_model`` to pass around (picklable)."""
    return small_regressor()


def squared_error(y_true, y_pred):
    """Per-example squared error, shape ``(batch,)``: a ``loss_fn`` to pass around (picklable)."""
    import tensorflow as tf

    y_true = tf.cast(y_true, y_pred.dtype)
    return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)


def single_device_gradients(build_model, x, y, loss_fn) -> list[np.ndarray]:
    """The reference: one tape on one device, the mean loss over the whole batch."""
    import tensorflow as tf

    model = build_model()
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(loss_fn(y, model(x, training=True)))
    return [g.numpy() for g in tape.gradient(loss, model.trainable_variables)]


def replica_mean_gradients(build_model, x, y, loss_fn, num_replicas: int) -> list[np.ndarray]:
    """THE CLASSIC MISTAKE, on purpose: each replica minimises its own mean, then the SUM.

    Simulated on one device (``build_model`` gives the same weights on every call): each shard's
    own mean-loss gradients, as a replica would compute them, summed as the all-reduce would, so
    the factor ``num_replicas`` is measured next to the learner's correct ``mirrored_gradients``;
    the strategy code is the learner's to write.
    """
    per = len(x) // num_replicas
    shards = [single_device_gradients(build_model, x[lo:lo + per], y[lo:lo + per], loss_fn)
              for lo in range(0, per * num_replicas, per)]
    return [np.sum(same_variable, axis=0) for same_variable in zip(*shards)]


# ----------------------------------------------------------------------------- ring all-reduce
def ring_schedule(num_replicas: int) -> list[list[tuple[int, int, int]]]:
    """Who sends which chunk at each step of ring all-reduce: a list of steps, each a list of
    ``(sender, receiver, chunk)``. Steps ``0 .. N-2`` are the reduce-scatter (the receiver adds
    the chunk), steps ``N-1 .. 2N-3`` the all-gather (the receiver overwrites it).

    Only the schedule (the textbook one: replica ``i`` sends to ``i + 1``, starting with its own
    chunk ``i``), no arithmetic: the sums are yours to compute in ``ring_allreduce``.
    """
    n = num_replicas
    steps = []
    for s in range(n - 1):
        steps.append([(i, (i + 1) % n, (i - s) % n) for i in range(n)])
    for s in range(n - 1):
        steps.append([(i, (i + 1) % n, (i + 1 - s) % n) for i in range(n)])
    return steps


def plot_ring_schedule(num_replicas: int = 4, title: str | None = None):
    """One panel per step: replicas on a ring, an arrow per message labelled with its chunk."""
    import matplotlib.pyplot as plt

    n = num_replicas
    steps = ring_schedule(n)
    colors = plt.get_cmap("tab10").colors
    angle = np.pi / 2 - 2 * np.pi * np.arange(n) / n
    pos = np.c_[np.cos(angle), np.sin(angle)]
    cols = n - 1
    fig, axes = plt.subplots(2, cols, figsize=(3.0 * cols, 6.2), squeeze=False)
    # which chunks each replica holds complete (fully summed) after each step
    complete = [set() for _ in range(n)]
    for k, (ax, step) in enumerate(zip(axes.ravel(), steps)):
        phase = "reduce-scatter (add)" if k < n - 1 else "all-gather (copy)"
        for sender, receiver, chunk in step:
            a, b = pos[sender], pos[receiver]
            ax.annotate("", xy=b * 0.8 + a * 0.2, xytext=a * 0.8 + b * 0.2,
                        arrowprops=dict(arrowstyle="->", color=colors[chunk % 10], lw=2))
            mid = (a + b) / 2 * 1.15
            ax.text(mid[0], mid[1], f"c{chunk}", color=colors[chunk % 10], ha="center", va="center", fontsize=10, fontweight="bold")
            if k == n - 2:
                complete[receiver].add(chunk)
            if k >= n - 1:
                complete[receiver].add(chunk)
        if k == n - 2:
            for i in range(n):
                complete[i] = {(i + 1) % n}
        for i in range(n):
            ax.add_patch(plt.Circle(pos[i], 0.2, color="lightgrey", zorder=0))
            label = f"R{i}"
            if k >= n - 2:
                label += "\n" + ",".join(f"c{c}" for c in sorted(complete[i]))
            ax.text(pos[i][0], pos[i][1], label, ha="center", va="center", fontsize=8)
        ax.set_xlim(-1.4, 1.4)
        ax.set_ylim(-1.4, 1.4)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(f"step {k + 1}: {phase}", fontsize=9)
    fig.suptitle(title or f"Ring all-reduce over {n} replicas: each replica sends one chunk (1/{n} of the vector) per step")
    fig.text(0.5, 0.01, "Arrow = one message, labelled with the chunk it carries. Under a replica: the chunks it holds fully summed.",
             ha="center", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    return fig


# ----------------------------------------------------------------------------- cost models
def parameter_server_seconds(model_bytes: float, num_workers: int, bandwidth: float, latency: float,
                             num_ps: int = 1) -> float:
    """Synchronous parameter-server step: every worker pushes its gradients and pulls the new
    weights; the ``num_ps`` servers share the model, and each server's link carries
    ``num_workers * model_bytes / num_ps`` bytes each way (the bottleneck)."""
    if num_workers <= 1 and num_ps == 0:
        return 0.0
    return 2 * (latency + num_workers * model_bytes / (num_ps * bandwidth))


def plot_step_time_curves(allreduce_seconds, workers, model_bytes: float, bandwidth: float, latency: float,
                          compute_seconds: float, ps_counts=(1, 4), title: str | None = None):
    """Time per step (compute of a fixed global batch split over the workers + communication)
    against the number of workers, for ring all-reduce and for parameter servers."""
    import matplotlib.pyplot as plt

    workers = np.asarray(list(workers))
    compute = compute_seconds / workers
    ring = np.array([float(allreduce_seconds(model_bytes, int(n), bandwidth, latency)) for n in workers])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.2))
    ax1.plot(workers, compute + ring, "o-", label="ring all-reduce")
    for k in ps_counts:
        ps = np.array([parameter_server_seconds(model_bytes, int(n), bandwidth, latency, k) for n in workers])
        ax1.plot(workers, compute + ps, "s--", label=f"parameter servers ({k})")
    ax1.plot(workers, compute, ":", color="grey", label="compute only (perfect scaling)")
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log")
    ax1.set_xlabel("number of workers")
    ax1.set_ylabel("seconds per step (same global batch)")
    ax1.set_title("Time per step")
    ax1.legend(fontsize=8)
    ax2.plot(workers, np.where(ring > 0, ring, np.nan), "o-", label="ring all-reduce: per-worker traffic 2(N-1)/N x model (0 at N = 1)")
    for k in ps_counts:
        ps = np.array([parameter_server_seconds(model_bytes, int(n), bandwidth, latency, k) for n in workers])
        ax2.plot(workers, ps, "s--", label=f"{k} parameter server(s): server link N/{k} x model")
    ax2.set_xscale("log", base=2)
    ax2.set_yscale("log")
    ax2.set_xlabel("number of workers")
    ax2.set_ylabel("communication seconds per step")
    ax2.set_title("Communication only")
    ax2.legend(fontsize=8)
    fig.suptitle(title or "Cost model: all-reduce stays flat as workers grow; one parameter server's link saturates")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- measured step time
def measure_step_seconds(replica_counts=(1, 2, 4), global_batch: int = 512, steps: int = 10,
                         n_features: int = 64, hidden: int = 256, seed: int = 0) -> dict[int, float]:
    """Median seconds of one compiled synchronous training step (forward, backward, all-reduce,
    SGD update) of the same global batch under ``MirroredStrategy`` with each replica count."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    x = tf.constant(rng.normal(size=(global_batch, n_features)).astype("float32"))
    y = tf.constant(rng.normal(size=(global_batch, 1)).astype("float32"))
    out = {}
    for n in replica_counts:
        strategy = tf.distribute.MirroredStrategy(cpu_devices(n))
        with strategy.scope():
            keras.utils.set_random_seed(seed)
            model = keras.Sequential([keras.Input((n_features,)), keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(hidden, activation="relu"), keras.layers.Dense(1)])
        per = global_batch // n  # one shard per replica, placed on its device once (no input pipeline in the timing)
        xs = strategy.experimental_distribute_values_from_function(
            lambda ctx: x[ctx.replica_id_in_sync_group * per:(ctx.replica_id_in_sync_group + 1) * per])
        ys = strategy.experimental_distribute_values_from_function(
            lambda ctx: y[ctx.replica_id_in_sync_group * per:(ctx.replica_id_in_sync_group + 1) * per])

        def replica_step(xb, yb):
            with tf.GradientTape() as tape:
                squared = tf.square(yb - model(xb, training=True))  # (per, 1): one squared error per example
                loss = tf.reduce_sum(squared) / global_batch  # this replica's share of the global mean
            grads = tape.gradient(loss, model.trainable_variables)
            return grads

        @tf.function
        def train_step(xs, ys):
            grads = strategy.run(replica_step, args=(xs, ys))  # per replica
            for v, g in zip(model.trainable_variables, grads):
                v.assign_sub(0.01 * strategy.reduce("SUM", g, axis=None))  # all-reduce, then the same update everywhere

        train_step(xs, ys)  # trace and warm up
        times = []
        for _ in range(steps):
            t = time.perf_counter()
            train_step(xs, ys)
            times.append(time.perf_counter() - t)
        out[n] = float(np.median(times))
    return out


def plot_measured_scaling(step_seconds: dict, efficiency: dict | None = None, title: str | None = None):
    import matplotlib.pyplot as plt

    ns = sorted(step_seconds)
    t = np.array([step_seconds[n] for n in ns])
    fig, axes = plt.subplots(1, 2 if efficiency else 1, figsize=(12 if efficiency else 6, 4), squeeze=False)
    ax = axes[0][0]
    ax.plot(ns, t * 1e3, "o-", label="measured")
    ax.plot(ns, t[0] * 1e3 / np.array(ns), ":", color="grey", label="perfect scaling t1 / N")
    ax.set_xticks(ns)
    ax.set_xlabel("replicas (logical CPU devices on 2 cores)")
    ax.set_ylabel("ms per step (same global batch)")
    ax.set_title("Measured step time")
    ax.legend()
    if efficiency:
        ax = axes[0][1]
        ax.bar([str(n) for n in ns], [efficiency[n] for n in ns])
        ax.axhline(1.0, color="grey", ls=":")
        ax.set_xlabel("replicas")
        ax.set_ylabel("scaling efficiency t1 / (N tN)")
        ax.set_title("Scaling efficiency")
    fig.suptitle(title or "MirroredStrategy on this machine: more replicas, the same two cores")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- large-batch training
_LARGE_BATCH: dict = {}


def _large_batch_setup(n: int, seed: int):
    """Data, model, its initial weights and one compiled SGD step, built once per (n, seed): every
    run restarts from the same weights and reuses the step (one trace instead of one per run)."""
    key = (n, seed)
    if key not in _LARGE_BATCH:
        import keras
        import tensorflow as tf

        rng = np.random.default_rng(seed)
        d = 20
        x = rng.normal(size=(n, d)).astype("float32")
        w = rng.normal(size=(d,))
        y = (np.tanh(x @ w / 3) + 0.3 * np.sin(3 * x[:, 0]) + 0.1 * rng.normal(size=n)).astype("float32")[:, None]
        keras.utils.set_random_seed(1)
        init = keras.initializers.VarianceScaling(scale=6.0, mode="fan_in", distribution="truncated_normal")
        model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(64, activation="relu", kernel_initializer=init),
                                  keras.layers.Dense(64, activation="relu", kernel_initializer=init),
                                  keras.layers.Dense(1, kernel_initializer=init)])

        @tf.function
        def step(xb, yb, lr):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(yb - model(xb, training=True)))
            for v, g in zip(model.trainable_variables, tape.gradient(loss, model.trainable_variables)):
                v.assign_sub(lr * g)
            return loss

        _LARGE_BATCH[key] = (x, y, model, model.get_weights(), step)
    return _LARGE_BATCH[key]


def train_with_schedule(lr_at_step, global_batch: int = 512, steps: int = 60, n: int = 4096, seed: int = 0) -> np.ndarray:
    """Plain SGD on a small ReLU regressor, one fresh batch of ``global_batch`` per step, with the
    learning rate ``lr_at_step(step)``. The network is initialised "hot" (variance scaling 6,
    three times He's 2), which makes the first steps the fragile ones, as in deep networks.
    Every call starts from the same initial weights and sees the same batches.
    Returns the training loss per step (``inf``/``nan`` once it diverges)."""
    import tensorflow as tf

    x, y, model, initial, step = _large_batch_setup(n, seed)
    model.set_weights(initial)
    order = np.random.default_rng(seed + 2)
    losses = []
    for s in range(steps):
        idx = order.choice(n, global_batch, replace=False)
        losses.append(float(step(x[idx], y[idx], tf.constant(float(lr_at_step(s)), tf.float32))))
    return np.array(losses)


def plot_large_batch(runs: dict, schedules: dict | None = None, title: str | None = None):
    """Loss per step (log scale) for each named run; the learning-rate schedules beside it."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2 if schedules else 1, figsize=(12 if schedules else 7, 4), squeeze=False)
    ax = axes[0][0]
    for name, losses in runs.items():
        losses = np.asarray(losses, dtype=float)
        shown = np.where(np.isfinite(losses), losses, np.nan)
        line, = ax.plot(shown, label=name)
        bad = np.flatnonzero(~np.isfinite(losses))
        if bad.size:
            ax.axvline(bad[0], color=line.get_color(), ls=":", lw=1)
            ax.annotate("diverged (nan)", (bad[0], 0.5), xycoords=("data", "axes fraction"), color=line.get_color(),
                        fontsize=8, xytext=(4, 0), textcoords="offset points")
    ax.set_yscale("log")
    stable = [np.asarray(v, dtype=float) for v in runs.values() if np.all(np.isfinite(v))]
    if stable and len(stable) < len(runs):  # keep the stable runs readable next to a divergence
        ax.set_ylim(0.5 * min(float(v.min()) for v in stable), 30 * max(float(v.max()) for v in stable))
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (MSE, log scale)")
    ax.set_title("Training loss")
    ax.legend(fontsize=8)
    if schedules:
        ax = axes[0][1]
        for name, lrs in schedules.items():
            ax.plot(lrs, label=name)
        ax.set_xlabel("step")
        ax.set_ylabel("learning rate")
        ax.set_title("Learning-rate schedule")
        ax.legend(fontsize=8)
    fig.suptitle(title or "Large global batch: learning-rate scaling and warm-up")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- input pipeline
def input_pipeline_seconds(num_batches: int = 16, read_seconds: float = 0.02, train_seconds: float = 0.01) -> dict[str, float]:
    """Wall time of one epoch of a loop that "trains" ``train_seconds`` on each batch of a
    ``tf.data`` pipeline whose map step waits ``read_seconds`` per batch (like reading and
    decoding files from Cloud Storage): strictly sequential, with prefetch, with parallel map and
    prefetch, and a later epoch of a cached dataset. The waits are sleeps, so the comparison
    shows the overlap itself, not this machine's two cores."""
    import tensorflow as tf

    @tf.autograph.experimental.do_not_convert
    def slow_read(i):
        def read(v):
            time.sleep(read_seconds)
            return v
        return tf.numpy_function(read, [i], tf.int64, stateful=True)  # stateful: tf.data will not parallelise it by itself

    sequential = tf.data.Options()
    sequential.experimental_optimization.inject_prefetch = False  # tf.data would add a prefetch by itself
    sequential.autotune.enabled = False
    base = tf.data.Dataset.range(num_batches)
    pipelines = {
        "sequential: read, then train": base.map(slow_read).with_options(sequential),
        "prefetch: read the next batch while training": base.map(slow_read).prefetch(tf.data.AUTOTUNE),
        "parallel map + prefetch": base.map(slow_read, num_parallel_calls=4).prefetch(tf.data.AUTOTUNE),
    }
    cached = base.map(slow_read, num_parallel_calls=4).cache().prefetch(tf.data.AUTOTUNE)
    for _ in cached:  # the first epoch reads and fills the cache
        pass
    pipelines["cache + prefetch (a later epoch)"] = cached
    out = {}
    for name, ds in pipelines.items():
        t = time.perf_counter()
        for _ in ds:
            time.sleep(train_seconds)  # the accelerator's work on one batch
        out[name] = time.perf_counter() - t
    return out


def plot_input_pipeline(seconds: dict, title: str | None = None):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3))
    names = list(seconds)
    ax.barh(names, [seconds[k] for k in names])
    ax.invert_yaxis()
    ax.set_xlabel("seconds for one epoch")
    ax.set_title(title or "The input pipeline can be the bottleneck: tf.data parallel map, prefetch and cache")
    fig.tight_layout()
    return fig
