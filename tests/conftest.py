"""Fixtures shared by the tests that need the built distribution."""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

import pytest

# One fixed hidden-input secret for the whole suite (and the graders it starts, which inherit the
# environment), so that every run grades the same hidden inputs; tests/test_secret.py varies it.
os.environ.setdefault("AUTOGRADER_SECRET", "rnn-dinosaurs test suite")

from autograder.build import build  # noqa: E402
from solutions.flavors import cached_results  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
CACHE = Path(os.environ.get("RNN_DINOSAURS_CACHE", Path.home() / ".cache" / "rnn-dinosaurs"))


# Test modules that use both cores (batches graded with --jobs 2, four Gradescope-like boxes of
# half a CPU, the catalog on Python 3.10 with --jobs 2) or whose wall-clock limits are sized for a
# machine they have to themselves: marked ``whole_machine``. scripts/test.sh runs the rest first,
# two test files at a time (pytest-xdist --dist loadfile: a file's tests on one worker, so that
# its module fixtures are made once), then these alone, one after the other.
WHOLE_MACHINE = {
    "test_hostile.py", "test_catalog_pipeline.py", "test_batch_pages.py", "test_stock_otter.py",
    "test_gradescope_flow.py", "test_gradescope_rehearsal.py",
}


def pytest_itemcollected(item):  # as collected: before -m reads the marks
    if item.path.name in WHOLE_MACHINE:
        item.add_marker(pytest.mark.whole_machine)


@pytest.fixture(scope="session")
def flavors_dir(pytestconfig):
    """Quick-mode flavors results, kept in pytest's cache between runs (rerun when stale; under
    a lock, so that test processes running at once neither both run it nor read a half-written
    one)."""
    directory = pytestconfig.cache.mkdir("flavors-quick")
    with open(directory.parent / "flavors-quick.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return cached_results(directory, quick=True)[0]


@pytest.fixture(scope="session")
def dist(tmp_path_factory, flavors_dir):
    """A fresh ``build`` output, one for the whole session (the tests only read it; those that
    change a notebook or a folder copy it first), with the quick-mode flavors results."""
    out = tmp_path_factory.mktemp("dist")
    build(out, flavors_dir=flavors_dir)
    return out


@pytest.fixture(scope="session")
def gradescope_image(dist, tmp_path_factory):
    """(source, image): ``dist``'s zip unpacked, and the Gradescope-like box's Python 3.10
    "image" (tests/helpers/gradescope_box.py, cached in ~/.cache/rnn-dinosaurs/) with the zip's
    setup.sh just run into it inside a box. Once per session: tests/test_gradescope_rehearsal.py
    and the box modes of tests/test_hostile.py all grade with it."""
    import gradescope_box as box

    reason = box.unavailable()
    if reason:
        pytest.skip(f"no Gradescope-like box here: {reason}")
    source = box.unpack_autograder(dist / "autograder.zip",
                                   tmp_path_factory.mktemp("gradescope-image")) / "source"
    try:
        image = box.image_python(CACHE, (source / "requirements.txt").read_bytes(), source)
    except RuntimeError as exc:
        if "setup.sh failed" in str(exc):
            raise
        pytest.skip(str(exc))
    return source, image
