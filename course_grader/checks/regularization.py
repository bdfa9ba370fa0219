"""Checks for module 01: overfitting and regularization.

Each ``check_*`` function calls the learner's function on one case, compares it with an
independent oracle (Keras' own regularizers and EarlyStopping callback where one exists) and,
when the answer is wrong, names the misconception that explains it.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from course.checks import CheckFailed, as_array, as_float, call, call_in_kernel, expect, expect_close
from course.probes.regularization import describe_model  # noqa: F401  (learner-side: the kernel or the test cells use them)


def _arrays(weights: Any) -> list[np.ndarray]:
    if isinstance(weights, (list, tuple)) and weights and not np.isscalar(weights[0]):
        return [np.asarray(w, dtype=float) for w in weights]
    return [np.asarray(weights, dtype=float)]


def _keras_penalty(kind: str, weights: Any, lam: float) -> float:
    import keras

    reg = keras.regularizers.L1(lam) if kind == "l1" else keras.regularizers.L2(lam)
    return float(sum(float(keras.ops.convert_to_numpy(reg(keras.ops.convert_to_tensor(w, dtype="float64")))) for w in _arrays(weights)))


def _call_penalty(fn: Callable, weights: Any, lam: float, name: str) -> float:
    """Call a penalty function; an empty list of weight arrays (a model without regularized
    layers) must give 0.0, and a crash on it gets a message that says so."""
    empty = isinstance(weights, (list, tuple)) and len(weights) == 0
    label = f"{name}([], lam={lam})" if empty else f"{name}(..., lam={lam})"
    try:
        return as_float(call(fn, weights, lam, what=label), label)
    except CheckFailed as exc:
        if empty:
            raise CheckFailed(f"{exc} An empty list of weight arrays (no regularized layer) has penalty 0.0: a sum over "
                              "nothing. np.concatenate or np.stack of an empty list fails, and max() of one is an error; "
                              "sum the arrays one by one (sum(... for w in weights) gives 0 for an empty list).") from None
        raise


def check_l1_penalty(l1_penalty: Callable, weights: Any, lam: float) -> None:
    expected = _keras_penalty("l1", weights, lam)
    ws = _arrays(weights)
    got = _call_penalty(l1_penalty, weights, lam, "l1_penalty")
    expect_close(
        got,
        expected,
        f"l1_penalty(..., lam={lam})",
        misconceptions=[
            (lam * sum(float(np.sum(w**2)) for w in ws), "That is lam * sum(w**2): the L2 penalty, not L1 (L1 uses |w|)."),
            (lam * sum(float(np.sum(w)) for w in ws), "That is lam * sum(w): take the absolute value |w| first, or negative weights cancel positive ones."),
            (sum(float(np.sum(np.abs(w))) for w in ws), "That is sum(|w|) without lam: multiply by the strength lam."),
            (lam * float(np.sum(np.abs(ws[-1]))), "Only the last array was counted: sum |w| over every array in the list."),
            (lam * float(np.sum(np.abs(ws[0]))), "Only the first array was counted: sum |w| over every array in the list."),
            (lam * sum(float(np.mean(np.abs(w))) if w.size else 0.0 for w in ws), "That is a mean of |w|: Keras' L1 penalty is a sum, not a mean."),
        ],
    )


def check_l2_penalty(l2_penalty: Callable, weights: Any, lam: float) -> None:
    expected = _keras_penalty("l2", weights, lam)
    ws = _arrays(weights)
    got = _call_penalty(l2_penalty, weights, lam, "l2_penalty")
    expect_close(
        got,
        expected,
        f"l2_penalty(..., lam={lam})",
        misconceptions=[
            (expected / 2, "That is half the Keras value: keras.regularizers.L2 has no 1/2 factor (some textbooks add one)."),
            (lam * np.sqrt(sum(float(np.sum(w**2)) for w in ws)), "That is lam * ||w||: the penalty uses the squared norm sum(w**2), no square root."),
            (lam * sum(float(np.sum(np.abs(w))) for w in ws), "That is lam * sum(|w|): the L1 penalty, not L2."),
            (sum(float(np.sum(w**2)) for w in ws), "That is sum(w**2) without lam: multiply by the strength lam."),
            (lam * float(np.sum(ws[-1] ** 2)), "Only the last array was counted: sum over every array in the list."),
            (lam * float(np.sum(ws[0] ** 2)), "Only the first array was counted: sum over every array in the list."),
            (lam * sum(float(np.mean(w**2)) if w.size else 0.0 for w in ws), "That is a mean of w**2: Keras' L2 penalty is a sum, not a mean."),
        ],
    )


def check_soft_threshold(soft_threshold: Callable, w: Any, t: float) -> None:
    w_arr = np.asarray(w, dtype=float)
    expected = np.sign(w_arr) * np.maximum(np.abs(w_arr) - t, 0.0)
    got = as_array(call(soft_threshold, w, t), f"soft_threshold(w, t={t})")
    expect_close(
        got,
        expected,
        f"soft_threshold(w, t={t})",
        misconceptions=[
            (w_arr * (np.abs(w_arr) > t), "Weights above the threshold were kept unchanged: that is hard thresholding. The L1 step also shrinks the survivors by t."),
            (np.maximum(np.abs(w_arr) - t, 0.0), "The sign is lost: multiply by sign(w) so negative weights stay negative."),
            (w_arr - t * np.sign(w_arr), "Small weights crossed zero: clip |w| - t at 0 so they land exactly on zero."),
            (np.sign(w_arr) * np.maximum(np.abs(w_arr) - t / 2, 0.0), "The threshold was halved: the proximal step of t*|w| subtracts t, not t/2."),
        ],
    )
    small = np.abs(w_arr) <= t
    if small.any():
        expect(bool(np.all(got.reshape(w_arr.shape)[small] == 0.0)), "Weights with |w| <= t must become exactly 0.0: that is how L1 makes models sparse.")


def check_dropout_identity(dropout_forward: Callable, rate: float, training: bool) -> None:
    x = np.arange(1.0, 13.0).reshape(3, 4)
    out = as_array(call(dropout_forward, x, rate, training, np.random.default_rng(0)), "dropout_forward(...)")
    when = "when training=False" if not training else "when rate == 0"
    expect(out.shape == x.shape, f"dropout_forward must keep the shape {x.shape}, got {out.shape}.")
    if rate > 0 and np.allclose(out, x * (1 - rate)):
        raise CheckFailed(f"dropout_forward {when} returned x * (1 - rate): that is the old (non-inverted) dropout. With inverted dropout, inference returns x unchanged.")
    expect_close(out, x, f"dropout_forward(x, rate={rate}, training={training}) {when}: it must return x unchanged")


def check_dropout_training(dropout_forward: Callable, rate: float, shape=(400, 250), seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 2.0, size=shape)
    out = as_array(call(dropout_forward, x, rate, True, np.random.default_rng(seed + 100)), "dropout_forward(...)")
    expect(out.shape == x.shape, f"dropout_forward must keep the shape {x.shape}, got {out.shape}.")
    kept = out != 0
    scaled = x / (1 - rate)
    frac = kept.mean()
    whole_rows = np.all(kept == kept[:, :1], axis=1).all()
    expect(not whole_rows, "Whole examples (rows) were kept or dropped together: dropout draws an independent keep/drop for every element.")
    expect(not (out.shape[0] > 1 and np.all(kept == kept[0:1, :])), "Every example (row) dropped the same units: draw an independent mask for each element.")
    if np.allclose(out[kept], x[kept]):
        raise CheckFailed("Kept units were not rescaled: inverted dropout divides them by (1 - rate) so the expected activation stays the same.")
    if np.allclose(out[kept], x[kept] * (1 - rate)):
        raise CheckFailed("Kept units were multiplied by (1 - rate): inverted dropout divides by (1 - rate) during training.")
    if abs(frac - rate) < 0.02 and abs(rate - 0.5) > 0.05:
        raise CheckFailed(f"About {frac:.0%} of units were kept with rate={rate}: rate is the probability to DROP a unit, so keep each with probability 1 - rate.")
    expect(bool(np.allclose(out[kept], scaled[kept], rtol=1e-6)), "Every kept unit must equal x / (1 - rate); some outputs are neither 0 nor x / (1 - rate).")
    n = x.size
    tol = 5 * np.sqrt(rate * (1 - rate) / n) + 1e-9
    expect(abs(frac - (1 - rate)) <= tol, f"Kept fraction {frac:.4f}, expected about 1 - rate = {1 - rate:.4f}.")
    ratio = out.mean() / x.mean()
    expect(abs(ratio - 1) < 0.05, f"The mean activation changed by a factor {ratio:.3f}; inverted dropout preserves it in expectation.")


def keras_early_stopping(val_losses, patience: int) -> tuple[int, int]:
    """What Keras' EarlyStopping actually does on this sequence of validation losses."""
    import keras

    class _Model:
        stop_training = False

        def get_weights(self):
            return []

        def set_weights(self, weights):
            pass

    cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True, verbose=0)
    model = _Model()
    cb.set_model(model)
    cb.on_train_begin()
    stop = len(val_losses) - 1
    for epoch, loss in enumerate(val_losses):
        cb.on_epoch_end(epoch, {"val_loss": float(loss)})
        if model.stop_training:
            stop = epoch
            break
    best = int(cb.best_epoch)
    return stop, best


