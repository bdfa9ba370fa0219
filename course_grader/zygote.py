"""Warm kernels for batch grading: fork a process that has already imported what the notebook needs.

A fresh kernel pays the interpreter, ipykernel and the notebook's imports (TensorFlow alone
takes 3-5 s here) before it runs the first cell. A batch worker grades one submission after
another with the same imports, so it keeps one **zygote** per assignment: a process started once
with the kernel's environment that imports those modules and never runs learner code. Each
kernel is a fork of it, and every fork gets the same sandbox bubblewrap gives an exec'd kernel
(:mod:`course_grader.sandbox`), built by the fork itself before any learner code runs:

* the fork ``C`` joins the kernel's cgroup, takes its resource limits and unshares new user,
  mount, PID, IPC, UTS and network namespaces (it keeps no capability outside them);
* its child ``P1`` is PID 1 of the new PID namespace: it builds the file-system view exactly as
  :func:`course_grader.sandbox._bwrap_args` asks bubblewrap to (everything read-only, a fresh
  ``/dev``, ``/proc`` and ``/tmp``, the hidden folders empty, Python, the environment and the
  learner package read-only, only the submission's folder and its socket folder writable),
  pivots into it, drops every capability (bounding set included) and sets ``no_new_privs``;
* its child ``K`` becomes the kernel (``ipykernel_launcher`` with the kernel's arguments and
  environment). When ``K`` ends, ``P1`` ends and the kernel kills every process left in its
  namespace, as bubblewrap's PID 1 does.

Forks share nothing writable with each other or with the zygote: memory is copied on write, the
zygote's sockets are closed in the fork, each fork sees only its own folder and its own
processes. The zygote itself is not dumpable (no fork can read its memory) and serves only its
owner (its socket lives in a private folder under ``/tmp``, which every sandbox replaces).

The kernel manager's command is this module run as ``python -m course_grader.zygote SPEC --
KERNEL_CMD``: a small stand-in process that asks the zygote for a fork, relays signals
(interrupts) to it and exits with the kernel's exit code, so ``jupyter_client`` sees an ordinary
kernel process. When the zygote is gone, busy starting, or cannot give the environment asked for,
the stand-in becomes the ordinary sandbox launcher: a kernel always starts, warm or not.
"""

from __future__ import annotations

# every module a fork uses is imported here: after pivoting into its sandbox it can import none
import atexit
import ctypes
import fcntl
import json
import os
import platform
import re
import runpy
import select
import signal
import socket
import struct
import sys
import time
import traceback

# --------------------------------------------------------------------------------------------
# Linux interfaces (x86_64 and aarch64)
# --------------------------------------------------------------------------------------------
CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_MOVE, MS_REC, MS_SILENT = 32, 1024, 2048, 4096, 8192, 16384, 32768
MS_PRIVATE, MS_SLAVE, MS_RELATIME, MS_STRICTATIME = 1 << 18, 1 << 19, 1 << 21, 1 << 24
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NAME, PR_CAPBSET_DROP = 1, 4, 15, 24
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
_SYSCALLS = {"x86_64": {"capset": 126, "pivot_root": 155}, "aarch64": {"capset": 91, "pivot_root": 41}}
_FLAG_OF_OPTION = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                   "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}
#: environment variables read at import time: a fork's must equal the zygote's
IMPORT_TIME_ENV = ("PYTHON", "TF_", "KERAS", "OMP_", "MKL_", "OPENBLAS", "CUDA", "LD_", "MPLBACKEND", "XLA_")
#: the backend ipykernel would set; set before matplotlib is imported so figures are captured
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"

_libc = None


def _c():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(result: int, what: str) -> int:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def _prctl(option: int, arg: int = 0) -> None:
    _check(_c().prctl(option, arg, 0, 0, 0), f"prctl({option})")


