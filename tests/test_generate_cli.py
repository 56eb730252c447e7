"""python -m solutions.generate: train and sample end to end, and bad input."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from solutions.data import DINOS_PATH, load_names
from solutions.generate import main

TINY = ["--hidden", "12", "--epochs", "2", "--max-seconds", "20", "--no-progress"]


@pytest.fixture(scope="module")
def names_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("names") / "names.txt"
    path.write_text("\n".join(load_names(DINOS_PATH)[:200]) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(names_file, tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    model, metrics = folder / "model.npz", folder / "metrics.json"
    code = main(["train", "--data", str(names_file), "--out", str(model), "--seed", "1",
                 "--metrics-json", str(metrics), *TINY])
    assert code == 0
    return model, metrics


def test_train_writes_model_metrics_and_plot(trained, capsys):
    model, metrics_path = trained
    assert model.exists() and model.with_suffix(".png").exists()
    assert model.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads(metrics_path.read_text())
    assert isinstance(metrics["best_val_nll"], float)
    assert isinstance(metrics["train_seconds"], float) and metrics["train_seconds"] > 0
    curve = metrics["val_curve"]
    assert isinstance(curve, list) and len(curve) >= 2
    assert all(isinstance(s, float) and isinstance(v, float) for s, v in curve)
    assert curve[0][0] == 0.0 and [s for s, _ in curve] == sorted(s for s, _ in curve)
    assert metrics["best_val_nll"] == min(v for _, v in curve)
    # 200 names, 10% held out by the seeded split; two epochs learn something.
    assert metrics["n_train"] == 180 and metrics["n_val"] == 20
    assert metrics["best_val_nll"] < curve[0][1] - 0.3


def test_sample_prints_n_names_reproducibly(trained, capsys):
    model, _ = trained
    assert main(["sample", "--model", str(model), "-n", "5", "--seed", "7"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert len(first) == 5
    assert all(re.fullmatch("[A-Z][a-z]*", name) for name in first), first
    assert main(["sample", "--model", str(model), "-n", "5", "--seed", "7"]) == 0
    assert capsys.readouterr().out.splitlines() == first
    assert main(["sample", "--model", str(model), "-n", "40", "--seed", "8"]) == 0
    assert capsys.readouterr().out.splitlines() != first * 8


def test_val_file_and_classic_trainer(names_file, tmp_path, capsys):
    val = tmp_path / "val.txt"
    val.write_text("rex\nstegosaurus\n")
    metrics = tmp_path / "m.json"
    code = main(["train", "--data", str(names_file), "--val", str(val), "--out",
                 str(tmp_path / "c.npz"), "--trainer", "classic", "--metrics-json", str(metrics),
                 "--eval-every", "100", *TINY[:-5], "--epochs", "1", "--no-progress"])
    assert code == 0
    data = json.loads(metrics.read_text())
    assert data["trainer"] == "classic" and data["n_train"] == 200 and data["n_val"] == 2
    assert len(data["val_curve"]) == 1 + 2  # start, steps 100 and 200
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 + 5  # a summary, the file names, five sampled names


def test_module_entry_point(trained):
    model, _ = trained
    result = subprocess.run(
        [sys.executable, "-m", "solutions.generate", "sample", "--model", str(model), "-n", "3",
         "--seed", "0"], capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 3


def _bad_cases(tmp_path, model):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("rex\nstego-saurus\n")
    good = tmp_path / "good.txt"
    good.write_text("rex\nstegosaurus\n")
    corrupt = tmp_path / "corrupt.npz"
    corrupt.write_bytes(b"PK\x03\x04 definitely not a zip")
    out = str(tmp_path / "m.npz")
    return {
        "missing data": (["train", "--data", str(tmp_path / "nope.txt"), "--out", out],
                         "does not exist"),
        "empty data": (["train", "--data", str(empty), "--out", out], "no names"),
        "bad character": (["train", "--data", str(bad), "--out", out], "line 2"),
        "missing val file": (["train", "--data", str(good), "--val", str(tmp_path / "v.txt"),
                              "--out", out], "does not exist"),
        "missing model": (["sample", "--model", str(tmp_path / "none.npz"), "-n", "2"],
                          "not found"),
        "corrupt model": (["sample", "--model", str(corrupt), "-n", "2"], "not a valid .npz"),
    }


@pytest.mark.parametrize("case", ["missing data", "empty data", "bad character",
                                  "missing val file", "missing model", "corrupt model"])
def test_bad_input_in_process(case, tmp_path, trained, capsys):
    argv, expected = _bad_cases(tmp_path, trained[0])[case]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_input_from_the_shell(tmp_path, trained, names_file):
    cases = _bad_cases(tmp_path, trained[0])
    cases["unwritable output"] = (
        ["train", "--data", str(names_file), "--out", str(tmp_path / "no" / "m.npz")], "missing")
    for case in ("bad character", "corrupt model", "unwritable output"):
        argv, expected = cases[case]
        result = subprocess.run([sys.executable, "-m", "solutions.generate", *argv],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2, (case, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr, case
        assert result.stdout == ""


def test_model_file_is_plain_arrays(trained):
    model, _ = trained
    with np.load(model, allow_pickle=False) as data:
        assert data["V"].shape == (12, 27) and data["vocab"].tolist()[:2] == ["\n", "a"]