def _early_stop_rule(val_losses, patience, *, strict=True, extra_wait=0, global_best=False, vs_previous=False, no_reset=False):
    """The stopping rule with one knob turned: the usual mistakes, simulated."""
    vl = [float(v) for v in val_losses]
    best, best_epoch, wait, stop = float("inf"), 0, 0, len(vl) - 1
    for epoch, loss in enumerate(vl):
        reference = vl[epoch - 1] if (vs_previous and epoch > 0) else best
        if loss < reference or (not strict and loss <= reference):
            if loss < best:
                best, best_epoch = loss, epoch
            if not no_reset:
                wait = 0
        else:
            wait += 1
            if wait >= patience + extra_wait:
                stop = epoch
                break
    if global_best:
        best_epoch = int(np.argmin(vl))
    return stop, best_epoch


def _has_nan(val_losses) -> bool:
    return bool(np.any(np.isnan(np.asarray([float(v) for v in val_losses], dtype=float))))


def _nan_argmin_best(val_losses, stop: int) -> int:
    """best_epoch as np.argmin finds it over the epochs that ran (NaN counts as the minimum)."""
    return int(np.argmin(np.asarray([float(v) for v in val_losses[: stop + 1]], dtype=float)))


def check_early_stopping(early_stopping_epochs: Callable, val_losses, patience: int) -> None:
    expected = keras_early_stopping(val_losses, patience)
    label = f"early_stopping_epochs({[round(float(v), 4) for v in val_losses]}, patience={patience})"
    got = call(early_stopping_epochs, val_losses, patience, what=label)
    try:
        pair = tuple(int(v) for v in got)
    except Exception:
        raise CheckFailed(f"{label} should return a pair (stop_epoch, best_epoch), got {got!r}.") from None
    expect(len(pair) == 2, f"{label} should return a pair (stop_epoch, best_epoch), got {got!r}.")
    if pair == expected:
        return
    stop, best = expected
    mistakes = [
        ((stop + 1, best + 1), "Both are one too high: epochs are 0-based here, like the `epoch` Keras passes to callbacks."),
        ((best, stop), "The two values are swapped: return (stop_epoch, best_epoch)."),
        (_early_stop_rule(val_losses, patience, strict=False), "An equal loss was counted as an improvement: improvement means strictly lower (min_delta=0), so a tie neither resets the patience counter nor moves best_epoch."),
        (_early_stop_rule(val_losses, patience, extra_wait=1), "stop_epoch is one too late: training stops at the end of the epoch where `patience` epochs in a row have not improved (count >= patience, not > patience)."),
        (_early_stop_rule(val_losses, patience, extra_wait=-1) if patience > 1 else None, "stop_epoch is one too early: `patience` epochs without improvement must pass before stopping."),
        (_early_stop_rule(val_losses, patience, global_best=True), "best_epoch looked past stop_epoch: epochs after training stops never run, so only losses up to stop_epoch count."),
        ((stop + 1, best), "stop_epoch is the number of epochs that ran, not the index of the last one: with 0-based epochs the last epoch run is (count - 1)."),
        (_early_stop_rule(val_losses, patience, vs_previous=True), "Each loss was compared with the previous epoch's: improvement means lower than the BEST loss so far."),
        (_early_stop_rule(val_losses, patience, no_reset=True), "The patience counter was not reset when the loss improved: it counts epochs since the last improvement."),
        ((stop, stop), "best_epoch is the last epoch: with restore_best_weights=True Keras keeps the weights of the lowest val_loss, not the last."),
        ((len(val_losses) - 1, best) if (patience == 0 and stop < len(val_losses) - 1) else None, "With patience=0 (Keras's default) training stops at the first epoch that does not improve: the count of epochs without improvement (1) is already >= 0. Test `wait >= patience`, not `wait == patience`."),
        ((stop, _nan_argmin_best(val_losses, stop)) if _has_nan(val_losses) else None, "A NaN validation loss was taken as the best: np.argmin (and min) treat NaN as smallest, but Keras compares with `<`, and NaN < best is False, so a NaN epoch never improves. Compare with a strict `<` (or use np.nanargmin)."),
        ((len(val_losses) - 1, best) if stop < len(val_losses) - 1 else None, "Training never stopped early: count epochs since the last strict improvement and stop when that count reaches patience."),
    ]
    hints = [msg for value, msg in mistakes if value == pair]
    if len(hints) > 1:  # several mistakes give the same numbers here: name each
        hint = "Either of these explains it: " + " / ".join(hints)
    else:
        hint = "".join(hints)
    raise CheckFailed(f"{label}: expected {expected}, got {pair}. {hint}".strip())