def _mount(src: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = (lambda s: None if s is None else s.encode())
    _check(_c().mount(enc(src), enc(target), enc(fstype), flags | MS_SILENT, enc(data)), f"mount {target}")


def _syscall(name: str, *args) -> None:
    _check(_c().syscall(_SYSCALLS[platform.machine()][name], *args), name)


def supported() -> bool:
    """True where forks can be sandboxed here: Linux on x86_64 or aarch64 with user namespaces."""
    return sys.platform == "linux" and platform.machine() in _SYSCALLS


# --------------------------------------------------------------------------------------------
# the fork's sandbox (the same view bubblewrap builds from sandbox._bwrap_args)
# --------------------------------------------------------------------------------------------
def _mounts_under(prefix: str) -> list[tuple[str, int]]:
    """Mount points at or under ``prefix`` with the flags a remount must keep."""
    out = []
    with open("/oldroot/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
            if point == prefix or point.startswith(prefix.rstrip("/") + "/"):
                flags = 0
                for opt in fields[5].split(","):
                    flags |= _FLAG_OF_OPTION.get(opt, 0)
                out.append((point, flags))
    return out


def _bind(src: str, dest: str, readonly: bool) -> None:
    """``--bind``/``--ro-bind`` SRC DEST: recursive, and read-only on every submount."""
    _mount(src, dest, None, MS_BIND | MS_REC)
    if readonly:
        for point, flags in _mounts_under(dest):
            try:
                _mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | flags)
            except PermissionError:  # unreadable, so unreachable anyway (bubblewrap ignores it too)
                pass


def _makedirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def _ensure_file(path: str) -> None:
    if not os.path.exists(path):
        open(path, "w").close()


def _build_root(spec: dict, home: str) -> None:
    """Build the sandbox's file-system view and make it this process's root (needs the new
    mount namespace's capabilities; bubblewrap's setup_newroot, in the same order)."""
    _mount(None, "/", None, MS_SLAVE | MS_REC)
    _mount("tmpfs", "/tmp", "tmpfs", MS_NODEV | MS_NOSUID)
    os.chdir("/tmp")
    os.mkdir("newroot", 0o755)
    _mount("newroot", "newroot", None, MS_BIND | MS_REC)
    os.mkdir("oldroot", 0o755)
    _syscall("pivot_root", b"/tmp", b"oldroot")
    os.chdir("/")
    new, old = "/newroot", "/oldroot"
    _bind(old + "/", new, readonly=True)                                   # --ro-bind / /
    _mount("tmpfs", new + "/dev", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")  # --dev /dev
    for node in ("null", "zero", "full", "random", "urandom", "tty"):
        _ensure_file(f"{new}/dev/{node}")
        _mount(f"{old}/dev/{node}", f"{new}/dev/{node}", None, MS_BIND)
    for name, target in (("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2"), ("fd", "/proc/self/fd"), ("core", "/proc/kcore")):
        os.symlink(target, f"{new}/dev/{name}")
    os.mkdir(f"{new}/dev/shm", 0o1777)
    os.mkdir(f"{new}/dev/pts", 0o755)
    _mount("devpts", f"{new}/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620")
    os.symlink("pts/ptmx", f"{new}/dev/ptmx")
    _mount("proc", new + "/proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV)  # --proc /proc
    for sub in ("sys", "sysrq-trigger", "irq", "bus"):
        path = f"{new}/proc/{sub}"
        if os.path.exists(path):
            _bind(path, path, readonly=True)
    _mount("tmpfs", new + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")   # --tmpfs /tmp
    hidden = [h for h in spec["hide"] if os.path.isdir(old + h)]
    real_home = spec.get("real_home") or ""
    if real_home and real_home != "/" and os.path.isdir(old + real_home):
        hidden.append(real_home)
    for h in sorted(set(hidden), key=len):                                   # --tmpfs HIDDEN
        _makedirs(new + h)
        _mount("tmpfs", new + h, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for k in sorted(set(spec["keep"]), key=len):                             # --ro-bind KEEP
        if os.path.exists(old + k):
            _makedirs(new + k)
            _bind(old + k, new + k, readonly=True)
    _makedirs(new + spec["workdir"])                                         # --bind WORKDIR
    _bind(old + spec["workdir"], new + spec["workdir"], readonly=False)
    _makedirs(new + home)                                                    # --dir HOME
    if spec.get("sockets"):                                                  # --bind SOCKETS
        _makedirs(new + spec["sockets"])
        _bind(old + spec["sockets"], new + spec["sockets"], readonly=False)
    _mount("oldroot", "/oldroot", None, MS_REC | MS_PRIVATE)
    _check(_c().umount2(b"/oldroot", MNT_DETACH), "umount oldroot")
    os.chdir("/newroot")
    _syscall("pivot_root", b".", b".")
    _check(_c().umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")


def _loopback_up() -> None:
    """The new network namespace's loopback interface up, as bubblewrap leaves it (nothing else
    is reachable: the namespace has no other interface)."""
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sH", fcntl.ioctl(s, siocgifflags, struct.pack("16sH14x", b"lo", 0))[:18])[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH14x", b"lo", flags | iff_up))


def _drop_privileges() -> None:
    """No capability left, none to gain by exec (bounding and ambient sets empty, no_new_privs)."""
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)
    data = (ctypes.c_uint32 * 6)()
    _syscall("capset", header, data)
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


def _report_failure(stage: str) -> None:
    try:  # the zygote's stderr: its log, if any
        sys.__stderr__.write(f"[course-zygote] {stage} failed:\n{traceback.format_exc()}")
        sys.__stderr__.flush()
    except Exception:
        pass


def _set_name(name: str) -> None:
    _c().prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _serve_one(conn: socket.socket, own_env: dict) -> None:
    """In the fork ``C``: read the stand-in's request, enter the sandbox, start ``P1`` (and so
    the kernel), then watch both ends: a stand-in that goes away takes the kernel's namespace
    with it; a namespace that ends is reported with its exit code. Never returns."""
    from . import sandbox

    _set_name("course-fork")
    _prctl(PR_SET_DUMPABLE, 1)  # the zygote is not; the fork must be to write its own uid map
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    conn.settimeout(60)
    reader = conn.makefile("rb")
    request = json.loads(reader.readline())
    why = _env_compatible(request["env"], own_env)
    if why:
        conn.sendall((json.dumps({"error": why}) + "\n").encode())
        os._exit(0)
    spec, cmd, env = request["spec"], list(request["cmd"]), dict(request["env"])
    if spec.get("cgroup"):
        try:
            sandbox._join_cgroup(spec["cgroup"], spec["memory_mb"], spec["max_tasks"])
        except OSError:
            pass  # the limits below still apply (as in sandbox.main)
    sandbox._set_limits(spec)
    cmd = sandbox.private_connection_file(cmd, spec)
    uid, gid = os.geteuid(), os.getegid()
    _check(_c().unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET), "unshare")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")
    p1 = os.fork()
    if p1 == 0:
        try:
            reader.close()
            os.close(conn.detach())
            _init(spec, cmd, env)
        except BaseException:
            _report_failure("sandbox")
        finally:
            os._exit(127)
    conn.sendall((json.dumps({"pid": p1}) + "\n").encode())
    conn.setblocking(False)
    while True:
        pid, status = os.waitpid(p1, os.WNOHANG)
        if pid:
            try:
                conn.sendall((json.dumps({"exit": os.waitstatus_to_exitcode(status)}) + "\n").encode())
            finally:
                os._exit(0)
        readable, _, _ = select.select([conn], [], [], 0.1)
        if readable:
            try:
                gone = conn.recv(64) == b""
            except OSError:
                gone = True
            if gone:  # the stand-in was killed: so is the kernel, and all it started
                os.kill(p1, signal.SIGKILL)
                os.waitpid(p1, 0)
                os._exit(0)


def _init(spec: dict, cmd: list[str], env: dict) -> None:
    """``P1``: PID 1 of the kernel's namespace. Builds the root, drops privileges, starts the
    kernel, relays interrupts to it and ends (taking the namespace with it) when it ends."""
    _set_name("course-init")
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    home = "/tmp/home"
    _build_root(spec, home)
    _loopback_up()
    _drop_privileges()
    kernel = os.fork()
    if kernel == 0:
        try:
            _run_kernel(spec, cmd, env, home)
        except BaseException:
            _report_failure("kernel")
        finally:
            os._exit(1)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, lambda s, _f: os.kill(kernel, s))
    while True:
        pid, status = os.wait()
        if pid == kernel:
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)


