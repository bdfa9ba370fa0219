"""Module 02 (vanishing and exploding gradients): data, small networks, a lean training loop
and the figures of the notebook. Everything is seeded and offline, and every run is tiny (a few
dozen steps of a small network) so the notebook stays within its time budget."""

from __future__ import annotations

import numpy as np


# ----------------------------------------------------------------------------- data
def classification_data(n: int = 256, n_features: int = 10, seed: int = 0):
    """A seeded binary classification set: standard normal inputs, a nonlinear boundary.

    Returns float32 ``x`` of shape ``(n, n_features)`` and ``y`` of shape ``(n, 1)``.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_features)).astype("float32")
    score = x[:, 0] + x[:, 1] - 0.5 * x[:, 2] + 0.5 * np.sin(2 * x[:, 3])
    y = (score > 0).astype("float32").reshape(-1, 1)
    return x, y


def regression_data(n: int = 256, n_features: int = 10, seed: int = 0):
    """A seeded regression set with a standardized target (its variance is 1, so MSE ~ 1 means
    "predicts the mean"). Returns float32 ``x`` ``(n, n_features)`` and ``y`` ``(n, 1)``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, n_features)).astype("float32")
    w = rng.normal(size=(n_features, 1))
    y = x @ w + 2.0 * np.sin(x[:, :1]) + 0.1 * rng.normal(size=(n, 1))
    y = (y - y.mean()) / y.std()
    return x, y.astype("float32")


# ----------------------------------------------------------------------------- models
def deep_mlp(depth: int, width: int, activation: str, kernel_initializer="glorot_uniform", *,
             batchnorm: bool = False, n_features: int = 10, output_activation: str | None = "sigmoid",
             bias: float = 0.0, seed: int = 0):
    """A plain multilayer perceptron: ``depth`` hidden ``Dense(width)`` layers, then one output unit.

    With ``batchnorm=True`` every hidden layer is ``Dense (no bias) -> BatchNormalization ->
    Activation``. ``bias`` sets the hidden layers' initial bias (a large negative value starts
    ReLU units dead). ``kernel_initializer`` is a Keras initializer name (``"he_normal"``) or a
    function ``fan_in -> stddev``: a zero-mean normal initializer with that standard deviation
    is built for each layer (``lambda fan_in: 0.05`` is the naive fixed-scale initialization).
    """
    import keras

    keras.utils.set_random_seed(seed)

    def init(fan_in):
        if isinstance(kernel_initializer, str):
            return kernel_initializer
        return keras.initializers.RandomNormal(stddev=float(kernel_initializer(fan_in)))

    layers = [keras.Input((n_features,))]
    fan_in = n_features
    for i in range(depth):
        if batchnorm:
            layers += [keras.layers.Dense(width, use_bias=False, kernel_initializer=init(fan_in), name=f"dense_{i + 1}"),
                       keras.layers.BatchNormalization(name=f"batchnorm_{i + 1}"),
                       keras.layers.Activation(activation, name=f"{activation}_{i + 1}")]
        else:
            layers.append(keras.layers.Dense(width, activation=activation, kernel_initializer=init(fan_in),
                                             bias_initializer=keras.initializers.Constant(bias), name=f"dense_{i + 1}"))
        fan_in = width
    layers.append(keras.layers.Dense(1, activation=output_activation, name="output"))
    return keras.Sequential(layers)


def hidden_layer_outputs(model, x, pre_activation: bool = False) -> list:
    """The output of every hidden layer (after its activation) for the batch ``x``, as numpy
    arrays, input side first. ``pre_activation=True`` returns each hidden ``Dense`` layer's
    ``z = x W + b`` instead (before the nonlinearity; after batch norm where there is one).
    Runs the layers one by one in inference mode."""
    import keras

    h = keras.ops.convert_to_tensor(np.asarray(x, dtype="float32"))
    outs = []
    body = model.layers[:-1]  # the output layer is not hidden
    for i, layer in enumerate(body):
        if isinstance(layer, keras.layers.Dense) and getattr(layer.activation, "__name__", "") != "linear":
            z = keras.ops.matmul(h, layer.kernel)
            if layer.use_bias:
                z = z + layer.bias
            outs.append(np.asarray(z) if pre_activation else np.asarray(layer.activation(z)))
            h = layer.activation(z)
            continue
        h_new = layer(h, training=False)
        if isinstance(layer, keras.layers.Activation):
            outs.append(np.asarray(h) if pre_activation else np.asarray(h_new))
        h = h_new
    return outs