def check_regularized_model(build_regularized_model: Callable, n_features: int, hidden_units, dropout_rate: float, l2: float) -> None:
    label = f"build_regularized_model({n_features}, {list(hidden_units)}, {dropout_rate}, {l2})"
    desc = call_in_kernel(describe_model, build_regularized_model, n_features, hidden_units, dropout_rate, l2, what=label)
    expect(isinstance(desc, dict) and desc.get("is_model"), f"{label} should return a keras Model, got {desc.get('type') if isinstance(desc, dict) else 'something else'}.")
    layers = desc["layers"]
    dense = [layer for layer in layers if layer["kind"] == "dense"]
    drops = [layer for layer in layers if layer["kind"] == "dropout"]
    expect(len(dense) == len(hidden_units) + 1, f"{label}: expected {len(hidden_units)} hidden Dense layers plus one output Dense, found {len(dense)} Dense layers.")
    activation_of = _effective_activations(layers)
    for i, (layer, units) in enumerate(zip(dense[:-1], hidden_units)):
        expect(layer["units"] == units, f"Hidden Dense layer {i} has {layer['units']} units, expected {units}.")
        hidden_act = activation_of[layers.index(layer)]
        expect(hidden_act not in ("linear", "None"), f"Hidden Dense layer {i} has no activation (linear): stacked linear layers collapse into one linear map; use activation='relu'.")
        expect(hidden_act != "softmax", f"Hidden Dense layer {i} uses softmax: it squashes the layer's units into one probability distribution (they compete); use activation='relu' in hidden layers.")
        cfg = layer["kernel_regularizer"]
        if cfg is None:
            if layer["other_regularizer"]:
                raise CheckFailed(f"Hidden Dense layer {i} regularizes its activity or bias: the contract (and the usual practice) is an L2 penalty on the kernel (kernel_regularizer).")
            raise CheckFailed(f"Hidden Dense layer {i} has no kernel_regularizer: add keras.regularizers.L2(l2).")
        if _num(cfg.get("l1", 0)) and not _num(cfg.get("l2", 0)):
            raise CheckFailed(f"Hidden Dense layer {i} uses an L1 regularizer: the exercise asks for L2 (shrinkage, not sparsity).")
        expect(abs(_num(cfg.get("l2", 0.0)) - l2) <= 1e-6 * max(1.0, l2) and not _num(cfg.get("l1", 0)), f"Hidden Dense layer {i}: expected L2 strength {l2}, found {cfg}.")
    expect(len(drops) == len(hidden_units), f"{label}: expected one Dropout after each hidden layer ({len(hidden_units)}), found {len(drops)}.")
    for d in drops:
        expect(abs(d["rate"] - dropout_rate) < 1e-9, f"Dropout rate is {d['rate']}, expected {dropout_rate}.")
    # order: Dense, Dropout, Dense, Dropout, ..., Dense(out); activation layers may sit in between
    kinds = ["D" if layer["kind"] == "dense" else "X" if layer["kind"] == "dropout" else "?" for layer in layers]
    want = "DX" * len(hidden_units) + "D"
    seq = "".join(k for k in kinds if k in "DX")
    if seq != want:
        if seq.endswith("X"):
            raise CheckFailed("A Dropout layer comes after the output layer: dropout belongs after hidden layers, never on the prediction.")
        raise CheckFailed(f"Layer order should be Dense, Dropout per hidden layer, then the output Dense; found {''.join(layer['class'] + ' ' for layer in layers)}.")
    out = dense[-1]
    act = activation_of[layers.index(out)]
    if out["units"] == 2 and act == "softmax":
        raise CheckFailed("The output is a 2-unit softmax: for binary classification with this contract use one sigmoid unit (and binary cross-entropy).")
    expect(out["units"] == 1, f"The output layer has {out['units']} units, expected 1.")
    expect(act == "sigmoid", f"The output activation is {act}, expected sigmoid: it turns the logit into a probability.")
    if desc["call_error"]:
        raise CheckFailed(f"The model cannot take a batch with {n_features} input features: {desc['call_error']}")
    expect(desc["n_inputs"] == n_features, f"The model expects {desc['n_inputs']} input features, expected {n_features}.")
    expect(desc["compiled"], "The model is not compiled: call model.compile(optimizer=..., loss='binary_crossentropy').")
    loss_name = desc["loss_name"]
    normalized = str(loss_name).lower().replace("_", "")
    expect(normalized in ("binarycrossentropy", "bce"), f"The loss is {loss_name!r}: use binary cross-entropy ('binary_crossentropy') for a one-unit sigmoid output.")
    expect(not desc["from_logits"], "The loss has from_logits=True, but the sigmoid output already gives probabilities: use from_logits=False (the default).")
    # the L2 penalty must appear in model.losses once the model has run
    expect(desc["n_losses"] >= len(hidden_units), f"model.losses has {desc['n_losses']} penalty terms, expected (at least) one per hidden layer.")


