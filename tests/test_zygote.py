"""Warm kernels forked from a zygote (course_grader/zygote.py, issue 11): a forked kernel sees
exactly the sandbox an exec'd bubblewrap kernel sees, forks cannot reach each other or the
zygote, and a fork's fault, its leftovers or a missing zygote cost nothing else."""

import json
import os
import re
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from jupyter_core.utils import run_sync

from course_grader import kernels, sandbox, zygote

pytestmark = pytest.mark.skipif(not zygote.supported() or sandbox.isolation_level() != "namespaces",
                                reason="forks are sandboxed only where user namespaces work (bubblewrap's test)")

MODULES = ["numpy", "pandas", "matplotlib.pyplot", "sklearn", "course.lessons"]

#: what code in the kernel can observe of its sandbox (the folders are filled in per test)
OBSERVE = r'''
import json as _j, os as _o, socket as _s, sys as _y
def _try(f):
    try:
        return f()
    except Exception as e:
        return type(e).__name__
print("@@" + _j.dumps({
    "cwd": _o.getcwd(), "home": _o.environ.get("HOME"), "tmp": sorted(n for n in _o.listdir("/tmp") if not n.startswith("ck-")),
    "pids": sorted(int(p) for p in _o.listdir("/proc") if p.isdigit()), "uid": _o.getuid(),
    "hidden": {h: _try(lambda: sorted(_o.listdir(h))) for h in HIDDEN},
    "write_etc": _try(lambda: open("/etc/course-probe", "w") and "written"),
    "write_here": _try(lambda: open("probe.txt", "w").write("1")),
    "net": _try(lambda: _s.create_connection(("127.0.0.1", 22), timeout=1) and "connected"),
    "env": {k: v for k, v in _o.environ.items() if k not in ("PWD", "OLDPWD", "_")},
    "hash": hash("course"), "argv": _y.argv[1:], "path": _y.path,
    "caps": [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0],
    "no_new_privs": [l.split()[1] for l in open("/proc/self/status") if l.startswith("NoNewPrivs")][0],
    "dev": sorted(_o.listdir("/dev")),
}))
'''


