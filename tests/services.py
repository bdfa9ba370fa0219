"""Real servers for the batch-grading tests, on 127.0.0.1 only: PostgreSQL and a Dask cluster."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on port {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


# ------------------------------------------------------------------------------ PostgreSQL

def postgres_bin() -> Path | None:
    """Debian's PostgreSQL server binaries (package postgresql), or None."""
    found = shutil.which("pg_ctl")
    if found and Path(found).with_name("initdb").exists() and Path(found).with_name("postgres").exists():
        return Path(found).parent
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all((Path(d) / b).exists() for b in ("initdb", "pg_ctl", "postgres")):
            return Path(d)
    return None


class Postgres:
    """A throw-away PostgreSQL server: initdb + pg_ctl in a temporary folder, on 127.0.0.1.

    PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` user that
    Debian's package creates (through runuser)."""

    def __init__(self):
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries not found (Debian package postgresql: bash .ci/setup-services)")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="course-pg-"))
        self.data = self.dir / "data"
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user)
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=self.dir)

    def start(self) -> "Postgres":
        p = self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        if p.returncode:
            raise RuntimeError(f"initdb failed: {p.stderr[-1500:]}")
        opts = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
        p = self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        if p.returncode:
            log = (self.dir / "server.log").read_text() if (self.dir / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {p.stderr[-1000:]} {log[-1000:]}")
        return self

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"{self.url}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"{self.url}/{name}"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------------------ Dask

class DaskCluster:
    """`dask scheduler` and `dask worker` processes on 127.0.0.1, as an instructor would start them."""

    def __init__(self, env: dict | None = None):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.env = dict(os.environ, **(env or {}))
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self.logs = Path(tempfile.mkdtemp(prefix="course-dask-"))

    def _dask(self, name: str, *args: str, env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")
        dask = Path(sys.executable).with_name("dask")  # the `dask` command of this environment
        return subprocess.Popen([str(dask), *args],
                                stdout=log, stderr=subprocess.STDOUT, env=env or self.env, cwd=self.logs)

    def start_scheduler(self) -> "DaskCluster":
        self.scheduler = self._dask("scheduler", "scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard")
        wait_for_port(self.port, 60, self.scheduler)
        return self

    def start_worker(self, name: str, env: dict | None = None, nthreads: int = 1) -> subprocess.Popen:
        proc = self._dask(name, "worker", self.address, "--nthreads", str(nthreads), "--host", "127.0.0.1",
                          "--no-dashboard", "--name", name, "--death-timeout", "60", env=dict(self.env, **(env or {})))
        self.workers.append(proc)
        return proc

    def wait_for_workers(self, n: int, timeout: float = 90) -> None:
        """Until exactly ``n`` workers are registered with the scheduler."""
        from distributed import Client

        with Client(self.address, timeout=30) as c:
            deadline = time.monotonic() + timeout
            while len(c.scheduler_info(n_workers=-1)["workers"]) != n:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the scheduler does not have {n} workers after {timeout} s")
                time.sleep(0.2)

    def stop_worker(self, proc: subprocess.Popen) -> None:
        proc.terminate()
        try:
            proc.wait(timeout=8)
        except subprocess.TimeoutExpired:
            proc.kill()
        self.workers.remove(proc)

    def stop(self) -> None:
        for proc in list(self.workers):
            self.stop_worker(proc)
        if self.scheduler is not None:
            self.scheduler.terminate()
            try:
                self.scheduler.wait(timeout=8)
            except subprocess.TimeoutExpired:
                self.scheduler.kill()
        shutil.rmtree(self.logs, ignore_errors=True)

    def log(self, name: str) -> str:
        p = self.logs / f"{name}.log"
        return p.read_text() if p.exists() else ""