def _num(v: Any) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return 0.0


def _effective_activations(layers: list) -> dict:
    """Each Dense layer's activation (by position), counting a separate activation layer right
    after it (``Dense(u)`` then ``ReLU()`` or ``Activation("sigmoid")`` is the same model)."""
    result = {}
    for i, layer in enumerate(layers):
        if layer["kind"] != "dense":
            continue
        name = layer["activation"]
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        if name == "linear" and nxt is not None and nxt["kind"] == "activation":
            name = nxt["activation"]
        result[i] = name
    return result


# =========================================================================== choose_regularization
def _best_of_run(losses) -> float:
    """A run's score: its lowest finite validation loss (inf when it has none)."""
    v = np.asarray([float(x) for x in losses], dtype=float)
    v = v[np.isfinite(v)]
    return float(v.min()) if v.size else float("inf")


def _choose(val_losses: dict, *, score="min", ties="larger", skip_nonfinite=True):
    """The contract's rule, with one knob turned to simulate a common mistake."""
    items = [(float(k), [float(x) for x in v]) for k, v in val_losses.items()]

    def run_score(v):
        arr = np.asarray(v, dtype=float)
        if score == "last":
            s = arr[-1]
        elif score == "mean":
            s = float(np.mean(arr))
        elif skip_nonfinite:
            return _best_of_run(arr)
        else:
            s = float(np.min(arr))  # NaN propagates
        return float(s) if np.isfinite(s) or not skip_nonfinite else float("inf")

    scored = [(run_score(v), k) for k, v in items]
    if not skip_nonfinite:  # a plain `<` comparison in a loop: NaN never loses, never wins after
        best_s, best_k = scored[0]
        for s, k in scored[1:]:
            if s < best_s or (s == best_s and ((k > best_k) if ties == "larger" else False)):
                best_s, best_k = s, k
        return best_k
    best = min(s for s, _ in scored)
    tied = [k for s, k in scored if s == best]
    if ties == "larger":
        return max(tied)
    if ties == "smaller":
        return min(tied)
    return tied[0]


