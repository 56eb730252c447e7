"""Write data/keras_simplernn.json: Keras SimpleRNN layers' weights, inputs and outputs.

The notebooks show that the student's ``rnn_forward`` (notebook 1), ``birnn_forward`` and
``deep_rnn_forward`` (notebook 2) compute what ``keras.layers.SimpleRNN`` computes, without the
students installing TensorFlow or Keras: this script, run once by an instructor in a separate
virtual environment with Keras 3 (its numpy backend; jax is not needed), stores what the layers
compute.

    python3 -m venv /tmp/keras-venv && /tmp/keras-venv/bin/pip install keras
    /tmp/keras-venv/bin/python scripts/make_keras_fixture.py [--out data/keras_simplernn.json]

What is stored, for three models (``simple``: one SimpleRNN; ``bidirectional``: Bidirectional
(SimpleRNN, merge_mode="concat"); ``stacked``: two SimpleRNN layers of widths 4 and 3), all with
``return_sequences=True`` and a given initial state:

- the weights of every SimpleRNN: ``kernel`` (n_in, n_h), ``recurrent_kernel`` (n_h, n_h),
  ``bias`` (n_h,): random, rounded to float32 so that the float32 and float64 layers hold the
  very same numbers;
- ``inputs`` (batch, time, features) and ``initial_state`` (batch, n_h) per layer or direction;
- ``outputs_float32``: what the layers (Keras's default dtype) return, (batch, time, units);
- ``outputs_float64``: the same layers built with ``dtype="float64"`` (numpy backend).

Keras computes h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias) with row vectors, so
in the lecture's column notation V = kernel^T, U = recurrent_kernel^T, beta1 = bias as a column.
tests/test_keras_fixture.py checks the file against ``solutions`` (1e-12 against float64, 1e-6
against float32) and, when Keras is installed, regenerates it and compares.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "data" / "keras_simplernn.json"
SEED = 0
M, T, N_X = 2, 5, 4  # batch, time steps, input features


def _f32(rng, *shape, scale=0.6):
    """Random float64 numbers that float32 represents exactly."""
    return rng.uniform(-scale, scale, size=shape).astype(np.float32).astype(np.float64)


def _rnn_weights(rng, n_in, n_h):
    return {"kernel": _f32(rng, n_in, n_h), "recurrent_kernel": _f32(rng, n_h, n_h),
            "bias": _f32(rng, n_h, scale=0.3)}


def make_inputs(seed=SEED):
    """The weights, inputs and initial states of the three models (float64, float32-exact)."""
    rng = np.random.default_rng(seed)
    inputs = _f32(rng, M, T, N_X, scale=1.0)
    return {
        "inputs": inputs,
        "simple": {"layer": _rnn_weights(rng, N_X, 3), "initial_state": _f32(rng, M, 3)},
        "bidirectional": {"forward": _rnn_weights(rng, N_X, 3),
                          "backward": _rnn_weights(rng, N_X, 3),
                          "initial_state_forward": _f32(rng, M, 3),
                          "initial_state_backward": _f32(rng, M, 3)},
        "stacked": {"layers": [_rnn_weights(rng, N_X, 4), _rnn_weights(rng, 4, 3)],
                    "initial_states": [_f32(rng, M, 4), _f32(rng, M, 3)]},
    }


def run_keras(spec, dtype):
    """The three models' outputs, (batch, time, units), computed by Keras in ``dtype``."""
    import keras
    from keras.src.backend.common import dtypes

    # Keras 3 computes float64 in float64 only on TensorFlow: on its other backends, type
    # promotion turns float64 into float32 (keras.src.backend.common.dtypes.BIT64_TO_BIT32_DTYPE,
    # "to be aligned with JAX's default"), so a float64 SimpleRNN would silently compute in
    # float32. For the float64 run, the numpy backend is told to keep float64, and Keras's
    # default float type is set (a layer's dtype= alone does not reach the ops inside it).
    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = dtype if dtype == "float64" else "float32"
    keras.config.set_floatx(dtype)

    def simple_rnn(weights, **kw):
        n_h = weights["bias"].shape[0]
        layer = keras.layers.SimpleRNN(n_h, return_sequences=True, dtype=dtype, **kw)
        return layer

    def load(layer, weights):
        layer.set_weights([weights[k].astype(dtype)
                           for k in ("kernel", "recurrent_kernel", "bias")])

    x = spec["inputs"].astype(dtype)
    out = {}
    simple = simple_rnn(spec["simple"]["layer"])
    simple.build(x.shape)
    load(simple, spec["simple"]["layer"])
    out["simple"] = simple(x, initial_state=[spec["simple"]["initial_state"].astype(dtype)])

    bi = spec["bidirectional"]
    both = keras.layers.Bidirectional(
        simple_rnn(bi["forward"]), backward_layer=simple_rnn(bi["backward"], go_backwards=True),
        merge_mode="concat", dtype=dtype)
    both.build(x.shape)
    load(both.forward_layer, bi["forward"])
    load(both.backward_layer, bi["backward"])
    out["bidirectional"] = both(x, initial_state=[bi["initial_state_forward"].astype(dtype),
                                                  bi["initial_state_backward"].astype(dtype)])

    st = spec["stacked"]
    h = x
    for weights, h0 in zip(st["layers"], st["initial_states"], strict=True):
        layer = simple_rnn(weights)
        layer.build(h.shape)
        load(layer, weights)
        h = layer(h, initial_state=[h0.astype(dtype)])
    out["stacked"] = h
    return {k: np.asarray(keras.ops.convert_to_numpy(v)) for k, v in out.items()}


def to_json(spec, outputs32, outputs64, versions):
    def lists(obj):
        if isinstance(obj, np.ndarray):
            return obj.astype(np.float64).tolist()
        if isinstance(obj, dict):
            return {k: lists(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [lists(v) for v in obj]
        return obj

    data = {"about": ("keras.layers.SimpleRNN weights, inputs and outputs, written by "
                      "scripts/make_keras_fixture.py; layouts are Keras's: inputs and outputs "
                      "(batch, time, features), kernel (n_in, n_h), recurrent_kernel (n_h, n_h), "
                      "bias (n_h,)"),
            "versions": versions, "inputs": lists(spec["inputs"])}
    for model in ("simple", "bidirectional", "stacked"):
        data[model] = lists(spec[model])
        data[model]["outputs_float32"] = lists(outputs32[model])
        data[model]["outputs_float64"] = lists(outputs64[model])
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="the JSON file to write")
    args = parser.parse_args(argv)
    # The numpy backend computes float64 layers in float64 (jax would need x64 mode, and its
    # SimpleRNN scan then mixes float32 into the float64 carry).
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras

    spec = make_inputs()
    outputs32 = run_keras(spec, "float32")
    outputs64 = run_keras(spec, "float64")
    for model, values in outputs64.items():
        assert values.dtype == np.float64, (model, values.dtype)
        # float64 really: the two runs differ by float32's rounding, not by nothing.
        assert 0 < np.abs(values - outputs32[model]).max() < 1e-5, model
    versions = {"keras": keras.__version__, "backend": keras.backend.backend(),
                "numpy": np.__version__}
    Path(args.out).write_text(to_json(spec, outputs32, outputs64, versions), encoding="utf-8")
    print(f"wrote {args.out} (Keras {keras.__version__}, {keras.backend.backend()} backend)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
