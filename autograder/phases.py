"""The cases of one submission in two phases: public cases first, hidden cases after.

``run_phases`` grades the public cases in a child process of their own, started before any hidden
input exists, and only once that child's whole process tree is gone starts a fresh child (same
notebook, same total time budget, the cells the first had to leave out left out again) for the
hidden cases. What a student sees at once (the top-level output of results.json: the public cases,
the problems of the notebook's run, its printed output) comes from the public child only, so
nothing the student's code records or prints while hidden inputs exist reaches it: hidden cases'
messages appear only in the per-function entries, whose visibility is the TA's
``hidden_visibility`` (default ``after_published``).

A case with ``gate=True`` (bptt's large ``linear_time`` case) that fails by running past its time
limit (``CallTimeLimit``, or the grader's per-call limit when that is lower) voids every case of
its function: a bptt that takes finite differences
through some forward pass passes small cases quickly and must not earn their points.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Phases:
    """The outcome of ``run_phases``: [(case, passed, message)] in the cases' order, and the two
    StudentProcess objects (``hidden`` is None when there are no hidden cases)."""

    outcomes: list
    public: object
    hidden: object = None
    voided: dict = field(default_factory=dict)  # function -> the gate case that voided it
    measured: list = field(default_factory=list)  # the outcomes as run, before any voiding

    @property
    def restarts(self):
        return self.public.restarts + (self.hidden.restarts if self.hidden else 0)


def run_phases(cases, make_student, run_case):
    """Grade ``cases``: public ones in one child, then hidden ones in a fresh child.

    make_student() -- a new StudentProcess (not started) for this submission
    run_case(case, student, timed_out) -- (passed, message); adds the case to the set
                                          ``timed_out`` when it failed by running out of time
    """
    results = {}
    timed_out = set()
    public = make_student()
    with public:
        public.run_notebook()
        for i, case in enumerate(cases):
            if not case.hidden:
                results[i] = run_case(case, public, timed_out)
    # The public child's whole process tree is gone here (StudentProcess.close): only now do
    # hidden inputs come into existence in a child.
    hidden = None
    if any(case.hidden for case in cases):
        hidden = make_student().continue_from(public)
        with hidden:
            hidden.run_notebook()
            for i, case in enumerate(cases):
                if case.hidden:
                    results[i] = run_case(case, hidden, timed_out)
    outcomes = measured = [(case, *results[i]) for i, case in enumerate(cases)]
    voided = {}
    for case in cases:
        if case.gate and case in timed_out:
            voided.setdefault(case.function, case)
    if voided:
        outcomes = [(case, False, _void_message(case, voided[case.function], passed, message))
                    if case.function in voided and case is not voided[case.function]
                    else (case, passed, message)
                    for case, passed, message in outcomes]
    return Phases(outcomes, public, hidden, voided, measured)


def _void_message(case, gate, passed, message):
    why = (f"not counted: {case.function} did not finish the test {gate.name} within its time "
           f"limit, so none of its tests count")
    return why if passed else f"{why}; also: {message}"
