"""The cases of one submission in two phases: public cases first, hidden cases after.

``run_phases`` grades the public cases in a child process of their own, started before any hidden
input exists, and only once that child's whole process tree is gone starts a fresh child (same
notebook, same total time budget, the cells the first had to leave out left out again) for the
hidden cases. What a student sees at once (the top-level output of results.json: the public cases,
the problems of the notebook's run, its printed output) comes from the public child only, so
nothing the student's code records or prints while hidden inputs exist reaches it: hidden cases'
messages appear only in the per-function entries, whose visibility is the TA's
``hidden_visibility`` (default ``after_published``).

A case with ``gate=True`` (bptt's large ``linear_time`` case) that fails by running out of time
(its own limit, ``CallTimeLimit``, or the grader's per-call limit when that is lower) voids every
case of its function: a bptt that takes finite differences through some forward pass passes small
cases quickly and must not earn their points. One that fails with ``GateFailed`` (wrong values on
the large input, e.g. a bptt that notices the large case and skips it) voids the passed cases that
cover a property it got wrong there; an honest bptt with a bug loses nothing more than the bug
costs on the small cases, which fail on it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from autograder.checks import GateFailed
from autograder.isolation.runner import StudentTimeout


@dataclass
class Phases:
    """The outcome of ``run_phases``: [(case, passed, message)] in the cases' order, and the two
    StudentProcess objects (``hidden`` is None when there are no hidden cases)."""

    outcomes: list
    public: object
    hidden: object = None
    voided: dict = field(default_factory=dict)  # function -> (gate case, properties or None)
    measured: list = field(default_factory=list)  # the outcomes as run, before any voiding

    @property
    def restarts(self):
        return self.public.restarts + (self.hidden.restarts if self.hidden else 0)


def run_phases(cases, make_student, run_case):
    """Grade ``cases``: public ones in one child, then hidden ones in a fresh child.

    make_student() -- a new StudentProcess (not started) for this submission
    run_case(case, student, failures) -- (passed, message); puts case -> the exception that
                                         failed it into the dict ``failures``
    """
    results = {}
    failures = {}
    public = make_student()
    with public:
        public.run_notebook()
        for i, case in enumerate(cases):
            if not case.hidden:
                results[i] = run_case(case, public, failures)
    # The public child's whole process tree is gone here (StudentProcess.close): only now do
    # hidden inputs come into existence in a child.
    hidden = None
    if any(case.hidden for case in cases):
        hidden = make_student().continue_from(public)
        with hidden:
            hidden.run_notebook()
            for i, case in enumerate(cases):
                if case.hidden:
                    results[i] = run_case(case, hidden, failures)
    outcomes = measured = [(case, *results[i]) for i, case in enumerate(cases)]
    voided = {}
    for case in cases:
        error = failures.get(case)
        if not case.gate or error is None or case.function in voided:
            continue
        if isinstance(error, StudentTimeout):
            voided[case.function] = (case, None)
        elif isinstance(error, GateFailed):
            voided[case.function] = (case, set(error.wrong))
    if voided:
        outcomes = [_voided(case, passed, message, voided.get(case.function))
                    for case, passed, message in outcomes]
    return Phases(outcomes, public, hidden, voided, measured)


def _voided(case, passed, message, gate):
    if gate is None or case is gate[0]:
        return case, passed, message
    wrong = gate[1]
    # The gate is named by what it is, not by its name: a public case's line must not name a
    # hidden case.
    if wrong is None:
        why = (f"not counted: {case.function} did not finish its large test (a hidden one) within "
               "its time limit, so none of its tests count")
    elif passed and wrong & set(case.covers):
        why = (f"not counted: {case.function} got {', '.join(sorted(wrong & set(case.covers)))} "
               "wrong on the input of its large test (a hidden one), so a pass on small inputs "
               "does not count")
    else:
        return case, passed, message
    return case, False, why if passed else f"{why}; also: {message}"
