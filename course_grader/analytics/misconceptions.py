"""Stable misconception ids for failed checks, and the notebook section to reread.

Every known mistake in ``tests/variants/<topic>.py`` is a function ``<graded>__<suffix>``
decorated with ``@wrong("fragment")``: the fragment is the part of the feedback that names the
misconception. The catalog ``misconceptions.json`` (beside this file) keeps, per module, one id
per distinct fragment of a graded function::

    {"format": 1, "modules": {"03_classification_metrics": {"precision.is_recall": {
        "function": "precision", "fragment": "precision and recall are swapped",
        "variants": ["precision__is_recall"]}, ...}}}

The id is ``<function>.<suffix of the first variant with that fragment>``; later variants with
the same fragment are listed under ``variants`` and share the id. Regenerate the catalog after
adding variants with ``python -m course_grader.analytics.misconceptions --write`` (a test fails
while it is out of sync). Exam-lens variants are not in it: exam answers are analysed per
question instead (:func:`parse_exam_lines`).

:func:`classify_all` turns a failed check's message into the misconceptions it names, each
``{"id", "function", "sentence"}``: the catalog entries of the check's exercise (the graded
function) whose fragment the message contains (case-insensitive), in the order the message
names them; a fragment inside a longer matched one (``"Jensen-Shannon DISTANCE"`` inside
``"Jensen-Shannon DISTANCES"``) does not count. Several ids are normal: when two mistakes give
the same wrong value the feedback names both. No match gives ``<function>.other``;
:func:`classify` is the first one.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

CATALOG_PATH = Path(__file__).with_name("misconceptions.json")
EXAM_FUNCTION = "exam_answers"


@lru_cache(maxsize=1)
def catalog() -> dict:
    """{module: {id: {"function", "fragment", "variants"}}} from misconceptions.json."""
    try:
        return json.loads(CATALOG_PATH.read_text())["modules"]
    except (OSError, ValueError, KeyError):
        return {}


def build_catalog() -> dict:
    """The catalog computed from tests/variants (the repository's source of truth)."""
    import importlib
    import inspect
    import pkgutil

    import tests.variants as variants_pkg

    modules: dict = {}
    for info in pkgutil.iter_modules(variants_pkg.__path__):
        mod = importlib.import_module(f"tests.variants.{info.name}")
        name = getattr(mod, "MODULE", None)
        if not name:
            continue
        fns = [fn for _, fn in inspect.getmembers(mod, inspect.isfunction)
               if "__" in fn.__name__ and getattr(fn, "variant_kind", None) == "wrong" and fn.__module__ == mod.__name__]
        fns.sort(key=lambda fn: fn.__code__.co_firstlineno)  # source order: stable ids
        entries: dict = {}
        by_fragment: dict = {}
        for fn in fns:
            function, suffix = fn.__name__.split("__", 1)
            if function == EXAM_FUNCTION:
                continue
            key = (function, fn.feedback_fragment.lower())
            if key in by_fragment:
                entries[by_fragment[key]]["variants"].append(fn.__name__)
                continue
            mid = f"{function}.{suffix}"
            by_fragment[key] = mid
            entries[mid] = {"function": function, "fragment": fn.feedback_fragment, "variants": [fn.__name__]}
        modules[name] = dict(sorted(entries.items()))
    return dict(sorted(modules.items()))


def write_catalog(path: Path = CATALOG_PATH) -> Path:
    path.write_text(json.dumps({"format": 1, "modules": build_catalog()}, indent=1, sort_keys=False) + "\n")
    catalog.cache_clear()
    return path


def variant_id(module: str, variant_name: str) -> str | None:
    """The misconception id a known-wrong variant (``fn__suffix``) is catalogued under."""
    for mid, entry in catalog().get(module, {}).items():
        if variant_name in entry["variants"]:
            return mid
    return None


_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\s/\s(?=[A-Z])|\(\d\)\s")


def _sentence(message: str, fragment: str) -> str:
    """The sentence of ``message`` that contains ``fragment`` (sentences end at . ! ? and the
    feedback's `` / `` or ``(2)`` separators between alternative explanations)."""
    low = message.lower()
    at = low.find(fragment.lower())
    if at < 0:
        return message.strip()[:300]
    starts = [m.end() for m in _BOUNDARY.finditer(message[:at])]
    start = starts[-1] if starts else 0
    after = at + len(fragment)
    end = re.search(r"[.!?](?=\s|$)|\s/\s(?=[A-Z])|\s\(\d\)\s", message[after:])
    stop = after + (end.start() + (1 if end.group(0) in ".!?" else 0) if end else len(message))
    text = re.sub(r"^(/\s*|\(\d\)\s*)+", "", message[start:stop].strip())
    return text if len(text) <= 300 else text[:297] + "..."


def classify_all(module: str, function: str, message: str | None) -> list[dict]:
    """Every misconception a failed check's message names, in the order the message names them.

    Each is ``{"id", "function", "sentence"}``. A message may name several ("Either of these
    explains it: ... / ..."), since two mistakes can produce the same wrong value; a fragment
    that is part of a longer matched fragment at the same place counts only as the longer one.
    No known fragment gives ``[{"id": "<function>.other", ...}]``; a passed check (``None``), ``[]``.
    """
    if message is None:
        return []
    low = message.lower()
    hits = []
    for mid, entry in catalog().get(module, {}).items():
        if entry["function"] != function:
            continue
        frag = entry["fragment"].lower()
        at = low.find(frag)
        if at >= 0:
            hits.append((at, at + len(frag), mid, entry["fragment"]))
    kept = [h for h in hits if not any(o is not h and o[0] <= h[0] and h[1] <= o[1] and (o[1] - o[0]) > (h[1] - h[0]) for o in hits)]
    kept.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    if not kept:
        return [{"id": f"{function}.other", "function": function, "sentence": message.strip()[:300]}]
    return [{"id": mid, "function": function, "sentence": _sentence(message, frag)} for _, _, mid, frag in kept]


def classify(module: str, function: str, message: str | None) -> dict | None:
    """The first misconception a failed check's message names (see :func:`classify_all`)."""
    found = classify_all(module, function, message)
    return found[0] if found else None


EXAM_LINE = re.compile(r"^(q\d+): (right|wrong \(you answered ([A-Za-z])\))\. The answer is ([A-Za-z])\b", re.M)


def parse_exam_lines(text: str | None) -> list[dict]:
    """``q1: wrong (you answered B). The answer is C: ...`` lines -> one dict per question."""
    out = []
    for m in EXAM_LINE.finditer(text or ""):
        answer = m.group(4).upper()
        answered = m.group(3).upper() if m.group(3) else answer
        out.append({"question": m.group(1), "answered": answered, "answer": answer, "correct": m.group(2) == "right"})
    return out


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)


