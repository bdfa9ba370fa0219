"""Visible checks of module 02 (vanishing and exploding gradients), as the release notebook's test cells use them.

* Where the grading package is installed (the self-paced quick start, instructors, the
  grader) this module IS ``course_grader.checks.gradients``: the full checks, hidden cases included.
* In a learner-only install it replays the notebook's visible checks from recorded transcripts
  (``visible/gradients.pkl.xz``; see :mod:`course.checks.replay`), so no reference solution of a
  graded function ships in the learner package.
"""

from course.checks.replay import install

# data builders the notebook's test cells call as checks.<name> (no answers in them)
from course.lessons.gradients import relu_activations  # noqa: F401

install(__name__, "gradients", globals())
