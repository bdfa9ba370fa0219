"""Module 01 variants: common mistakes (must lose points) and alternative correct answers."""

from tests.variants import correct, wrong

MODULE = "01_overfitting_regularization"

# ------------------------------------------------------------------ l1_penalty
@wrong("L2 penalty, not L1")
def l1_penalty__squares(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        return lam * sum(float(np.sum(np.square(w))) for w in weights)
    return lam * float(np.sum(np.square(weights)))


@wrong("absolute value")
def l1_penalty__no_abs(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        return lam * sum(float(np.sum(w)) for w in weights)
    return lam * float(np.sum(weights))


@wrong("without lam")
def l1_penalty__no_lambda(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        return sum(float(np.sum(np.abs(w))) for w in weights)
    return float(np.sum(np.abs(weights)))


@wrong("first array")
def l1_penalty__first_array_only(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        weights = weights[0]
    return lam * float(np.sum(np.abs(weights)))


@wrong("mean")
def l1_penalty__mean(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        return lam * sum(float(np.mean(np.abs(w))) for w in weights)
    return lam * float(np.mean(np.abs(weights)))


@correct
def l1_penalty__pure_python(weights, lam):
    def flat(w):
        if hasattr(w, "tolist"):
            w = w.tolist()
        if isinstance(w, (list, tuple)):
            for item in w:
                yield from flat(item)
        else:
            yield float(w)
    return lam * sum(abs(v) for v in flat(weights))


@correct
def l1_penalty__keras(weights, lam):
    import keras
    import numpy as np
    arrays = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    reg = keras.regularizers.L1(lam)
    return sum(reg(keras.ops.convert_to_tensor(np.asarray(w, dtype="float64"))) for w in arrays)  # a tensor


# ------------------------------------------------------------------ l2_penalty
@wrong("no 1/2 factor")
def l2_penalty__half(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        return 0.5 * lam * sum(float(np.sum(np.square(w))) for w in weights)
    return 0.5 * lam * float(np.sum(np.square(weights)))


@wrong("no square root")
def l2_penalty__norm(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        return lam * float(np.sqrt(sum(float(np.sum(np.square(w))) for w in weights)))
    return lam * float(np.linalg.norm(np.ravel(weights)))


@wrong("L1 penalty, not L2")
def l2_penalty__abs(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        return lam * sum(float(np.sum(np.abs(w))) for w in weights)
    return lam * float(np.sum(np.abs(weights)))


@wrong("last array")
def l2_penalty__last_array_only(weights, lam):
    import numpy as np
    if isinstance(weights, list):
        weights = weights[-1]
    return lam * float(np.sum(np.square(weights)))


@correct
def l2_penalty__einsum_float32(weights, lam):
    import numpy as np
    arrays = list(weights) if isinstance(weights, (list, tuple)) else [weights]
    return np.float32(lam) * sum(np.einsum("i,i->", a, a) for a in (np.ravel(np.asarray(w, dtype="float32")) for w in arrays))


# ------------------------------------------------------------------ soft_threshold
@wrong("hard thresholding")
def soft_threshold__hard(w, t):
    import numpy as np
    w = np.asarray(w, dtype=float)
    return np.where(np.abs(w) > t, w, 0.0)


@wrong("sign is lost")
def soft_threshold__no_sign(w, t):
    import numpy as np
    return np.maximum(np.abs(np.asarray(w, dtype=float)) - t, 0.0)


@wrong("clip |w| - t at 0")
def soft_threshold__no_clip(w, t):
    import numpy as np
    w = np.asarray(w, dtype=float)
    return w - t * np.sign(w)


@correct
def soft_threshold__list_comprehension(w, t):
    import numpy as np
    def one(v):
        if v > t:
            return v - t
        if v < -t:
            return v + t
        return 0.0
    arr = np.asarray(w, dtype=float)
    return np.array([one(v) for v in arr.ravel()]).reshape(arr.shape)


@correct
def soft_threshold__clip(w, t):
    import numpy as np
    w = np.asarray(w, dtype=float)
    return w - np.clip(w, -t, t)


# ------------------------------------------------------------------ dropout_forward
@wrong("not rescaled")
def dropout_forward__no_scaling(x, rate, training, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    if not training or rate == 0:
        return x
    return x * (rng.random(x.shape) >= rate)


@wrong("non-inverted")
def dropout_forward__scale_at_inference(x, rate, training, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    if not training:
        return x * (1 - rate)
    return np.where(rng.random(x.shape) >= rate, x / (1 - rate), 0.0)


@wrong("probability to DROP")
def dropout_forward__keep_prob_confused(x, rate, training, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    if not training or rate == 0:
        return x
    keep = rng.random(x.shape) < rate
    return np.where(keep, x / (1 - rate), 0.0)


@wrong("same units")
def dropout_forward__one_mask_per_feature(x, rate, training, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    if not training or rate == 0:
        return x
    keep = rng.random(x.shape[-1]) >= rate
    return np.where(keep, x / (1 - rate), 0.0)


@wrong("Whole examples (rows)")
def dropout_forward__whole_rows(x, rate, training, rng):
    import numpy as np
    x = np.asarray(x, dtype=float)
    if not training or rate == 0:
        return x
    keep = rng.random((x.shape[0], 1)) >= rate
    return np.where(keep, x / (1 - rate), 0.0)


@wrong("Either of these explains it")
def early_stopping_epochs__wait_greater_than_patience(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@correct
def dropout_forward__binomial(x, rate, training, rng):
    import numpy as np
    x = np.asarray(x)
    if not training or rate == 0:
        return x
    mask = rng.binomial(1, 1 - rate, size=x.shape)
    return x * mask / (1 - rate)


# ------------------------------------------------------------------ early_stopping_epochs
@wrong("strictly lower")
def early_stopping_epochs__ties_improve(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@wrong("one too high")
def early_stopping_epochs__one_based(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch + 1, best_epoch + 1
    return len(val_losses), best_epoch + 1


@wrong("one too late")
def early_stopping_epochs__off_by_one(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@wrong("looked past stop_epoch")
def early_stopping_epochs__global_argmin(val_losses, patience):
    import numpy as np
    best, wait, stop = float("inf"), 0, len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                stop = epoch
                break
    return stop, int(np.argmin(val_losses))


@correct
def early_stopping_epochs__numpy(val_losses, patience):
    import numpy as np
    v = np.asarray(val_losses, dtype=float)
    for epoch in range(len(v)):
        best_epoch = int(np.nanargmin(v[: epoch + 1]))  # the first of equal minima; a NaN epoch never improves
        if epoch > best_epoch and epoch - best_epoch >= patience:  # only a non-improving epoch can stop (patience=0)
            return np.int64(epoch), np.int64(best_epoch)
    return len(v) - 1, int(np.nanargmin(v))


# ------------------------------------------------------------------ build_regularized_model
@wrong("L1 regularizer")
def build_regularized_model__l1(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.L1(l2)), keras.layers.Dropout(dropout_rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@wrong("not compiled")
def build_regularized_model__not_compiled(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)), keras.layers.Dropout(dropout_rate)]
    return keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])


@wrong("softmax")
def build_regularized_model__softmax(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)), keras.layers.Dropout(dropout_rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


@wrong("after the output layer")
def build_regularized_model__dropout_on_output(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.L2(l2))]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    for _ in hidden_units:
        layers.append(keras.layers.Dropout(dropout_rate))
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@wrong("activity or bias")
def build_regularized_model__activity_regularizer(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="relu", activity_regularizer=keras.regularizers.L2(l2)), keras.layers.Dropout(dropout_rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@correct
def build_regularized_model__functional(n_features, hidden_units, dropout_rate, l2):
    import keras
    inputs = keras.Input(shape=(n_features,))
    h = inputs
    for u in hidden_units:
        h = keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.l2(l2))(h)
        h = keras.layers.Dropout(dropout_rate)(h)
    out = keras.layers.Dense(1, activation="sigmoid")(h)
    model = keras.Model(inputs, out)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=keras.losses.BinaryCrossentropy(), metrics=["auc"])
    return model


@correct
def build_regularized_model__warns(n_features, hidden_units, dropout_rate, l2):
    """Correct, and a library-style warning reaches stderr while it runs."""
    import warnings
    import keras
    warnings.warn("this is a harmless library warning written to stderr", UserWarning)
    model = keras.Sequential([keras.Input((n_features,))])
    for u in hidden_units:
        model.add(keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)))
        model.add(keras.layers.Dropout(dropout_rate))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@wrong("no activation")
def build_regularized_model__linear_hidden(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, kernel_regularizer=keras.regularizers.L2(l2)), keras.layers.Dropout(dropout_rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@wrong("from_logits=True")
def build_regularized_model__from_logits(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)), keras.layers.Dropout(dropout_rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return model


@correct
def build_regularized_model__loss_function_object(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="elu", kernel_regularizer=keras.regularizers.L2(l2)), keras.layers.Dropout(dropout_rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.binary_crossentropy)
    return model


@wrong("uses softmax")
def build_regularized_model__softmax_hidden(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, activation="softmax", kernel_regularizer=keras.regularizers.L2(l2)), keras.layers.Dropout(dropout_rate)]
    model = keras.Sequential(layers + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@correct
def build_regularized_model__activation_layers(n_features, hidden_units, dropout_rate, l2):
    import keras
    layers = [keras.Input((n_features,))]
    for u in hidden_units:
        layers += [keras.layers.Dense(u, kernel_regularizer=keras.regularizers.L2(l2)), keras.layers.ReLU(), keras.layers.Dropout(dropout_rate)]
    layers += [keras.layers.Dense(1), keras.layers.Activation("sigmoid")]
    model = keras.Sequential(layers)
    model.compile(optimizer="adam", loss=["binary_crossentropy"])
    return model


@correct
def build_regularized_model__subclassed(n_features, hidden_units, dropout_rate, l2):
    import keras

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.blocks = []
            for u in hidden_units:
                self.blocks.append(keras.layers.Dense(u, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)))
                self.blocks.append(keras.layers.Dropout(dropout_rate))
            self.out = keras.layers.Dense(1, activation="sigmoid")

        def call(self, x, training=False):
            for layer in self.blocks:
                x = layer(x, training=training)
            return self.out(x)

    model = Net()
    model.build((None, n_features))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


@wrong("number of epochs that ran")
def early_stopping_epochs__returns_count(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch + 1, best_epoch
    return len(val_losses) - 1, best_epoch


@wrong("previous epoch")
def early_stopping_epochs__vs_previous(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if epoch == 0 or loss < val_losses[epoch - 1]:
            wait = 0
        else:
            wait += 1
        if loss < best:
            best, best_epoch = loss, epoch
        if wait >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@wrong("not reset")
def early_stopping_epochs__no_reset(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch = loss, epoch
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@wrong("empty list of weight arrays")
def l1_penalty__concatenate(weights, lam):
    import numpy as np
    if isinstance(weights, (list, tuple)):
        flat = np.concatenate([np.ravel(np.asarray(w, dtype=float)) for w in weights])
    else:
        flat = np.ravel(np.asarray(weights, dtype=float))
    return float(lam * np.abs(flat).sum())


@wrong("empty list of weight arrays")
def l2_penalty__stack_norms(weights, lam):
    import numpy as np
    arrays = weights if isinstance(weights, (list, tuple)) else [weights]
    norms = np.stack([np.sum(np.square(np.asarray(w, dtype=float))) for w in arrays])
    return float(lam * norms.sum())


@wrong("patience=0")
def early_stopping_epochs__wait_equals_patience(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait == patience:
                return epoch, best_epoch
    return len(val_losses) - 1, best_epoch


@wrong("NaN validation loss was taken as the best")
def early_stopping_epochs__argmin_best(val_losses, patience):
    import numpy as np
    best, wait, stop = float("inf"), 0, len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best, wait = loss, 0
        else:
            wait += 1
            if wait >= patience:
                stop = epoch
                break
    return stop, int(np.argmin(np.asarray(val_losses[: stop + 1], dtype=float)))


# ------------------------------------------------------------------ choose_regularization
@wrong("FINAL validation loss")
def choose_regularization__last_epoch(val_losses):
    best_key, best_loss = None, float("inf")
    for key, losses in val_losses.items():
        loss = float(list(losses)[-1])
        if loss < best_loss or (loss == best_loss and key > best_key):
            best_key, best_loss = key, loss
    return best_key


@wrong("MEAN validation loss")
def choose_regularization__mean_loss(val_losses):
    import numpy as np
    scores = {k: np.nanmean(np.asarray(v, dtype=float)) for k, v in val_losses.items()}
    return min(scores, key=lambda k: (scores[k], -k))


@wrong("NaN or inf")
def choose_regularization__nan_unaware(val_losses):
    import numpy as np
    scores = {k: np.min(np.asarray(v, dtype=float)) for k, v in val_losses.items()}
    return min(scores, key=scores.get)


@wrong("LARGER strength")
def choose_regularization__ties_to_smaller(val_losses):
    import numpy as np
    best_key, best_loss = None, np.inf
    for key in sorted(val_losses):
        v = np.asarray(val_losses[key], dtype=float)
        v = v[np.isfinite(v)]
        if v.size and v.min() < best_loss:
            best_key, best_loss = key, v.min()
    return best_key


@wrong("treat 0 as")
def choose_regularization__zero_is_falsy(val_losses):
    import numpy as np
    best_key, best_loss = None, np.inf
    for key, losses in val_losses.items():
        v = np.asarray(losses, dtype=float)
        v = v[np.isfinite(v)]
        if not v.size:
            continue
        if not best_key or v.min() < best_loss or (v.min() == best_loss and key > best_key):
            best_key, best_loss = key, v.min()
    return best_key


@correct
def choose_regularization__math_sorted_descending(val_losses):
    import math
    best_key, best_loss = None, math.inf
    for key in sorted(val_losses, reverse=True):  # larger strengths first: a later tie does not replace them
        finite = [float(x) for x in val_losses[key] if math.isfinite(float(x))]
        if finite and min(finite) < best_loss:
            best_key, best_loss = key, min(finite)
    return best_key


@correct
def choose_regularization__numpy_lexsort(val_losses):
    import numpy as np
    keys = np.array([float(k) for k in val_losses])
    scores = np.array([np.min(np.where(np.isfinite(v), v, np.inf)) for v in (np.asarray(x, dtype=float) for x in val_losses.values())])
    order = np.lexsort((-keys, scores))  # by score, then the larger key
    return np.float64(keys[order[0]])


# ------------------------------------------------------------------ exam_answers
@wrong("wrong (you answered")
def exam_answers__overfit_confusion(*args):
    return {"q1": "B", "q2": "B", "q3": "A", "q4": "C", "q5": "C", "q6": "B", "q7": "A"}


@wrong("wrong (you answered B)")
def exam_answers__one_wrong(*args):
    return {"q1": "C", "q2": "B", "q3": "D", "q4": "B", "q5": "A", "q6": "D", "q7": "C"}


@correct
def exam_answers__lowercase(*args):
    return {"q1": "c", "q2": "a", "Q3": " d", "q4": "B", "q5": "a", "Q6": "d", "q7": "C "}


#: proven through the real `nbgrader autograde` (tests/test_autograde.py); the rest in-process
END_TO_END_WRONG = l1_penalty__squares
#: a correct answer that writes a warning to stderr inside its test cell: must keep full marks
END_TO_END_NOISY = build_regularized_model__warns
