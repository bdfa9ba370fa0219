"""Probes: functions the checks run NEXT TO the learner's code, in their kernel.

``call_in_kernel(probe, fn, *args)`` pickles ``probe`` by reference, so the kernel imports it
from here (it cannot import ``course_grader``). A probe only calls the learner's function and
describes the result as plain data; what it is compared with stays in
``course_grader.checks.<topic>``. Model builders and loss functions the checks pass to the
learner's functions live here for the same reason.
"""
