"""solutions.flavors: the many-to-one experiment runs, its models learn, its gradients are right.

The quick run (``--quick``: 2 epochs, 1 seed) takes a few seconds; the full experiment is not run
here, so the only accuracy claim checked is the robust one (bidirectional beats unidirectional when
the evidence is at the start). Gradients of the many-to-one models are checked by centered finite
differences of the summed cross-entropy, every parameter included.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from solutions import flavors
from solutions.gradcheck import numerical_gradient, relative_error
from solutions.rnn import one_hot


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("flavors")
    assert flavors.main(["--quick", "--out-dir", str(out), "--seed", "0"]) == 0
    return out


def test_quick_run_writes_a_table_and_a_plot(quick_run):
    table = (quick_run / flavors.TABLE_FILE).read_text()
    for kind in flavors.KINDS:
        assert flavors.LABELS[kind] in table
    rows = [line for line in table.splitlines() if line.startswith("| ")
            and not line.startswith("| model |")]
    assert len(rows) == len(flavors.KINDS)
    cells = [cell for row in rows for cell in row.strip("| ").split(" | ")[2:]]
    accuracies = [float(cell.split()[0]) for cell in cells]
    assert len(accuracies) == len(flavors.KINDS) * len(flavors.TASKS)
    assert all(0.0 <= a <= 1.0 for a in accuracies)
    assert (quick_run / flavors.PLOT_FILE).read_bytes().startswith(b"\x89PNG")


def test_render_flavors_cells_embeds_table_and_png(quick_run):
    import nbformat

    cells = flavors.render_flavors_cells(quick_run)
    assert [c.cell_type for c in cells] == ["markdown", "markdown"]
    assert (quick_run / flavors.TABLE_FILE).read_text() in cells[0].source
    png = cells[1]["attachments"][flavors.PLOT_FILE]["image/png"]
    assert base64.b64decode(png) == (quick_run / flavors.PLOT_FILE).read_bytes()
    assert f"attachment:{flavors.PLOT_FILE}" in cells[1].source
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nbformat.validate(nb)


def test_quick_run_bidirectional_beats_unidirectional_on_the_start_task(quick_run):
    # The one difference the experiment shows that is robust even in --quick mode (2 epochs):
    # measured at about 0.83 against 0.51.
    table = (quick_run / flavors.TABLE_FILE).read_text()
    start = list(flavors.TASKS).index("start")
    accuracy = {}
    for kind in flavors.KINDS:
        label = f"| {flavors.LABELS[kind]} |"
        row = next(line for line in table.splitlines() if line.startswith(label))
        accuracy[kind] = float(row.strip("| ").split(" | ")[2 + start].split()[0])
    assert accuracy["bi"] > accuracy["uni"] + 0.15, accuracy


def test_the_wide_control_has_as_many_parameters_as_the_deep_model():
    rng = np.random.default_rng(0)
    for n_h in (3, 8, flavors.N_H):
        counts = {kind: sum(v.size for v in flavors.init_model(kind, rng, n_h=n_h).values())
                  for kind in flavors.KINDS}
        assert counts == {kind: flavors.n_params(kind, n_h) for kind in flavors.KINDS}
        # The closest one-layer model: one unit more or less is further from the deep count.
        w = flavors.wide_width(n_h)
        gap = abs(counts["wide"] - counts["deep"])
        assert all(gap <= abs(flavors.n_params("uni", v) - counts["deep"]) for v in (w - 1, w + 1))
        assert counts["wide"] > 1.1 * counts["uni"]
    assert flavors.wide_width(flavors.N_H) == 37
    deep = flavors.n_params("deep")
    assert abs(flavors.n_params("wide") - deep) < 0.01 * deep


def test_encoded_batches_are_the_same_batches():
    train, _ = flavors.load_task("start", seed=0)
    plain = flavors.batches(train, 64, np.random.default_rng(5))
    encoded = flavors.batches(flavors.encode_pairs(train), 64, np.random.default_rng(5))
    assert len(plain) == len(encoded)
    for (X1, Y1), (X2, Y2) in zip(plain, encoded, strict=True):
        assert np.array_equal(X1, X2) and np.array_equal(Y1, Y2)
    names = {name for name, _ in train}
    ix_to_char = {i: c for c, i in flavors.build_vocab()[0].items()}
    X, Y = plain[0]
    first = "".join(ix_to_char[int(i)] for i in np.argmax(X[:, 0, :], axis=0))
    assert first in names and X.shape[0] == flavors.N_X and Y.shape == (2, X.shape[1])


def test_fakes_keep_the_name_s_end_and_length():
    rng = np.random.default_rng(0)
    for name in ["tyrannosaurus", "ab", "rex"]:
        fake = flavors.fake_start(name, rng)
        assert len(fake) == len(name) and fake != name
        k = min(flavors.PREFIX, len(name) - 1)
        assert fake[k:] == name[k:] and all(a != b for a, b in zip(fake[:k], name[:k], strict=True))
        shuffled = flavors.fake_shuffle(name, rng)
        assert sorted(shuffled) == sorted(name) and shuffled != name


def test_held_out_names_are_not_trained_on():
    train, val = flavors.load_task("start", seed=0)
    real_train = {n for n, y in train if y == 1}
    real_val = {n for n, y in val if y == 1}
    assert not real_train & real_val
    assert sum(y for _, y in val) * 2 == len(val)


@pytest.mark.parametrize("kind", flavors.KINDS)
def test_models_beat_chance_on_the_shuffled_names(kind):
    # One short training run per flavor: all of them can tell shuffled names from real ones.
    train, val = flavors.load_task("shuffle", seed=0)
    val_data = flavors.batches(val, 256, np.random.default_rng(0))
    _, curve = flavors.train_model(kind, train, val_data, seed=1, epochs=2, n_h=16)
    assert curve[-1] > 0.7


def test_bidirectional_reads_the_start_of_the_name():
    # The point of the experiment, in small: with the evidence at the start of the name, only the
    # bidirectional model gets far from chance in two epochs.
    train, val = flavors.load_task("start", seed=0)
    val_data = flavors.batches(val, 256, np.random.default_rng(0))
    _, bi = flavors.train_model("bi", train, val_data, seed=1, epochs=2, n_h=16)
    assert bi[-1] > 0.7


@pytest.mark.parametrize("kind", flavors.KINDS)
def test_many_to_one_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(3)
    params = flavors.init_model(kind, rng, n_h=3, n_x=4, n_y=2)
    for key in params:
        # Nonzero biases and larger weights, so that no gradient is zero by accident.
        params[key] = rng.normal(0, 0.7, params[key].shape)
    X = rng.normal(size=(4, 2, 5))
    Y = one_hot(np.array([0, 1]), 2)

    def loss():
        return flavors.loss_and_gradients(params, X, Y)[0]

    _, grads, Y_hat = flavors.loss_and_gradients(params, X, Y)
    assert Y_hat.shape == (2, 2) and np.allclose(Y_hat.sum(axis=0), 1.0)
    assert set(grads) == {"d" + key for key in params}
    for key in params:
        error = relative_error(grads["d" + key], numerical_gradient(loss, params[key]))
        assert error < 1e-6, (kind, key, error)


def test_adam_minimizes_a_quadratic():
    params = {"a": np.array([3.0, -2.0])}
    optimizer = flavors.Adam(params, learning_rate=0.1)  # solutions.train's, over any keys
    for _ in range(300):
        optimizer.update(params, {"da": 2 * params["a"]})
    assert np.all(np.abs(params["a"]) < 1e-2)


def test_flavors_uses_the_one_adam_clip_and_batcher_of_solutions_train():
    from solutions import train

    assert flavors.Adam is train.Adam
    assert flavors.clip_global_norm is train.clip_global_norm
    assert flavors.same_length_batches is train.same_length_batches


def test_the_cache_stamp_hashes_the_modules_the_experiment_imports():
    modules = flavors.source_modules()
    # flavors imports train (Adam, clip, batcher), which imports rnn: all of them count.
    for name in ("solutions.flavors", "solutions.train", "solutions.rnn", "solutions.layers",
                 "solutions.bidirectional", "solutions.deep", "solutions.data"):
        assert name in modules
    assert "solutions.generate" not in modules and "solutions.gradcheck" not in modules
    assert flavors.stamp()["modules"] == modules
