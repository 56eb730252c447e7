"""The flavors of RNN, shown: a many-to-one task where direction matters, and depth is tested.

The task: is a name a real dinosaur genus, or a fake? Fakes are made from real names in two ways
(two tasks, ``TASKS``):

- "start": the first ``PREFIX`` letters replaced by random letters ("tyrannosaurus" ->
  "qwjannosaurus"). Every name appears in both classes (the real one and its fake), so the end of
  a name says nothing: the evidence is at the start, the answer is read at the end.
- "shuffle": the letters in a random order; the evidence is everywhere.

The model reads the whole name and answers once (many-to-one) from a single state:

- ``uni``: one layer read left to right; the answer comes from h_{T-1}, so what the first letters
  looked like has to survive the whole name in the state (and its gradient has to come back).
- ``bi``: ``birnn_forward``; the answer comes from [forward h_{T-1}; backward h_0], each direction's
  state after the whole name; the backward direction reads the first letters last.
- ``deep``: ``deep_rnn_forward`` with 2 layers; the answer comes from the top layer's h_{T-1}.
- ``wide``: the control for depth, one layer with as many parameters as ``deep`` (``wide_width``).

All have the same width per direction and layer (``N_H``; ``wide`` excepted), the same optimizer
(Adam), the same number of updates over the same batches, and the same held-out names (held-out
fakes are made from held-out real names only); accuracies are the mean over 3 seeds
(initialization and batch order), with the lowest and highest seed. Measured (about 36 s of CPU),
start / shuffle: uni 0.53 / 0.87, bi 0.84 / 0.89, deep 0.51 / 0.89, wide 0.49 / 0.88.

Direction matters by 0.3 on the start task, far outside the seeds' spread. Depth does not
measurably matter: its +0.02 on the shuffle task is inside the spread (deep 0.874-0.913, uni
0.869-0.876), and the wider single layer gets 0.877. Other fakes were tried (widths 4 to 24, 10 to
15 epochs, 3 to 4 seeds) and showed no robust depth gain either: two middle letters replaced, two
adjacent letters swapped, one letter replaced, a letter copying the one two places before, names of
the same length drawn from a bigram model of the names. The largest gain, 2 layers of 4 over 1 layer
of 4 on bigram fakes, was 0.022 (0.01 over a 1-layer model with as many parameters), and it was gone
at width 8. A second search (3 to 6 seeds, two data seeds) tried endings whose last 2 or 3 letters
are drawn independently from real names' letters at those positions (so only their combination
gives the fake away, read right after them), the same with ending pairs no real name has, the last
letter replaced within or across vowel/consonant, the last 3 letters reversed, vowel-count parity
(unlearnable here: 0.47-0.53 for every model), and a deep readout from both layers. Deep led by
0.03 to 0.07 over uni and 0.01 to 0.05 over the equal-parameter wide model at widths 3 to 5, with
overlapping seed ranges; the lead shrank with more updates and was gone at widths 6 and 24: depth
learned faster there, it did not compute more. One tanh layer per step can already compute any
function of (previous state, one-hot letter), and with 1,000-odd training names per-unit capacity
never binds robustly.

Run ``python -m solutions.flavors [--out-dir DIR] [--seed S] [--quick]``: it prints a markdown
table and writes ``table.md`` and ``flavors.png`` to DIR. ``render_flavors_cells()`` returns the
notebook cells (markdown: the table, and the plot as an attachment) that the build puts into
notebook 2 in place of its ``# include-results: flavors`` cell.
"""

from __future__ import annotations

import argparse
import base64
import time
from pathlib import Path

import numpy as np

from solutions.bidirectional import birnn_backward, birnn_forward
from solutions.data import DINOS_PATH, build_vocab, encode_name, load_names, split_names
from solutions.deep import deep_rnn_backward, deep_rnn_forward
from solutions.layers import (
    init_layer,
    output_backward,
    output_forward,
    rnn_layer_backward,
    rnn_layer_forward,
    softmax_cross_entropy,
)
from solutions.rnn import one_hot
from solutions.train import Adam, clip_global_norm, same_length_batches

