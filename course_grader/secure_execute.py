"""nbgrader's Execute step, hardened for submissions from people we do not know.

:class:`SecureExecute` replaces nbgrader's ``Execute`` in ``Autograde``. It differs in three ways:

1. **Test cells never run in the learner's kernel.** The learner's cells run in their kernel as
   usual; each test cell (its source restored by nbgrader from the gradebook) runs here, in the
   grader's process, in a namespace holding the setup cell's imports and a
   :class:`~course_grader.rpc.RemoteFunction` for every graded function. Checks call the
   learner's function in the kernel and get plain data back, so learner code cannot patch the
   checks, the comparison helpers, numpy or ``Exercise``, cannot rewrite test cells with an input
   transformer, and cannot print a score: the test cell's outputs, from which nbgrader takes
   the score, are written here.
2. **A fault costs only what it touches.** The kernel runs in the sandbox
   (:mod:`course_grader.sandbox`: memory, task and file-size limits, hidden course files). A
   cell that kills the kernel (``os._exit``, a segfault, out of memory) or hangs past its
   timeout while ignoring interrupts gets an error saying so; the kernel is restarted, the
   cells that ran before are run again, and grading goes on. Each cell's output and the whole
   notebook's output are capped; the notebook has a wall-clock limit.
3. **Structured results.** Every check's label, outcome and message, and every fault, are
   written to ``<notebook>.checks.json`` beside the autograded notebook (see
   :mod:`course_grader.results`).
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import sys
import random
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import nbformat
from jupyter_core.utils import run_sync
from nbclient.exceptions import DeadKernelError
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Integer

from . import kernels, sandbox
from .checker import graded_names, import_statements, run_code, setup_source
from .rpc import MIME, DecodeError, KernelFault, LearnerError, RemoteFunction, result_from_message
from .startup import lower_priority


def _error(ename: str, evalue: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _stream(text: str) -> NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


class SecureExecute(Execute):
    """nbgrader's Execute with test cells checked outside the kernel and faults contained."""

    enabled = Bool(True)
    call_timeout = Integer(30, help="Seconds one call of a graded function may take").tag(config=True)
    notebook_timeout = Integer(900, help="Seconds the whole notebook may take").tag(config=True)
    cell_output_limit = Integer(2_000_000, help="Bytes of output kept per cell").tag(config=True)
    total_output_limit = Integer(20_000_000, help="Bytes of output kept per notebook").tag(config=True)

    # ------------------------------------------------------------------ kernel
    def create_kernel_manager(self):
        path = self.resources.get("metadata", {}).get("path") or os.getcwd()
        root = getattr(getattr(self, "parent", None), "coursedir", None)
        hide = kernels.hidden_folders(Path(root.root) if root is not None else None, os.getcwd(), self.config)
        km = kernels.take(path, hide)  # started early by grade_notebook, if it did
        if km is None:
            km = kernels.kernel_manager(path, hide, self.kernel_name or "python3", self.config)
        self.km = km
        return km

    async def _async_run_quiet(self, code: str, timeout: float) -> tuple[str, list[str], dict | None]:
        """Run ``code`` without recording outputs. Returns (status, rpc payloads, reply), status
        one of ok, error, timeout, dead."""
        assert self.kc is not None
        msg_id = self.kc.execute(code, silent=False, store_history=False, allow_stdin=False, stop_on_error=False)
        payloads: list[str] = []
        reply = None
        idle = False
        deadline = time.monotonic() + timeout
        while not (idle and reply is not None):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return await self._async_after_timeout(), payloads, reply
            got = False
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=min(0.2, remaining))
                got = True
                if msg["parent_header"].get("msg_id") == msg_id:
                    kind = msg["msg_type"]
                    if kind == "display_data":
                        data = msg["content"].get("data", {})
                        if isinstance(data.get(MIME), str):
                            payloads.append(data[MIME])
                    elif kind == "status" and msg["content"].get("execution_state") == "idle":
                        idle = True
            except Exception:
                pass
            if reply is None:
                try:
                    m = await self.kc.shell_channel.get_msg(timeout=0 if got else 0.05)
                    if m["parent_header"].get("msg_id") == msg_id:
                        reply = m
                except Exception:
                    pass
            if not got and not await self.km.is_alive():
                return "dead", payloads, reply
        status = reply["content"].get("status", "error") if reply else "error"
        return ("ok" if status == "ok" else "error"), payloads, reply

    run_quiet = run_sync(_async_run_quiet)

    async def _async_after_timeout(self) -> str:
        """Interrupt a cell that ran too long; a kernel that ignores the interrupt is replaced."""
        if await self.km.is_alive():
            await self.km.interrupt_kernel()
            if await self._async_responsive(5):
                return "timeout"
        return "timeout-restart"

    async def _async_responsive(self, seconds: float) -> bool:
        assert self.kc is not None
        msg_id = self.kc.kernel_info()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                m = await self.kc.shell_channel.get_msg(timeout=0.2)
                if m["parent_header"].get("msg_id") == msg_id:
                    return True
            except Exception:
                if not await self.km.is_alive():
                    return False
        return False

    responsive = run_sync(_async_responsive)

    def _install_agent(self) -> None:
        from .kernel_agent import AGENT_SOURCE

        status, _, reply = self.run_quiet(AGENT_SOURCE, 60)
        if status != "ok":
            raise RuntimeError(f"could not prepare the grading kernel ({status})")
        # TensorFlow and others start threads as the notebook imports them: count from here on
        self._baseline_tasks = None

    def _note_baseline(self) -> None:
        tasks = sandbox.task_count(getattr(self.km, "cgroup", None))
        if tasks is not None:
            self._baseline_tasks = max(tasks, self._baseline_tasks or 0)

    def _restart(self, why: str) -> None:
        """Replace the kernel and run again the cells that had run without a fault."""
        self.log.warning("Restarting the kernel: %s", why)
        self._restarts += 1
        try:
            self._cleanup_kernel()
        except Exception:
            pass
        self.km = None
        self.kc = None
        self.create_kernel_manager()
        self.start_new_kernel()
        self.start_new_kernel_client()
        self._install_agent()
        for src in self._replay:
            status, _, _ = self.run_quiet(src, self.timeout or 60)
            if status not in ("ok", "error"):
                self._broken = "the kernel could not be brought back to the state before the fault"
                return
        self._broken = None

    # ------------------------------------------------------------------ notebook
    def preprocess(self, nb, resources=None, km=None):
        from nbclient.client import NotebookClient

        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self.resources = resources if resources is not None else {}
        self._faults: list[dict] = []
        self._replay: list[str] = []
        self._restarts = 0
        self._broken: str | None = None
        self._baseline_tasks: int | None = None
        self._hung: set[str] = set()
        self._out_bytes: dict = defaultdict(int)
        self._out_total = 0
        self._truncated: set = set()
        self._results: dict = {}
        self._prepare_checker(nb)
        deadline = self._deadline = time.monotonic() + self.notebook_timeout
        started = time.monotonic()
        with self.setup_kernel():
            assert self.kc is not None
            info = self.wait_for_reply(self.kc.kernel_info())
            if info:
                self.nb.metadata["language_info"] = info["content"]["language_info"]
            if getattr(self.km, "chdir_to", None):  # started early, in the parent folder
                status, _, _ = self.run_quiet(f"__import__('os').chdir({self.km.chdir_to!r})", 60)
                if status != "ok":
                    raise RuntimeError(f"could not prepare the grading kernel ({status})")
            self._install_agent()
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code":
                    continue
                if time.monotonic() > deadline:
                    cell.outputs = [_error("NotebookTimeLimit", f"not run: the notebook exceeded its {self.notebook_timeout} s time limit")]
                    self._fault(cell, "notebook-time-limit", "the notebook exceeded its time limit")
                    continue
                if is_grade(cell) and not is_solution(cell):
                    self._run_test_cell(cell, index)
                else:
                    self._run_learner_cell(cell, index)
        self.set_widgets_metadata()
        self._write_results(time.monotonic() - started)
        return self.nb, self.resources

    def _remaining(self) -> float:
        """Seconds left of the notebook's wall-clock limit."""
        return getattr(self, "_deadline", float("inf")) - time.monotonic()

    def _fault(self, cell, kind: str, message: str) -> None:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        self._faults.append({"cell": gid, "kind": kind, "message": message})

    def _run_learner_cell(self, cell, index: int) -> None:
        cell_limit = self.timeout
        if cell_limit is not None and self._remaining() < cell_limit:  # a cell never outlives the notebook's limit
            self.timeout = max(1, int(self._remaining()))
        try:
            self._run_learner_cell_within_limit(cell, index)
        finally:
            self.timeout = cell_limit

    def _run_learner_cell_within_limit(self, cell, index: int) -> None:
        if self._broken:
            self._restart("the previous kernel was broken")
        try:
            self.execute_cell(cell, index, store_history=True)
        except DeadKernelError:
            cell.outputs.append(_error("KernelDied", "the kernel died while running this cell (os._exit, a crash, or more memory than the limit). It was restarted, the cells before this one ran again, and grading went on."))
            self._fault(cell, "kernel-died", "the kernel died in this cell")
            self._restart("kernel died")
            return
        except Exception as exc:  # nbclient gave up on the cell (e.g. no output after an interrupt)
            timed_out = "time" in type(exc).__name__.lower() or "timed out" in str(exc)
            if timed_out:
                cell.outputs.append(_error("CellTimeoutError", f"this cell ran longer than {self.timeout} s and was stopped (an infinite loop?)."))
                self._fault(cell, "timeout", f"this cell ran longer than {self.timeout} s and was stopped")
            else:
                cell.outputs.append(_error("CellFailed", f"this cell could not be run to the end ({type(exc).__name__})."))
                self._fault(cell, "cell-failed", str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__)
            if not self._too_many_tasks(cell) and not self.responsive(5):
                cell.outputs.append(_error("KernelRestarted", "the cell did not stop when interrupted, so the kernel was replaced; the cells before this one ran again."))
                self._restart("unresponsive kernel")
            return
        if self._too_many_tasks(cell):
            return
        timed_out = any(o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError" for o in cell.outputs)
        if timed_out:
            self._fault(cell, "timeout", f"this cell ran longer than {self.timeout} s and was stopped")
            if not run_sync(self.km.is_alive)() or not self.responsive(5):
                cell.outputs.append(_error("KernelRestarted", "the cell ignored the interrupt, so the kernel was replaced; the cells before this one ran again."))
                self._restart("cell ignored the interrupt")
            return
        self._replay.append(cell.source)
        self._note_baseline()

    def _too_many_tasks(self, cell) -> bool:
        """A cell that leaves a crowd of processes behind (a fork bomb) costs a new kernel."""
        tasks = sandbox.task_count(getattr(self.km, "cgroup", None))
        if tasks is None or self._baseline_tasks is None or tasks <= self._baseline_tasks + 64:
            return False
        cell.outputs.append(_error("TooManyProcesses", f"this cell left {tasks - self._baseline_tasks} extra processes or threads running (a fork bomb?); the kernel was replaced and the cells before this one ran again."))
        self._fault(cell, "too-many-processes", f"{tasks} tasks in the kernel's cgroup")
        self._restart("too many processes")
        return True

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in content.get("data", {}).values()) + len(str(content.get("traceback", "")))
        self._out_bytes[cell_index] += size
        self._out_total += size
        if self._out_bytes[cell_index] > self.cell_output_limit or self._out_total > self.total_output_limit:
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                self._faults.append({"cell": None, "kind": "output-truncated", "message": f"a cell printed more than {self.cell_output_limit // 1_000_000} MB; the rest was dropped"})
                outs.append(_stream(f"\n[output truncated: this cell printed more than {self.cell_output_limit // 1_000_000} MB]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)

    # ------------------------------------------------------------------ checks
    def _prepare_checker(self, nb) -> None:
        release = self._release_notebook(nb)
        self._graded = graded_names(release)
        import cloudpickle

        import course.probes

        # the probes travel as code, not as a name the kernel looks up: a learner who replaces
        # course.probes.<topic>.<probe> in their kernel does not replace what the checks run
        cloudpickle.register_pickle_by_value(course.probes)
        self._checker_ns: dict = {"__name__": "__course_checker__"}
        imports = import_statements(setup_source(release))
        self._import_error: BaseException | None = None

        def load():
            lower_priority()  # the kernel's start-up is the critical path; this has until the first test cell
            try:
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    exec(compile(imports, "<setup imports>", "exec"), self._checker_ns)
            except BaseException as exc:  # reported at the first test cell
                self._import_error = exc

        self._loader = threading.Thread(target=load, daemon=True)
        self._loader.start()

    def _release_notebook(self, nb):
        from .preprocessors import release_for

        nbg = self.resources.get("nbgrader", {})
        path = release_for(nbg.get("assignment", ""), nbg.get("notebook", ""))
        if path.exists():
            return nbformat.read(str(path), as_version=4)
        return nb  # no release copy: the restored notebook's locked cells are nbgrader's own

    def remote_call(self, name: str, args: tuple, kwargs: dict, probe):
        import cloudpickle

        if name in self._hung:
            raise KernelFault(f"not run: `{name}` did not finish in an earlier call (an infinite loop?)")
        if self._broken:
            raise KernelFault(f"not run: {self._broken}")
        limit = min(self.call_timeout, self._remaining())  # a call never outlives the notebook's limit
        if limit <= 0:
            raise KernelFault(f"not run: the notebook exceeded its {self.notebook_timeout} s time limit")
        nonce = uuid.uuid4().hex
        try:
            payload = base64.b64encode(cloudpickle.dumps((args, kwargs, probe))).decode()
        except Exception as exc:
            raise RuntimeError(f"internal: arguments cannot be sent to the kernel: {exc}") from None
        code = f"__course_agent__.call({nonce!r}, {name!r}, {payload!r})"
        status, payloads, reply = self.run_quiet(code, limit)
        if status == "dead":
            self._faults.append({"cell": None, "kind": "kernel-died", "message": f"the kernel died while `{name}` ran"})
            self._restart(f"kernel died in {name}")
            raise KernelFault(f"the kernel died while `{name}` ran (os._exit, a crash, or more memory than the limit); it was restarted")
        if status.startswith("timeout"):
            self._hung.add(name)
            self._faults.append({"cell": None, "kind": "timeout", "message": f"`{name}` did not finish within {limit:.0f} s"})
            if status == "timeout-restart":
                self._restart(f"{name} ignored the interrupt")
            raise KernelFault(f"`{name}` did not finish within {limit:.0f} s (an infinite loop?) and was stopped")
        unreadable = None
        for text in payloads:
            try:
                return result_from_message(text, nonce)
            except DecodeError as exc:
                unreadable = exc
                continue
        if unreadable is not None:
            raise LearnerError("UnreadableResult", f"the grader could not read what `{name}` returned ({unreadable})")
        if reply is not None and reply["content"].get("status") == "error":
            c = reply["content"]
            raise LearnerError(str(c.get("ename", "Error"))[:100], str(c.get("evalue", ""))[:500])
        raise LearnerError("NoAnswer", "the kernel gave no readable answer (was the grading agent removed?)")

    def _run_test_cell(self, cell, index: int) -> None:
        from course.checks import Exercise

        self._loader.join()
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell{index}")
        ns = self._checker_ns
        for name in self._graded:
            ns[name] = RemoteFunction(self, name)
        buf = io.StringIO()
        Exercise.created.clear()
        value, err = None, None
        if self._import_error is not None:
            err = RuntimeError(f"the grader could not import the setup cell's modules: {self._import_error}")
        else:
            self._seed(ns)
            saved = os.environ.get("NBGRADER_EXECUTION")
            os.environ["NBGRADER_EXECUTION"] = "autograde"
            try:
                with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                    value = run_code(cell.source, ns, filename=f"<test cell {gid}>")
            except Exception as exc:
                err = exc
            finally:
                if saved is None:
                    os.environ.pop("NBGRADER_EXECUTION", None)
                else:
                    os.environ["NBGRADER_EXECUTION"] = saved
        self.code_cells_executed += 1
        outs = []
        text = buf.getvalue()
        if len(text) > self.cell_output_limit:
            text = text[: self.cell_output_limit] + "\n[output truncated]\n"
        if text:
            outs.append(_stream(text))
        if err is not None:
            outs.append(_error(type(err).__name__, str(err)))
        elif value is not None:
            outs.append(nbformat.v4.new_output("execute_result", data={"text/plain": repr(value)}, execution_count=self.code_cells_executed))
        cell.outputs = outs
        cell["execution_count"] = self.code_cells_executed
        self._results[gid] = {
            "error": None if err is None else f"{type(err).__name__}: {err}"[:2000],
            "output": text,
            "value": value if isinstance(value, (int, float)) and not isinstance(value, bool) else None,
            "exercises": [
                {"name": ex.name, "points": ex.points, "checks": [
                    {"label": label, "weight": weight, "passed": msg is None, "message": msg} for label, weight, msg in ex.results
                ]}
                for ex in Exercise.created
            ],
        }
        Exercise.created.clear()

    @staticmethod
    def _seed(ns: dict) -> None:
        import numpy as np

        random.seed(0)
        np.random.seed(0)
        keras = ns.get("keras")
        if keras is not None and hasattr(keras, "utils"):
            try:
                keras.utils.set_random_seed(0)
            except Exception:
                pass

    def _write_results(self, seconds: float) -> None:
        from .results import write_results

        nbg = self.resources.get("nbgrader", {})
        path = self.resources.get("metadata", {}).get("path")
        record = {
            "assignment": nbg.get("assignment"),
            "notebook": nbg.get("notebook"),
            "student": nbg.get("student"),
            "isolation": sandbox.isolation_level(),
            "restarts": self._restarts,
            "seconds": round(seconds, 2),
            "faults": self._faults,
            "cells": self._results,
        }
        self.resources.setdefault("course", {})["results"] = record
        if path and nbg.get("notebook"):
            write_results(Path(path) / f"{nbg['notebook']}.checks.json", record)
