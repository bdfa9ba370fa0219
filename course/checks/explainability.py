"""Visible checks of module 05 (explainability: Shapley values and integrated gradients), as the release notebook's test cells use them.

* Where the grading package is installed (the self-paced quick start, instructors, the
  grader) this module IS ``course_grader.checks.explainability``: the full checks, hidden cases included.
* In a learner-only install it replays the notebook's visible checks from recorded transcripts
  (``visible/explainability.pkl.xz``; see :mod:`course.checks.replay`), so no reference solution of a
  graded function ships in the learner package.
"""

from course.checks.replay import install

install(__name__, "explainability", globals())
