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
    return messages
