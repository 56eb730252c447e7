"""Benchmark: the fast trainer, the classic loop and (if installed) torch.nn.RNN, on one split.

    python benchmarks/bench_train.py --data NAMES.txt [--runs 3] [--target 1.75]

The names file is split 90/10 with seed 0 by solutions.data.split_names; every trainer sees the
same training names, the same sequence encoding (x_0 = zero vector, targets = the characters then
"\\n") and the same held-out metric (nats per character on the held-out names, end-of-name
included). Clocks measure training only (time.perf_counter around the steps; held-out evaluations
are outside them). For each trainer the table gives, as medians over --runs seeds, the training
seconds until the held-out loss first reaches --target, and the best held-out loss.

torch is optional: the torch row appears only when ``import torch`` works. Its model is
torch.nn.RNN (tanh) + torch.nn.Linear, hidden 64, batch 32, Adam lr 0.01, gradients clipped to a
global L2 norm of 5 with clip_grad_norm_ (the fast trainer's rule too), one CPU thread, float32
(torch's default; the NumPy trainers run float64 as the contract requires).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# One BLAS thread, set before NumPy loads OpenBLAS: torch runs on one thread too, and on a busy
# 2-core machine OpenBLAS's second thread made the small products of the fast trainer 10x slower.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from solutions.data import build_vocab, encode_name, load_names, split_names  # noqa: E402
from solutions.train import epoch_batches, index_batch, train_classic, train_fast  # noqa: E402


def time_to_target(curve, target):
    """First training time at which the held-out loss is <= target, or None."""
    for seconds, nll in curve:
        if nll <= target:
            return seconds
    return None


def train_torch(train_enc, val_enc, n_h, batch_size, lr, clip, epochs, max_seconds, seed,
                eval_every, bucket):
    """torch.nn.RNN on the same encoding; returns (val_curve, best) like train_fast's history."""
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(seed)
    n_x = 27
    rnn = torch.nn.RNN(n_x, n_h, nonlinearity="tanh")
    out = torch.nn.Linear(n_h, n_x)
    params = list(rnn.parameters()) + list(out.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-1, reduction="sum")

    def tensors(encoded):
        # index_batch gives (T, m) index arrays: -1 means a zero input / no target.
        x_idx, y_idx = index_batch(encoded)
        x = np.zeros(x_idx.shape + (n_x,), dtype=np.float32)
        t, i = np.nonzero(x_idx >= 0)
        x[t, i, x_idx[t, i]] = 1.0
        return torch.from_numpy(x), torch.from_numpy(y_idx)

    x_all, y_all = index_batch(train_enc)
    lengths = np.array([len(e) for e in train_enc])
    onehot_all = np.zeros(x_all.shape + (n_x,), dtype=np.float32)
    t, i = np.nonzero(x_all >= 0)
    onehot_all[t, i, x_all[t, i]] = 1.0
    onehot_all = torch.from_numpy(onehot_all)
    y_all = torch.from_numpy(y_all)
    xv, yv = tensors(val_enc)
    n_val = int((yv >= 0).sum())

    def evaluate():
        with torch.no_grad():
            h, _ = rnn(xv)
            return float(loss_fn(out(h).reshape(-1, n_x), yv.reshape(-1))) / n_val

    rng = np.random.default_rng(seed)
    curve = [[0.0, evaluate()]]
    elapsed, step = 0.0, 0
    for _ in range(epochs):
        for batch in epoch_batches(lengths, batch_size, rng, bucket):
            started = time.perf_counter()
            T = int(lengths[batch].max())
            b = torch.from_numpy(batch)
            x, y = onehot_all[:T, b], y_all[:T, b]
            h, _ = rnn(x)
            loss = torch.nn.functional.cross_entropy(
                out(h).reshape(-1, n_x), y.reshape(-1), ignore_index=-1
            )
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, clip)
            opt.step()
            elapsed += time.perf_counter() - started
            step += 1
            if step % eval_every == 0:
                curve.append([elapsed, evaluate()])
            if elapsed >= max_seconds:
                break
        if elapsed >= max_seconds:
            break
    if curve[-1][0] < elapsed:
        curve.append([elapsed, evaluate()])
    return curve, min(nll for _, nll in curve)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="names file, one name per line")
    parser.add_argument("--runs", type=int, default=3, help="seeds 0..runs-1 (default 3)")
    parser.add_argument("--target", type=float, default=1.75, help="held-out nats/char to reach")
    parser.add_argument("--epochs", type=int, default=25, help="epochs for fast and torch")
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="training-seconds cap for fast and torch")
    parser.add_argument("--classic-seconds", type=float, default=30.0,
                        help="training-seconds cap for the classic loop")
    parser.add_argument("--eval-every", type=int, default=10,
                        help="steps between held-out evaluations (batches of 32 names; the "
                             "classic loop evaluates every 32 x this many names)")
    parser.add_argument("--hidden", type=int, default=64, help="fast trainer's hidden size")
    parser.add_argument("--batch-size", type=int, default=32, help="fast trainer's batch size")
    parser.add_argument("--lr", type=float, default=0.015, help="fast trainer's Adam step size")
    parser.add_argument("--lr-decay", type=float, default=0.9,
                        help="fast trainer's learning-rate factor per epoch")
    parser.add_argument("--bucket", action="store_true",
                        help="batches of names of similar length instead of plain shuffled "
                             "batches (fast and torch)")
    parser.add_argument("--skip", default="", help="comma list of trainers to skip")
    args = parser.parse_args(argv)

    char_to_ix, _ = build_vocab()
    names = load_names(args.data)
    train_names, val_names = split_names(names, val_fraction=0.1, seed=0)
    train_enc = [encode_name(n, char_to_ix) for n in train_names]
    val_enc = [encode_name(n, char_to_ix) for n in val_names]
    bucket = args.bucket
    skip = set(filter(None, args.skip.split(",")))
    print(f"{args.data}: {len(train_names)} training names, {len(val_names)} held out; "
          f"target {args.target} nats/char; {args.runs} runs", flush=True)

    trainers = {}
    if "fast" not in skip:
        def fast(seed):
            _, hist = train_fast(
                train_names, val_names, n_h=args.hidden, batch_size=args.batch_size,
                learning_rate=args.lr, epochs=args.epochs, max_seconds=args.seconds, seed=seed,
                eval_every=args.eval_every, bucket=bucket, lr_decay=args.lr_decay,
            )
            return hist["val_curve"], hist["best_val_nll"]
        trainers[f"fast (numpy, n_h={args.hidden}, m={args.batch_size})"] = fast
    if "classic" not in skip:
        def classic(seed):
            _, hist = train_classic(
                train_names, n_h=50, iterations=10**9, seed=seed, val_names=val_names,
                eval_every=32 * args.eval_every, max_seconds=args.classic_seconds,
            )
            curve = hist["val_curve"]
            return curve, min(nll for _, nll in curve)
        trainers["classic (numpy SGD, n_h=50, m=1)"] = classic
    try:
        import torch  # noqa: F401
    except ImportError:
        print("torch not importable: no torch row", flush=True)
    else:
        if "torch" not in skip:
            def torch_rnn(seed):
                return train_torch(train_enc, val_enc, 64, 32, 0.01, 5.0, args.epochs,
                                   args.seconds, seed, args.eval_every, bucket)
            trainers["torch.nn.RNN (n_h=64, m=32, 1 thread)"] = torch_rnn

    # Seeds outer, trainers inner: a change in the machine's load hits every trainer alike.
    results = {label: ([], []) for label in trainers}
    for seed in range(args.runs):
        for label, fn in trainers.items():
            curve, best = fn(seed)
            reached = time_to_target(curve, args.target)
            results[label][0].append(reached)
            results[label][1].append(best)
            shown = "not reached" if reached is None else f"{reached:.3f} s"
            print(f"  {label} seed {seed}: to {args.target}: {shown}; best {best:.4f}; "
                  f"trained {curve[-1][0]:.2f} s", flush=True)
    rows = {}
    for label, (times, bests) in results.items():
        # A run that never reached the target counts as infinitely slow in the median.
        med_time = statistics.median(t if t is not None else float("inf") for t in times)
        rows[label] = (med_time, statistics.median(bests))

    print()
    print(f"| trainer | s to {args.target} (median) | best held-out nats/char (median) |")
    print("|---|---|---|")
    for label, (t, b) in rows.items():
        shown = "not reached" if t == float("inf") else f"{t:.3f}"
        print(f"| {label} | {shown} | {b:.4f} |")
    fast_row = next((v for k, v in rows.items() if k.startswith("fast")), None)
    torch_row = next((v for k, v in rows.items() if k.startswith("torch")), None)
    if fast_row and torch_row:
        print(f"\nratio fast/torch of time to {args.target}: {fast_row[0] / torch_row[0]:.3f}; "
              f"best fast - best torch: {fast_row[1] - torch_row[1]:+.4f} nats/char")
    return 0


if __name__ == "__main__":
    sys.exit(main())