# ----------------------------------------------------------------------------- training
def train_steps(model, x, y, *, lr: float, steps: int, optimizer: str = "sgd", loss: str = "mse",
                batch_size: int = 64, clip_fn=None, clip_norm: float | None = None, seed: int = 1) -> dict:
    """A few mini-batch gradient steps with plain SGD (or Adam) on a mean-squared-error loss.

    ``clip_fn(grads, clip_norm) -> (clipped, global_norm)`` (your ``clip_by_global_norm``) is
    applied to the gradients between computing them and updating the weights, in plain Python,
    so a numpy implementation works too. Returns ``{"loss": [...], "grad_norm": [...]}`` per
    step (the global gradient norm before clipping); once the loss is no longer finite the run
    stops and the remaining steps are recorded as NaN. The gradient computation and the update
    are compiled with ``tf.function`` (a few milliseconds per step instead of tens).
    """
    import keras
    import tensorflow as tf

    x = np.asarray(x, dtype="float32")
    y = np.asarray(y, dtype="float32")
    loss_fn = keras.losses.MeanSquaredError() if loss == "mse" else keras.losses.BinaryCrossentropy()
    opt = keras.optimizers.SGD(lr) if optimizer == "sgd" else keras.optimizers.Adam(lr)
    variables = model.trainable_variables
    opt.build(variables)

    @tf.function
    def gradients(xb, yb):
        with tf.GradientTape() as tape:
            value = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(value, variables)
        return value, grads, tf.linalg.global_norm(grads)

    @tf.function
    def update(grads):
        opt.apply_gradients(zip(grads, variables))

    rng = np.random.default_rng(seed)
    hist = {"loss": [], "grad_norm": []}
    for _ in range(steps):
        idx = rng.choice(len(x), batch_size, replace=False)
        value, grads, norm = gradients(tf.constant(x[idx]), tf.constant(y[idx]))
        if clip_fn is not None:
            clipped, norm = clip_fn(list(grads), clip_norm)
            grads = [tf.convert_to_tensor(np.asarray(g), dtype="float32") for g in clipped]
        hist["loss"].append(float(value))
        hist["grad_norm"].append(float(np.asarray(norm)))
        if not np.isfinite(hist["loss"][-1]):
            break
        update(list(grads))
    missing = steps - len(hist["loss"])
    for key in hist:
        hist[key] += [float("nan")] * missing
    return hist


# ----------------------------------------------------------------------------- figures
def _plt():
    import matplotlib.pyplot as plt

    return plt


