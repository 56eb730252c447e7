"""Fixtures shared by the tests that need the built distribution."""

from __future__ import annotations

import os

import pytest

# One fixed hidden-input secret for the whole suite (and the graders it starts, which inherit the
# environment), so that every run grades the same hidden inputs; tests/test_secret.py varies it.
os.environ.setdefault("AUTOGRADER_SECRET", "rnn-dinosaurs test suite")

from autograder.build import build  # noqa: E402
from solutions.flavors import cached_results  # noqa: E402


@pytest.fixture(scope="module")
def dist(tmp_path_factory, pytestconfig):
    """A fresh ``build`` output (one per test module), with quick-mode flavors results kept in
    pytest's cache between runs (rerun when stale)."""
    flavors_dir, _ = cached_results(pytestconfig.cache.mkdir("flavors-quick"), quick=True)
    out = tmp_path_factory.mktemp("dist")
    build(out, flavors_dir=flavors_dir)
    return out
