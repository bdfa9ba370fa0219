"""Give the learner a working copy of each release notebook, never overwriting one."""

from __future__ import annotations

import filecmp
import shutil

from . import paths


def _show(path) -> str:
    try:
        return str(path.relative_to(paths.ROOT))
    except ValueError:
        return str(path)


def ensure_work_copies() -> list[str]:
    messages = []
    for m in paths.available_modules():
        rel = paths.release_notebook(m)
        if not rel.exists():
            continue
        dest = paths.WORK / m / rel.name
        if dest.exists():
            if not filecmp.cmp(rel, dest, shallow=False):
                messages.append(f"kept your work: {_show(dest)}")
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        for item in rel.parent.iterdir():  # the notebook and any files shipped with it
            target = dest.parent / item.name
            if not target.exists():
                if item.is_dir():
                    shutil.copytree(item, target)
                else:
                    shutil.copy2(item, target)
        messages.append(f"new working copy: {_show(dest)}")
    if paths.WORK.exists():
        write_nbgrader_config(paths.WORK)
    try:  # Validate's dialog for a finished notebook says more checks run at grading
        from .lab import install

        install()
    except OSError as exc:
        messages.append(f"note: JupyterLab's course stylesheet was not installed ({exc})")
    return messages


#: First line of the nbgrader_config.py files written here; a file starting with it is ours
#: and is rewritten, any other file of that name is the learner's and is left alone.
CONFIG_MARKER = "# nbgrader settings written by the course (course/start.py); rewritten on setup."

CONFIG_TEMPLATE = CONFIG_MARKER + '''
# nbgrader's Validate (the button in JupyterLab, and `nbgrader validate`) reads the
# nbgrader_config.py of the folder JupyterLab (or the command) was started in, and of
# ~/.jupyter: with this file it validates with the course's settings (quiet TensorFlow, the
# course's cell timeout).
# A learner-only install (no grading package) validates with nbgrader's defaults.
try:
    from course_grader.settings import apply
except ImportError:
    apply = None

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
if apply is not None:
    apply(c)
{exchange}'''

EXCHANGE_TEMPLATE = '''# a cohort: the nbgrader exchange the instructor releases to and collects from
c.Exchange.root = {root!r}
'''


def write_nbgrader_config(folder, exchange: str | None = None):
    """Write ``folder/nbgrader_config.py`` with the course's settings (and an exchange root).

    Used for the learner's ``work/`` folder by :func:`ensure_work_copies`; for a cohort, write
    it into each learner's ``~/.jupyter`` (or, on JupyterHub, the environment's
    ``etc/jupyter``) with the exchange directory the instructor uses. Returns the path, or None when a file of the
    learner's own is there.
    """
    from pathlib import Path

    path = Path(folder) / "nbgrader_config.py"
    if path.exists() and not path.read_text(encoding="utf-8").startswith(CONFIG_MARKER):
        return None
    text = CONFIG_TEMPLATE.format(exchange=EXCHANGE_TEMPLATE.format(root=str(exchange)) if exchange else "")
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path
