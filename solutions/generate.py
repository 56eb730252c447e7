"""The dinosaur-name generator's command line.

    python -m solutions.generate train --data FILE --out MODEL.npz [--val FILE] [--seed S]
                                       [--metrics-json FILE] [--trainer fast|classic] [...]
    python -m solutions.generate sample --model MODEL.npz -n N [--seed S]

``train`` fits the RNN to the names in FILE (one per line), holding out the names of --val or,
without it, a seeded 10% of FILE; it keeps the weights that score best on the held-out names,
saves them with the vocabulary to MODEL.npz, draws a loss-curve plot beside it (MODEL.png), and
prints a few sampled names. ``sample`` prints N names drawn from a saved model with
numpy.random.default_rng(S).

Bad input (a missing, empty or unreadable names file, a character outside a-z, a missing or corrupt
model file) ends with a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import os

# One BLAS thread, set before NumPy loads OpenBLAS: the products here are small (64 x 64), and on
# a busy 2-core machine a second OpenBLAS thread made them up to 10x slower instead of faster.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from solutions.data import (  # noqa: E402
    NamesFileError,
    build_vocab,
    decode,
    encode_name,
    load_names,
    split_names,
)
from solutions.rnn import sample  # noqa: E402
from solutions.train import (  # noqa: E402
    ModelFileError,
    bigram_nll,
    load_model,
    save_model,
    train_classic,
    train_fast,
)


class UsageError(Exception):
    """Bad input the user can fix; main() prints it on one line and exits with code 2."""


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m solutions.generate",
        description="Train the dinosaur-name RNN, or sample names from a trained model.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    tr = sub.add_parser("train", help="train a model on a names file")
    tr.add_argument("--data", required=True, help="names file, one name per line (a-z)")
    tr.add_argument("--out", required=True, help="where to write the model (.npz)")
    tr.add_argument("--val", help="held-out names file (default: a seeded split of --data)")
    tr.add_argument("--val-fraction", type=float, default=0.1,
                    help="share of --data held out when --val is not given (default 0.1)")
    tr.add_argument("--seed", type=int, default=0,
                    help="seeds the split, the initial weights and the batches (default 0)")
    tr.add_argument("--metrics-json", help="write best_val_nll, train_seconds, val_curve, ... here")
    tr.add_argument("--trainer", choices=("fast", "classic"), default="fast",
                    help="fast: minibatches + Adam (default); classic: the lecture's SGD loop")
    tr.add_argument("--hidden", type=int, help="hidden size n_h (default 64 fast, 50 classic)")
    tr.add_argument("--epochs", type=float,
                    help="passes over the training names (default 25 fast, 10 classic)")
    tr.add_argument("--max-seconds", type=float, default=60.0,
                    help="stop after this many training seconds (default 60)")
    tr.add_argument("--batch-size", type=int, default=32, help="names per step, fast (default 32)")
    tr.add_argument("--lr", type=float,
                    help="learning rate (default: Adam's 0.015 for fast, SGD's 0.01 for classic)")
    tr.add_argument("--lr-decay", type=float, default=0.9,
                    help="fast: learning rate factor after each epoch (default 0.9)")
    tr.add_argument("--eval-every", type=int,
                    help="steps between held-out evaluations (default 10 fast, 1000 classic)")
    tr.add_argument("--samples", type=int, default=5, help="names to print at the end (default 5)")
    tr.add_argument("--no-progress", action="store_true", help="no progress bar")

    sa = sub.add_parser("sample", help="print names drawn from a trained model")
    sa.add_argument("--model", required=True, help="model file written by train (.npz)")
    sa.add_argument("-n", type=int, default=10, help="number of names (default 10)")
    sa.add_argument("--seed", type=int, help="seed of numpy.random.default_rng (default: random)")
    sa.add_argument("--max-length", type=int, default=50,
                    help="longest name drawn, in characters (default 50)")
    return parser


def sample_names(parameters, char_to_ix, ix_to_char, n, rng, max_length=50):
    """n names drawn with solutions.rnn.sample, capitalized.

    A draw that ends before its first letter (an empty name) is drawn again (up to 100 times), so
    every name printed has at least one letter.

    Arguments:
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_x, n_h), "beta1" (n_h, 1),
                  "beta2" (n_x, 1)
    char_to_ix, ix_to_char -- the vocabulary
    n -- number of names
    rng -- numpy.random.Generator (one generator for all n names)

    Returns:
    names -- list of n str
    """
    names = []
    for _ in range(n):
        # Bounded, so that a model that always ends at once cannot hang the command.
        for _attempt in range(100):
            name = decode(sample(parameters, char_to_ix, rng, max_length=max_length), ix_to_char)
            if name:
                break
        names.append(name.capitalize())
    return names


def plot_curves(history, path, title):
    """Save the training and held-out loss curves (nats/char against training seconds) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    if history.get("train_curve"):
        t, v = np.array(history["train_curve"]).T
        ax.plot(t, v, label="training names", alpha=0.8)
    if history.get("val_curve"):
        t, v = np.array(history["val_curve"]).T
        ax.plot(t, v, label="held-out names")
    ax.set_xlabel("training seconds")
    ax.set_ylabel("nats per character")
    ax.set_title(title)
    # The first evaluations (~3.3 nats, a uniform guess) would squash the interesting part.
    values = [v for _, v in history.get("val_curve", [])[1:] + history.get("train_curve", [])[1:]]
    values = values or [3.3]
    ax.set_ylim(min(values) - 0.1, min(max(values) + 0.1, 3.5))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _progress(total, enabled, unit):
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, unit=unit, dynamic_ncols=True, leave=False)


