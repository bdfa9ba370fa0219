import importlib
import os
import pkgutil

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course import paths  # noqa: E402
import tests.variants as variants_pkg  # noqa: E402


def variant_modules():
    """(module name, variants python module) for every module whose notebook exists."""
    found = []
    for info in pkgutil.iter_modules(variants_pkg.__path__):
        mod = importlib.import_module(f"tests.variants.{info.name}")
        if getattr(mod, "MODULE", None) in paths.available_modules():
            found.append((mod.MODULE, mod))
    return sorted(found, key=lambda x: x[0])


#: test files whose tests share an expensive module-scoped fixture (a whole cohort workflow, a
#: JupyterLab with a browser, a fresh build of every release, a synthetic cohort): `make test`
#: (`--dist loadgroup`) runs each file's tests in one worker, so the fixture is built once
SHARED_FIXTURE_FILES = ("tests/test_cohort.py", "tests/test_browser.py", "tests/test_release.py", "tests/test_analytics.py")


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's ``loadgroup``, grouping by file for :data:`SHARED_FIXTURE_FILES`.

    xdist 3.8 groups ``xdist_group``-marked tests by renaming ``item._nodeid``, which pytest 9 no
    longer reads: the marks had no effect, and each of these fixtures was built in both workers
    (the cohort workflow twice, 75 s each). Grouping here by file does not depend on that."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ByFile(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in SHARED_FIXTURE_FILES else super()._split_scope(nodeid)

    return ByFile(config, log)


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("submissions")


def pytest_collection_modifyitems(config, items):
    """Module 06 runs a MirroredStrategy over logical CPU devices, which TensorFlow only accepts
    before it initialises. In-process tests run every module's setup cell in this one process,
    so when any module-06 test is selected, split the CPU now, before a test starts TensorFlow
    (the notebook's own setup cell does the same in its kernel; later calls are no-ops)."""
    if any("06_distributed_training" in item.nodeid or "[06-" in item.nodeid for item in items):
        from course.lessons.distributed import split_cpu

        split_cpu(verbose=False)
