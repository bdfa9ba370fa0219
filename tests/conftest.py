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
