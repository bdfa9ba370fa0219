"""Teaching-feedback checks used by the notebooks' test cells.

A test cell grades one function. It opens an :class:`Exercise`, runs a few named checks in
``with ex.check(...)`` blocks (visible ones, then hidden ones that only run at grading) and
ends with ``ex.done()``, which is what nbgrader scores:

* every check passed -> ``done()`` prints a short confirmation and returns nothing (full marks);
* some passed -> it prints what failed and why, and returns the partial points (nbgrader reads
  a number as the cell's last value as partial credit);
* none passed -> it raises ``AssertionError`` with every failure message (zero).

The helpers never trust the learner's namespace: they import what they need themselves, pass
copies of inputs, and compare with tolerances that accept a correct float32 computation.
"""

from __future__ import annotations

import copy
import os
import traceback
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Sequence

import numpy as np

RTOL = 1e-6
ATOL = 1e-9


class CheckFailed(AssertionError):
    """A check's failure, with a message written for the learner."""


def grading() -> bool:
    """True while nbgrader autogrades or validates (hidden checks run then)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def _short(value: Any, limit: int = 160) -> str:
    try:
        if hasattr(value, "numpy") and callable(value.numpy):
            value = value.numpy()
        if isinstance(value, np.ndarray):
            text = np.array2string(value, precision=6, threshold=12, separator=", ")
        else:
            text = repr(value)
    except Exception:  # a value whose repr itself fails must not crash the check
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_array(value: Any, what: str = "your result") -> np.ndarray:
    """Convert lists, tuples, numpy and TensorFlow values to a float ndarray, or fail clearly."""
    if value is None:
        raise CheckFailed(f"{what} is None: did the function forget to `return`?")
    try:
        if hasattr(value, "numpy") and callable(value.numpy):
            value = value.numpy()
        arr = np.asarray(value, dtype=float)
    except Exception as exc:
        raise CheckFailed(
            f"{what} should be a number or an array of numbers, got {type(value).__name__}: "
            f"{_short(value)} ({exc.__class__.__name__})"
        ) from None
    return arr


def as_float(value: Any, what: str = "your result") -> float:
    arr = as_array(value, what)
    if arr.size != 1:
        raise CheckFailed(f"{what} should be a single number, got an array of shape {arr.shape}.")
    return float(arr.reshape(()))


def close(a: Any, b: Any, rtol: float = RTOL, atol: float = ATOL) -> bool:
    try:
        a_arr, b_arr = as_array(a), as_array(b)
    except CheckFailed:
        return False
    if a_arr.shape != b_arr.shape and a_arr.size != b_arr.size:
        return False
    return bool(np.allclose(a_arr.reshape(b_arr.shape), b_arr, rtol=rtol, atol=atol, equal_nan=True))


def expect_close(
    actual: Any,
    expected: Any,
    what: str,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    misconceptions: Iterable[tuple[Any, str]] = (),
) -> None:
    """Fail unless ``actual`` equals ``expected`` within tolerance.

    ``misconceptions`` pairs a value a known mistake would produce with the sentence that names
    the mistake; when the learner's value matches one, that sentence is the feedback.
    """
    exp = as_array(expected, "the expected value")
    act = as_array(actual, what)
    if act.shape != exp.shape:
        if act.size == exp.size and act.squeeze().shape == exp.squeeze().shape:
            act = act.reshape(exp.shape)
        else:
            raise CheckFailed(
                f"{what}: expected shape {exp.shape}, got shape {act.shape} ({_short(actual)})."
            )
    if np.allclose(act, exp, rtol=rtol, atol=atol, equal_nan=True):
        return
    for wrong_value, message in misconceptions:
        try:
            if close(act, wrong_value, rtol=max(rtol, 1e-6), atol=max(atol, 1e-9)):
                raise CheckFailed(f"{what}: expected {_short(exp)}, got {_short(act)}. {message}")
        except CheckFailed:
            raise
        except Exception:
            continue
    raise CheckFailed(f"{what}: expected {_short(exp)}, got {_short(act)}.")


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def call(fn: Callable, *args: Any, what: str | None = None, **kwargs: Any) -> Any:
    """Call the learner's function on deep copies of the inputs.

    A ``NotImplementedError`` becomes "not implemented yet"; any other exception becomes a
    message that names the call and the error instead of a traceback dump.

    While a notebook is graded, ``fn`` is a stand-in that runs the learner's function in their
    own kernel and returns plain data (numbers, strings, lists, dicts, numpy arrays): checks
    judge only the returned value (see ``course_grader.rpc``).
    """
    return _invoke(fn, None, args, kwargs, what)


def call_in_kernel(probe: Callable, fn: Callable, *args: Any, what: str | None = None, **kwargs: Any) -> Any:
    """``probe(fn, *args)`` run next to the learner's code; the probe must return plain data.

    Use it when a check needs more than a return value, e.g. the layers of a Keras model the
    learner built. ``probe`` is a module-level function of this package, so the grading kernel
    can import it.
    """
    return _invoke(fn, probe, args, kwargs, what)


def kernel_function(name: str):
    """The learner's function ``name`` from the kernel's namespace (a stand-in unpickled there)."""
    from IPython import get_ipython

    return get_ipython().user_ns[name]


def _invoke(fn: Callable, probe: Callable | None, args: tuple, kwargs: dict, what: str | None) -> Any:
    name = getattr(fn, "__name__", "your function")
    if not callable(fn):
        raise CheckFailed(f"`{name}` is not a function (it is a {type(fn).__name__}).")
    args_c = copy.deepcopy(args)
    kwargs_c = copy.deepcopy(kwargs)
    try:
        if probe is None:
            return fn(*args_c, **kwargs_c)
        if getattr(fn, "__course_remote__", False):
            return fn.run_with(probe, *args_c, **kwargs_c)
        return probe(fn, *args_c, **kwargs_c)
    except NotImplementedError:
        raise CheckFailed(f"`{name}` is not implemented yet (it raises NotImplementedError).") from None
    except CheckFailed:
        raise
    except Exception as exc:
        if type(exc).__name__ == "KernelFault":
            raise CheckFailed(f"{what or name + '(...)'}: {exc}") from None
        kind = getattr(exc, "learner_type", type(exc).__name__)
        if hasattr(exc, "learner_line"):
            lineno, line = getattr(exc, "learner_lineno", None), exc.learner_line
        else:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            lineno, line = where.lineno, where.line
        at = f" (line {lineno}: `{(line or '').strip()}`)" if lineno else ""
        raise CheckFailed(f"{what or name + '(...)'} raised {kind}: {exc}{at}") from None


class Exercise:
    """Collects the checks of one test cell and turns them into nbgrader's score."""

    #: every Exercise made in this process, in order (the grader reads their results)
    created: list["Exercise"] = []

    def __init__(self, name: str, points: float):
        self.name = name
        self.points = float(points)
        self.results: list[tuple[str, float, str | None]] = []
        Exercise.created.append(self)

    @contextmanager
    def check(self, label: str, weight: float = 1.0):
        """Run one named check; an exception inside records a failure instead of escaping.

        ``KeyboardInterrupt`` (a per-cell timeout) is not caught, so a hanging function still
        stops the cell.
        """
        try:
            yield
        except CheckFailed as exc:
            self.results.append((label, weight, str(exc)))
        except NotImplementedError:
            self.results.append((label, weight, f"`{self.name}` is not implemented yet."))
        except Exception as exc:  # the learner's code may raise anything
            self.results.append((label, weight, f"{type(exc).__name__}: {exc}"))
        else:
            self.results.append((label, weight, None))

    def score(self) -> float:
        total = sum(w for _, w, _ in self.results)
        if total == 0:
            return 0.0
        earned = sum(w for _, w, err in self.results if err is None)
        return round(self.points * earned / total, 4)

    def report(self) -> str:
        lines = []
        for label, _, err in self.results:
            lines.append(f"  {'ok  ' if err is None else 'FAIL'} {label}" + ("" if err is None else f"\n       {err}"))
        return "\n".join(lines)

    def done(self) -> float | None:
        """Print the outcome and return what nbgrader scores (see the module docstring).

        When no check passed it returns ``0.0`` rather than raising, so the learner reads the
        list of failures instead of a traceback through this package.
        """
        if validating():  # nbgrader's Validate reads outputs its own way: see validation_done
            return validation_done(self)
        n = len(self.results)
        passed = sum(1 for *_, err in self.results if err is None)
        if n == 0:
            raise CheckFailed(f"{self.name}: no checks ran.")
        if passed == n:
            checks = "check" if n == 1 else "checks"
            if grading():
                print(f"{self.name}: {'the' if n == 1 else 'all'} {n} {checks} passed.")
            else:
                print(
                    f"{self.name}: the {'' if n == 1 else str(n) + ' '}visible {checks} passed. "
                    "More checks run when your notebook is graded."
                )
            return None
        score = self.score()
        print(f"{self.name}: {passed} of {n} checks passed ({score:g} of {self.points:g} points).")
        print(self.report())
        return score


