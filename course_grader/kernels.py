"""The grading kernel: started in the sandbox, and started early.

A ``course grade`` run spends its first second or two importing nbgrader, copying the scratch
course folder and setting up nbgrader's autograde step; the learner's kernel needs about as long
to start and import what the notebook imports. :func:`prestart` launches the kernel for a
submission's folder at once, in the same sandbox and with the same environment, command line and
hidden folders that :class:`~course_grader.secure_execute.SecureExecute` would give it, and has it
import the modules the (trusted) release notebook imports while the grader prepares. When
nbgrader reaches the Execute step, SecureExecute adopts that kernel (:func:`take`) instead of
starting one: the two start-ups overlap. A kernel is adopted once, for the folder it was started
in; a restart after a fault starts a fresh one as before; a kernel never adopted is shut down.

Nothing here imports nbgrader: the CLI can start the kernel before nbgrader is imported.
"""

from __future__ import annotations

import ast
import atexit
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from . import sandbox

#: the kernel's command-line arguments when grading (``settings`` gives them to the Execute step)
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:", "--IPKernelApp.log_level=ERROR"]


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel through the sandbox launcher (see :mod:`course_grader.sandbox`)."""

    workdir: str = ""
    socket_dir: str | None = None
    hide: list = []
    cgroup: str | None = None
    chdir_to: str | None = None  # a kernel started early in the parent of its folder

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        wrapped, self.cgroup = sandbox.kernel_command(cmd, self.workdir, self.hide, self.socket_dir)
        return wrapped

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        sandbox.cleanup(self.cgroup)
        if self.socket_dir:
            shutil.rmtree(self.socket_dir, ignore_errors=True)
        for leftover in Path(self.workdir).glob(".kernel-*.json") if self.workdir else []:
            leftover.unlink(missing_ok=True)

    cleanup_resources = run_sync(_async_cleanup_resources)


def hidden_folders(course_root: str | Path | None, cwd: str | Path, config=None) -> list[str]:
    """Folders the kernel must not see: the repository, the grader's working folder and course
    folder, the home folder, the grading package, nbgrader's exchange (``config``'s or the
    default), and any in ``COURSE_HIDE``."""
    from course import paths

    hide = {str(paths.ROOT), str(cwd), str(Path.home()), str(Path(__file__).resolve().parents[1]), exchange_root(config)}
    if course_root is not None:
        hide.add(str(Path(course_root).resolve()))
    for extra in os.environ.get("COURSE_HIDE", "").split(os.pathsep):
        if extra:
            hide.add(extra)
    return sorted(hide)


def exchange_root(config=None) -> str:
    """nbgrader's exchange folder (every learner's submissions and feedback pass through it):
    ``Exchange.root`` of ``config`` when set, else nbgrader's default."""
    root = config.get("Exchange", {}).get("root") if config is not None else None
    return str(root or "/srv/nbgrader/exchange")


def kernel_manager(workdir: str | Path, hide: list[str], kernel_name: str = "python3", config=None) -> SandboxedKernelManager:
    """A kernel manager whose kernel runs sandboxed in ``workdir`` (its only writable folder)."""
    km = SandboxedKernelManager(kernel_name=kernel_name, **({"config": config} if config is not None else {}))
    km.workdir = str(Path(workdir).resolve())
    if sandbox.isolation_level() == "namespaces":
        # Unix sockets instead of TCP: the kernel then runs with no network at all (not even
        # loopback, where a gradebook server may listen). A socket path must stay under 108
        # bytes, so they live in a short private folder, shared with the sandbox.
        km.socket_dir = tempfile.mkdtemp(prefix="ck-", dir="/tmp")
        km.transport = "ipc"
        km.ip = f"{km.socket_dir}/k"
    km.hide = hide
    return km


def kernel_environment(extra: dict | None = None) -> dict:
    """The environment the kernel gets when nbgrader's autograde starts it: this process's, with
    the course's settings (``QUIET_ENV``: hash seed, TensorFlow's options; set before the early
    imports, as the setup cell would set them), the environment's scripts first on PATH
    and ``NBGRADER_EXECUTION=autograde``."""
    from .settings import QUIET_ENV

    env = dict(os.environ, **(extra or {}))
    env.update(QUIET_ENV)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["NBGRADER_EXECUTION"] = "autograde"
    return env


def preload_modules(release_nb) -> list[str]:
    """Absolute module names imported by the release notebook's cells that run in the kernel
    (every code cell but the test cells, which run in the grader)."""
    names: list[str] = []
    for cell in release_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found = [node.module]
            else:
                continue
            names += [n for n in found if n not in names]
    return names


def preload_argument(modules: list[str]) -> list[str]:
    """The kernel command-line argument that imports ``modules`` as the kernel starts (an
    expression statement that binds no name; ``course.env.preload`` swallows import errors)."""
    if not modules:
        return []
    line = f"__import__('course.env').env.preload({json.dumps(modules)})"
    return [f"--IPKernelApp.exec_lines={json.dumps([line])}"]


_PRESTARTED: dict[str, SandboxedKernelManager] = {}


def prestart(workdir: str | Path, course_root: str | Path, release_nb=None, env: dict | None = None) -> None:
    """Start now the kernel that will run in ``workdir`` (see the module's docstring).

    ``workdir`` is the folder nbgrader will create for the autograded notebook (it must not
    exist before nbgrader makes it), so the kernel starts in its parent, the only writable
    folder, and moves into ``workdir`` when adopted (:attr:`SandboxedKernelManager.chdir_to`).
    Any failure leaves nothing behind: SecureExecute then starts the kernel itself."""
    workdir = Path(workdir).resolve()
    workdir.parent.mkdir(parents=True, exist_ok=True)
    km = kernel_manager(workdir.parent, hidden_folders(course_root, course_root))
    km.chdir_to = str(workdir)
    args = KERNEL_ARGUMENTS + preload_argument(preload_modules(release_nb) if release_nb is not None else [])
    try:
        run_sync(km.start_kernel)(extra_arguments=args, env=kernel_environment(env), cwd=str(workdir.parent))
    except Exception:
        _shutdown(km)
        return
    _PRESTARTED[str(workdir)] = km


def take(workdir: str | Path, hide: list[str]) -> SandboxedKernelManager | None:
    """The kernel started early for ``workdir`` with the same hidden folders, or None."""
    km = _PRESTARTED.pop(str(Path(workdir).resolve()), None)
    if km is not None and sorted(km.hide) != sorted(hide):
        _shutdown(km)
        return None
    return km


def discard(workdir: str | Path) -> None:
    """Shut down the kernel started for ``workdir`` if nobody adopted it."""
    km = _PRESTARTED.pop(str(Path(workdir).resolve()), None)
    if km is not None:
        _shutdown(km)


def _shutdown(km: SandboxedKernelManager) -> None:
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
        else:
            km.cleanup_resources()
    except Exception:
        sandbox.cleanup(km.cgroup)
        if km.socket_dir:
            shutil.rmtree(km.socket_dir, ignore_errors=True)


@atexit.register
def _discard_all() -> None:
    for workdir in list(_PRESTARTED):
        discard(workdir)
