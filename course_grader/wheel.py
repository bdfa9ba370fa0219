"""Build a wheel of the learner package alone (``course/``, without ``course_grader``).

A cohort installs this wheel on learners' machines: the release notebooks' imports, data,
figures and visible checks (replayed from ``course/checks/visible/``), and no reference
solution. ``course build-learner-wheel [DIR]`` writes it (default ``dist/``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from course import __version__, paths

PYPROJECT = """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "course-learner"
version = "{version}"
description = "Learner package of the ML engineer certification notebook course (no grading, no answers)"
requires-python = ">=3.11,<3.12"
dependencies = []

[tool.setuptools.packages.find]
include = ["course*"]

[tool.setuptools.package-data]
"course.checks" = ["visible/*.pkl.xz"]
"course.lab" = ["custom.css"]
"""


def build_learner_wheel(out_dir: str | Path | None = None) -> Path:
    """Copy ``course/`` into an empty project with a generated pyproject, build, return the wheel."""
    out = Path(out_dir or paths.ROOT / "dist").resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="course-learner-") as tmp:
        project = Path(tmp)
        shutil.copytree(paths.ROOT / "course", project / "course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (project / "pyproject.toml").write_text(PYPROJECT.format(version=__version__))
        before = set(out.glob("*.whl"))
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out), str(project)],
            check=True, capture_output=True, text=True,
        )
        built = sorted(set(out.glob("course_learner-*.whl")) - before) or sorted(out.glob("course_learner-*.whl"))
        if not built:
            raise RuntimeError("pip wheel produced no course_learner wheel")
        return built[-1]