KINDS = ("uni", "bi", "deep", "wide")
LABELS = {
    "uni": "unidirectional, 1 layer",
    "bi": "bidirectional, 1 layer",
    "deep": "unidirectional, 2 layers (deep)",
    "wide": "unidirectional, 1 wider layer (as many parameters as deep)",
}
N_X = 27  # the names' vocabulary; index 0 ("\n") never occurs inside a name
N_Y = 2  # classes: 0 fake, 1 real
N_H = 24
PREFIX = 3
LAYER_KEYS = ("V", "U", "beta1")
# (epochs, seeds) of the full run and of --quick
FULL = {"epochs": 10, "seeds": 3}
QUICK = {"epochs": 2, "seeds": 1}
BATCH_SIZE = 64
TABLE_FILE = "table.md"
PLOT_FILE = "flavors.png"


# ---------------------------------------------------------------------------------------- data


def fake_start(name, rng, prefix=PREFIX):
    """The name with its first min(prefix, len - 1) letters replaced by uniform random letters.

    At least one original letter is kept at the end, and every replaced letter differs from the
    one it replaces, so a fake is never its real name.
    """
    k = min(prefix, len(name) - 1)
    letters = list(name)
    for i in range(k):
        choices = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != letters[i]]
        letters[i] = choices[int(rng.integers(len(choices)))]
    return "".join(letters)


def fake_shuffle(name, rng):
    """The name's letters in a random order other than the name's own (if there is one)."""
    for _ in range(50):
        fake = "".join(rng.permutation(list(name)))
        if fake != name:
            return fake
    return fake_start(name, rng)  # "aaa": every order is the name itself


# task -> (how a fake is made, what the table calls it)
TASKS = {
    "start": (fake_start, f"first {PREFIX} letters random"),
    "shuffle": (fake_shuffle, "letters shuffled"),
}


def make_dataset(names, rng, task="start"):
    """Each real name (label 1) and a fake of it (label 0), as (name, label) pairs."""
    make_fake = TASKS[task][0]
    pairs = [(name, 1) for name in names]
    pairs += [(make_fake(name, rng), 0) for name in names]
    return pairs


def load_task(task="start", seed=0, val_fraction=0.2, path=DINOS_PATH):
    """Training and held-out (name, label) pairs; held-out fakes come from held-out names only."""
    names = sorted(set(load_names(path)))
    names = [n for n in names if len(n) >= 2]
    train_names, val_names = split_names(names, val_fraction=val_fraction, seed=seed)
    rng = np.random.default_rng(seed + 1)
    return make_dataset(train_names, rng, task), make_dataset(val_names, rng, task)


def encode_pairs(pairs):
    """The pairs' letters as indices, grouped by length, for batches() to cut without re-encoding.

    Returns:
    dict with "length" (n,) the length of each pair's name, "row" (n,) its row in its group,
    "letters" {T: (n_T, T) letter indices}, "labels" (n,) the labels; n = len(pairs)
    """
    char_to_ix, _ = build_vocab()
    lengths = np.array([len(name) for name, _ in pairs])
    rows = np.zeros(len(pairs), dtype=int)
    letters = {}
    for T in np.unique(lengths):
        chosen = np.flatnonzero(lengths == T)
        rows[chosen] = np.arange(len(chosen))
        # encode_name appends "\n"; the classifier reads the letters only.
        letters[int(T)] = np.array([encode_name(pairs[i][0], char_to_ix)[:-1] for i in chosen])
    labels = np.array([label for _, label in pairs])
    return {"length": lengths, "row": rows, "letters": letters, "labels": labels}


