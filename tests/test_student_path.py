"""The student's path: the lone notebook (Colab), the export cell, the wrong file submitted."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from autograder import notebooks
from autograder.grade import GradeConfig, grade_submission, load_config

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
from notebook_outputs import execute, text_of  # noqa: E402

KEYS = list(notebooks.NOTEBOOKS)


# ---------------------------------------------------------------- the lone notebook (Colab)


@pytest.mark.parametrize("key", KEYS)
def test_a_filled_in_notebook_alone_in_an_empty_folder_passes_every_public_check(
        dist, tmp_path, key):
    work = tmp_path / "alone"
    work.mkdir()
    shutil.copy(dist / "solved" / f"{key}.ipynb", work)
    nb = nbformat.read(work / f"{key}.ipynb", as_version=4)
    execute(nb, work)
    functions = notebooks.NOTEBOOKS[key]["functions"]
    checks = {c.source.split('"')[1]: text_of(c) for c in nb.cells
              if c.cell_type == "code" and c.source.startswith("grader.check(")}
    assert sorted(checks) == sorted(functions)
    for name, output in checks.items():
        assert f"{name} results: All test cases passed!" in output, output
    # The set-up cell wrote exactly what the handed-out folder holds beside the notebook.
    student = dist / "student"
    for function in functions:
        assert (work / "tests" / key / f"{function}.py").read_bytes() == (
            student / "tests" / key / f"{function}.py").read_bytes()
    if key == "rnn_dinosaurs":
        assert (work / "data" / "dinos.txt").read_bytes() == (
            student / "data" / "dinos.txt").read_bytes()
    assert "missing files" in text_of(nb.cells[1])


def test_the_set_up_cell_leaves_existing_files_alone(dist, tmp_path):
    work = tmp_path / "folder"
    shutil.copytree(dist / "student", work)
    (work / "data" / "dinos.txt").write_text("rex\n")  # a student's own names file
    nb = nbformat.read(work / "rnn_dinosaurs.ipynb", as_version=4)
    [setup] = [c for c in nb.cells if "embed-files" in c.source or "restore_files(" in c.source]
    assert "skip-grading" in setup.metadata["tags"] and setup.metadata["cellView"] == "form"
    nb.cells = [setup]
    execute(nb, work)
    assert "all here" in text_of(setup)
    assert (work / "data" / "dinos.txt").read_text() == "rex\n"


# ---------------------------------------------------------------- the export cell


def export_only(nb):
    """The notebook's import cell and export cell: what exporting needs, without the training."""
    keep = [c for c in nb.cells if c.cell_type == "code" and (
        c.source.lstrip().startswith("import otter") or "export_submission(grader" in c.source)]
    assert len(keep) == 2
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    out.cells = keep
    return out


def exported_notebook(work):
    [zip_path] = list(work.glob("*.zip"))
    with zipfile.ZipFile(zip_path) as zf:
        [name] = [n for n in zf.namelist() if n.endswith(".ipynb")]
        return name, json.loads(zf.read(name))


@pytest.fixture
def folder_with_copy(dist, tmp_path):
    """The handed-out folder (blank notebooks) plus a filled-in, renamed copy of notebook 1."""
    work = tmp_path / "hw"
    shutil.copytree(dist / "student", work)
    shutil.copy(dist / "solved" / "rnn_dinosaurs.ipynb", work / "my copy.ipynb")
    return work


def test_a_renamed_copy_exports_itself_when_jupyter_names_it(folder_with_copy, monkeypatch):
    work = folder_with_copy
    # What jupyter_server 2 (JupyterLab 4) gives the kernel; ipykernel makes it __session__.
    monkeypatch.setenv("JPY_SESSION_NAME", str(work / "my copy.ipynb"))
    nb = export_only(nbformat.read(work / "my copy.ipynb", as_version=4))
    execute(nb, work)
    name, exported = exported_notebook(work)
    assert name == "my copy.ipynb"
    assert exported == json.loads((work / "my copy.ipynb").read_text())


def test_a_renamed_copy_exports_itself_without_a_hint(folder_with_copy, monkeypatch):
    """nbclient, older servers, or a stale session name: the folder's one filled-in notebook 1
    (the blank original and notebook 2 are not it)."""
    work = folder_with_copy
    monkeypatch.setenv("JPY_SESSION_NAME", str(work / "rnn_dinosaurs.ipynb"))  # stale: blank
    nb = export_only(nbformat.read(work / "my copy.ipynb", as_version=4))
    execute(nb, work)
    assert exported_notebook(work)[0] == "my copy.ipynb"


def test_export_refuses_when_it_cannot_tell_which_notebook_runs(folder_with_copy, monkeypatch):
    work = folder_with_copy
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    shutil.copy(work / "my copy.ipynb", work / "another copy.ipynb")
    nb = export_only(nbformat.read(work / "my copy.ipynb", as_version=4))
    with pytest.raises(CellExecutionError) as info:
        execute(nb, work)
    message = str(info.value)
    assert "several notebooks here hold your functions" in message
    assert "another copy.ipynb" in message and "my copy.ipynb" in message
    assert not list(work.glob("*.zip"))


