"""data/keras_simplernn.json: what keras.layers.SimpleRNN computes is what solutions computes.

The fixture is written by scripts/make_keras_fixture.py in a separate environment with Keras (the
project does not depend on it). With Keras's weights mapped to the lecture's notation (V =
kernel^T, U = recurrent_kernel^T, beta1 = bias as a column; inputs (batch, time, features) ->
X (features, batch, time)), the reference functions give Keras's float64 states to 1e-12 and its
float32 states to 1e-6.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from solutions.bidirectional import birnn_forward
from solutions.deep import deep_rnn_forward
from solutions.rnn import rnn_forward

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "data" / "keras_simplernn.json"
SCRIPT = ROOT / "scripts" / "make_keras_fixture.py"
TOLERANCE = {"outputs_float64": 1e-12, "outputs_float32": 1e-6}


def load(path=FIXTURE):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def layer(weights):
    """A Keras SimpleRNN's weights as the lecture's layer dict."""
    return {"V": np.array(weights["kernel"]).T, "U": np.array(weights["recurrent_kernel"]).T,
            "beta1": np.array(weights["bias"]).reshape(-1, 1)}


def ours(keras_array):
    """(batch, time, features) -> (features, batch, time)."""
    return np.transpose(np.array(keras_array), (2, 0, 1))


def states(data):
    """{model: our states in our layout} for the fixture's three models."""
    X = ours(data["inputs"])
    simple = data["simple"]
    parameters = layer(simple["layer"])
    n_h = parameters["U"].shape[0]
    parameters.update(W=np.zeros((1, n_h)), beta2=np.zeros((1, 1)))  # the output layer is unused
    H, _ = rnn_forward(X, np.array(simple["initial_state"]).T, parameters)
    bi = data["bidirectional"]
    H_bi = birnn_forward(X, np.array(bi["initial_state_forward"]).T,
                         np.array(bi["initial_state_backward"]).T,
                         layer(bi["forward"]), layer(bi["backward"]))
    stacked = data["stacked"]
    Hs = deep_rnn_forward(X, [np.array(h).T for h in stacked["initial_states"]],
                          [layer(w) for w in stacked["layers"]])
    return {"simple": H, "bidirectional": H_bi, "stacked": Hs[-1]}


@pytest.mark.parametrize("model", ["simple", "bidirectional", "stacked"])
@pytest.mark.parametrize("outputs", sorted(TOLERANCE))
def test_solutions_compute_what_keras_simplernn_computes(model, outputs):
    data = load()
    mine = states(data)[model]
    theirs = ours(data[model][outputs])
    assert mine.shape == theirs.shape
    error = np.abs(mine - theirs).max()
    assert error < TOLERANCE[outputs], f"{model} vs Keras {outputs}: {error:.2e}"


def test_the_fixture_can_tell_a_wrong_mapping():
    """Not vacuous: states far from 0 and from +-1, float32 visibly rounded, and a transposed
    recurrent kernel (U where U^T belongs) or a forgotten initial state are caught."""
    data = load()
    H = ours(data["simple"]["outputs_float64"])
    assert 0.2 < np.abs(H).max() < 0.99
    rounding = np.abs(ours(data["simple"]["outputs_float32"]) - H).max()
    assert 1e-9 < rounding < 1e-6
    simple = data["simple"]
    wrong = layer(simple["layer"])
    wrong["U"] = wrong["U"].T
    wrong.update(W=np.zeros((1, 3)), beta2=np.zeros((1, 1)))
    H_wrong, _ = rnn_forward(ours(data["inputs"]), np.array(simple["initial_state"]).T, wrong)
    assert np.abs(H_wrong - H).max() > 1e-3
    right = layer(simple["layer"])
    right.update(W=np.zeros((1, 3)), beta2=np.zeros((1, 1)))
    H_zero, _ = rnn_forward(ours(data["inputs"]), np.zeros((3, 2)), right)
    assert np.abs(H_zero - H).max() > 1e-3


def test_the_fixture_is_small_and_says_where_it_comes_from():
    assert FIXTURE.stat().st_size < 32_000
    data = load()
    assert data["versions"]["backend"] in ("numpy", "jax")
    assert "make_keras_fixture.py" in data["about"]


def keras_python():
    """A Python that can import keras: this one, $KERAS_PYTHON, or the cached venv; else None."""
    candidates = [sys.executable, os.environ.get("KERAS_PYTHON"),
                  str(Path.home() / ".cache" / "rnn-dinosaurs" / "keras-venv" / "bin" / "python")]
    for python in candidates:
        if python and Path(python).is_file():
            probe = subprocess.run([python, "-c", "import keras"], capture_output=True,
                                   env={**os.environ, "KERAS_BACKEND": "numpy"})
            if probe.returncode == 0:
                return python
    return None


@pytest.mark.slow
def test_regenerating_the_fixture_with_keras_gives_the_same_numbers(tmp_path):
    python = keras_python()
    if python is None:
        pytest.skip("Keras is not installed (set KERAS_PYTHON to a Python with keras to run this)")
    out = tmp_path / "keras.json"
    subprocess.run([python, str(SCRIPT), "--out", str(out)], check=True, timeout=600,
                   env={**os.environ, "KERAS_BACKEND": "numpy"}, capture_output=True)
    fresh, committed = load(out), load()
    assert fresh["inputs"] == committed["inputs"]
    for model in ("simple", "bidirectional", "stacked"):
        for outputs, tolerance in TOLERANCE.items():
            error = np.abs(np.array(fresh[model][outputs])
                           - np.array(committed[model][outputs])).max()
            assert error < tolerance, (model, outputs, error)
