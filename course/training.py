"""A lean training loop for demonstrations that need a loss curve per epoch.

``keras.Model.fit`` spends about 60 ms of bookkeeping per epoch on a CPU, which is most of the
time budget of a notebook that draws learning curves. :func:`fit_history` runs the same
mini-batch gradient descent with the model's own optimizer and loss (plus its regularization
penalties, as ``fit`` adds them) inside one compiled TensorFlow function per epoch, and returns
a ``History.history``-like dict.
"""

from __future__ import annotations

import numpy as np


def fit_history(model, x, y, x_val, y_val, epochs: int, batch_size: int = 32, seed: int = 0) -> dict:
    """Train a compiled binary classifier; per epoch returns

    * ``loss`` / ``val_loss``: the data loss (binary cross-entropy) of the training and validation
      sets, measured after the epoch in inference mode, so curves with and without
      regularization compare like with like;
    * ``objective``: the mean minimized objective during the epoch (data loss + penalties, with
      dropout active), which is what ``fit`` reports as ``loss``;
    * ``accuracy`` / ``val_accuracy``.
    """
    import keras
    import tensorflow as tf

    x = tf.constant(np.asarray(x, dtype="float32"))
    y = tf.constant(np.asarray(y, dtype="float32").reshape(-1, 1))
    xv = tf.constant(np.asarray(x_val, dtype="float32"))
    yv = tf.constant(np.asarray(y_val, dtype="float32").reshape(-1, 1))
    n = int(x.shape[0])
    bce = keras.losses.BinaryCrossentropy()
    opt = model.optimizer
    opt.build(model.trainable_variables)
    starts = list(range(0, n, batch_size))

    @tf.function(reduce_retracing=True)
    def epoch(order):
        total = tf.constant(0.0)
        for s in starts:
            idx = order[s : s + batch_size]
            xb, yb = tf.gather(x, idx), tf.gather(y, idx)
            with tf.GradientTape() as tape:
                loss = bce(yb, model(xb, training=True))
                if model.losses:
                    loss = loss + tf.add_n(model.losses)
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            total += loss * tf.cast(tf.shape(idx)[0], tf.float32)
        p_tr = model(x, training=False)
        p_va = model(xv, training=False)
        acc = lambda t, p: tf.reduce_mean(tf.cast(tf.equal(t, tf.cast(p > 0.5, tf.float32)), tf.float32))
        return bce(y, p_tr), bce(yv, p_va), acc(y, p_tr), acc(yv, p_va), total / n

    rng = np.random.default_rng(seed)
    hist = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": [], "objective": []}
    for _ in range(epochs):
        out = epoch(tf.constant(rng.permutation(n)))
        for key, value in zip(hist, out):
            hist[key].append(float(value))
    return hist
