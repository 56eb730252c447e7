"""``python -m autograder <command>``.

    build [--out dist] [--quick | --flavors-results DIR]
                                       student and solved notebooks, public tests, autograder.zip
    grade SUBMISSION... --out DIR      grade notebooks as the Gradescope autograder does
    gradescope                         (internal) what run_autograder calls on Gradescope
"""

from __future__ import annotations

import os
import sys

USAGE = """\
usage: python -m autograder {build,grade} ...

commands:
  build [--out DIR] [--quick | --flavors-results DIR]
                                          build dist/student, dist/solved and dist/autograder.zip
  grade SUBMISSION... --out DIR [--jobs N]
                                          grade notebooks exactly as the Gradescope autograder does
"""


def main(argv=None):
    """Dispatch to the command's module; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, end="", file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command in ("grade", "gradescope"):
        # BLAS on one thread in the grader (before numpy loads): its arrays are small, and a
        # thread pool must not be running when the grader starts a process.
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
    if command == "build":
        from autograder.build import main as build_main

        return build_main(rest)
    if command == "grade":
        from autograder.grade import main as grade_main

        return grade_main(rest)
    if command == "gradescope":
        from autograder.grade import gradescope_main

        return gradescope_main()
    print(f"python -m autograder: unknown command {command!r}\n\n{USAGE}", end="", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
