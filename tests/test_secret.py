"""The hidden inputs' secret (autograder.secret): where it comes from, what it changes."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import build, secret

ROOT = Path(__file__).resolve().parents[1]


def test_environment_first_then_the_file(tmp_path):
    path = tmp_path / ".autograder_secret"
    path.write_text("from the file\n")
    assert secret.load_secret(env={"AUTOGRADER_SECRET": " from env "}, path=path) == (
        "from env", "environment variable AUTOGRADER_SECRET")
    assert secret.load_secret(env={}, path=path) == ("from the file", f"file {path}")


def test_a_checkout_without_a_secret_gets_one_that_stays(tmp_path, caplog):
    path = tmp_path / ".autograder_secret"
    first, where = secret.load_secret(env={}, path=path)
    assert "new" in where and "made a new one" in caplog.text
    assert len(first) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret.load_secret(env={}, path=path)[0] == first  # the next run grades the same
    with pytest.raises(secret.SecretError):
        secret.load_secret(env={}, path=tmp_path / "missing", create=False)


def test_a_file_left_readable_by_others_is_closed(tmp_path):
    path = tmp_path / ".autograder_secret"
    path.write_text("s3cret\n")
    os.chmod(path, 0o644)
    assert secret.load_secret(env={}, path=path)[0] == "s3cret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", "x" * 201])
def test_unusable_secrets_are_refused_not_replaced(tmp_path, bad):
    with pytest.raises(secret.SecretError):
        secret.load_secret(env={"AUTOGRADER_SECRET": bad or " "}, path=tmp_path / "s")
    with pytest.raises(build.BuildError, match="unusable secret"):
        build.build(tmp_path / "out", secret=bad or " ")


def test_seeds_differ_per_secret_and_per_notebook():
    a = secret.derive_seed("term one", "rnn_dinosaurs")
    assert a == secret.derive_seed("term one", "rnn_dinosaurs")
    assert a != secret.derive_seed("term two", "rnn_dinosaurs")
    assert a != secret.derive_seed("term one", "rnn_bidirectional_deep")
    assert 0 <= a < 2**63


_PROBE = """
import hashlib
import numpy as np
from autograder.checks import rnn_dinosaurs as c1, rnn_bidirectional_deep as c2
from autograder.checks.public import render_public_tests
hidden = hashlib.sha256()
hidden.update(c1._inputs(1, 3, 5, 4, 2, 1)["X"].tobytes())
hidden.update(c1._SAMPLE["parameters"]["U"].tobytes())
hidden.update(str(c2._PRIVATE_SEED).encode())
public = hashlib.sha256()
for key in ("rnn_dinosaurs", "rnn_bidirectional_deep"):
    for name, text in sorted(render_public_tests(key).items()):
        public.update(text.encode())
print(hidden.hexdigest(), public.hexdigest())
"""


def _probe(value):
    env = dict(os.environ, AUTOGRADER_SECRET=value)
    proc = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    return proc.stdout.split()


def test_hidden_inputs_follow_the_secret_and_public_tests_do_not():
    hidden_a, public_a = _probe("term one")
    hidden_b, public_b = _probe("term two")
    assert hidden_a != hidden_b, "a table of hidden inputs leaked once would stay valid"
    assert public_a == public_b, "the students' public tests must not depend on the secret"
    assert _probe("term one")[0] == hidden_a  # a TA who sets the secret regrades exactly


def _zip_secret(path):
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(secret.SECRET_FILE_NAME)
        return zf.read(info).decode().strip(), stat.S_IMODE(info.external_attr >> 16)


def test_every_zip_gets_a_fresh_secret_unless_one_is_given(tmp_path):
    first, mode = build.write_zip(tmp_path / "a.zip", [], []) and _zip_secret(tmp_path / "a.zip")
    build.write_zip(tmp_path / "b.zip", [], [])
    assert mode == 0o600 and len(first) == 32
    assert _zip_secret(tmp_path / "b.zip")[0] != first
    build.write_zip(tmp_path / "c.zip", [], [], secret="regrade of term one")
    assert _zip_secret(tmp_path / "c.zip")[0] == "regrade of term one"


def test_the_unpacked_zip_grades_with_its_own_secret(tmp_path):
    """Without AUTOGRADER_SECRET (as on Gradescope), the grader reads the zip's secret file."""
    build.write_zip(tmp_path / "autograder.zip", [], [], secret="the zip's own")
    source = tmp_path / "source"
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        zf.extractall(source)
    env = {k: v for k, v in os.environ.items() if k not in ("AUTOGRADER_SECRET", "PYTHONPATH")}
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", "import sys; sys.path.insert(0, '.'); "
                                     "import autograder.secret as s; print(s.__file__); "
                                     "print(s.private_seed('rnn_dinosaurs'))"],
        cwd=source, env=env, capture_output=True, text=True, timeout=60, check=True)
    where, seed = proc.stdout.split()
    assert Path(where).resolve().is_relative_to(source.resolve())
    assert int(seed) == secret.derive_seed("the zip's own", "rnn_dinosaurs")