def check_choose_regularization(choose_regularization: Callable, val_losses: dict) -> None:
    shown = ", ".join(f"{k!r}: [{', '.join(f'{float(x):.3g}' for x in v)}]" for k, v in val_losses.items())
    label = f"choose_regularization({{{shown}}})"
    if len(label) > 240:
        label = label[:237] + "..."
    expected = _choose(val_losses)
    got = call(choose_regularization, val_losses, what=label)
    value = as_float(got, label)
    if np.isclose(value, expected, rtol=1e-9, atol=1e-12):
        return
    scores = {float(k): _best_of_run(v) for k, v in val_losses.items()}
    summary = "; ".join(f"{k:g} -> lowest finite val loss {s:.4g}" for k, s in scores.items())
    mistakes = [
        (_choose(val_losses, score="last"), "That is the setting with the lowest FINAL validation loss: judge each run by its LOWEST validation loss (the epoch early stopping with restore_best_weights keeps), not by its last epoch."),
        (_choose(val_losses, score="mean"), "That is the setting with the lowest MEAN validation loss over the epochs: judge each run by its lowest validation loss, the model you would keep."),
        (_choose(val_losses, skip_nonfinite=False), "A run with NaN or inf losses (it diverged) broke the comparison: every comparison with NaN is False. Ignore non-finite losses (np.nanmin, or keep only np.isfinite values); a run with no finite loss is never chosen."),
        (_choose(val_losses, ties="smaller"), "Two settings tie on the lowest validation loss: the tie goes to the LARGER strength (the more regularized, simpler model), not the smaller one."),
        (_choose(val_losses, ties="first"), "Two settings tie on the lowest validation loss: the tie goes to the LARGER strength (the more regularized, simpler model), not to the first one listed."),
    ]
    hints = [message for wrong_value, message in mistakes
             if wrong_value is not None and np.isclose(value, wrong_value) and not np.isclose(wrong_value, expected)]
    if hints:
        hint = hints[0] if len(hints) == 1 else "Either of these explains it: " + " / ".join(hints)
        raise CheckFailed(f"{label}: expected {expected:g}, got {value:g}. {hint}")
    if value not in scores:
        raise CheckFailed(f"{label}: expected {expected:g}, got {value:g}, which is not one of the candidate settings: return the key of the chosen run.")
    if expected == 0.0 and value != 0.0:
        raise CheckFailed(f"{label}: expected 0 (no regularization wins here), got {value:g}. A strength of 0 is a valid choice: "
                          "did a test like `if best:` or `best or ...` treat 0 as 'nothing chosen yet'? Use `best is None`.")
    raise CheckFailed(f"{label}: expected {expected:g}, got {value:g} ({summary}).")