def _run_kernel(spec: dict, cmd: list[str], env: dict, home: str) -> None:
    """``K``: become ``python -m ipykernel_launcher ARGS`` in the submission's folder."""
    _prctl(PR_SET_DUMPABLE, 1)
    _set_name("python")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    os.chdir(spec["workdir"])
    env["HOME"] = home
    env.pop("PWD", None)
    os.environ.clear()
    os.environ.update(env)
    module_at = cmd.index("-m")
    sys.argv = [cmd[module_at + 1]] + cmd[module_at + 2:]
    sys.path[0] = spec["workdir"]
    for name in [m for m in sys.modules if m == "course_grader" or m.startswith("course_grader.")]:
        del sys.modules[name]
    code = 0
    try:
        runpy.run_module(cmd[module_at + 1], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        code = 1
    try:
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


# --------------------------------------------------------------------------------------------
# the zygote
# --------------------------------------------------------------------------------------------
def _env_compatible(asked: dict, own: dict) -> str | None:
    """Why a fork of this zygote cannot have environment ``asked`` (None if it can)."""
    for key in sorted(set(asked) | set(own)):
        if key.startswith(IMPORT_TIME_ENV) and asked.get(key) != own.get(key):
            return f"{key} differs from the zygote's"
    return None


def serve(socket_path: str, modules: list[str]) -> None:
    """The zygote: import ``modules`` and the kernel, then fork once per connection.

    The zygote itself only accepts and forks: it never reads a request, so no fork's memory holds
    anything of another submission. Protocol (one connection per kernel, JSON lines, spoken by
    the fork): the stand-in sends ``{"spec", "cmd", "env"}``; the fork answers ``{"pid": P1}``
    (P1's PID here, for signals) or ``{"error"}``, later ``{"exit": code}`` when the kernel's
    namespace has ended. A stand-in that disconnects first has its kernel killed."""
    _set_name("course-zygote")
    _prctl(PR_SET_DUMPABLE, 0)
    owner = os.getppid()
    own_env = dict(os.environ)
    from course.env import preload

    preload(["ipykernel.kernelapp", "ipykernel_launcher", "matplotlib_inline.backend_inline", *modules])
    import course_grader.sandbox  # noqa: F401  (the fork needs it after its root has changed)

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path + ".new")
    os.rename(socket_path + ".new", socket_path)  # appears only once the zygote is ready
    listener.listen(16)
    while os.getppid() == owner:  # the worker that started it is gone: so are its forks (PDEATHSIG)
        if select.select([listener], [], [], 1.0)[0]:
            conn, _ = listener.accept()
            try:
                child = os.fork()
            except OSError:
                conn.close()
                continue
            if child == 0:
                try:
                    os.close(listener.detach())
                    _serve_one(conn, own_env)
                except BaseException:
                    _report_failure("fork")
                finally:
                    os._exit(127)
            conn.close()
        _reap()


