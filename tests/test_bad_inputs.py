"""Every kind of unusable submission gets a results.json with score 0 saying what was wrong."""

import json
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder import grade, notebooks

SCHEMA = json.loads((Path(grade.__file__).with_name("results_schema.json")).read_text())


def notebook_json(*sources, version=4):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    data = nbformat.writes(nb)
    if version != 4:
        loaded = json.loads(data)
        loaded["nbformat"] = version
        data = json.dumps(loaded)
    return data


GOOD = notebook_json("import numpy as np", "def clip(gradients, max_value):\n    return {}")


def zip_of(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def make(tmp_path, kind):
    """A bad submission of the given kind; returns its path."""
    p = tmp_path / "sub.ipynb"
    if kind == "missing":
        return p
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "whitespace":
        p.write_bytes(b"  \n")
    elif kind == "not_utf8":
        p.write_bytes(b'{"cells": [], "x": "\xff\xfe\xfa"}')
    elif kind == "not_json":
        p.write_text("this is not json")
    elif kind == "truncated":
        p.write_text(GOOD[: len(GOOD) // 2])
    elif kind == "json_not_notebook":
        p.write_text(json.dumps({"hello": "world"}))
    elif kind == "json_list":
        p.write_text("[1, 2, 3]")
    elif kind == "old_nbformat":
        p.write_text(notebook_json("def clip(g, m):\n    pass", version=3))
    elif kind == "no_nbformat":
        loaded = json.loads(GOOD)
        del loaded["nbformat"]
        p.write_text(json.dumps(loaded))
    elif kind == "invalid_cell":
        loaded = json.loads(GOOD)
        loaded["cells"][0]["source"] = 42
        p.write_text(json.dumps(loaded))
    elif kind == "no_graded_function":
        p.write_text(notebook_json("import numpy as np", "def helper(x):\n    return x"))
    elif kind == "too_large":
        with open(p, "wb") as f:
            f.seek(grade.MAX_SUBMISSION_BYTES + 10)
            f.write(b"\0")
    elif kind == "python_file":
        p = tmp_path / "sub.py"
        p.write_text("def clip(gradients, max_value):\n    return {}\n")
    elif kind == "other_extension":
        p = tmp_path / "sub.txt"
        p.write_text(GOOD)
    elif kind == "directory":
        p = tmp_path / "sub.ipynb"
        p.mkdir()
    elif kind == "zip_several":
        p = zip_of(tmp_path / "sub.zip", {"a.ipynb": GOOD, "b.ipynb": GOOD})
    elif kind == "zip_none":
        p = zip_of(tmp_path / "sub.zip", {".OTTER_LOG": b"\x80\x04pickle", "notes.txt": "x"})
    elif kind == "zip_bad":
        p = tmp_path / "sub.zip"
        p.write_bytes(b"PK\x03\x04 this is not really a zip")
    elif kind == "zip_bad_notebook":
        p = zip_of(tmp_path / "sub.zip", {"sub.ipynb": "{not json"})
    else:  # pragma: no cover
        raise ValueError(kind)
    return p


CASES = {
    "missing": "submission not found",
    "empty": "is empty",
    "whitespace": "is empty",
    "not_utf8": "is not UTF-8 text",
    "not_json": "is not valid JSON",
    "truncated": "looks cut off (truncated)",
    "json_not_notebook": "is JSON but not a Jupyter notebook",
    "json_list": "is JSON but not a Jupyter notebook",
    "old_nbformat": "old notebook format 3",
    "no_nbformat": "no nbformat version",
    "invalid_cell": "cell 0 has no source",
    "no_graded_function": "no graded function found",
    "too_large": "is too large",
    "python_file": "is a Python file",
    "other_extension": "unsupported file type '.txt'",
    "directory": "is not a file",
    "zip_several": "contains several notebooks (a.ipynb, b.ipynb)",
    "zip_none": "contains no notebook",
    "zip_bad": "is not a valid zip file",
    "zip_bad_notebook": "sub.zip:sub.ipynb is not valid JSON",
}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_bad_input_gets_a_zero_and_a_clear_message(tmp_path, kind):
    path = make(tmp_path, kind)
    out = tmp_path / "out"
    results = grade.grade_submission(path, out, grade.GradeConfig(sandbox=False))
    written = json.loads((out / "results.json").read_text())
    jsonschema.validate(written, SCHEMA)
    assert written["score"] == 0
    [entry] = written["tests"]
    assert entry["name"] == "submission" and entry["score"] == 0
    assert entry["visibility"] == "visible"  # the student must see what went wrong at once
    assert CASES[kind] in entry["output"], entry["output"]
    assert results["extra_data"]["error"] == entry["output"]


def test_otter_zip_is_graded_from_its_notebook_without_opening_the_log(tmp_path, monkeypatch):
    opened = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    path = zip_of(tmp_path / "hw.zip", {
        "rnn_dinosaurs.ipynb": GOOD,
        ".OTTER_LOG": b"\x80\x04\x95 a pickle that must never be loaded",
        "__MACOSX/._rnn_dinosaurs.ipynb": "resource fork",
        ".ipynb_checkpoints/rnn_dinosaurs-checkpoint.ipynb": GOOD,
    })
    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    nb = grade.load_submission(path)
    assert opened == ["rnn_dinosaurs.ipynb"]
    assert notebooks.identify(nb) == "rnn_dinosaurs"


def test_identify_tells_the_notebooks_apart():
    def nb(*sources):
        return json.loads(notebook_json(*sources))

    assert notebooks.identify(nb("# a comment\n\ndef rnn_forward(X, h0, p):\n    pass")) \
        == "rnn_dinosaurs"
    assert notebooks.identify(nb("def birnn_forward(X, a, b, c, d):\n    pass",
                                 "def deep_rnn_forward(X, h0s, layers):\n    pass")) \
        == "rnn_bidirectional_deep"
    with pytest.raises(notebooks.NotebookError, match="no graded function found"):
        # Only a cell *starting* with the def counts; a mention or a call does not.
        notebooks.identify(nb("x = 1\ndef rnn_forward(X):\n    pass", "rnn_forward(1)"))