def cmd_train(args):
    char_to_ix, ix_to_char = build_vocab()
    names = load_names(args.data)
    if args.val:
        train_names, val_names = names, load_names(args.val)
    else:
        if len(names) < 2:
            raise UsageError(
                f"names file {args.data!r} has {len(names)} name; holding some out needs at "
                "least 2 (or give --val FILE)"
            )
        if not 0.0 < args.val_fraction < 1.0:
            raise UsageError(f"--val-fraction must be between 0 and 1, got {args.val_fraction}")
        train_names, val_names = split_names(names, args.val_fraction, args.seed)
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UsageError(f"cannot write model {str(out)!r}: folder {str(out.parent)!r} missing")
    for name, value in (("--hidden", args.hidden), ("--batch-size", args.batch_size),
                        ("--eval-every", args.eval_every)):
        if value is not None and value < 1:
            raise UsageError(f"{name} must be at least 1, got {value}")

    fast = args.trainer == "fast"
    n_h = args.hidden or (64 if fast else 50)
    epochs = args.epochs if args.epochs is not None else (25 if fast else 10)
    if epochs <= 0:
        raise UsageError(f"--epochs must be more than 0, got {epochs}")
    lr = args.lr if args.lr is not None else (0.015 if fast else 0.01)
    show = not args.no_progress
    if fast:
        steps_per_epoch = -(-len(train_names) // args.batch_size)
        bar = _progress(int(np.ceil(epochs * steps_per_epoch)), show, "step")

        def on_step(event):
            bar.update(1)
            if "val_nll" in event:
                bar.set_postfix(epoch=event["epoch"] + 1, val=f"{event['val_nll']:.3f}")

        # A fractional --epochs is honoured through the step budget below.
        parameters, history = train_fast(
            train_names, val_names, n_h=n_h, batch_size=args.batch_size, learning_rate=lr,
            epochs=int(np.ceil(epochs)), max_seconds=args.max_seconds, seed=args.seed,
            eval_every=args.eval_every or 10, lr_decay=args.lr_decay,
            max_steps=int(np.ceil(epochs * steps_per_epoch)), callback=on_step,
        )
    else:
        iterations = max(1, int(epochs * len(train_names)))
        bar = _progress(iterations, show, "name")

        def on_step(step, history):
            bar.update(1)

        parameters, history = train_classic(
            train_names, n_h=n_h, iterations=iterations, learning_rate=lr, seed=args.seed,
            val_names=val_names, eval_every=args.eval_every or 1000,
            max_seconds=args.max_seconds, keep_best=True, callback=on_step,
        )
    bar.close()

    train_enc = [encode_name(n, char_to_ix) for n in train_names]
    val_enc = [encode_name(n, char_to_ix) for n in val_names]
    metrics = {
        "best_val_nll": float(history["best_val_nll"]),
        "train_seconds": float(history["train_seconds"]),
        "val_curve": [[float(s), float(v)] for s, v in history["val_curve"]],
        "train_curve": [[float(s), float(v)] for s, v in history["train_curve"]],
        "bigram_val_nll": bigram_nll(train_enc, val_enc),
        "trainer": args.trainer,
        "hidden": n_h,
        "steps": int(history["steps"]),
        "seed": args.seed,
        "n_train": len(train_names),
        "n_val": len(val_names),
    }
    hyper = {k: metrics[k] for k in ("trainer", "hidden", "seed", "best_val_nll", "train_seconds")}
    hyper.update(learning_rate=lr, epochs=epochs, data=str(args.data))
    if fast:
        hyper.update(batch_size=args.batch_size, lr_decay=args.lr_decay)
    save_model(out, parameters, ix_to_char, hyper)
    plot = out.with_suffix(".png")
    plot_curves(history, plot, f"{args.trainer} trainer, n_h={n_h}: {Path(args.data).name}")
    if args.metrics_json:
        Path(args.metrics_json).write_text(json.dumps(metrics, indent=2) + "\n")

    print(f"trained {metrics['steps']} steps in {metrics['train_seconds']:.1f} s; best held-out "
          f"{metrics['best_val_nll']:.4f} nats/char (bigram baseline "
          f"{metrics['bigram_val_nll']:.4f}) on {len(val_names)} names")
    print(f"model: {out}   loss curves: {plot}")
    rng = np.random.default_rng(args.seed)
    for name in sample_names(parameters, char_to_ix, ix_to_char, args.samples, rng):
        print(name)
    return 0


def cmd_sample(args):
    if args.n < 0:
        raise UsageError(f"-n must be 0 or more, got {args.n}")
    if args.max_length < 1:
        raise UsageError(f"--max-length must be at least 1, got {args.max_length}")
    parameters, char_to_ix, ix_to_char, _ = load_model(args.model)
    rng = np.random.default_rng(args.seed)
    for name in sample_names(parameters, char_to_ix, ix_to_char, args.n, rng, args.max_length):
        print(name)
    return 0


def main(argv=None):
    """Run the command line; returns the exit code (0, or 2 for bad input)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            return cmd_train(args)
        return cmd_sample(args)
    except (NamesFileError, ModelFileError, UsageError) as exc:
        print("error: " + str(exc).replace("\n", " "), file=sys.stderr)
        return 2
    except OSError as exc:
        # E.g. the model or metrics file cannot be written.
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
