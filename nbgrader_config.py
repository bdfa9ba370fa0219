"""nbgrader configuration for instructors: run nbgrader's commands from this folder.

    nbgrader generate_assignment 01_overfitting_regularization   # source/ -> release/
    nbgrader collect / autograde / formgrader / generate_feedback / export

The settings live in course_grader/settings.py, shared with `course grade` and `course build`
so the local grader and the instructor's grader can never disagree.
"""

from course_grader.settings import apply
from course.paths import MODULES

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)
apply(c)

#: The course's assignments (nbgrader adds each to the gradebook when it is generated;
#: `make instructor` registers all of them up front).
ASSIGNMENTS = list(MODULES)

#: Feedback shows each exam-lens question's right answer and why (the teaching part). When you
#: reuse the questions next term, withhold the key: the feedback then says only right or wrong.
# c.FeedbackPolish.show_exam_key = False
