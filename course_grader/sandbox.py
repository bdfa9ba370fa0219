"""Run a grading kernel where a submission can reach nothing it should not.

A submission's kernel is started through :func:`kernel_command`, which wraps the kernel's
command line in ``python -m course_grader.sandbox`` (this file run as a script, outside the
sandbox). That launcher, before it becomes the kernel:

* sets resource limits: address space (``RLIMIT_AS``), file size (``RLIMIT_FSIZE``), no core
  dumps, and, for an unprivileged user, a cap on processes (``RLIMIT_NPROC``);
* as root where cgroups v1 are writable (containers, CI), joins a fresh cgroup with a memory
  limit (the kernel is killed, not the machine, when it is exceeded) and a cap on tasks
  (``pids.max``: a fork bomb stops there); the cgroup is removed by :func:`cleanup`;
* with bubblewrap (``bwrap``, Debian package ``bubblewrap``) installed, enters new mount, PID,
  IPC and UTS namespaces where ``/`` is read-only, ``/tmp`` and the home folder are empty, the
  course folder, the repository and the grader's own working folder are hidden, and only the
  notebook's own scratch folder is writable; what stays visible read-only is Python itself,
  the virtual environment and the learner package ``course`` (so ``source/``, ``course_grader``,
  the gradebook, other submissions and ``release/`` are not reachable).

Without bubblewrap the kernel still gets the limits, an empty home and its own working folder,
but can read what the grading user can read: :func:`isolation_level` says which applies, and
the grading result records it. A container (one per submission, read-only image, no network)
gives the same guarantees on machines without user namespaces; see the README.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

#: Default limits for one submission's kernel; the environment variables COURSE_MEMORY_MB,
#: COURSE_ADDRESS_SPACE_MB, COURSE_MAX_TASKS and COURSE_MAX_FILE_MB override them per run.
LIMITS = {
    "memory_mb": 4096,  # resident memory (cgroup)
    "address_space_mb": 16384,  # virtual memory (TensorFlow reserves a lot of it)
    "max_tasks": 768,  # processes + threads (TensorFlow starts many threads)
    "max_file_mb": 512,
}


def limits() -> dict:
    return {k: int(os.environ.get(f"COURSE_{k.upper()}", v)) for k, v in LIMITS.items()}


def task_count(cgroup: str | None) -> int | None:
    """Processes and threads now in the kernel's cgroup (None without cgroups)."""
    if not cgroup:
        return None
    try:
        return int((CGROUP_V1 / "pids" / cgroup / "pids.current").read_text())
    except (OSError, ValueError):
        return None

CGROUP_V1 = Path("/sys/fs/cgroup")
#: set by a batch worker while it grades: ``{"zygote": socket, "zygote_pid": pid}`` of a warm
#: zygote (course_grader/zygote.py); kernels are then forked from it in the same sandbox
zygote: dict | None = None


def bwrap() -> str | None:
    return shutil.which("bwrap")


def _bwrap_works() -> bool:
    exe = bwrap()
    if not exe:
        return False
    import subprocess

    try:
        proc = subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-user", "true"],
                              capture_output=True, timeout=20)
    except Exception:
        return False
    return proc.returncode == 0


_ISOLATION: str | None = None


def isolation_level() -> str:
    """``"namespaces"`` (bubblewrap works here) or ``"limits-only"``."""
    global _ISOLATION
    if _ISOLATION is None:
        if os.environ.get("COURSE_SANDBOX", "auto") == "off":
            _ISOLATION = "limits-only"
        else:
            _ISOLATION = "namespaces" if _bwrap_works() else "limits-only"
    return _ISOLATION


def _cgroups_writable() -> bool:
    return os.geteuid() == 0 and os.access(CGROUP_V1 / "pids", os.W_OK) and os.access(CGROUP_V1 / "memory", os.W_OK)


def kernel_command(kernel_cmd: list[str], workdir: str, hide: list[str], sockets: str | None = None) -> tuple[list[str], str | None]:
    """The kernel's command line wrapped in the sandbox launcher, and its cgroup name (or None).

    ``workdir`` is the only writable folder; ``hide`` lists folders the kernel must not see
    (the course folder, the repository, the grader's working folder).
    """
    name = f"course-{uuid.uuid4().hex[:12]}" if _cgroups_writable() else None
    spec = {
        "workdir": str(workdir),
        "sockets": sockets,
        "hide": [str(h) for h in hide if h],
        "keep": _keep_paths(),
        "cgroup": name,
        "namespaces": isolation_level() == "namespaces",
        **limits(),
    }
    launcher = "course_grader.sandbox"
    if zygote and spec["namespaces"]:  # a warm fork (course_grader/zygote.py), this launcher as fallback
        spec.update(zygote)
        launcher = "course_grader.zygote"
    return [sys.executable, "-m", launcher, json.dumps(spec), "--", *kernel_cmd], name


