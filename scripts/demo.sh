#!/usr/bin/env bash
# The main job, what a TA runs first: set up, build the assignment, grade the example submissions.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m autograder build --out dist
.venv/bin/python scripts/make_examples.py dist
.venv/bin/python -m autograder grade dist/examples/*.ipynb --out dist/graded --jobs 2
