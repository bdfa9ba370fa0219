"""The grader's start-up shortcuts change no behaviour (issue 14): the deferred rfc3987_syntax
still validates an ``iri`` the same way, and helper threads lower only their own priority."""

import os
import subprocess
import sys
import threading

import pytest

from course_grader import startup


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_importing_nbformat_through_the_grader_does_not_compile_the_iri_grammar():
    out = _run("import sys, course_grader, nbformat, jsonschema\n"
               "print('rfc3987_syntax.syntax_helpers' in sys.modules, 'nbformat' in sys.modules)")
    assert out == "False True"
    # without the grader package, jsonschema compiles it at import (what the deferral avoids)
    assert _run("import sys, nbformat\nprint('rfc3987_syntax.syntax_helpers' in sys.modules)") == "True"


@pytest.mark.parametrize("value", ["http://example.com/ü?q=1#f", "not an iri", "", "//host/path", "mailto:a@b.c"])
def test_iri_format_checks_give_the_same_answers_deferred_or_not(value):
    code = ("{pre}import jsonschema\nfrom jsonschema import Draft7Validator, FormatChecker\n"
            "fc = FormatChecker()\n"
            "print([Draft7Validator({{'format': f}}, format_checker=fc).is_valid({v!r}) for f in ('iri', 'iri-reference')])")
    deferred = _run(code.format(pre="import course_grader\n", v=value))
    real = _run(code.format(pre="", v=value))
    assert deferred == real
    if value == "not an iri":  # the check really ran (a missing `iri` checker accepts everything)
        assert deferred == "[False, False]", deferred


def test_the_stand_in_reaches_the_rest_of_the_package():
    assert _run("import course_grader, rfc3987_syntax\nprint(rfc3987_syntax.is_valid_syntax_iri('http://a'),"
                " rfc3987_syntax.is_valid_syntax_iri('not an iri'))") == "True False"


def test_lower_priority_changes_only_the_calling_thread():
    seen = {}

    def helper():
        startup.lower_priority()
        seen["helper"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    if before >= 19:
        pytest.skip("this test process already runs at the lowest priority: nothing to tell apart")
    t = threading.Thread(target=helper)
    t.start()
    t.join()
    assert seen["helper"] == 19
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
