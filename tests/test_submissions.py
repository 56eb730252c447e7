"""Finding and naming submissions: files, folders, Gradescope "Export Submissions" folders."""

import sys
import zipfile
from pathlib import Path

import pytest

from autograder import submissions
from autograder.submissions import UsageError, discover

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
from gradescope_export import Submission, metadata, write_export  # noqa: E402

# The shape of Gradescope's submission_metadata.yml: Ruby-style times with fractions, an unquoted
# sid, a tag this reader does not know, and an empty upload.
SUBMISSIONS = [
    Submission("submission_1001", [("Ada Lovelace", "1815", "ada@example.edu")],
               (":created_at: 2024-10-01 12:00:00.123456000 -07:00", ":score: 60.0",
                ":status: processed"), {"rnn_dinosaurs.ipynb": "{}"}),
    Submission("submission_987", [("Alan Turing", "1912", "alan@example.edu"),
                                  ("Grace Hopper", 1906, "grace@example.edu")],
               (":created_at: 2024-10-02 08:30:00.000000000 -07:00",
                ":results: !ruby/object:ActiveSupport::HashWithIndifferentAccess",
                "  score: 12.0"), {"rnn_dinosaurs.ipynb": "{}"}),
    Submission("submission_1002", [("Emmy Noether", "1882", "emmy@example.edu")]),
]


def export(tmp_path):
    return write_export(tmp_path / "assignment_42_export", SUBMISSIONS)


def test_gradescope_export_is_one_submission_per_folder_named_by_its_submitters(tmp_path):
    subs = discover([export(tmp_path)])
    assert [s.label for s in subs] == ["submission_987", "submission_1001", "submission_1002"]
    by = {s.label: s for s in subs}
    ada = by["submission_1001"]
    assert (ada.name, ada.email, ada.sid) == ("Ada Lovelace", "ada@example.edu", "1815")
    group = by["submission_987"]
    assert group.name == "Alan Turing; Grace Hopper"
    assert group.email == "alan@example.edu; grace@example.edu"
    assert group.sid == "1912; 1906"
    # the same file name in every folder, never the same output folder
    assert [s.out_name for s in subs] == ["submission_987", "submission_1001", "submission_1002"]
    assert ada.path.name == group.path.name == "rnn_dinosaurs.ipynb"
    empty = by["submission_1002"]
    assert empty.path is None and "empty" in empty.error


def test_folder_is_every_notebook_and_zip_under_it(tmp_path):
    for rel in ("alice/rnn_dinosaurs.ipynb", "bob/rnn_dinosaurs.ipynb", "bob/extra/notes.txt",
                "carol.zip", "alice/.ipynb_checkpoints/rnn_dinosaurs-checkpoint.ipynb",
                "__MACOSX/alice/._rnn_dinosaurs.ipynb", "dave.ipynb"):
        path = tmp_path / "class" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    subs = discover([tmp_path / "class"])
    assert [s.out_name for s in subs] == ["alice__rnn_dinosaurs", "bob__rnn_dinosaurs", "carol",
                                          "dave"]
    assert all(s.name == "" and s.error is None for s in subs)


def test_export_below_a_folder_and_equal_names_across_arguments(tmp_path):
    root = export(tmp_path)
    (tmp_path / "late").mkdir()
    (tmp_path / "late" / "rnn_dinosaurs.ipynb").write_text("{}")
    subs = discover([tmp_path, tmp_path / "late" / "rnn_dinosaurs.ipynb"])
    names = [s.out_name for s in subs]
    assert len(set(names)) == len(names)
    assert "submission_1001" in names and root.name not in names
    # the same file twice (in the folder, and named alone) gets -2
    assert names[-2:] == ["rnn_dinosaurs", "rnn_dinosaurs-2"]


def test_same_file_twice_gets_distinct_folders(tmp_path):
    (tmp_path / "hw.ipynb").write_text("{}")
    (tmp_path / "hw.zip").write_bytes(b"")
    subs = discover([tmp_path / "hw.ipynb", tmp_path / "hw.zip", tmp_path / "hw.ipynb"])
    assert [s.out_name for s in subs] == ["hw", "hw-2", "hw-3"]


@pytest.mark.parametrize("layout", ["empty", "only_other_files", "missing"])
def test_a_folder_holding_no_submission_is_a_usage_error(tmp_path, layout):
    folder = tmp_path / "subs"
    if layout != "missing":
        folder.mkdir()
    if layout == "only_other_files":
        (folder / "readme.txt").write_text("hello")
        (folder / ".ipynb_checkpoints").mkdir()
        (folder / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    with pytest.raises(UsageError, match="holds no submission|does not exist"):
        discover([folder])


def test_the_export_zip_itself_says_unzip_it(tmp_path):
    path = tmp_path / "submissions.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("assignment_42_export/submission_metadata.yml", metadata(SUBMISSIONS))
    with pytest.raises(UsageError, match="unzip"):
        discover([path])


def test_unreadable_metadata_is_a_usage_error(tmp_path):
    root = tmp_path / "export"
    root.mkdir()
    (root / "submission_metadata.yml").write_text("- just\n- a list\n")
    with pytest.raises(UsageError, match="not Gradescope's submission metadata"):
        submissions.read_metadata(root / "submission_metadata.yml")
    (root / "submission_metadata.yml").write_text("a: [unclosed\n")
    with pytest.raises(UsageError, match="cannot read"):
        discover([root])


def test_grade_exits_2_for_a_folder_without_submissions(tmp_path, capsys):
    from autograder import grade

    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "notes.txt").write_text("no notebook here")
    assert grade.main([str(tmp_path / "subs"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "holds no submission" in err and not (tmp_path / "out" / "grades.csv").exists()
