"""Probes and kernel-side helpers of module 01 (overfitting and regularization) (see course.probes)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def describe_model(build: Callable, *args: Any) -> dict:
    """PROBE (runs next to the learner's code): build the model and describe it as plain data.

    The check below judges only this description, so it works the same in a learner's kernel
    and while grading, where nothing but plain data leaves the kernel.
    """
    import keras

    model = build(*args)
    if not isinstance(model, keras.Model):
        return {"is_model": False, "type": type(model).__name__}
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]

    def act_name(fn) -> str:
        return str(getattr(fn, "__name__", str(fn)))

    out = []
    for layer in layers:
        d = {"class": type(layer).__name__}
        if isinstance(layer, keras.layers.Dense):
            d["kind"] = "dense"
            d["units"] = int(layer.units)
            d["activation"] = act_name(layer.activation)
            reg = layer.kernel_regularizer
            d["kernel_regularizer"] = None if reg is None else {k: (float(v) if isinstance(v, (int, float)) else str(v)) for k, v in (reg.get_config() or {}).items()}
            d["other_regularizer"] = layer.activity_regularizer is not None or layer.bias_regularizer is not None
        elif isinstance(layer, keras.layers.Dropout):
            d["kind"] = "dropout"
            d["rate"] = float(layer.rate)
        elif isinstance(layer, keras.layers.ReLU):
            d["kind"], d["activation"] = "activation", "relu"
        elif isinstance(layer, keras.layers.LeakyReLU):
            d["kind"], d["activation"] = "activation", "leaky_relu"
        elif isinstance(layer, keras.layers.Activation):
            d["kind"], d["activation"] = "activation", act_name(layer.activation)
        elif type(layer).__name__ in ("ELU", "PReLU", "Softmax"):
            d["kind"], d["activation"] = "activation", type(layer).__name__.lower()
        else:
            d["kind"] = "other"
        out.append(d)
    desc = {"is_model": True, "layers": out, "call_error": None}
    n_features = int(args[0]) if args else 1
    try:
        model(np.zeros((2, n_features), dtype="float32"), training=False)
    except Exception as exc:
        desc["call_error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    try:
        desc["n_inputs"] = int(dense[0].kernel.shape[0]) if dense else None
    except Exception:
        desc["n_inputs"] = None
    desc["compiled"] = bool(getattr(model, "optimizer", None) is not None and getattr(model, "compiled", True))
    loss = getattr(model, "loss", None)
    if isinstance(loss, (list, tuple)) and len(loss) == 1:  # compile(loss=["binary_crossentropy"])
        loss = loss[0]
    if isinstance(loss, str):
        loss_name = loss
    elif callable(loss) and hasattr(loss, "__name__"):
        loss_name = loss.__name__  # keras.losses.binary_crossentropy, a function
    else:
        loss_name = getattr(loss, "name", type(loss).__name__)
    desc["loss_name"] = str(loss_name)
    cfg = loss.get_config() if hasattr(loss, "get_config") else {}
    desc["from_logits"] = bool((cfg or {}).get("from_logits", False))
    desc["n_losses"] = len(model.losses) if desc["call_error"] is None else 0
    return desc