def batches(pairs, batch_size, rng):
    """The pairs cut into batches of equal-length names, in random order (no padding needed).

    The batches are those of solutions.train.same_length_batches over the names' lengths.

    Arguments:
    pairs -- list of (name, label), or encode_pairs(pairs) (the same batches, faster)
    batch_size -- at most this many names per batch
    rng -- numpy Generator: the order of the names and of the batches

    Returns:
    list of (X, Y): X one-hot letters of shape (N_X, m, T), Y one-hot labels of shape (N_Y, m)
    """
    encoded = pairs if isinstance(pairs, dict) else encode_pairs(pairs)
    out = []
    for group in same_length_batches(encoded["length"], batch_size, rng):
        chosen = np.array(group)
        T = int(encoded["length"][chosen[0]])
        X = one_hot(encoded["letters"][T][encoded["row"][chosen]], N_X)  # (N_X, m, T)
        Y = one_hot(encoded["labels"][chosen], N_Y)  # (N_Y, m)
        out.append((X, Y))
    return out


# ---------------------------------------------------------------------------------------- models


def n_params(kind, n_h=N_H, n_x=N_X, n_y=N_Y, n_layers=2):
    """The number of parameters of init_model(kind, ...), hidden layers and output layer."""
    if kind == "wide":
        kind, n_h = "uni", wide_width(n_h, n_x, n_y, n_layers)
    layer = n_h * (n_x + n_h + 1)
    if kind == "uni":
        hidden, n_read = layer, n_h
    elif kind == "bi":
        hidden, n_read = 2 * layer, 2 * n_h
    else:
        hidden, n_read = layer + (n_layers - 1) * n_h * (2 * n_h + 1), n_h
    return hidden + n_y * (n_read + 1)


def wide_width(n_h=N_H, n_x=N_X, n_y=N_Y, n_layers=2):
    """The width of the one-layer model with the parameter count closest to the deep model's.

    The control for depth: if "deep" beats "uni" only because it has more parameters, "wide"
    (one layer of this width) should beat "uni" as much.
    """
    target = n_params("deep", n_h, n_x, n_y, n_layers)
    return min(range(1, 4 * n_h + 1), key=lambda w: abs(n_params("uni", w, n_x, n_y) - target))


def init_model(kind, rng, n_h=N_H, n_x=N_X, n_y=N_Y, n_layers=2):
    """Parameters of a many-to-one classifier, as one flat dict of arrays.

    Keys: "<part>.<name>", e.g. "f.V" (forward direction), "b.U" (backward direction),
    "l0.beta1", "l1.V" (layers of the deep model), and "W" (n_y, n_read), "beta2" (n_y, 1) of the
    output layer, where n_read = 2 n_h for "bi" and n_h otherwise. "wide" is "uni" with
    wide_width(n_h) units in place of n_h (its parameters are those of a "uni" model).
    """
    if kind == "wide":
        kind, n_h = "uni", wide_width(n_h, n_x, n_y, n_layers)
    params = {}
    parts = {"uni": ["f"], "bi": ["f", "b"], "deep": [f"l{k}" for k in range(n_layers)]}[kind]
    for k, part in enumerate(parts):
        n_in = n_h if kind == "deep" and k > 0 else n_x
        for key, value in init_layer(n_in, n_h, rng).items():
            params[f"{part}.{key}"] = value
    n_read = 2 * n_h if kind == "bi" else n_h
    scale = 1.0 / np.sqrt(n_read)
    params["W"] = rng.uniform(-scale, scale, (n_y, n_read))
    params["beta2"] = np.zeros((n_y, 1))
    return params


def kind_of(params):
    """"uni" (also for a "wide" model), "bi" or "deep", from the keys of init_model's dict."""
    if "b.U" in params:
        return "bi"
    return "deep" if "l0.U" in params else "uni"


def _layer(params, part):
    return {key: params[f"{part}.{key}"] for key in LAYER_KEYS}


