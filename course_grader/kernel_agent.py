"""The small agent that runs INSIDE a submission's kernel while it is graded.

Its source is sent to the kernel before the first cell (the kernel cannot import
``course_grader``). For each call the trusted checker makes, it looks the learner's function up
in the kernel's namespace, calls it (or a probe from the learner package on it) with the
unpickled arguments, and publishes the result as plain data: JSON holding numbers, strings,
lists, dicts and numpy buffers. Nothing the learner's code returns can travel back as an
object: the checker rebuilds every value itself (:mod:`course_grader.rpc`), so rigged
comparisons, patched numpy and the like stay inside the kernel, where no score is computed.

Learner code can replace or break this agent; that only changes what data comes back, which is
what a learner's function could return anyway.
"""

AGENT_FACTORY = r'''
def __course_make_agent(user_ns=None, publish=None):
    import base64, contextlib, io, json, math, pickle, traceback
    import numpy as _np
    if publish is None:
        from IPython.display import publish_display_data as publish
    if user_ns is None:
        from IPython import get_ipython
        user_ns = get_ipython().user_ns

    MIME = "application/x-course-rpc"
    MAX_BYTES = 48 * 1024 * 1024
    MAX_ITEMS = 2_000_000
    OK_KINDS = "biufcU"
    budget = {"items": 0}

    def arr(a):
        a = _np.array(a, copy=True, order="C")
        if a.dtype.kind in OK_KINDS and not a.dtype.hasobject:
            if a.dtype.byteorder == ">":
                a = a.astype(a.dtype.newbyteorder("<"))
            budget["items"] += a.size
            if budget["items"] > MAX_ITEMS:
                raise OverflowError("the result holds too many numbers")
            return {"nd": a.dtype.str, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode()}
        return {"ndobj": [enc(x) for x in a.ravel().tolist()], "shape": list(a.shape)}

    def enc(v, depth=0):
        if depth > 40:
            raise OverflowError("the result is nested too deeply")
        budget["items"] += 1
        if budget["items"] > MAX_ITEMS:
            raise OverflowError("the result holds too many items")
        if isinstance(v, _np.generic):
            return {"npscalar": arr(_np.asarray(v))} if v.dtype.kind in OK_KINDS else enc(v.item(), depth + 1)
        if v is None or type(v) is bool:
            return {"v": v}
        if isinstance(v, str):
            return {"v": str.__str__(v)}
        if isinstance(v, bool):
            return {"v": bool(int.__int__(v))}
        if isinstance(v, int):
            return {"int": int.__repr__(v)}
        if isinstance(v, float):
            return {"float": float.__repr__(v)}
        if isinstance(v, complex):
            return {"complex": [float.__repr__(complex.__getattribute__(v, "real")), float.__repr__(complex.__getattribute__(v, "imag"))]}
        if isinstance(v, (bytes, bytearray)):
            return {"bytes": base64.b64encode(bytes(v)).decode()}
        if isinstance(v, _np.ndarray):
            return arr(v)
        if isinstance(v, tuple):
            return {"tuple": [enc(x, depth + 1) for x in v]}
        if isinstance(v, list):
            return {"list": [enc(x, depth + 1) for x in v]}
        if isinstance(v, dict):
            return {"dict": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        if isinstance(v, (set, frozenset)):
            return {"set": [enc(x, depth + 1) for x in v]}
        mod = type(v).__module__ or ""
        if mod.startswith("pandas"):
            import pandas as pd
            if isinstance(v, pd.Series):
                return {"series": enc(v.to_numpy(), depth + 1), "index": enc(list(v.index), depth + 1), "name": enc(v.name if isinstance(v.name, (str, int, type(None))) else str(v.name))}
            if isinstance(v, pd.DataFrame):
                return {"frame": [[enc(c if isinstance(c, (str, int)) else str(c)), enc(v[c].to_numpy(), depth + 1)] for c in v.columns], "index": enc(list(v.index), depth + 1)}
            if isinstance(v, pd.Index):
                return enc(list(v), depth + 1)
        if hasattr(v, "numpy") and callable(v.numpy) and (mod.startswith("tensorflow") or mod.startswith("keras")):
            return {"tensor": enc(_np.asarray(v.numpy()), depth + 1)}
        if isinstance(v, (range, type({}.keys()), type({}.values()))):
            return {"list": [enc(x, depth + 1) for x in v]}
        if isinstance(v, (map, filter, zip)) or type(v).__name__ == "generator":
            return {"opaque": type(v).__qualname__, "module": mod, "hint": "an iterator (return a list or an array instead)"}
        return {"opaque": type(v).__qualname__, "module": mod}

    class Agent:
        def call(self, nonce, name, payload):
            budget["items"] = 0
            ns = user_ns
            sink = io.StringIO()
            try:
                args, kwargs, probe = pickle.loads(base64.b64decode(payload))
                if name not in ns:
                    raise NameError(f"name '{name}' is not defined")
                fn = ns[name]
                with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                    value = probe(fn, *args, **kwargs) if probe is not None else fn(*args, **kwargs)
                body = {"ok": enc(value)}
            except BaseException as exc:
                frames = traceback.extract_tb(exc.__traceback__)
                mine = [f for f in frames if f.filename.startswith("<ipython-input") or "/ipykernel_" in f.filename or f.filename.startswith("<cell")]
                where = (mine or frames or [None])[-1]
                body = {"error": {
                    "type": type(exc).__name__,
                    "builtin": type(exc).__module__ == "builtins",
                    "message": str(exc)[:2000],
                    "lineno": getattr(where, "lineno", None),
                    "line": (getattr(where, "line", "") or "")[:300],
                    "interrupted": isinstance(exc, KeyboardInterrupt),
                }}
            try:
                text = json.dumps({"nonce": nonce, **body})
            except Exception as exc:
                text = json.dumps({"nonce": nonce, "error": {"type": "ResultNotReadable", "builtin": False, "message": str(exc)[:500]}})
            if len(text) > MAX_BYTES:
                text = json.dumps({"nonce": nonce, "error": {"type": "ResultTooLarge", "builtin": False, "message": f"the result is {len(text) // 1_000_000} MB of data"}})
            publish({MIME: text})

    return Agent()
'''

#: what the grading kernel runs before the notebook's first cell
AGENT_SOURCE = AGENT_FACTORY + "\n__course_agent__ = __course_make_agent()\ndel __course_make_agent\n"


class LocalExecutor:
    """The same call path without a kernel: the learner's functions live in ``user_ns`` of this
    process, and every value still goes through the agent's encoding and the checker's decoding.
    The test suite scores many implementations this way (fast, and as strict about plain data)."""

    def __init__(self, user_ns: dict):
        ns: dict = {}
        exec(AGENT_FACTORY, ns)
        self._sent: list = []
        self._agent = ns["__course_make_agent"](user_ns, lambda data: self._sent.append(data))

    def remote_call(self, name, args, kwargs, probe):
        import base64
        import uuid

        import cloudpickle

        from .rpc import MIME, DecodeError, LearnerError, result_from_message

        nonce = uuid.uuid4().hex
        payload = base64.b64encode(cloudpickle.dumps((args, kwargs, probe))).decode()
        self._sent.clear()
        self._agent.call(nonce, name, payload)
        try:
            return result_from_message(self._sent[-1][MIME], nonce)
        except DecodeError as exc:
            raise LearnerError("UnreadableResult", f"the grader could not read what `{name}` returned ({exc})") from None
