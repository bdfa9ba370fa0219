"""The course's late-submission policy, as an nbgrader LateSubmissionPlugin.

A submission after the assignment's due date (``nbgrader db assignment add ID --duedate=...``)
loses a fixed fraction of the points it earned: :data:`LATE_PENALTY_FRACTION` (10 %) by
default, set in course_grader/settings.py (``c.FractionLatePenalty.fraction``). nbgrader
computes the penalty when it autogrades, from the notebook's score at that moment: the
autograded points (a written answer graded by hand later is not reduced). Submissions on time
are never penalised.
"""

from __future__ import annotations

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float

#: Fraction of the earned (autograded) points a late submission loses.
LATE_PENALTY_FRACTION = 0.1


class FractionLatePenalty(LateSubmissionPlugin):
    """Late: subtract ``fraction`` x the notebook's score (nbgrader keeps it within [0, score])."""

    fraction = Float(LATE_PENALTY_FRACTION, help="Fraction of the earned points a late submission loses.").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        if not total_seconds_late or total_seconds_late <= 0:
            return None
        penalty = float(score or 0.0) * self.fraction
        self.log.warning("Late by %.0f s: %s loses %g of %g points (%g %%)", total_seconds_late,
                         student_id, penalty, score or 0.0, self.fraction * 100)
        return penalty