# --------------------------------------------------------------------------- exam questions
def check_exam_format(exam_answers: Callable, questions: Sequence[str], choices: str = "ABCD", verbose: bool = True) -> dict:
    """Visible check for ``exam_answers()``: a dict with one letter per question."""
    if verbose and validating():  # see validation_exam_format
        return validation_exam_format(exam_answers, questions, choices)
    answers = call(exam_answers, what="exam_answers()")
    if not isinstance(answers, dict):
        raise CheckFailed(f"exam_answers() should return a dict like {{'q1': 'B', ...}}, got {type(answers).__name__}.")
    normalized = {str(k).strip().lower(): v for k, v in answers.items()}
    missing = [q for q in questions if q not in normalized]
    if missing:
        raise CheckFailed(f"exam_answers() has no answer for {', '.join(missing)}.")
    for q in questions:
        v = normalized[q]
        if not isinstance(v, str) or len(v.strip()) != 1 or v.strip().upper() not in choices:
            raise CheckFailed(f"exam_answers()['{q}'] should be one of the letters {', '.join(choices)}, got {v!r}.")
    if verbose:
        print(f"exam_answers(): {len(questions)} answers in the right format. They are scored when your notebook is graded.")
    return {q: normalized[q].strip().upper() for q in questions}


def grade_exam(exam_answers: Callable, key: dict[str, tuple[str, str]], points_per_question: float = 1.0):
    """Hidden check: one point per right letter, and why the right answer is right."""
    try:
        answers = check_exam_format(exam_answers, list(key), verbose=False)
    except CheckFailed as exc:
        raise CheckFailed(str(exc)) from None
    right = 0
    for q, (letter, why) in key.items():
        ok = answers[q] == letter.upper()
        right += ok
        mark = "right" if ok else f"wrong (you answered {answers[q]})"
        print(f"{q}: {mark}. The answer is {letter}: {why}")
    earned = right * points_per_question
    if right == len(key):
        return None
    if right == 0:
        raise CheckFailed(f"exam_answers(): 0 of {len(key)} right; read the explanations above.")
    return float(earned)