#: a learner process (single-threaded, so allowed to) takes new user and mount namespaces, where
#: it has every capability, and unmounts what hides a folder, then lists it
ESCAPE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
got = libc.unshare(0x10000000 | 0x00020000)
un = libc.umount2({secret!r}.encode(), 2)
print("unshare", got, "umount", un, os.strerror(ctypes.get_errno()) if un else "", os.listdir({secret!r}))
"""


def _env(extra=None) -> dict:
    return kernels.kernel_environment(extra)


class Kernel:
    """A kernel started like the grader starts one, forked from ``warm`` if given."""

    def __init__(self, workdir: Path, hide: list[str], warm=None, env=None):
        sandbox.zygote = {"zygote": warm.socket, "zygote_pid": warm.process.pid} if warm else None
        try:
            self.km = kernels.kernel_manager(workdir, hide)
            run_sync(self.km.start_kernel)(extra_arguments=kernels.KERNEL_ARGUMENTS, env=env or _env(), cwd=str(workdir))
        finally:
            sandbox.zygote = None
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=120)

    def run(self, code: str, timeout: float = 60) -> str:
        return self.collect(self.kc.execute(code), timeout)

    def collect(self, msg_id: str, timeout: float = 60) -> str:
        out = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = run_sync(self.kc.get_iopub_msg)(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)
        raise AssertionError("the kernel did not finish")

    def observe(self, hidden: list[str]) -> dict:
        text = self.run(f"HIDDEN = {hidden!r}\n" + OBSERVE)
        return json.loads(text.split("@@", 1)[1])

    def stop(self):
        self.kc.stop_channels()
        run_sync(self.km.shutdown_kernel)(now=False)


@pytest.fixture(scope="module")
def warm():
    z = zygote.Zygote(MODULES, zygote.zygote_env(_env()))
    deadline = time.monotonic() + 120
    while not os.path.exists(z.socket) and time.monotonic() < deadline:
        assert z.alive(), "the zygote died while importing"
        time.sleep(0.1)
    yield z
    z.stop()


@pytest.fixture
def secret(tmp_path_factory):
    folder = Path(tempfile.mkdtemp(prefix="secret-", dir="/var/tmp"))
    (folder / "answers.txt").write_text("the hidden expectations")
    yield str(folder)
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _workdir(name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir="/tmp"))


def test_a_forked_kernel_sees_exactly_what_a_bubblewrap_kernel_sees(warm, secret):
    """Same folder, home, /tmp, /dev, processes, environment, hash seed, arguments, hidden
    folders (empty), read-only system and no network; only the capabilities differ: a fork
    keeps none (bubblewrap started by root keeps some inside its namespace)."""
    hide = kernels.hidden_folders(None, os.getcwd()) + [secret]
    seen = {}
    for how, z in (("exec", None), ("fork", warm)):
        work = _workdir(how)
        k = Kernel(work, hide, z)
        try:
            seen[how] = k.observe([secret, str(Path(kernels.__file__).parent), str(Path.home())])
        finally:
            k.stop()
        assert seen[how]["cwd"] == str(work)
        seen[how]["cwd"] = "<workdir>"
        seen[how]["tmp"] = [n if n != work.name else "<workdir>" for n in seen[how]["tmp"]]
        seen[how]["argv"] = [re.sub(r"/tmp/ck-[^/]+/\.kernel-[0-9a-f]+\.json", "<connection file>", a) for a in seen[how]["argv"]]
    fork, bwrap = seen["fork"], seen["exec"]
    assert fork["caps"] == "0000000000000000" and fork["no_new_privs"] == "1"
    assert fork["hidden"][secret] == [] and fork["hidden"][str(Path(kernels.__file__).parent)] == "FileNotFoundError"
    assert fork["pids"] == [1, 2] and fork["write_etc"] == "OSError" and fork["net"] == "ConnectionRefusedError"
    assert fork["write_here"] == 1
    fork.pop("caps"), bwrap.pop("caps")
    assert fork == bwrap


def test_forks_cannot_reach_each_other_the_zygote_or_outlive_their_kernel(warm, secret):
    """Two forked kernels at once: neither sees the other's folder, processes or the zygote's
    socket; a process a kernel leaves behind dies with it; the learner cannot unshare its way
    out of the hidden folders (mounts inherited into a new namespace stay locked)."""
    hide = kernels.hidden_folders(None, os.getcwd()) + [secret]
    work_a, work_b = _workdir("a"), _workdir("b")
    a, b = Kernel(work_a, hide, warm), Kernel(work_b, hide, warm)
    try:
        a.run("open('mine.txt', 'w').write('A');"
              "import subprocess; subprocess.Popen(['sleep', '600'], start_new_session=True)")
        forks = [p for p in psutil.Process(warm.process.pid).children(recursive=True)]
        assert any(p.name() == "sleep" for p in forks)
        seen = b.observe([str(work_a), os.path.dirname(warm.socket)])
        assert seen["hidden"] == {str(work_a): "FileNotFoundError", os.path.dirname(warm.socket): "FileNotFoundError"}
        assert seen["pids"] == [1, 2]
        escape = b.run("import subprocess, sys\nprint(subprocess.run([sys.executable, '-c', "
                       f"{ESCAPE.format(secret=secret)!r}], capture_output=True, text=True).stdout)")
        assert escape.split()[:2] == ["unshare", "0"], escape  # a namespace of its own: a real attempt
        assert escape.strip().endswith("[]") and "answers.txt" not in escape, escape
    finally:
        a.stop()
        b.stop()
    deadline = time.monotonic() + 10
    while psutil.Process(warm.process.pid).children(recursive=True) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert psutil.Process(warm.process.pid).children(recursive=True) == []  # the sleep died with its kernel
    assert (work_a / "mine.txt").read_text() == "A" and not (work_b / "mine.txt").exists()


def test_a_fork_that_dies_or_is_interrupted_costs_the_zygote_nothing(warm):
    work = _workdir("faults")
    k = Kernel(work, kernels.hidden_folders(None, os.getcwd()), warm)
    try:
        msg_id = k.kc.execute("import time\nfor _ in range(300): time.sleep(0.1)\nprint('never interrupted')")
        time.sleep(1.0)
        run_sync(k.km.interrupt_kernel)()
        assert k.collect(msg_id, timeout=20).startswith("KeyboardInterrupt")
        assert k.run("print(41 + 1)").strip() == "42"
        k.kc.execute("import os; os._exit(3)")
        deadline = time.monotonic() + 20
        while run_sync(k.km.is_alive)() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not run_sync(k.km.is_alive)()
    finally:
        k.kc.stop_channels()
        run_sync(k.km.shutdown_kernel)(now=True)
    assert warm.alive()
    k2 = Kernel(_workdir("next"), kernels.hidden_folders(None, os.getcwd()), warm)
    try:
        assert k2.run("print('still warm')").strip() == "still warm"
    finally:
        k2.stop()


def test_without_a_usable_zygote_the_kernel_starts_as_before(warm):
    """A kernel asked for another environment than the one the zygote imported with (here a
    thread count BLAS reads at import), or from a zygote that is gone, starts through the
    ordinary sandbox launcher, with what it asked for."""
    threads = "3" if warm.env.get("OMP_NUM_THREADS") != "3" else "2"  # not the zygote's
    env = dict(_env(), OMP_NUM_THREADS=threads)
    other = Kernel(_workdir("env"), kernels.hidden_folders(None, os.getcwd()), warm, env=env)
    try:
        assert other.run("import os; print(os.environ['OMP_NUM_THREADS'])").strip() == threads
        assert other.run("import sys; print('tensorflow' in sys.modules, 'sklearn' in sys.modules)").split() == ["False", "False"]
    finally:
        other.stop()
    gone = zygote.Zygote(["numpy"], zygote.zygote_env(_env()))
    gone.stop()
    k = Kernel(_workdir("gone"), kernels.hidden_folders(None, os.getcwd()), gone)
    try:
        assert k.run("print(6 * 7)").strip() == "42"
    finally:
        k.stop()


def _memory_holds(pid: int, token: bytes) -> bool:
    """Whether ``token`` is anywhere in the readable memory of process ``pid`` (read from outside)."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            addr, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in addr.split("-"))
            if "r" not in perms or hi - lo > 1 << 30:
                continue
            try:
                mem.seek(lo)
                if token in mem.read(hi - lo):
                    return True
            except (OSError, OverflowError, ValueError):
                continue
    return False


