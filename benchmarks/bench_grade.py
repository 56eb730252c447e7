"""Benchmark: our grader against stock otter, and a batch of 100 honest submissions.

    python benchmarks/bench_grade.py [--runs 3] [--batch 100] [--batch-runs 3] [--jobs 2]

Builds the assignment into a temporary directory (``python -m autograder build --quick``; the
flavors experiment's table does not matter here), then

1. grades the solved notebook ``--runs`` times with stock ``otter run -a autograder.zip`` (no
   Docker) and ``--runs`` times with ``python -m autograder grade``, interleaved (otter, ours,
   otter, ours, ...) so that a change in the machine's load hits both alike; each run is a fresh
   process, timed from start to exit with time.perf_counter. Prints both medians, their ratio
   ours/otter, and both per-question scores (which must agree);
2. grades ``--batch`` distinct copies of the solved notebook (each with its own comment in the
   first code cell) in ONE ``python -m autograder grade --jobs N`` call, ``--batch-runs`` times,
   and prints the median wall time (grades.csv, report.html and written_answers.html included:
   the call ends after writing them), the time per submission, and whether every copy got full
   marks and both pages were written.

Our grader runs in the sandbox mode that ``autograder.isolation.sandbox.mode()`` picks here
(printed); as root that is a sandbox user in new namespaces. Exit status 1 if a score disagrees
or a copy missed full marks.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "rnn_dinosaurs.ipynb"
OTTER = Path(sys.executable).parent / "otter"


def run(argv, cwd):
    """Seconds that argv took from start to exit; raises if it failed."""
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:3]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def question_scores(results_json, questions):
    """{question: score} of a Gradescope results.json, for the graded questions only.

    A results.json without them (a grading error) is shown, so that the run can be diagnosed.
    """
    results = json.loads(Path(results_json).read_text())
    scores = {t["name"]: float(t["score"]) for t in results["tests"] if t["name"] in questions}
    if not scores:
        print(f"  no question scores in {results_json}: {results.get('output', '')[:1000]}")
    return scores


def otter_once(dist, work):
    """(seconds, scores) of stock otter on the solved notebook, in a fresh directory."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copy(dist / "solved" / NOTEBOOK, work / NOTEBOOK)
    seconds = run([str(OTTER), "run", "--no-logo", "-a", str(dist / "autograder.zip"),
                   "-o", str(work), NOTEBOOK], cwd=work)
    return seconds, work / "results.json"


def ours_once(dist, work):
    """(seconds, results.json path) of ``python -m autograder grade`` on the solved notebook."""
    shutil.rmtree(work, ignore_errors=True)
    seconds = run([sys.executable, "-m", "autograder", "grade", str(dist / "solved" / NOTEBOOK),
                   "--out", str(work), "--no-progress"], cwd=ROOT)
    return seconds, work / Path(NOTEBOOK).stem / "results.json"


def make_copies(dist, folder, n):
    """n distinct copies of the solved notebook (a comment naming the copy in its first cell)."""
    nb = json.loads((dist / "solved" / NOTEBOOK).read_text(encoding="utf-8"))
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    source = first["source"]
    source = "".join(source) if isinstance(source, list) else source
    folder.mkdir(parents=True)
    paths = []
    for i in range(n):
        first["source"] = f"# submission {i:03d} of student {1000 + 7 * i}\n{source}"
        path = folder / f"student{i:03d}.ipynb"
        path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each grader (median)")
    parser.add_argument("--batch", type=int, default=100, help="submissions in the batch")
    parser.add_argument("--batch-runs", type=int, default=3, help="runs of the batch (median)")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the batch")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from autograder.isolation import sandbox
    from autograder.notebooks import NOTEBOOKS

    questions = NOTEBOOKS["rnn_dinosaurs"]["functions"]
    failed = False
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        tmp = Path(tmp)
        dist = tmp / "dist"
        run([sys.executable, "-m", "autograder", "build", "--out", str(dist), "--quick"], cwd=ROOT)
        print(f"sandbox mode: {sandbox.mode()}")

        # 1. one honest submission: stock otter vs ours, interleaved
        times = {"otter": [], "ours": []}
        scores = {}
        for i in range(args.runs):
            for name, once in (("otter", otter_once), ("ours", ours_once)):
                seconds, results = once(dist, tmp / f"{name}{i}")
                times[name].append(seconds)
                print(f"  run {i + 1}: {name:5s} {seconds:6.2f} s", flush=True)
                got = question_scores(results, questions)
                # Every run must give the same scores as the first one of its grader.
                failed |= got != scores.setdefault(name, got)
        median = {name: statistics.median(values) for name, values in times.items()}
        ratio = median["ours"] / median["otter"]
        print(f"\nOne honest submission ({NOTEBOOK}, solved), median of {args.runs}:")
        print(f"  {'grader':<34s} {'median s':>9s}  {'runs s':<24s}")
        for name, label in (("otter", "otter run -a autograder.zip"),
                            ("ours", "python -m autograder grade")):
            runs = ", ".join(f"{t:.2f}" for t in times[name])
            print(f"  {label:<34s} {median[name]:9.2f}  {runs:<24s}")
        print(f"  ratio ours/otter: {ratio:.2f}  (target <= 1.0)")
        print(f"\n  {'question':<18s} {'otter':>6s} {'ours':>6s}")
        for q in questions:
            otter_score, our_score = scores["otter"].get(q), scores["ours"].get(q)
            mark = "" if otter_score == our_score else "  <- DIFFERENT"
            failed |= otter_score != our_score
            print(f"  {q:<18s} {otter_score!s:>6s} {our_score!s:>6s}{mark}")

        # 2. a batch of honest submissions, graded --batch-runs times from scratch
        paths = make_copies(dist, tmp / "batch", args.batch)
        walls = []
        for i in range(args.batch_runs):
            out = tmp / f"batch-out{i}"
            seconds = run([sys.executable, "-m", "autograder", "grade", *map(str, paths),
                           "--out", str(out), "--jobs", str(args.jobs), "--no-progress"], cwd=ROOT)
            walls.append(seconds)
            with open(out / "grades.csv", newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            full = sum(1 for r in rows
                       if r["max_score"] and float(r["score"]) == float(r["max_score"]))
            pages = all((out / page).is_file() for page in ("report.html", "written_answers.html"))
            failed |= full != args.batch or not pages
            print(f"  batch run {i + 1}: {seconds:6.1f} s, full marks {full}/{args.batch}, "
                  f"report.html and written_answers.html {'written' if pages else 'MISSING'}",
                  flush=True)
        wall = statistics.median(walls)
        print(f"\n{args.batch} honest submissions, --jobs {args.jobs}, median of {args.batch_runs}"
              f" (report included):")
        print(f"  wall {wall:.1f} s ({', '.join(f'{w:.1f}' for w in walls)}), "
              f"{wall / args.batch:.2f} s per submission, "
              f"{wall * args.jobs / args.batch:.2f} s per submission per job "
              f"(target for 100: wall <= 45 s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
