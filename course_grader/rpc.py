"""The trusted side of a call into a submission's kernel.

:class:`RemoteFunction` stands in, inside the checker, for a graded function the learner wrote:
calling it runs the real function in the learner's kernel (see :mod:`kernel_agent`), and what
comes back is rebuilt here by :func:`decode` from plain data only. No object made by learner
code ever exists in the checker's process, so no learner-defined ``__eq__``, ``__float__`` or
patched library can take part in a comparison.
"""

from __future__ import annotations

import base64
import builtins
import json
from typing import Any

import numpy as np

MIME = "application/x-course-rpc"
MAX_DEPTH = 45
ALLOWED_KINDS = set("biufcU")

#: learner exceptions that are re-raised here as the same built-in class (message kept)
BUILTIN_ERRORS = {
    name: getattr(builtins, name)
    for name in (
        "NotImplementedError", "ValueError", "TypeError", "ZeroDivisionError", "IndexError", "KeyError",
        "AttributeError", "RuntimeError", "ArithmeticError", "OverflowError", "FloatingPointError",
        "NameError", "RecursionError", "MemoryError", "AssertionError", "UnboundLocalError", "LookupError",
        "StopIteration", "ImportError", "ModuleNotFoundError",
    )
}


class DecodeError(Exception):
    """The kernel's answer is not plain data in the agreed format."""


class LearnerError(Exception):
    """An exception raised by the learner's code whose class is not a built-in one."""

    def __init__(self, type_name: str, message: str):
        super().__init__(message)
        self.learner_type = type_name
        self.learner_lineno = None
        self.learner_line = ""


class KernelFault(Exception):
    """The learner's kernel died, hung, or stopped answering during a call."""

    learner_lineno = None
    learner_line = ""


class Opaque:
    """A returned object that is not plain data (a model, an estimator, a generator...)."""

    def __init__(self, type_name: str, module: str = "", hint: str = ""):
        self.type_name, self.module, self.hint = type_name, module, hint

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"

    __str__ = __repr__


def _array(d: dict) -> np.ndarray:
    dtype = np.dtype(str(d["nd"]))
    if dtype.kind not in ALLOWED_KINDS or dtype.hasobject or dtype.itemsize > 64:
        raise DecodeError(f"unsupported array type {dtype}")
    shape = tuple(int(s) for s in d["shape"])
    if any(s < 0 for s in shape):
        raise DecodeError("negative array shape")
    raw = base64.b64decode(d["b64"], validate=True)
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if count * dtype.itemsize != len(raw):
        raise DecodeError("array size does not match its shape")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def decode(d: Any, depth: int = 0) -> Any:
    """Rebuild a value from the agent's plain-data encoding (see kernel_agent.enc)."""
    if depth > MAX_DEPTH:
        raise DecodeError("nested too deeply")
    if not isinstance(d, dict) or len(d) == 0:
        raise DecodeError("malformed value")
    if "v" in d:
        v = d["v"]
        if v is None or isinstance(v, (bool, str)):
            return v
        raise DecodeError("malformed scalar")
    if "int" in d:
        return int(str(d["int"]))
    if "float" in d:
        return float(str(d["float"]))
    if "complex" in d:
        re_, im = d["complex"]
        return complex(float(str(re_)), float(str(im)))
    if "bytes" in d:
        return base64.b64decode(d["bytes"], validate=True)
    if "npscalar" in d:
        a = _array(d["npscalar"])
        if a.shape != ():
            raise DecodeError("malformed numpy scalar")
        return a[()]
    if "nd" in d:
        return _array(d)
    if "ndobj" in d:
        items = [decode(x, depth + 1) for x in d["ndobj"]]
        shape = tuple(int(s) for s in d["shape"])
        out = np.empty(len(items), dtype=object)
        for i, x in enumerate(items):
            out[i] = x
        return out.reshape(shape)
    if "tuple" in d:
        return tuple(decode(x, depth + 1) for x in d["tuple"])
    if "list" in d:
        return [decode(x, depth + 1) for x in d["list"]]
    if "set" in d:
        return {_hashable(decode(x, depth + 1)) for x in d["set"]}
    if "dict" in d:
        return {_hashable(decode(k, depth + 1)): decode(v, depth + 1) for k, v in d["dict"]}
    if "tensor" in d:
        return decode(d["tensor"], depth + 1)
    if "series" in d:
        import pandas as pd

        index = decode(d["index"], depth + 1)
        return pd.Series(decode(d["series"], depth + 1), index=index, name=decode(d["name"], depth + 1))
    if "frame" in d:
        import pandas as pd

        cols = {decode(k, depth + 1): decode(v, depth + 1) for k, v in d["frame"]}
        return pd.DataFrame(cols, index=decode(d["index"], depth + 1))
    if "opaque" in d:
        return Opaque(str(d["opaque"])[:200], str(d.get("module", ""))[:200], str(d.get("hint", ""))[:200])
    raise DecodeError("unknown value kind")


def _hashable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        raise DecodeError("an array cannot be a dict key")
    hash(v)
    return v


def result_from_message(text: str, nonce: str) -> Any:
    """The call's value, or the learner's exception re-raised as a trusted one."""
    try:
        msg = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise DecodeError(f"not JSON: {exc}") from None
    if not isinstance(msg, dict) or msg.get("nonce") != nonce:
        raise DecodeError("answer to another call")
    if "ok" in msg:
        try:
            return decode(msg["ok"])
        except DecodeError:
            raise
        except Exception as exc:  # malformed numbers, base64, shapes...
            raise DecodeError(f"{type(exc).__name__}: {exc}") from None
    err = msg.get("error")
    if not isinstance(err, dict):
        raise DecodeError("malformed answer")
    name = str(err.get("type", "Exception"))[:100]
    message = str(err.get("message", ""))[:2000]
    cls = BUILTIN_ERRORS.get(name) if err.get("builtin") else None
    exc = cls(message) if cls is not None else LearnerError(name, message)
    exc.learner_type = name
    exc.learner_lineno = err.get("lineno") if isinstance(err.get("lineno"), int) else None
    exc.learner_line = str(err.get("line") or "")[:300]
    raise exc


class RemoteFunction:
    """A graded function of the learner, called in their kernel through ``executor``."""

    __course_remote__ = True

    def __init__(self, executor, name: str):
        self._executor = executor
        self.__name__ = name
        self.__qualname__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._executor.remote_call(self.__name__, args, kwargs, None)

    def run_with(self, probe, *args: Any, **kwargs: Any) -> Any:
        """Run ``probe(learner_function, *args)`` in the kernel; the probe returns plain data."""
        return self._executor.remote_call(self.__name__, args, kwargs, probe)

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):  # a proxy passed as an argument becomes the learner's function again
        from course.checks import kernel_function

        return (kernel_function, (self.__name__,))