def _deep_parts(params):
    return sorted({key.split(".")[0] for key in params if key.startswith("l")},
                  key=lambda part: int(part[1:]))


def read_state(params, X):
    """The state the many-to-one answer is read from, and what the backward pass needs.

    Arguments:
    params -- from init_model
    X -- inputs, of shape (n_x, m, T)

    Returns:
    h -- of shape (n_read, m): uni h_{T-1}; bi [forward h_{T-1}; backward h_0] (each direction's
         state after reading the whole name); deep the top layer's h_{T-1}
    cache -- for read_state_backward
    """
    kind = kind_of(params)
    m = X.shape[1]
    if kind == "uni":
        layer = _layer(params, "f")
        h0 = np.zeros((layer["U"].shape[0], m))
        H = rnn_layer_forward(X, h0, layer)
        return H[:, :, -1], (kind, X, H, h0)
    if kind == "bi":
        params_f, params_b = _layer(params, "f"), _layer(params, "b")
        n_h = params_f["U"].shape[0]
        h0_f, h0_b = np.zeros((n_h, m)), np.zeros((n_h, m))
        H = birnn_forward(X, h0_f, h0_b, params_f, params_b)
        h = np.concatenate([H[:n_h, :, -1], H[n_h:, :, 0]], axis=0)
        return h, (kind, X, H, (h0_f, h0_b))
    layers = [_layer(params, part) for part in _deep_parts(params)]
    h0s = [np.zeros((layer["U"].shape[0], m)) for layer in layers]
    Hs = deep_rnn_forward(X, h0s, layers)
    return Hs[-1][:, :, -1], (kind, X, Hs, h0s)


def read_state_backward(params, cache, dh):
    """Gradients of the loss with respect to the hidden layers' parameters, from dL/dh.

    Arguments:
    params -- from init_model
    cache -- from read_state
    dh -- dL/dh, of the shape of read_state's h, (n_read, m)

    Returns:
    grads -- dict "d<key>" for every hidden-layer key of params (not "W", "beta2")
    """
    kind, X, H, h0 = cache
    T = X.shape[2]
    grads = {}
    if kind == "uni":
        dH = np.zeros(H.shape)
        dH[:, :, T - 1] = dh
        layer_grads, _ = rnn_layer_backward(dH, X, H, h0, _layer(params, "f"))
        parts = {"f": layer_grads}
    elif kind == "bi":
        n_h = H.shape[0] // 2
        dH = np.zeros(H.shape)
        dH[:n_h, :, T - 1] = dh[:n_h]
        dH[n_h:, :, 0] = dh[n_h:]
        grads_f, grads_b, _ = birnn_backward(dH, X, H, h0[0], h0[1], _layer(params, "f"),
                                             _layer(params, "b"))
        parts = {"f": grads_f, "b": grads_b}
    else:
        names = _deep_parts(params)
        dH_top = np.zeros(H[-1].shape)
        dH_top[:, :, T - 1] = dh
        layer_grads, _ = deep_rnn_backward(dH_top, X, H, h0, [_layer(params, p) for p in names])
        parts = dict(zip(names, layer_grads, strict=True))
    for part, g in parts.items():
        for key in LAYER_KEYS:
            grads[f"d{part}.{key}"] = g["d" + key]
    return grads


def loss_and_gradients(params, X, Y):
    """The summed cross-entropy of a batch and its gradient with respect to every parameter.

    Arguments:
    params -- from init_model
    X -- inputs, of shape (n_x, m, T)
    Y -- one-hot labels, of shape (n_y, m)

    Returns:
    loss -- float, -sum over the batch of log yhat[label]
    grads -- dict "d<key>" for every key of params, each of that parameter's shape
    Y_hat -- the predicted probabilities, of shape (n_y, m)
    """
    h, cache = read_state(params, X)
    Y_hat = output_forward(h, params["W"], params["beta2"])
    loss, dZ = softmax_cross_entropy(Y_hat, Y)
    dW, dbeta2, dh = output_backward(dZ, h, params["W"])
    grads = read_state_backward(params, cache, dh)
    grads["dW"], grads["dbeta2"] = dW, dbeta2
    return loss, grads, Y_hat