# --------------------------------------------------------------------------- nbgrader Validate
# nbgrader's Validate (the button of its JupyterLab extension and `nbgrader validate`) executes
# the notebook with NBGRADER_VALIDATING=1 and judges each test cell by its outputs only: an
# error or any stderr text fails the cell and that text is what the learner is shown; a number
# as the last value is read as partial credit and shown as "Partial credit; passed some but not
# all of the tests", with none of the checks' messages. So while validating (and only then:
# autograding keeps the scoring described at the top of this module) a test cell that did not
# pass writes its teaching report to stderr and returns nothing. An exercise whose function
# still raises NotImplementedError reads as not started.

NOT_STARTED = "not implemented yet"  # the words `call` and `Exercise.check` use for it


def validating() -> bool:
    """True while nbgrader validates (not while it autogrades)."""
    return os.environ.get("NBGRADER_VALIDATING") == "1"


def _wrap(text: str, width: int = 78) -> str:
    """Wrap for the Validate dialog and `nbgrader validate` (which cuts lines at 87 chars)."""
    import textwrap

    out = []
    for line in text.splitlines():
        lead = line[: len(line) - len(line.lstrip())]
        out.append(textwrap.fill(line, width, initial_indent="", subsequent_indent=lead,
                                 break_long_words=True, break_on_hyphens=False) if line.strip() else "")
    return "\n".join(out)


def validation_report(ex: "Exercise") -> tuple[str, str | None]:
    """(status line, failure report or None) of an exercise, as Validate shows it."""
    n = len(ex.results)
    passed = sum(1 for *_, err in ex.results if err is None)
    checks = "check" if n == 1 else "checks"
    if n and passed == n:
        return (f"{ex.name}: the {'' if n == 1 else str(n) + ' '}visible {checks} passed. "
                "More checks run when your notebook is graded."), None
    if n == 0:
        return f"{ex.name}: no checks ran.", f"{ex.name}: no checks ran."
    if passed == 0 and all(NOT_STARTED in (err or "") for *_, err in ex.results):
        text = (f"{ex.name}: not started yet (0 of {ex.points:g} points). Replace "
                "`raise NotImplementedError()` in its answer cell with your code, run that cell, "
                "then validate again.")
        return text, text
    text = (f"{ex.name}: {passed} of {n} visible {checks} passed ({ex.score():g} of {ex.points:g} "
            "points so far); more checks run when your notebook is graded.\n" + ex.report())
    return text.splitlines()[0], text


def validation_done(ex: "Exercise") -> None:
    """``Exercise.done`` while validating: a pass prints to stdout, anything else to stderr."""
    import sys

    status, failure = validation_report(ex)
    if failure is None:
        print(status)
    else:
        sys.stderr.write(_wrap(failure) + "\n")
    return None


def validation_exam_format(exam_answers: Callable, questions: Sequence[str], choices: str) -> None:
    """``check_exam_format`` while validating: a clear line on stderr instead of a traceback."""
    import sys

    try:
        check_exam_format(exam_answers, questions, choices, verbose=False)
    except CheckFailed as exc:
        if NOT_STARTED in str(exc):
            msg = ("exam_answers: not started yet (0 points). Replace `raise NotImplementedError()` "
                   "with a dict of your letters, run that cell, then validate again.")
        else:
            msg = f"exam_answers: {exc}"
        sys.stderr.write(_wrap(msg) + "\n")
        return None
    print(f"exam_answers(): {len(questions)} answers in the right format. "
          "They are scored when your notebook is graded.")
    return None
