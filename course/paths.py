"""Where things live in the repository, and the course's module list."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
RELEASE = ROOT / "release"
WORK = ROOT / "work"

COURSE_ID = "ml_engineer_cert"

#: The assignments, in teaching order. The folder name is the assignment id and the
#: notebook inside it has the same name (nbgrader's rule).
MODULES = [
    "01_overfitting_regularization",
    "02_vanishing_exploding_gradients",
    "03_classification_metrics",
    "04_multicollinearity_pls_pca",
    "05_explainability_shapley_ig",
    "06_distributed_training",
    "07_monitoring_skew_drift",
]


class CourseError(Exception):
    """An error with a message meant for the learner: printed without a traceback."""


def available_modules() -> list[str]:
    """Modules whose source notebook exists (the course is written module by module)."""
    return [m for m in MODULES if source_notebook(m).exists()]


def source_notebook(module: str) -> Path:
    return SOURCE / module / f"{module}.ipynb"


def release_notebook(module: str) -> Path:
    return RELEASE / module / f"{module}.ipynb"


def resolve_module(name: str) -> str:
    """Accept '01', '1', '01_overfitting_regularization' or a unique prefix of the topic."""
    key = name.strip().rstrip("/")
    for m in MODULES:
        if key == m:
            return m
    if key.isdigit():
        for m in MODULES:
            if int(m[:2]) == int(key):
                return m
    hits = [m for m in MODULES if m.startswith(key) or m[3:].startswith(key)]
    if len(hits) == 1:
        return hits[0]
    raise CourseError(
        f"'{name}' is not a course module. Modules: " + ", ".join(MODULES)
    )
