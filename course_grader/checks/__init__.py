"""The full checks of every module (GRADING ONLY: reference implementations, hidden cases).

``course_grader.checks.<topic>`` is what the test cells' ``from course.checks import <topic> as
checks`` gives wherever the grading package is installed (see ``course.checks.replay.install``).
What the learner's kernel must import (probes, model builders, loss functions passed to the
learner's function) and the data builders the test cells call live in the learner package:
``course/probes/<topic>.py`` and ``course/lessons/<topic>.py``.
"""
