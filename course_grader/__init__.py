"""What only grading holds: nbgrader add-ons and settings, grading one submission, building
release/ from source/, the benchmark, and the `course` command line on top.

A learner's machine needs only the :mod:`course` package (visible checks, data, figures).
"""

from .startup import defer_rfc3987

defer_rfc3987()  # 1.1 s of grammar compiling on every import of nbformat, for a check nobody here runs
