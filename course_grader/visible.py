"""Record the transcripts that let a learner-only install run the visible checks.

``course record-visible`` (also run by ``course build``) executes, in this process, the visible
part (before ``### BEGIN HIDDEN TESTS``) of every test cell of every release notebook, the way
the grader does (learner namespace + checker namespace with stand-ins through
:class:`~course_grader.kernel_agent.LocalExecutor`), once with the reference solutions and once
per known implementation in ``tests/variants/<topic>.py``. Every ``check_*`` call of the
topic's full checks is recorded (see :mod:`course.checks.replay` for what and why) into
``course/checks/visible/<topic>.pkl``.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import io
import os
import pickle
import random
import sys
from pathlib import Path
from typing import Any

import cloudpickle
import nbformat

from course import paths
from course.checks import replay as R

from .checker import checker_namespace, run_code
from .kernel_agent import LocalExecutor
from .rpc import RemoteFunction

HIDDEN = "### BEGIN HIDDEN TESTS"
SECRET_MODULES = ("course_grader", "tests")


def topic_of(module: str) -> str:
    """'01_overfitting_regularization' -> 'regularization' (the checks module the notebook imports)."""
    nb = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    import re

    for cell in nb.cells:
        m = re.search(r"from course\.checks import [^\n]*?\b(\w+) as checks", cell.source)
        if m:
            return m.group(1)
    raise ValueError(f"{module}: no test cell imports course.checks.<topic> as checks")


def _nbg(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def visible_cells(module: str) -> dict[str, str]:
    nb = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    out = {}
    for c in nb.cells:
        if c.cell_type == "code" and _nbg(c).get("grade") and not _nbg(c).get("solution"):
            out[_nbg(c)["grade_id"]] = c.source.split(HIDDEN)[0]
    return out


def _learner_namespace(module: str) -> dict:
    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    ns: dict = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for c in nb.cells:
            if c.cell_type == "code" and _nbg(c).get("locked") and not _nbg(c).get("grade"):
                run_code(c.source, ns)
        for c in nb.cells:
            if c.cell_type == "code" and _nbg(c).get("solution"):
                run_code(c.source, ns)
    return ns


class _PayloadPickler(cloudpickle.CloudPickler):
    def persistent_id(self, obj):
        if getattr(obj, "__course_remote__", False) and isinstance(obj, RemoteFunction):
            return ("fn", obj.__name__)
        return None


def payload_bytes(args: tuple, kwargs: dict, probe) -> bytes:
    buf = io.BytesIO()
    _PayloadPickler(buf, protocol=4).dump((args, kwargs, probe))
    data = buf.getvalue()
    bad = [m for m in imported_modules(data) if m.split(".")[0] in SECRET_MODULES]
    if bad:
        raise RuntimeError(f"a recorded call refers to {bad}: move what the learner's function receives to the learner package")
    return data


def imported_modules(data: bytes) -> set[str]:
    """Modules a pickle imports when it is loaded."""
    found: set[str] = set()

    class Spy(pickle.Unpickler):
        def find_class(self, module, name):
            found.add(module)
            return super().find_class(module, name)

        def persistent_load(self, pid):
            return None

    Spy(io.BytesIO(data)).load()
    return found


class _Recorder:
    """Wraps the checks module's ``check_*`` functions and the executor while a cell runs."""

    def __init__(self, executor: LocalExecutor, topic_module):
        self.executor = executor
        self.module = topic_module
        self.records: list[dict] = []
        self.current: dict | None = None
        self.pending_what: str | None = None

    def remote_call(self, name, args, kwargs, probe):
        what, self.pending_what = self.pending_what, None
        rec = self.current
        try:
            value = self.executor.remote_call(name, args, kwargs, probe)
            out = R.plain(value)
        except BaseException as exc:
            out = R.raised(f"{type(exc).__name__}: {exc}")
            if rec is not None:
                self._log(rec, name, args, kwargs, probe, what, out)
            raise
        if rec is not None:
            self._log(rec, name, args, kwargs, probe, what, out)
        return value

    def _log(self, rec, name, args, kwargs, probe, what, out):
        payload = payload_bytes(args, kwargs, probe)
        ck = R.hashlib.sha1(name.encode() + b"\0" + R.json.dumps(R._fp([args, kwargs, getattr(probe, "__qualname__", None)]), default=str, sort_keys=True).encode()).hexdigest()[:20]
        rec["calls"].setdefault(ck, {"name": name, "what": what, "payload": payload})
        rec["outputs"].append((ck, out))

    @contextlib.contextmanager
    def active(self):
        import course.checks as C

        originals = {n: getattr(self.module, n) for n in dir(self.module) if n.startswith("check_") and callable(getattr(self.module, n))}
        real_invoke = C._invoke

        def invoke(fn, probe, args, kwargs, what):
            self.pending_what = what
            return real_invoke(fn, probe, args, kwargs, what)

        def wrap(name, fn):
            def wrapper(*args, **kwargs):
                if self.current is not None:  # a check calling another check: part of the outer one
                    return fn(*args, **kwargs)
                rec = {"check": name, "key": R.fingerprint(name, args, kwargs), "functions": R.function_paths(args, kwargs),
                       "calls": {}, "outputs": [], "message": None, "stdout": ""}
                self.current = rec
                buf = io.StringIO()
                try:
                    with contextlib.redirect_stdout(buf):
                        return fn(*args, **kwargs)
                except C.CheckFailed as exc:
                    rec["message"] = str(exc)
                    raise
                except NotImplementedError:
                    rec["message"] = "not implemented"
                    raise
                except Exception as exc:
                    rec["message"] = f"{type(exc).__name__}: {exc}"
                    raise
                finally:
                    self.current = None
                    rec["stdout"] = buf.getvalue()
                    self.records.append(rec)
                    sys.stdout.write(buf.getvalue())

            wrapper.__name__ = name
            return wrapper

        def tolerance_spy(real):
            # the tolerances a check compares with are the replay's tolerances for that case
            def spy(*args, **kwargs):
                if self.current is not None:
                    tol = self.current.setdefault("tolerance", [R.RTOL, R.ATOL])
                    tol[0] = max(tol[0], float(kwargs.get("rtol", C.RTOL)))
                    tol[1] = max(tol[1], float(kwargs.get("atol", C.ATOL)))
                return real(*args, **kwargs)

            return spy

        helpers = {n: getattr(self.module, n) for n in ("expect_close", "close") if callable(getattr(self.module, n, None))}
        for n, fn in originals.items():
            setattr(self.module, n, wrap(n, fn))
        for n, fn in helpers.items():
            setattr(self.module, n, tolerance_spy(fn))
        C._invoke = invoke
        try:
            yield
        finally:
            for n, fn in {**originals, **helpers}.items():
                setattr(self.module, n, fn)
            C._invoke = real_invoke