def test_export_refuses_the_blank_notebook(dist, tmp_path, monkeypatch):
    work = tmp_path / "hw"
    shutil.copytree(dist / "student", work)
    monkeypatch.setenv("JPY_SESSION_NAME", str(work / "rnn_dinosaurs.ipynb"))
    nb = export_only(nbformat.read(work / "rnn_dinosaurs.ipynb", as_version=4))
    with pytest.raises(CellExecutionError) as info:
        execute(nb, work)
    assert "blank functions as handed out" in str(info.value)
    assert not list(work.glob("*.zip"))


def test_on_colab_export_says_how_to_download(dist, tmp_path):
    from autograder import student_cells

    work = tmp_path / "colab"
    work.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n"
        "import otter\ngrader = otter.Notebook()"),
        nbformat.v4.new_code_cell(
            "\n\n".join(__import__("inspect").getsource(f) for f in (
                student_cells._defines, student_cells.find_notebook,
                student_cells.export_submission))
            + "\nsubmitted = export_submission(grader, 'rnn_dinosaurs', ('rnn_forward',))\n"
            "print(submitted)")]
    execute(nb, work)
    output = text_of(nb.cells[1])
    assert "File > Download > Download .ipynb" in output and output.strip().endswith("None")
    assert not list(work.glob("*.zip"))


# ---------------------------------------------------------------- the grader and the wrong file


def no_sandbox(**kw):
    return GradeConfig(sandbox=False, timeout_total=120, **kw)


@pytest.mark.parametrize("key", KEYS)
def test_the_blank_notebook_as_handed_out_gets_its_sentence(dist, tmp_path, key):
    results = grade_submission(dist / "student" / f"{key}.ipynb", tmp_path / "out", no_sandbox())
    sentence = "this is the blank notebook as handed out: did you submit the right file?"
    assert sentence in results["output"] and sentence in results["extra_data"]["error"]
    assert [t["name"] for t in results["tests"]] == list(notebooks.NOTEBOOKS[key]["functions"])
    assert all(t["score"] == 0 and t["max_score"] > 0 and sentence in t["output"]
               for t in results["tests"])


def test_a_partly_done_notebook_is_graded_not_called_blank(dist, tmp_path):
    nb = json.loads((dist / "student" / "rnn_dinosaurs.ipynb").read_text())
    solved = json.loads((dist / "solved" / "rnn_dinosaurs.ipynb").read_text())
    for cell, done in zip(nb["cells"], solved["cells"], strict=True):
        if notebooks.defined_function(notebooks.cell_source(cell)) == "clip":
            cell["source"] = done["source"]
    assert notebooks.stub_functions(nb, notebooks.NOTEBOOKS["rnn_dinosaurs"]["functions"]) == [
        "rnn_cell_forward", "rnn_forward", "bptt", "sample"]
    path = tmp_path / "partly.ipynb"
    path.write_text(json.dumps(nb))
    results = grade_submission(path, tmp_path / "out", no_sandbox())
    assert results["extra_data"]["error"] is None
    scores = {t["name"]: t["score"] for t in results["tests"]}
    assert scores["clip"] == 5 and scores["bptt"] == 0


def test_the_other_notebook_submitted_to_an_assignment_gets_its_sentence(dist, tmp_path):
    results = grade_submission(dist / "solved" / "rnn_bidirectional_deep.ipynb", tmp_path / "o",
                               no_sandbox(notebook="rnn_dinosaurs"))
    assert ("this is the notebook rnn_bidirectional_deep.ipynb (it defines birnn_forward, "
            "deep_rnn_forward), but this assignment grades rnn_dinosaurs.ipynb: did you submit "
            "the right file?") in results["output"]
    # Zero in each question of the assignment it was submitted to, so Gradescope's total holds.
    assert [t["name"] for t in results["tests"]] == list(
        notebooks.NOTEBOOKS["rnn_dinosaurs"]["functions"])
    assert results["score"] == 0 and sum(t["max_score"] for t in results["tests"]) == 60
    # The right notebook to the same assignment is graded as usual.
    right = grade_submission(dist / "solved" / "rnn_dinosaurs.ipynb", tmp_path / "r",
                             no_sandbox(notebook="rnn_dinosaurs"))
    assert right["score"] == 60 and right["extra_data"]["error"] is None


def test_build_notebook_option_writes_the_zip_s_config(tmp_path, flavors_dir):
    from autograder.build import build

    build(tmp_path / "out", flavors_dir=flavors_dir, grading={"notebook": "rnn_bidirectional_deep"})
    with zipfile.ZipFile(tmp_path / "out" / "autograder.zip") as zf:
        config = json.loads(zf.read("autograder_config.json"))
    assert config["notebook"] == "rnn_bidirectional_deep"
    path = tmp_path / "autograder_config.json"
    path.write_text(json.dumps(config))
    assert load_config(path, env={}).notebook == "rnn_bidirectional_deep"
    with pytest.raises(ValueError, match="notebook must be one of"):
        GradeConfig(notebook="rnn_dinosaur")
    from autograder.build import BuildError, grading_config

    with pytest.raises(BuildError, match="notebook must be one of"):
        grading_config(notebook="rnn_dinosaur")
    assert grading_config()["notebook"] is None  # by default the zip grades either notebook
