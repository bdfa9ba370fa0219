"""The pinned environment: pip files, conda file, notebook checks and nbgrader's extensions."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course import paths
from course.env import CHECKED, pinned

ROOT = paths.ROOT


def _pins(lines):
    out = {}
    for line in lines:
        m = re.match(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if m:
            out[m.group(1).lower().replace("_", "-")] = m.group(2)
    return out


def test_every_direct_requirement_is_pinned_exactly():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            assert "==" in line, f"unpinned requirement: {line}"


def test_lock_file_agrees_with_requirements():
    req = _pins((ROOT / "requirements.txt").read_text().splitlines())
    lock = _pins((ROOT / "constraints.txt").read_text().splitlines())
    for name, version in req.items():
        assert lock.get(name) == version, f"{name}: requirements {version}, constraints {lock.get(name)}"


def test_environment_yml_installs_the_same_pins():
    text = (ROOT / "environment.yml").read_text()
    pip_lines = text.split("- pip:", 1)[1].splitlines()
    env = _pins(pip_lines)
    req = _pins((ROOT / "requirements.txt").read_text().splitlines())
    assert env == req, f"environment.yml and requirements.txt differ: {set(env.items()) ^ set(req.items())}"
    assert re.search(r"-\s*python=3\.11\b", text)
    assert "-c constraints.txt" in text and "-e ." in text
    for line in text.splitlines():
        if "==" in line:
            assert "#" in line, f"environment.yml: every dependency says why it is there: {line}"


def test_installed_versions_match_the_pins():
    from importlib import metadata

    for name, version in pinned().items():
        assert metadata.version(name) == version, name


@pytest.mark.parametrize("module", paths.available_modules())
def test_each_notebook_checks_its_environment_first(module):
    nb = nbformat.read(str(paths.source_notebook(module)), as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "setup_notebook(" in first.source
    assert first.metadata["nbgrader"]["locked"]
    assert set(CHECKED) <= set(pinned())


def test_nbgrader_config_declares_the_course_and_all_assignments():
    proc = subprocess.run(
        [sys.executable, "-c", "c = type('C', (), {})\n"
         "from traitlets.config import Config\nc = Config()\nget_config = lambda: c\n"
         "ns = {'get_config': get_config}\nexec(open('nbgrader_config.py').read(), ns)\n"
         "print(c.CourseDirectory.course_id); print(','.join(ns['ASSIGNMENTS']))"],
        cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    course_id, assignments = proc.stdout.split()
    assert course_id == paths.COURSE_ID
    assert assignments.split(",") == paths.MODULES


def test_nbgrader_jupyterlab_extensions_are_enabled():
    jupyter = str(Path(sys.executable).parent / "jupyter")
    ansi = re.compile(r"\x1b\[[0-9;]*m")
    lab = subprocess.run([jupyter, "labextension", "list"], capture_output=True, text=True)
    text = ansi.sub("", lab.stdout + lab.stderr)
    assert "@jupyter/nbgrader" in text and "enabled" in text
    server = subprocess.run([jupyter, "server", "extension", "list"], capture_output=True, text=True)
    text = ansi.sub("", server.stdout + server.stderr)
    assert re.search(r"nbgrader\.server_extensions\.formgrader\s+enabled", text), text
