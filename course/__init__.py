"""What a learner's machine gets: the course's shared notebook code.

Notebooks import from here instead of copying cells: seeded data (`course.data`), figures
(`course.plots`), each module's lesson helpers (`course.lessons.<topic>`) and the visible
teaching-feedback checks (`course.checks.<topic>`). Grading, nbgrader add-ons and the command
line live in the separate `course_grader` package.
"""

__version__ = "0.2.0"