def test_build_writes_the_tas_copy(dist):
    """``build`` puts the zip's secret beside it for the TA (outside student/)."""
    copy = dist / build.SECRET_COPY
    assert copy.read_text().strip() == _zip_secret(dist / "autograder.zip")[0]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    # the suite fixes AUTOGRADER_SECRET (conftest), and build honours it
    assert copy.read_text().strip() == os.environ["AUTOGRADER_SECRET"]
    students = b"".join(p.read_bytes() for p in (dist / "student").rglob("*") if p.is_file())
    assert copy.read_text().strip().encode() not in students
    assert hashlib.sha256(copy.read_bytes()).hexdigest() not in students.decode("latin-1")


def _grade_entry_with_secret(entry_name, secret_value, tmp_path):
    """results.json of the hostile entry's notebook, graded by `grade` under secret_value."""
    import json

    import nbformat
    from test_hostile import ENTRIES, _hostile_notebook, _solved_notebook

    entry = ENTRIES[entry_name]
    path = tmp_path / f"{entry_name}.ipynb"
    nbformat.write(_hostile_notebook(_solved_notebook(entry.notebook), entry), path)
    out = tmp_path / f"out-{abs(hash(secret_value))}"
    env = dict(os.environ, AUTOGRADER_SECRET=secret_value)
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(path), "--out", str(out),
                    "--no-progress"], cwd=ROOT, env=env, capture_output=True, timeout=300,
                   check=True)
    results = json.loads((out / entry_name / "results.json").read_text())
    return {t["name"]: t["score"] for t in results["tests"]}


def test_a_table_leaked_under_last_terms_secret_works_then_and_not_now(tmp_path):
    """The stale_leaked_table entry is a real attack: under the secret its table was made with,
    its lookup rnn_cell_forward earns every hidden point with no implementation; under any other
    secret (the suite's, a new build's) nothing."""
    header = (ROOT / "tests" / "hostile" / "stale_leaked_table.py").read_text()
    old_secret = next(line.partition(":")[2].strip() for line in header.splitlines()
                      if line.startswith("# leaked-secret:"))
    assert old_secret != os.environ["AUTOGRADER_SECRET"]
    then = _grade_entry_with_secret("stale_leaked_table", old_secret, tmp_path)
    now = _grade_entry_with_secret("stale_leaked_table", os.environ["AUTOGRADER_SECRET"],
                                   tmp_path)
    public_points = 2  # the public case is not in the table
    assert then["rnn_cell_forward"] == 10 - public_points, then
    assert now["rnn_cell_forward"] <= 1, now  # what zeros earn (the shapes case)
    assert then["clip"] == now["clip"] == 5


def test_a_secret_file_this_user_cannot_read_stops_the_batch_with_its_reason(tmp_path,
                                                                            monkeypatch, capsys):
    """Root's checkout graded by a TA's user: the 0600 file is root's. The batch stops at once,
    naming the file and the way out, instead of an internal error in every submission (what the
    bubblewrap rehearsal as a TA's user showed)."""
    from autograder import grade

    path = tmp_path / secret.SECRET_FILE_NAME
    secret.write_secret(path, "s" * 32)
    real_read = Path.read_text

    def read_text(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    monkeypatch.delenv(secret.SECRET_ENV, raising=False)
    with pytest.raises(secret.SecretError, match="cannot be read.*AUTOGRADER_SECRET"):
        secret.load_secret(path=path)
    monkeypatch.setattr(secret, "SECRET_PATH", path)
    nb = tmp_path / "nb.ipynb"
    nb.write_text("{}")
    assert grade.main([str(nb), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "cannot be read" in err and secret.SECRET_ENV in err
    monkeypatch.setenv(secret.SECRET_ENV, "t" * 32)  # the way out it names
    assert secret.load_secret(path=path)[0] == "t" * 32
