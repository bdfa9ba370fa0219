"""Start-up cost of the grader's process, kept off the learner's wait.

``import nbformat`` imports jsonschema, and jsonschema imports ``rfc3987_syntax`` (installed
with Jupyter, through ``jsonschema[format-nongpl]``) to offer an ``iri`` format check. That
package compiles a Lark grammar when it is imported: 1.1 s on this machine, a fifth of what
``course grade`` of module 03 takes. Neither nbformat nor nbgrader checks ``iri`` formats.

:func:`defer_rfc3987` makes ``import rfc3987_syntax`` return a light stand-in: the package's
own ``syntax_helpers`` (and with it the grammar) is imported the first time anything is looked
up in it, so a program that does check an ``iri`` still gets the real result.

:func:`lower_priority` lets a helper thread of the grader (the test cells' imports, the feedback
page's templates) yield the CPU to the learner's kernel, which is starting up meanwhile: on two
cores the kernel's start-up is what the learner waits for.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import threading

NAME = "rfc3987_syntax"


class _Deferred(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname != NAME:
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname, path)
        if real is None or real.submodule_search_locations is None:
            return None  # not installed (or not the package we know): nothing to defer
        spec = importlib.util.spec_from_loader(fullname, self, origin=real.origin, is_package=True)
        spec.submodule_search_locations = list(real.submodule_search_locations)
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        def helpers():
            return importlib.import_module(f"{NAME}.syntax_helpers")

        def is_valid_syntax(*args, **kwargs):
            return helpers().is_valid_syntax(*args, **kwargs)

        module.is_valid_syntax = is_valid_syntax  # what jsonschema imports by name
        module.__getattr__ = lambda name: getattr(helpers(), name)  # everything else, on first use


def defer_rfc3987() -> None:
    """Install the stand-in (once), unless the real package is imported already."""
    if NAME in sys.modules or any(isinstance(f, _Deferred) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Deferred())


def lower_priority() -> None:
    """Give the calling thread the lowest CPU priority (Linux schedules threads one by one; a
    no-op where that is not possible)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (OSError, AttributeError):
        pass
