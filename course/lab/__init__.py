"""What the course adds to JupyterLab: one stylesheet, ``custom.css`` of this folder.

nbgrader's Validate dialog reads "Success! Your notebook passes all the tests." when every test
cell passed, a fixed text of its JupyterLab extension. The stylesheet adds, under that line, that
these were the visible checks and that more run at grading. JupyterLab loads
``<jupyter config dir>/custom/custom.css`` when ``LabApp.custom_css`` is on (the server does not
let the folder be configured), so :func:`install` turns that setting on in this environment's
``etc/jupyter/jupyter_lab_config.json`` and writes the course's rules into the user's
``custom.css`` between marker lines (the learner's own rules there are kept). ``course start``
and ``make setup`` call it; ``python -m course.lab`` does it by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BEGIN = "/* >>> course: rules written by `course start` (course/lab/custom.css); rewritten on setup */"
END = "/* <<< course */"


def enable_custom_css(prefix: str | None = None) -> Path:
    """Turn ``LabApp.custom_css`` on in ``<prefix>/etc/jupyter/jupyter_lab_config.json``."""
    path = Path(prefix or sys.prefix) / "etc" / "jupyter" / "jupyter_lab_config.json"
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        config = {}
    if config.get("LabApp", {}).get("custom_css") is not True:
        config.setdefault("LabApp", {})["custom_css"] = True
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


def write_css(config_dir: str | Path | None = None) -> Path:
    """Put the course's rules into ``<config_dir>/custom/custom.css`` (default: the user's
    Jupyter config folder), replacing an earlier copy and keeping everything else."""
    if config_dir is None:
        from jupyter_core.paths import jupyter_config_dir

        config_dir = jupyter_config_dir()
    path = Path(config_dir) / "custom" / "custom.css"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        head, rest = old.split(BEGIN, 1)
        old = head + rest.split(END, 1)[1].lstrip("\n")
    block = f"{BEGIN}\n{(HERE / 'custom.css').read_text(encoding='utf-8').strip()}\n{END}\n"
    text = (old.rstrip("\n") + "\n\n" if old.strip() else "") + block
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def install(config_dir: str | Path | None = None, prefix: str | None = None) -> list[Path]:
    return [enable_custom_css(prefix), write_css(config_dir)]
