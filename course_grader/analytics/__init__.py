"""Learning analytics on the structured check results: misconception ids, a learner's progress
(``course progress``) and the instructor's cohort report (``course report``)."""