def _keep_paths() -> list[str]:
    """What the kernel needs to see (read-only): Python, the environment, the learner package."""
    import course

    keep = {sys.prefix, sys.base_prefix, str(Path(course.__file__).resolve().parent)}
    keep.add(str(Path(os.path.realpath(sys.executable)).parent.parent))
    return sorted(keep)


def cleanup(cgroup: str | None) -> None:
    """Kill whatever is left in the kernel's cgroup and remove it."""
    if not cgroup:
        return
    import signal
    import time

    for ctl in ("pids", "memory"):
        d = CGROUP_V1 / ctl / cgroup
        if not d.exists():
            continue
        for _ in range(50):
            try:
                pids = [int(p) for p in (d / "cgroup.procs").read_text().split()]
            except OSError:
                break
            if not pids:
                break
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.05)
        try:
            d.rmdir()
        except OSError:
            pass


# --------------------------------------------------------------------------- launcher
def _join_cgroup(name: str, memory_mb: int, max_tasks: int) -> None:
    pid = str(os.getpid())
    pids = CGROUP_V1 / "pids" / name
    pids.mkdir(exist_ok=True)
    (pids / "pids.max").write_text(str(max_tasks))
    (pids / "cgroup.procs").write_text(pid)
    mem = CGROUP_V1 / "memory" / name
    mem.mkdir(exist_ok=True)
    (mem / "memory.limit_in_bytes").write_text(str(memory_mb * 1024 * 1024))
    try:
        (mem / "memory.memsw.limit_in_bytes").write_text(str(memory_mb * 1024 * 1024))
    except OSError:
        pass
    (mem / "cgroup.procs").write_text(pid)


def _set_limits(spec: dict) -> None:
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (spec["address_space_mb"] * mb, spec["address_space_mb"] * mb))
    resource.setrlimit(resource.RLIMIT_FSIZE, (spec["max_file_mb"] * mb, spec["max_file_mb"] * mb))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.geteuid() != 0:
        # counts every process and thread of this user: allow what runs now plus the kernel's own
        running = sum(1 for p in Path("/proc").iterdir() if p.name.isdigit())
        cap = running + spec["max_tasks"]
        soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        if hard == resource.RLIM_INFINITY or cap < hard:
            resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))


def _bwrap_args(spec: dict, home: str) -> list[str]:
    args = [bwrap() or "bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    hidden = [h for h in spec["hide"] if os.path.isdir(h)]
    real_home = os.path.expanduser("~")
    if os.path.isdir(real_home) and real_home != "/":
        hidden.append(real_home)
    for h in sorted(set(hidden), key=len):
        args += ["--tmpfs", h]
    for k in sorted(set(spec["keep"]), key=len):
        if os.path.exists(k):
            args += ["--ro-bind", k, k]
    args += ["--bind", spec["workdir"], spec["workdir"], "--dir", home]
    if spec.get("sockets"):
        args += ["--bind", spec["sockets"], spec["sockets"]]
    args += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-user", "--unshare-net", "--die-with-parent",
             "--chdir", spec["workdir"], "--setenv", "HOME", home]
    return args


def clean_environment(env) -> dict:
    """The kernel's environment without the Jupyter server's and the gradebook's secrets."""
    return {k: v for k, v in env.items() if not k.startswith(("JPY_", "JUPYTER_TOKEN", "PGPASS", "DATABASE"))}


def private_connection_file(cmd: list[str], spec: dict) -> list[str]:
    """The kernel command with its connection file (ports and key) copied where the sandbox can
    read it: the socket folder, or the submission's folder."""
    cmd = list(cmd)
    if "-f" in cmd:
        i = cmd.index("-f") + 1
        private = Path(spec.get("sockets") or spec["workdir"]) / f".kernel-{uuid.uuid4().hex[:8]}.json"
        private.write_bytes(Path(cmd[i]).read_bytes())
        os.chmod(private, 0o600)
        cmd[i] = str(private)
    return cmd


def main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    assert argv[1] == "--"
    cmd = argv[2:]
    if spec.get("cgroup"):
        try:
            _join_cgroup(spec["cgroup"], spec["memory_mb"], spec["max_tasks"])
        except OSError as exc:  # limits below still apply
            print(f"[sandbox] cgroup not available: {exc}", file=sys.stderr)
    _set_limits(spec)
    cmd = private_connection_file(cmd, spec)
    # the kernel's own start-up banner and crash reports are not the learner's business
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    env = clean_environment(os.environ)
    if spec.get("namespaces") and bwrap():
        home = "/tmp/home"
        env["HOME"] = home
        env.pop("PWD", None)
        os.execvpe(bwrap(), _bwrap_args(spec, home) + ["--"] + cmd, env)
    home = tempfile.mkdtemp(prefix="course-home-")
    env["HOME"] = home
    os.chdir(spec["workdir"])
    os.setsid()
    os.execvpe(cmd[0], cmd, env)


if __name__ == "__main__":
    main(sys.argv[1:])
