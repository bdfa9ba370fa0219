"""Build release/ from source/ with nbgrader's own generate_assignment, in a scratch folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from course import paths
from .settings import QUIET_ENV
from course.paths import CourseError

CONFIG = "from course_grader.settings import apply\nc = get_config()\napply(c)\n"


def make_course_dir(modules: list[str]) -> Path:
    """A scratch nbgrader course directory holding the given modules' source folders."""
    root = Path(tempfile.mkdtemp(prefix="course-"))
    (root / "nbgrader_config.py").write_text(CONFIG)
    for m in modules:
        shutil.copytree(paths.SOURCE / m, root / "source" / m, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return root


def nbgrader(root: Path, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    env = dict(os.environ, **QUIET_ENV)
    # nbgrader runs `alembic` and `jupyter` by name: the environment's own bin/ comes first
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def generate(modules: list[str], out: Path) -> None:
    """Generate the release notebooks of ``modules`` into ``out/<module>/``."""
    root = make_course_dir(modules)
    try:
        for m in modules:
            proc = nbgrader(root, "generate_assignment", m, "--force")
            if proc.returncode != 0:
                raise CourseError(f"nbgrader generate_assignment {m} failed:\n{proc.stderr[-3000:]}")
            dest = out / m
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(root / "release" / m, dest)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def build(modules: list[str] | None = None) -> list[str]:
    modules = modules or paths.available_modules()
    generate(modules, paths.RELEASE)
    return modules