def predict(params, X):
    """Probabilities yhat of shape (n_y, m) for inputs X of shape (n_x, m, T)."""
    h, _ = read_state(params, X)
    return output_forward(h, params["W"], params["beta2"])


# ---------------------------------------------------------------------------------------- training


def accuracy(params, data):
    """Share of the (X, Y) batches' examples whose most likely class is the label."""
    right = total = 0
    for X, Y in data:
        right += int(np.sum(np.argmax(predict(params, X), axis=0) == np.argmax(Y, axis=0)))
        total += Y.shape[1]
    return right / total


def train_model(kind, train_pairs, val_data, seed, epochs, batch_size=None, learning_rate=0.01,
                max_norm=5.0, n_h=N_H):
    """Train one classifier; returns (params, curve), curve a list of held-out accuracy per epoch.

    The gradient of the batch's mean loss is clipped to a global norm of max_norm
    (solutions.train.clip_global_norm), then solutions.train.Adam takes a step.
    """
    batch_size = BATCH_SIZE if batch_size is None else batch_size
    rng = np.random.default_rng(seed)
    params = init_model(kind, rng, n_h=n_h)
    optimizer = Adam(params, learning_rate)
    train_pairs = encode_pairs(train_pairs)  # once, not every epoch
    curve = []
    for _ in range(epochs):
        for X, Y in batches(train_pairs, batch_size, rng):
            _, grads, _ = loss_and_gradients(params, X, Y)
            m = X.shape[1]
            mean, _ = clip_global_norm({k: g / m for k, g in grads.items()}, max_norm)
            optimizer.update(params, mean)
        curve.append(accuracy(params, val_data))
    return params, curve


def run_experiment(seed=0, quick=False, log=print):
    """Train the three flavors on both tasks, with the same budget, over a few seeds.

    Returns:
    results -- dict with "settings" (what was run) and, for each task and kind,
               results[task][kind] = {"curves": per seed, the held-out accuracy after each epoch,
               "final": per seed, the final accuracy, "n_params": int, "seconds": float}
    """
    budget = QUICK if quick else FULL
    results = {"settings": {"seed": seed, "n_h": N_H, "wide_n_h": wide_width(N_H),
                            "batch_size": BATCH_SIZE, **budget}}
    for task in TASKS:
        train_pairs, val_pairs = load_task(task, seed)
        results["settings"].update(train=len(train_pairs), val=len(val_pairs))
        val_data = batches(val_pairs, 256, np.random.default_rng(seed))
        results[task] = {}
        for kind in KINDS:
            started = time.perf_counter()
            curves = []
            for s in range(budget["seeds"]):
                params, curve = train_model(kind, train_pairs, val_data, seed=seed + 100 * s + 1,
                                            epochs=budget["epochs"])
                curves.append(curve)
            seconds = time.perf_counter() - started
            results[task][kind] = {"curves": curves, "final": [c[-1] for c in curves],
                                   "n_params": int(sum(v.size for v in params.values())),
                                   "seconds": seconds}
            log(f"{task:8s} {kind:5s} held-out accuracy {np.mean(curves, axis=0)[-1]:.3f} "
                f"({seconds:.1f} s)")
    return results


# ---------------------------------------------------------------------------------------- output


