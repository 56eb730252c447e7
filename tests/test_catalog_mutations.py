"""The catalog loader's mutations: a bug written as the reference plus replacements."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from solutions import rnn

sys.path.insert(0, str(Path(__file__).resolve().parent / "catalog"))
import catalog  # noqa: E402

HEADER = "# function: bptt\n# kind: bug\n# description: d\n# base: solutions.rnn.bptt\n"


def _load(tmp_path, monkeypatch, body):
    header = HEADER.replace("bptt", "sample") if "n_x, 1" in body else HEADER
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "bug.py").write_text(header + body)
    monkeypatch.setattr(catalog, "CATALOG_DIR", tmp_path)
    return catalog.load_catalog(notebook="nb")


def test_a_mutation_is_the_reference_with_the_block_applied(tmp_path, monkeypatch):
    body = "# replace:\n#         dh_next = U.T @ da\n# with:\n#         dh_next = U @ da\n"
    (entry,) = _load(tmp_path, monkeypatch, body)
    reference = inspect.getsource(rnn.bptt)
    assert entry.definition == reference.replace("dh_next = U.T @ da", "dh_next = U @ da")
    assert entry.source.startswith(HEADER) and entry.source.endswith(entry.definition)


@pytest.mark.parametrize("body, words", [
    ("# replace:\n#     no such line\n# with:\n#     x\n", "occurs 0 times"),
    # twice in the reference, as "    x = ..." and inside "        x = ...": ambiguous
    ("# replace:\n#     x = np.zeros((n_x, 1))\n# with:\n#     x = 0\n", "occurs 2 times"),
    ("# replace:\n#     T = X.shape[2]\n# with:\n#     T = X.shape[2]\n", "unchanged"),
    ("# replace:\n#     T = X.shape[2]\n", "no '# with:'"),
])
def test_a_stale_or_empty_mutation_fails_loudly(tmp_path, monkeypatch, body, words):
    """The error names the file, so a change to the reference that breaks a bug is found."""
    with pytest.raises(ValueError, match=rf"bug\.py: .*{words}"):
        _load(tmp_path, monkeypatch, body)


def test_a_mutation_of_another_entry_starts_from_that_entrys_definition(tmp_path, monkeypatch):
    (tmp_path / "nb").mkdir()
    alternative = "def bptt(X, Y, H, Y_hat, h0, parameters):\n    return {'dh0': 2 * h0}\n"
    (tmp_path / "nb" / "alt.py").write_text(
        "# function: bptt\n# kind: correct\n# description: d\n\n" + alternative)
    (tmp_path / "nb" / "bug.py").write_text(
        HEADER.replace("solutions.rnn.bptt", "alt") + "# replace:\n#     return {'dh0': 2 * h0}\n"
        "# with:\n#     return {'dh0': h0}\n")
    monkeypatch.setattr(catalog, "CATALOG_DIR", tmp_path)
    alt, bug = catalog.load_catalog(notebook="nb")
    assert alt.definition == alternative
    assert bug.definition == alternative.replace("2 * h0", "h0")