def _seed() -> None:
    import numpy as np

    random.seed(0)
    np.random.seed(0)
    try:
        import keras

        keras.utils.set_random_seed(0)
    except Exception:
        pass


def _variants(module: str, kinds=("wrong", "correct")):
    root = str(paths.ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
    from tests.nbrun import variant_source
    from tests.variants import collect

    for info_name in ("regularization", "gradients", "metrics", "multicollinearity", "explainability", "distributed", "monitoring"):
        try:
            mod = importlib.import_module(f"tests.variants.{info_name}")
        except ImportError:
            continue
        if getattr(mod, "MODULE", None) == module:
            return [(fn, variant_source(fn)) for kind in kinds for fn in collect(mod, kind)]
    return []


def run_visible(module: str, topic_module, base_ns: dict, test_id: str, src: str, override: str | None = None) -> list[dict]:
    """Run one visible test cell with the reference solutions (or one override); the records."""
    ns = dict(base_ns)
    if override:
        with contextlib.redirect_stdout(io.StringIO()):
            run_code(override, ns)
    nb = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    executor = LocalExecutor(ns)
    rec = _Recorder(executor, topic_module)
    checker = checker_namespace(nb, lambda name: RemoteFunction(rec, name))
    saved = os.environ.pop("NBGRADER_EXECUTION", None)
    _seed()
    try:
        with rec.active(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                run_code(src, checker, filename=f"<visible {test_id}>")
            except Exception:
                pass
    finally:
        if saved is not None:
            os.environ["NBGRADER_EXECUTION"] = saved
    return rec.records


class _Named:
    def __init__(self, name: str):
        self.__name__ = name


def _same_outputs(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x[0] == y[0] and R.same(x[1], y[1], 1e-12, 0.0, strict=True) for x, y in zip(a, b))


def record_module(module: str, variants: bool = True, log=None, kinds=("wrong", "correct")) -> dict:
    """The transcripts of one module's visible checks."""
    topic = topic_of(module)
    if topic == "distributed":
        from course.lessons.distributed import split_cpu

        split_cpu(verbose=False)
    topic_module = importlib.import_module(f"course.checks.{topic}")
    base = _learner_namespace(module)
    cells = visible_cells(module)
    checks: dict[str, dict] = {}
    impls = _variants(module, kinds) if variants else []
    # the untouched release: its stubs get the full checks' own "not implemented" messages
    release = nbformat.read(str(paths.release_notebook(module)), as_version=4)
    impls += [(_Named(f"{_nbg(c)['grade_id']}__release"), c.source) for c in release.cells
              if c.cell_type == "code" and _nbg(c).get("solution")]
    for test_id, src in cells.items():
        if "checks." not in src:
            continue
        graded = test_id[len("test_"):]
        ref = run_visible(module, topic_module, base, test_id, src)
        for r in ref:
            if r["message"] is not None:
                raise RuntimeError(f"{module} {test_id}: the reference solution fails {r['check']}: {r['message']}")
            case = checks.setdefault(r["check"], {}).setdefault(r["key"], {
                "functions": r["functions"], "calls": {}, "reference": r["outputs"], "variants": [], "stdout": r["stdout"],
                "tolerance": tuple(getattr(topic_module, "REPLAY_TOLERANCE", {}).get(r["check"], r.get("tolerance", (R.RTOL, R.ATOL)))),
            })
            case["calls"].update(r["calls"])
        for fn, override in impls:
            if fn.__name__.split("__")[0] != graded:
                continue
            if log:
                log(f"{module} {fn.__name__}")
            for r in run_visible(module, topic_module, base, test_id, src, override):
                case = checks.get(r["check"], {}).get(r["key"])
                if case is None:
                    continue
                for ck, spec in r["calls"].items():
                    case["calls"].setdefault(ck, spec)
                if any(_same_outputs(v["outputs"], r["outputs"]) and v["message"] == r["message"] for v in case["variants"]):
                    continue
                if r["message"] is None and _same_outputs(r["outputs"], case["reference"]):
                    continue  # the reference's outputs, within tolerance: nothing new
                case["variants"].append({"variant": fn.__name__, "outputs": r["outputs"], "message": r["message"]})
    for case_map in checks.values():  # mistakes first, then the alternatives that pass
        for case in case_map.values():
            case["variants"].sort(key=lambda v: v["message"] is None)
            tol = case["tolerance"]
            case["answers_vary"] = any(
                v["message"] is None and not (len(v["outputs"]) == len(case["reference"]) and all(
                    a[0] == b[0] and R.same(a[1], b[1], *tol) for a, b in zip(v["outputs"], case["reference"])))
                for v in case["variants"])
    names = sorted(n for n in dir(topic_module) if n.startswith("check_") and callable(getattr(topic_module, n)))
    return {"format": R.FORMAT, "module": module, "topic": topic, "names": names, "checks": checks}


def _compact(v: Any) -> Any:
    """Large float outputs are stored as float32 (relative error 6e-8, far inside the replay's
    tolerance); everything else as it is."""
    import numpy as np

    if isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.dtype.itemsize > 4 and v.size > 4096:
        return v.astype(np.float32)
    if isinstance(v, list):
        return [_compact(x) for x in v]
    if isinstance(v, tuple):
        return tuple(_compact(x) for x in v)
    if isinstance(v, R.Tagged):
        return R.Tagged(v.kind, *[_compact(x) for x in v.parts])
    if isinstance(v, dict):
        return {k: _compact(x) for k, x in v.items()}
    return v


def write(data: dict, directory: Path | None = None) -> Path:
    import lzma

    directory = directory or R.VISIBLE_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for case_map in data["checks"].values():
        for case in case_map.values():
            case["reference"] = [(ck, _compact(out)) for ck, out in case["reference"]]
            for v in case["variants"]:
                v["outputs"] = [(ck, _compact(out)) for ck, out in v["outputs"]]
    path = directory / f"{data['topic']}.pkl.xz"
    with lzma.open(path, "wb", preset=6) as fh:
        pickle.dump(data, fh, protocol=4)
    return path


def record(modules: list[str] | None = None, log=None) -> list[Path]:
    out = []
    for m in modules or paths.available_modules():
        out.append(write(record_module(m, log=log)))
    return out