def markdown_table(results):
    """The results as a markdown table (one row per flavor, one column per task) and a caption."""
    s = results["settings"]
    seeds = s["seeds"]
    lines = [
        "| model | parameters | " + " | ".join(f"fakes: {TASKS[t][1]}" for t in TASKS) + " |",
        "|---|---:|" + "---:|" * len(TASKS),
    ]
    for kind in KINDS:
        cells = []
        for task in TASKS:
            final = results[task][kind]["final"]
            spread = f" ({min(final):.3f}-{max(final):.3f})" if seeds > 1 else ""
            cells.append(f"{np.mean(final):.3f}{spread}")
        n_params = results[next(iter(TASKS))][kind]["n_params"]
        lines.append(f"| {LABELS[kind]} | {n_params:,} | " + " | ".join(cells) + " |")
    wide = f" (the wider layer: {s['wide_n_h']})" if "wide_n_h" in s else ""
    lines.append("")
    lines.append(
        f"Held-out accuracy of telling real dinosaur names from fakes (mean over {seeds} "
        f"seed{'s' * (seeds > 1)}{', lowest-highest in brackets' if seeds > 1 else ''}; chance "
        f"is 0.5). {s['train']:,} training and {s['val']:,} held-out names, half real, half "
        f"fake; no held-out name or its fake is trained on. $n_h$ = {s['n_h']} per direction "
        f"and per layer{wide}; {s['epochs']} epochs of Adam on batches of {s['batch_size']}, the "
        "same for every model; a seed sets the initialization and the order of the batches. The "
        "answer is read after the whole name: from $h_{T-1}$, and for the bidirectional model "
        "also from the backward direction's $\\overleftarrow{h}_0$ (`H[n_h:, :, 0]`)."
    )
    return "\n".join(lines) + "\n"


def plot(results, path):
    """Held-out accuracy per epoch, one panel per task, saved as a PNG.

    A line is the mean over seeds, its band the lowest and highest seed.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(TASKS), figsize=(10, 4.2), sharey=True)
    for ax, task in zip(axes, TASKS, strict=True):
        for kind in KINDS:
            curves = np.array(results[task][kind]["curves"])  # (seeds, epochs)
            epochs = np.arange(1, curves.shape[1] + 1)
            line, = ax.plot(epochs, curves.mean(axis=0), marker="o", markersize=3,
                            label=LABELS[kind])
            if len(curves) > 1:
                ax.fill_between(epochs, curves.min(axis=0), curves.max(axis=0),
                                color=line.get_color(), alpha=0.15, linewidth=0)
        ax.axhline(0.5, color="gray", linestyle=":", label="chance")
        ax.set_title(f"fakes: {TASKS[task][1]}")
        ax.set_xlabel("epoch")
    axes[0].set_ylabel("held-out accuracy")
    axes[-1].legend(loc="lower right", fontsize="small")  # the shuffled panel is empty below
    fig.tight_layout()
    # No metadata: the same results give the same bytes.
    fig.savefig(path, dpi=80, metadata={"Software": None})
    plt.close(fig)


def write_outputs(results, out_dir):
    """Write table.md and flavors.png into out_dir; returns (table text, png path)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = markdown_table(results)
    (out_dir / TABLE_FILE).write_text(table, encoding="utf-8")
    plot(results, out_dir / PLOT_FILE)
    return table, out_dir / PLOT_FILE


# ---------------------------------------------------------------------------------------- cache

STAMP_FILE = "stamp.json"
RESULT_FILES = (TABLE_FILE, PLOT_FILE)


def source_modules(module="solutions.flavors"):
    """The modules of ``solutions`` that ``module`` really loads: its import closure, sorted.

    Read from the source (every ``import solutions.x`` / ``from solutions.x import ...``, also
    inside functions), so a module joins the stamp as soon as the experiment imports it, and one
    it does not import never invalidates the results.
    """
    import ast
    import importlib.util

    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            todo += [n for n in names if n == "solutions" or n.startswith("solutions.")]
    return sorted(seen)


