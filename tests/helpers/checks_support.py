"""What tests/test_checks.py and tests/test_checks_nb2.py share: running a notebook's cases.

Not a package (no ``__init__.py`` under ``tests/``): import it by path, e.g.

    sys.path.insert(0, str(Path(__file__).parent / "helpers"))
    from checks_support import CaseRunner
"""

from __future__ import annotations

import inspect

import otter

from autograder.checks import Case, CheckFailed


class CaseRunner:
    """One notebook's cases, run on Python functions as a notebook cell would define them.

    cases -- the checks module's CASES (autograder.checks.Case objects)
    cell_namespace -- function name -> the dict a notebook cell defining it sees (np, the given
                      helpers, the other graded functions)
    """

    def __init__(self, cases, cell_namespace):
        self.cases = cases
        self.cell_namespace = cell_namespace

    def cases_of(self, function):
        return [case for case in self.cases if case.function == function]

    def load_entry(self, entry):
        """A catalog entry's function, defined as its notebook cell would define it."""
        namespace = self.cell_namespace(entry.function)
        exec(compile(entry.definition, str(entry.path), "exec"), namespace)
        return namespace[entry.function]

    def run_all(self, fn, function):
        """{case name: None if passed, else the exception} for every case of function."""
        outcome = {}
        for case in self.cases_of(function):
            try:
                case.run(fn)
                outcome[case.name] = None
            except Exception as e:  # a student's own exception fails the case, as in the grader
                outcome[case.name] = e
        return outcome

    def score(self, outcome, function):
        return sum(c.points for c in self.cases_of(function) if outcome[c.name] is None)

    def stub_outcome(self, function, reference):
        """run_all of the student's starting point: the reference's signature, a body of `...`
        (returns None)."""
        namespace = self.cell_namespace(function)
        signature = inspect.signature(reference)
        exec(f"def {function}{signature}:\n    # YOUR CODE HERE\n    ...\n", namespace)
        return self.run_all(namespace[function], function)

    def public_expected(self, fn, function):
        """{public case name: passed?} as the checks themselves judge fn."""
        expected = {}
        for case in self.cases_of(function):
            if not case.hidden:
                try:
                    case.run(fn)
                    expected[case.name] = True
                except Exception:
                    expected[case.name] = False
        return expected

    def assert_structure(self, points, min_hidden):
        """Every function's cases: its points in total, unique identifier names, one or two
        public cases and at least min_hidden hidden ones."""
        assert all(isinstance(case, Case) for case in self.cases)
        assert {case.function for case in self.cases} == set(points)
        for function, total in points.items():
            cases = self.cases_of(function)
            assert sum(c.points for c in cases) == total
            names = [c.name for c in cases]
            assert len(names) == len(set(names)) and all(n.isidentifier() for n in names)
            assert 1 <= sum(not c.hidden for c in cases) <= 2
            assert sum(c.hidden for c in cases) >= min_hidden

    def assert_bug_loses_points(self, entry, points):
        """A catalog bug scores below points, every failure names its function, and some failure
        message holds the entry's message (its cause). Returns the outcome."""
        outcome = self.run_all(self.load_entry(entry), entry.function)
        assert self.score(outcome, entry.function) < points, entry.description
        failures = [e for e in outcome.values() if e is not None]
        for error in failures:
            if isinstance(error, CheckFailed):
                assert str(error).startswith(entry.function) or f" {entry.function} " in str(
                    error), str(error)
        if entry.message:
            messages = " | ".join(str(e) for e in failures)
            assert entry.message in messages, messages
        return outcome

    def assert_public_format(self, public):
        """The public test files (function -> text) are otter's format, one @test_case per public
        case."""
        assert set(public) == {case.function for case in self.cases}
        for function, text in public.items():
            assert "OK_FORMAT = False" in text and f"name = {function!r}" in text
            assert "from otter.test_files import test_case" in text
            public_cases = [c for c in self.cases_of(function) if not c.hidden]
            for case in public_cases:
                assert (f"@test_case(name={case.name!r}, points={case.points!r}, hidden=False)"
                        in text)
            assert text.count("@test_case(") == len(public_cases)

    def assert_public_file_agrees(self, public_dir, entry):
        """otter's verdicts from the public file on a catalog entry are the public cases' own."""
        fn = self.load_entry(entry)
        result = self.public_check(public_dir, entry.function, fn)
        got = {r.test_case.name: r.passed for r in result.test_case_results}
        assert got == self.public_expected(fn, entry.function)

    def public_check(self, public_dir, function, fn):
        """otter's verdict on fn from the public test files in public_dir."""
        env = self.cell_namespace(function)
        env[function] = fn
        return otter.Notebook(tests_dir=str(public_dir)).check(function, env)


def failed(outcome):
    """{case name: exception} of the cases that failed."""
    return {name: e for name, e in outcome.items() if e is not None}


def assert_stub_fails_helpfully(outcome, function):
    """Every case of the stub fails with CheckFailed naming the function and its None."""
    for name, error in outcome.items():
        assert isinstance(error, CheckFailed), f"{name}: {error!r}"  # GateFailed is one too
        assert function in str(error) and "None" in str(error), str(error)


def write_public_tests(directory, public):
    """Write {function: test file text} as directory/<function>.py; return directory."""
    for function, text in public.items():
        (directory / f"{function}.py").write_text(text)
    return directory