def _kernel_pid(warm, workdir: Path) -> int:
    for p in psutil.Process(warm.process.pid).children(recursive=True):
        if p.name() == "python" and p.cwd() == str(workdir):
            return p.pid
    raise AssertionError(f"no forked kernel runs in {workdir}")


@pytest.mark.skipif(os.geteuid() != 0, reason="reading another process's memory from outside needs root")
def test_no_fork_holds_what_another_submission_sent():
    """The zygote only accepts and forks; each fork reads its own request. So a kernel's memory
    (a copy of the zygote's) holds nothing of a submission graded before it: a token in one
    kernel's environment is in that kernel's memory (the scan works) and in no later kernel's,
    nor in the zygote's."""
    z = zygote.Zygote(["numpy"], zygote.zygote_env(_env()))
    try:
        while not os.path.exists(z.socket):
            assert z.alive()
            time.sleep(0.1)
        token = os.urandom(12).hex()
        work_a, work_b = _workdir("tok-a"), _workdir("tok-b")
        a = Kernel(work_a, kernels.hidden_folders(None, os.getcwd()), z, env=dict(_env(), COURSE_PROBE_TOKEN=token))
        try:
            assert _memory_holds(_kernel_pid(z, work_a), token.encode())
        finally:
            a.stop()
        b = Kernel(work_b, kernels.hidden_folders(None, os.getcwd()), z)
        try:
            assert b.run("print('ready')").strip() == "ready"
            assert not _memory_holds(_kernel_pid(z, work_b), token.encode())
            assert not _memory_holds(z.process.pid, token.encode())
        finally:
            b.stop()
    finally:
        z.stop()