def stamp(seed=0, quick=False):
    """What the experiment's results depend on: its settings, the code it loads, the names.

    Returns:
    stamp -- JSON-able dict: seed, quick, epochs, seeds, the modules hashed, and the sha256 of
             their source files and of the names file (solutions.data.DINOS_PATH, read when run)
    """
    import hashlib
    import importlib.util

    from solutions import data

    modules = source_modules()
    digest = hashlib.sha256()
    for name in modules:
        origin = importlib.util.find_spec(name).origin
        digest.update(f"{name}\0".encode())
        digest.update(Path(origin).read_bytes())
    digest.update(b"data\0")
    digest.update(Path(data.DINOS_PATH).read_bytes())
    budget = QUICK if quick else FULL
    return {"seed": seed, "quick": bool(quick), **budget, "modules": modules,
            "sha256": digest.hexdigest()}


def has_results(directory):
    """Whether ``directory`` holds table.md and flavors.png."""
    return all((Path(directory) / name).is_file() for name in RESULT_FILES)


def is_current(directory, seed=0, quick=False):
    """Whether ``directory`` holds the results of the experiment with these settings and code."""
    import json

    directory = Path(directory)
    try:
        found = json.loads((directory / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # no stamp, or a broken one
    return has_results(directory) and found == stamp(seed, quick)


def cached_results(directory, seed=0, quick=False):
    """The experiment's results in ``directory``, run now unless they are current there.

    Results are reused when ``directory/stamp.json`` equals ``stamp(seed, quick)``. The stamp is
    written last, so an interrupted run is never taken for a finished one.

    Returns:
    (directory, seconds) -- the directory (table.md, flavors.png, stamp.json), and how long the
                            experiment took, or None if the results were reused
    """
    import json

    directory = Path(directory)
    if is_current(directory, seed, quick):
        return directory, None
    current = stamp(seed, quick)
    stamp_path = directory / STAMP_FILE
    directory.mkdir(parents=True, exist_ok=True)
    stamp_path.unlink(missing_ok=True)
    started = time.perf_counter()
    results = run_experiment(seed=seed, quick=quick, log=lambda *_: None)
    write_outputs(results, directory)
    seconds = time.perf_counter() - started
    stamp_path.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return directory, seconds


def render_flavors_cells(results_dir=None, seed=0, quick=False):
    """The notebook cells that show the experiment, for the build to put into notebook 2.

    Arguments:
    results_dir -- a directory holding table.md and flavors.png from an earlier run
                   (``python -m solutions.flavors --out-dir DIR``); None runs the experiment now
    seed, quick -- the experiment's settings when it is run now

    Returns:
    cells -- list of nbformat v4 markdown cells: the table, then the plot as a cell attachment
    """
    import tempfile

    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        if results_dir is None:
            results_dir = tmp
            write_outputs(run_experiment(seed=seed, quick=quick, log=lambda *_: None), tmp)
        results_dir = Path(results_dir)
        table = (results_dir / TABLE_FILE).read_text(encoding="utf-8")
        png = base64.b64encode((results_dir / PLOT_FILE).read_bytes()).decode("ascii")
    table_cell = nbformat.v4.new_markdown_cell(
        "**The experiment** (run by the instructors with the reference implementation):\n\n" + table
    )
    plot_cell = nbformat.v4.new_markdown_cell(
        f"![held-out accuracy per epoch](attachment:{PLOT_FILE})"
    )
    plot_cell["attachments"] = {PLOT_FILE: {"image/png": png}}
    return [table_cell, plot_cell]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m solutions.flavors",
        description="Many-to-one RNN classifiers (unidirectional, bidirectional, deep) compared "
                    "on telling real dinosaur names from fakes.",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the data split and models")
    parser.add_argument("--out-dir", default="flavors_results",
                        help="where to write table.md and flavors.png (default: flavors_results)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK['epochs']} epochs, {QUICK['seeds']} seed (a smoke test)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run_experiment(seed=args.seed, quick=args.quick)
    table, png = write_outputs(results, args.out_dir)
    print()
    print(table)
    print(f"wrote {Path(args.out_dir) / TABLE_FILE} and {png} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
