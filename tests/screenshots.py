"""Regenerate docs/screenshots/{progress,report}.png with headless Chromium (if installed).

    python -m tests.screenshots [--course-dir DIR]

The progress page comes from a synthetic history (a learner's several attempts at modules 03
and 07, scored in-process); the report from DIR (a course folder, e.g. the one kept by
``course benchmark --report --keep DIR``) or from a small generated cohort.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from course import paths

OUT = paths.ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def shoot(html: Path, png: Path, height: int) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size=1200,{height}", f"--screenshot={png}", html.resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    print(f"wrote {png}")


def progress_demo(tmp: Path) -> Path:
    from course_grader.analytics import history, progress
    from tests.cohort import NOT_STARTED, synthetic_attempt
    from tests.variants import metrics as V3, monitoring as V7

    m3, m7 = "03_classification_metrics", "07_monitoring_skew_drift"
    os.environ["COURSE_HOME"] = str(tmp / "home")
    runs = [
        (m3, {"precision": V3.precision__is_recall, "recall": NOT_STARTED, "roc_auc": NOT_STARTED, "average_precision": NOT_STARTED,
              "threshold_for_recall": NOT_STARTED, "exam_answers": V3.exam_answers__metric_confusion}),
        (m3, {"recall": V3.recall__is_precision, "roc_auc": V3.roc_auc__hard_labels, "threshold_for_recall": NOT_STARTED,
              "exam_answers": V3.exam_answers__f1_for_equal_costs_and_balanced_test_set}),
        (m3, {"roc_auc": V3.roc_auc__hard_labels}),
        (m7, {"js_divergence": V7.js_divergence__kl, "population_stability_index": NOT_STARTED, "feature_alerts": NOT_STARTED,
              "validate_schema": NOT_STARTED, "exam_answers": NOT_STARTED}),
        (m7, {"js_divergence": V7.js_divergence__scipy_default, "validate_schema": NOT_STARTED}),
    ]
    for module, choices in runs:
        history.record_result(synthetic_attempt(module, choices))
    _, html = progress.run(html_to=tmp / "progress.html")
    return html


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--course-dir", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        shoot(progress_demo(tmp), OUT / "progress.png", 2000)
        course = Path(args.course_dir) if args.course_dir else None
        if course is None:
            from tests.cohort import generate, write_course

            course = write_course(generate(["03_classification_metrics", "07_monitoring_skew_drift"], n=120, per_function=3), tmp / "course")
        from course_grader.analytics.report import run

        out = run(course_dir=course, out=tmp / "report")
        shoot(out / "report.html", OUT / "report.png", 4200)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