def _reap() -> None:
    """Collect forks that have ended."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# --------------------------------------------------------------------------------------------
# the stand-in (the kernel manager's process) and the worker's side
# --------------------------------------------------------------------------------------------
def stand_in(argv: list[str]) -> None:
    """``python -m course_grader.zygote SPEC -- KERNEL_CMD``: a forked kernel, or the sandbox
    launcher when no fork can be had."""
    spec = json.loads(argv[0])
    cmd = argv[2:]
    conn = _connect(spec.get("zygote"), spec.get("zygote_pid"))
    if conn is not None:
        env = zygote_env(os.environ)
        spec["real_home"] = os.path.expanduser("~")
        conn.sendall((json.dumps({"spec": spec, "cmd": cmd, "env": env}) + "\n").encode())
        reader = conn.makefile("rb")
        first = json.loads(reader.readline() or b'{"error": "zygote closed"}')
        if "pid" in first:
            kernel = first["pid"]
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
                signal.signal(sig, lambda s, _f: _signal(kernel, s))
            line = reader.readline()
            code = json.loads(line).get("exit", 1) if line else 1
            os._exit(code & 0xFF if code >= 0 else 128 - code)
        conn.close()
    from . import sandbox

    sandbox.main([json.dumps(spec), "--", *cmd])


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def _connect(path: str | None, zygote_pid: int | None, wait: float = 120.0):
    """A connection to the zygote, waiting while it is still importing (None if it is gone)."""
    if not path:
        return None
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.connect(path)
            return conn
        except OSError:
            conn.close()
        if not zygote_pid or not _alive(zygote_pid):
            return None
        time.sleep(0.05)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie is not alive
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Zygote:
    """A zygote process owned by this (worker) process, for one set of modules and environment."""

    def __init__(self, modules: list[str], env: dict):
        import subprocess
        import tempfile

        self.modules, self.env = list(modules), dict(env)
        self.folder = tempfile.mkdtemp(prefix="cz-", dir="/tmp")
        os.chmod(self.folder, 0o700)
        self.socket = os.path.join(self.folder, "s")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "course_grader.zygote", "--serve", self.socket, json.dumps(self.modules)],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=_log_file(),
            start_new_session=True, cwd=self.folder)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        import shutil

        if self.alive():
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _log_file():
    """Where a zygote and its forks report their own failures: ``COURSE_ZYGOTE_LOG``, or nowhere
    (a failed fork is a kernel that died, which the grader reports)."""
    import subprocess

    path = os.environ.get("COURSE_ZYGOTE_LOG")
    return open(path, "ab") if path else subprocess.DEVNULL


_ZYGOTES: dict[str, Zygote] = {}


def zygote_env(env) -> dict:
    """The environment of a zygote and of its forks: the kernel's, as the sandbox launcher cleans
    it, with the inline figure backend ipykernel would choose (matplotlib reads it at import)."""
    from .sandbox import clean_environment

    out = clean_environment(env)
    out.setdefault("MPLBACKEND", INLINE_BACKEND)
    return out


def ensure(modules: list[str], env: dict) -> Zygote | None:
    """This process's zygote for ``modules`` and ``env`` (started now if needed), or None where
    forks cannot be sandboxed (no user namespaces: then kernels start as before)."""
    from . import sandbox

    if not supported() or sandbox.isolation_level() != "namespaces" or os.environ.get("COURSE_ZYGOTE", "1") == "0":
        return None
    env = zygote_env(env)
    key = json.dumps([sorted(modules), sorted((k, v) for k, v in env.items() if k.startswith(IMPORT_TIME_ENV))])
    z = _ZYGOTES.get(key)
    if z is None or not z.alive():
        if z is not None:
            z.stop()
        z = _ZYGOTES[key] = Zygote(modules, env)
    return z


def stop_all() -> None:
    for z in _ZYGOTES.values():
        z.stop()
    _ZYGOTES.clear()


atexit.register(stop_all)


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(sys.argv[2], json.loads(sys.argv[3]))
    else:
        stand_in(sys.argv[1:])