def _last_section(markdown: str) -> str | None:
    """The last level-2 heading (``## 2. Precision, recall, ...``) of a markdown cell."""
    found = [text for hashes, text in _HEADING.findall(markdown or "") if len(hashes) == 2]
    return re.sub(r"[*`]", "", found[-1]).strip() if found else None


@lru_cache(maxsize=None)
def sections(module: str) -> dict[str, str]:
    """{graded function: the section to reread} for ``module``: the level-2 markdown heading
    (``## 2. Precision, recall, F1 ...``) that precedes the function's solution cell."""
    import nbformat

    from course import paths

    path = paths.release_notebook(module)
    if not path.exists():
        path = paths.source_notebook(module)
    if not path.exists():
        return {}
    nb = nbformat.read(str(path), as_version=4)
    found, current = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            current = _last_section(cell.source) or current
        nbg = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and nbg.get("solution") and nbg.get("grade_id"):
            found[nbg["grade_id"]] = current
    return found


def section_for(module: str, function: str) -> str | None:
    return sections(module).get(function)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="misconception catalog built from tests/variants")
    parser.add_argument("--write", action="store_true", help=f"regenerate {CATALOG_PATH.name}")
    args = parser.parse_args(argv)
    if args.write:
        print(f"wrote {write_catalog()}")
    else:
        print(json.dumps(build_catalog(), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
