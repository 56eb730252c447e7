"""Write the example submissions the Quick start grades: a correct and a buggy one per notebook.

    python scripts/make_examples.py BUILD_DIR [--out DIR]

BUILD_DIR is what ``python -m autograder build`` wrote (its ``solved/`` notebooks). The correct
examples are the solved notebooks; a buggy example is the solved notebook with some graded cells
replaced by realistic mistakes from the test catalog (``tests/catalog``), so the examples and the
tests share one source of bugs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from autograder.notebooks import defined_function

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "catalog"))
from catalog import load_catalog  # noqa: E402

# notebook key -> the catalog bugs its buggy example carries
BUGS = {
    "rnn_dinosaurs": ("bptt_truncated", "clip_one_sided", "sample_argmax"),
    "rnn_bidirectional_deep": ("bi_added",),
}


def replace_function(nb, definition, function):
    """Put ``definition`` in place of the code cell that defines ``function``, found by the
    grader's own rule (``autograder.notebooks.defined_function``)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and defined_function(cell.source) == function:
            cell.source = definition
            return
    raise ValueError(f"no cell defines {function}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="default: BUILD_DIR/examples")
    args = parser.parse_args(argv)
    out = args.out or args.build_dir / "examples"
    out.mkdir(parents=True, exist_ok=True)
    for key, bug_names in BUGS.items():
        solved = args.build_dir / "solved" / f"{key}.ipynb"
        nb = nbformat.read(solved, as_version=4)
        nbformat.write(nb, out / f"correct_{key}.ipynb")
        entries = {e.name: e for e in load_catalog(kind="bug", notebook=key)}
        for name in bug_names:
            entry = entries[name]
            replace_function(nb, entry.definition, entry.function)
            print(f"buggy_{key}: {entry.function}: {entry.description}")
        nbformat.write(nb, out / f"buggy_{key}.ipynb")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
