"""Shared code for the ML engineer certification course.

Notebooks import from here instead of copying cells: seeded data (`course.data`), figures
(`course.plots`), teaching-feedback checks (`course.checks`), and the command-line tools
(`course.cli`: build, grade, benchmark).
"""

__version__ = "0.1.0"