def plot_gradient_norms(norms_by_label: dict, title: str = "Gradient norm per layer"):
    """One line per network: the Frobenius norm of dLoss/dKernel per Dense layer, log scale."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    markers = "osD^v"
    for i, (label, norms) in enumerate(norms_by_label.items()):
        norms = np.asarray(norms, dtype=float)
        ax.plot(np.arange(1, len(norms) + 1), norms, marker=markers[i % len(markers)], label=label)
    ax.set_yscale("log")
    n = max(len(v) for v in norms_by_label.values())
    ax.set_xticks(np.arange(1, n + 1))
    ax.set_xticklabels([str(i) for i in range(1, n)] + ["out"])
    ax.set_xlabel("Dense layer (1 = input side, out = output layer)")
    ax.set_ylabel(r"$\|\partial\,\mathrm{loss}/\partial\,\mathrm{kernel}\|_F$ (log scale)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_activation_histograms(acts_by_label: dict, layers: list[int] | None = None,
                               title: str = "Activations per hidden layer"):
    """A grid of histograms: one row per network, one column per (1-based) hidden layer. Every
    panel of a row shares the x range (the whole (0, 1) or (-1, 1) for sigmoid and tanh). Each
    panel notes the spread over examples: each unit's standard deviation across the batch,
    averaged over the units (near 0 means the layer's output no longer depends on the input)."""
    plt = _plt()
    labels = list(acts_by_label)
    n_layers = len(acts_by_label[labels[0]])
    layers = layers or sorted({1, 2, (n_layers + 1) // 2, n_layers})
    fig, axes = plt.subplots(len(labels), len(layers), figsize=(2.6 * len(layers), 1.9 * len(labels) + 0.6), squeeze=False)
    for r, label in enumerate(labels):
        row = np.concatenate([np.asarray(acts_by_label[label][k - 1], dtype=float).ravel() for k in layers])
        lo, hi = float(np.min(row)), float(np.max(row))
        if lo >= 0 and hi <= 1:
            lo, hi = 0.0, 1.0  # sigmoid: show the whole range, so collapse and saturation are visible
        elif lo >= -1 and hi <= 1:
            lo, hi = -1.0, 1.0  # tanh
        for c, k in enumerate(layers):
            a = np.asarray(acts_by_label[label][k - 1], dtype=float).ravel()
            ax = axes[r][c]
            ax.hist(a, bins=40, range=(lo, hi), color=f"C{r}")
            ax.set_yticks([])
            ax.tick_params(labelsize=7)
            per_unit = float(np.mean(np.asarray(acts_by_label[label][k - 1], dtype=float).std(axis=0)))
            ax.text(0.97, 0.88, f"spread over\nexamples {per_unit:.1g}", transform=ax.transAxes, ha="right", va="top", fontsize=7)
            if r == 0:
                ax.set_title(f"hidden layer {k}", fontsize=9)
            if r == len(labels) - 1:
                ax.set_xlabel("activation value", fontsize=8)
            if c == 0:
                ax.set_ylabel(label, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _mark_blowup(ax, values, color):
    values = np.asarray(values, dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        ax.axvline(bad[0], color=color, ls=":", lw=1.5)
        ax.annotate("inf/NaN", (bad[0], 0.92), xycoords=("data", "axes fraction"), color=color,
                    fontsize=8, xytext=(3, 0), textcoords="offset points")


def plot_training_runs(runs: dict, title: str = "Training runs", clip_norm: float | None = None):
    """Loss and global gradient norm per step for each run (log scale); a dotted line marks the
    step where a run's loss stopped being a finite number, a dashed one the clipping threshold."""
    from matplotlib.ticker import MaxNLocator

    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))
    for i, (label, h) in enumerate(runs.items()):
        color = f"C{i}"
        steps = np.arange(len(h["loss"]))
        loss = np.asarray(h["loss"], dtype=float)
        a1.plot(steps, np.where(np.isfinite(loss), loss, np.nan), color=color, label=label)
        _mark_blowup(a1, loss, color)
        gn = np.asarray(h["grad_norm"], dtype=float)
        a2.plot(steps, np.where(np.isfinite(gn), gn, np.nan), color=color, label=label)
        _mark_blowup(a2, gn, color)
    if clip_norm is not None:
        a2.axhline(clip_norm, color="black", ls="--", lw=1)
        a2.annotate(f"clip_norm\n= {clip_norm:g}", (1.0, clip_norm), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", fontsize=8, va="center", ha="left")
    for ax, ylabel in ((a1, "training loss (MSE, log scale)"), (a2, "global gradient norm before clipping (log)")):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel(ylabel)
    a1.set_title("loss per step")
    a2.set_title("gradient norm per step")
    a1.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_dead_units(dead_by_label: dict, runs: dict, title: str = "Dying ReLU"):
    """Left: per hidden layer, the fraction of units whose pre-activation is <= 0 on every
    example after training (bars per run; hatched for leaky ReLU, whose units still get a
    gradient). Right: the training loss per step of the same runs."""
    from matplotlib.ticker import MaxNLocator

    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.4))
    labels = list(dead_by_label)
    n_layers = len(dead_by_label[labels[0]])
    width = 0.8 / len(labels)
    for i, label in enumerate(labels):
        pos = np.arange(1, n_layers + 1) + (i - (len(labels) - 1) / 2) * width
        leaky = "leaky" in label.lower()
        bars = a1.bar(pos, dead_by_label[label], width=width, color=f"C{i}", hatch="//" if leaky else None,
                      edgecolor="white" if leaky else None, label=label + (" (asleep, not dead)" if leaky else ""))
        a1.bar_label(bars, labels=[f"{v:.0%}" for v in dead_by_label[label]], fontsize=7)
    a1.set_xticks(np.arange(1, n_layers + 1))
    a1.set_xlabel("hidden layer")
    a1.set_ylabel("units with z <= 0 on every example")
    a1.set_ylim(0, 1.15)
    a1.set_title("dead units after training (dead_relu_fraction)")
    a1.legend(fontsize=8, loc="upper left")
    for i, (label, h) in enumerate(runs.items()):
        a2.plot(np.asarray(h["loss"], dtype=float), color=f"C{i}", label=label)
    a2.set_yscale("log")
    a2.xaxis.set_major_locator(MaxNLocator(integer=True))
    a2.set_xlabel("step")
    a2.set_ylabel("training loss (MSE, log scale)")
    a2.set_title("loss per step (MSE 1 = predicting the mean)")
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- test-case data (test cells call it as checks.<name>)
def relu_activations(n: int, units: int, dead: int, seed: int, dtype="float64", nearly_dead: int = 0,
                     mostly_zero: tuple[float, float] | None = None, tiny: int = 0) -> np.ndarray:
    """ReLU outputs of a random layer with exactly ``dead`` dead units (negative bias), and live
    units that are still zero on some examples.

    ``nearly_dead`` more units are zero on every example but one (they are alive);
    ``mostly_zero=(lo, hi)`` makes every live unit zero on a share of the examples drawn between
    ``lo`` and ``hi`` (below 1, so at least one example makes it fire);
    ``tiny`` live units (taken from the live ones) fire only weakly: their positive values are
    around 1e-3 (alive, though a threshold like ``a < 0.1`` would call them dead)."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, units))
    cols = rng.permutation(units)
    dead_cols, nearly_cols, live_cols = cols[:dead], cols[dead:dead + nearly_dead], cols[dead + nearly_dead:]
    z[:, dead_cols] -= 50.0
    for c in nearly_cols:
        z[:, c] = -np.abs(z[:, c]) - 0.1
        z[rng.integers(n), c] = 0.5 + rng.random()
    if mostly_zero is not None:
        lo, hi = mostly_zero
        for c in live_cols:
            n_zero = min(int(round(rng.uniform(lo, hi) * n)), n - 1)
            rows = rng.permutation(n)
            z[rows[:n_zero], c] = -np.abs(z[rows[:n_zero], c]) - 0.1
            z[rows[n_zero:], c] = np.abs(z[rows[n_zero:], c]) + 0.1
    for c in live_cols[:tiny]:
        z[:, c] *= 1e-3
        z[rng.integers(n), c] = 1e-3 * (0.5 + rng.random())  # at least one positive value
    return np.maximum(z, 0.0).astype(dtype)
