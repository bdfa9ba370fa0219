"""The one nbgrader configuration, shared by the repository's nbgrader_config.py (instructors)
and by the scratch course directories that `course grade` and `course build` create."""

from __future__ import annotations

import os

from course import paths

#: Seconds a single cell may run while autograding before it is interrupted (default; the
#: environment variable COURSE_CELL_TIMEOUT, read each time the config is applied, overrides
#: it). The solved notebooks' slowest cell takes a few seconds; an infinite loop costs this.
CELL_TIMEOUT = 60

#: Environment every grading kernel inherits: TensorFlow's C++ log lines and oneDNN notices
#: go to stderr at import, and must never reach a test cell's output.
QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "TF_ENABLE_ONEDNN_OPTS": "0",
    "PYTHONHASHSEED": "0",
    "KERAS_BACKEND": "tensorflow",
    "CUDA_VISIBLE_DEVICES": "",
}


def apply(c, root: str | None = None) -> None:
    """Fill an nbgrader config object ``c``."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearHiddenTests,
        ClearOutput,
        DeduplicateIds,
        Execute,
        GetGrades,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    from .kernels import KERNEL_ARGUMENTS
    from .preprocessors import RestoreStructure, RubricForGrader, StderrToStdout
    from .secure_execute import SecureExecute

    os.environ.update(QUIET_ENV)
    timeout = int(os.environ.get("COURSE_CELL_TIMEOUT", CELL_TIMEOUT))
    c.CourseDirectory.course_id = paths.COURSE_ID
    if root is not None:
        c.CourseDirectory.root = root
    # the learner's notebook is restored to the release's shape before nbgrader checks it
    c.Autograde.sanitize_preprocessors = [
        ClearOutput,
        DeduplicateIds,
        OverwriteKernelspec,
        RestoreStructure,
        OverwriteCells,
        CheckCellMetadata,
    ]
    # test cells run in the grader, learner cells in a sandboxed kernel (secure_execute.py);
    # COURSE_EXECUTOR=stock (benchmarks only: it trusts the submission) uses nbgrader's Execute
    stock = os.environ.get("COURSE_EXECUTOR") == "stock"
    c.Autograde.autograde_preprocessors = [
        Execute if stock else SecureExecute,
        StderrToStdout,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
        RubricForGrader,  # the rubric beside each written answer, for formgrader
    ]
    # feedback shows every check's result, but not the hidden tests' source (their inputs, and
    # the exam key as code): the results already say what was expected and why
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

    # ... and reads well offline: math as MathML, bordered tables, written answers not yet graded
    # shown as "awaiting your instructor" (course_grader/feedback.py)
    from .feedback import FeedbackPolish, apply_feedback_settings

    c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor, FeedbackPolish]
    apply_feedback_settings(c)
    # late submissions (after the assignment's due date) lose a fixed fraction of their points:
    # course_grader/late.py (10 % of the autograded score by default)
    from .late import LATE_PENALTY_FRACTION, FractionLatePenalty

    c.AssignLatePenalties.plugin_class = FractionLatePenalty
    c.FractionLatePenalty.fraction = LATE_PENALTY_FRACTION
    # `course grade` writes <name>.feedback.html beside the notebook it grades: never copy one
    # into a release (from source/ it holds the solutions), a submission or feedback
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.feedback.html"]
    c.Execute.timeout = timeout
    c.SecureExecute.timeout = timeout
    c.SecureExecute.call_timeout = min(timeout, int(os.environ.get("COURSE_CALL_TIMEOUT", 30)))
    c.SecureExecute.notebook_timeout = int(os.environ.get("COURSE_NOTEBOOK_TIMEOUT", 900))
    # the kernel's own start-up notices (e.g. "running over TCP") are not the learner's business
    c.SecureExecute.extra_arguments = c.Execute.extra_arguments = list(KERNEL_ARGUMENTS)
    c.SecureExecute.interrupt_on_timeout = c.Execute.interrupt_on_timeout = True
    c.SecureExecute.error_on_timeout = c.Execute.error_on_timeout = {
        "ename": "CellTimeoutError",
        "evalue": f"this cell ran longer than {timeout} s and was stopped",
        "traceback": [
            f"CellTimeoutError: this cell ran longer than {timeout} s and was stopped "
            "(an infinite loop?). The remaining cells were still graded."
        ],
    }
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    # release/ must be reproducible byte for byte
    c.GenerateAssignment.create_assignment = True
    c.ClearOutput.remove_metadata_fields = ["collapsed", "scrolled", "execution"]
