#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04).
# No conda: the image's python3 and pip, with the versions pinned in requirements.txt.
# PYTHON (default python3) names the interpreter to install into; the project's tests set it to
# a fresh python3.10 virtual environment to rehearse Gradescope's installation.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-python3}"

export DEBIAN_FRONTEND=noninteractive
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-pip
fi

# libseccomp for the child's seccomp filter (autograder/isolation/confine.py); the image has it.
if ! ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2'; then
    apt-get update
    apt-get install -y --no-install-recommends libseccomp2
fi

"$PYTHON" -m pip install --no-cache-dir -r requirements.txt

# Student code runs as an unprivileged user (autograder/isolation/sandbox.py); create it now, as root.
"$PYTHON" -c 'from autograder.isolation.sandbox import ensure_sandbox_user; ensure_sandbox_user()'

# Fail the image build, not the first submission, if the grader cannot even import.
"$PYTHON" -c 'import autograder.grade, otter, numpy, scipy, nbclient, pyseccomp'

# Say which isolation mode the grader will choose (run_autograder prints it again per submission).
"$PYTHON" -c 'from autograder.isolation import sandbox; print(sandbox.describe_mode())' || true
