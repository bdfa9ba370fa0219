"""What a learner's machine gets: the course's shared notebook code.

Notebooks import from here instead of copying cells: seeded data (`course.data`), figures
(`course.plots`), each module's lesson helpers (`course.lessons.<topic>`) and the visible
teaching-feedback checks (`course.checks.<topic>`), and the probes the checks run in the
learner's kernel (`course.probes.<topic>`). Grading, the full checks (reference implementations,
hidden cases: `course_grader.checks.<topic>`), nbgrader add-ons and the command line live in the
separate `course_grader` package; without it, `course.checks.<topic>` replays the release
notebook's visible checks from recorded transcripts (`course.checks.replay`).
"""

__version__ = "0.2.0"
