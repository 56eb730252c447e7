"""The child process and the proxies: student code runs apart, plain data comes back."""

import time

import numpy as np
import pytest

import solutions.rnn as ref
from autograder.isolation.runner import (
    StudentCrash,
    StudentError,
    StudentProcess,
    StudentTimeout,
    cells_from_notebook,
)


def cells(*sources, tags=None):
    tags = tags or {}
    return [{"index": i, "source": s, "tags": tags.get(i, [])} for i, s in enumerate(sources)]


def start(sources, tags=None, **kwargs):
    kwargs.setdefault("timeout_cell", 5)
    kwargs.setdefault("timeout_call", 5)
    kwargs.setdefault("timeout_total", 60)
    kwargs.setdefault("sandbox", False)  # the sandbox has its own tests; keep these fast
    process = StudentProcess(cells(*sources, tags=tags), **kwargs)
    process.run_notebook()
    return process


STUDENT = '''
import numpy as np

def softmax(z):
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    return h_next, softmax(parameters["W"] @ h_next + parameters["beta2"])

def rnn_forward(X, h0, parameters):
    H, Y_hat, h = [], [], h0
    for t in range(X.shape[2]):
        h, y = rnn_cell_forward(X[:, :, t], h, parameters)
        H.append(h)
        Y_hat.append(y)
    return np.stack(H, axis=2), np.stack(Y_hat, axis=2)

def mutate(a, d, rng):
    a += 1
    d["new"] = 1
    d["V"][0, 0] = -7.0
    return rng.integers(0, 1000, 3)

def shout(n):
    import os, sys
    os.write(1, b"fd one " * 1000)
    os.write(2, b"fd two " * 1000)
    print("python stdout " * 100)
    print("python stderr", file=sys.stderr)
    return n

def spin():
    while True:
        pass

def die():
    import os
    os._exit(9)

def weird():
    return object()

def counter(state):
    state["n"] = state.get("n", 0) + 1
    return state["n"]
'''


@pytest.fixture(scope="module")
def student():
    oracle = {"rnn_cell_forward": ref.rnn_cell_forward}.__getitem__
    with StudentProcess(cells(STUDENT), oracle=oracle, timeout_cell=10, timeout_call=1,
                        timeout_total=60, sandbox=False) as process:
        process.run_notebook()
        yield process


def small_problem(seed=0, n_x=4, n_h=3, m=2, T=3):
    rng = np.random.default_rng(seed)
    parameters = ref.initialize_parameters(n_x, n_h, n_x, rng)
    parameters["beta1"] = rng.standard_normal((n_h, 1))
    X = rng.standard_normal((n_x, m, T))
    return X, rng.standard_normal((n_h, m)), parameters


def test_proxy_returns_plain_data(student):
    X, h0, parameters = small_problem()
    H, Y_hat = student.function("rnn_forward")(X, h0, parameters)
    H_ref, Y_ref = ref.rnn_forward(X, h0, parameters)
    assert type(H) is np.ndarray and H.dtype == np.float64
    np.testing.assert_allclose(H, H_ref)
    np.testing.assert_allclose(Y_hat, Y_ref)


def test_in_place_effects_are_mirrored(student):
    a = np.zeros(3)
    d = {"V": np.ones((2, 2))}
    inner = d["V"]
    rng = np.random.default_rng(5)
    drawn = student.function("mutate")(a, d, rng)
    np.testing.assert_array_equal(a, [1.0, 1.0, 1.0])
    assert d["new"] == 1 and d["V"] is inner and inner[0, 0] == -7.0
    # The Generator advanced exactly as in the child: the next draws continue the same stream.
    expected = np.random.default_rng(5)
    np.testing.assert_array_equal(drawn, expected.integers(0, 1000, 3))
    np.testing.assert_array_equal(rng.integers(0, 1000, 3), expected.integers(0, 1000, 3))


def test_repeat_passes_the_same_objects(student):
    state = {}
    assert student.function("counter").repeat(4, state) == [1, 2, 3, 4]
    assert state == {"n": 4}


def test_with_reference_answers_inner_calls_from_the_grader(student):
    X, h0, parameters = small_problem(1)
    with_ref = student.function("rnn_forward").with_reference("rnn_cell_forward")
    H, _ = with_ref(X, h0, parameters)
    np.testing.assert_allclose(H, ref.rnn_forward(X, h0, parameters)[0])


def test_oracle_refuses_names_not_granted():
    source = STUDENT + "\nrnn_cell_forward = lambda *a: (_ for _ in ()).throw(ValueError('bug'))\n"
    oracle = {"rnn_cell_forward": ref.rnn_cell_forward}.__getitem__
    with StudentProcess(cells(source), oracle=oracle, sandbox=False) as process:
        process.run_notebook()
        X, h0, parameters = small_problem(2)
        with pytest.raises(StudentError, match="ValueError: bug"):
            process.function("rnn_forward")(X, h0, parameters)
        H, _ = process.function("rnn_forward").with_reference("rnn_cell_forward")(X, h0,
                                                                                   parameters)
        np.testing.assert_allclose(H, ref.rnn_forward(X, h0, parameters)[0])
        # The child may not ask the grader for references that the call did not grant.
        refused = process._answer_oracle({"fn": "rnn_cell_forward", "args": [], "kwargs": {}},
                                         allowed=())
        assert refused["op"] == "oracle_error" and "not replaced" in refused["message"]


def test_student_exception_is_readable(student):
    with pytest.raises(StudentError) as info:
        student.function("rnn_forward")(np.zeros((4, 2, 3)), np.zeros((5, 2)),
                                        small_problem()[2])
    exc = info.value
    assert exc.function == "rnn_forward" and exc.exc_type == "ValueError"
    assert str(exc).startswith("rnn_forward raised ValueError: ")
    assert "cell 0" in str(exc)  # where in the notebook
    assert "child.py" not in exc.traceback_text and "<cell 0>" in exc.traceback_text


def test_undefined_function_and_unsupported_return(student):
    with pytest.raises(StudentError, match="not defined"):
        student.function("bptt")()
    with pytest.raises(StudentError, match="cannot read"):
        student.function("weird")()


def test_output_to_fd_1_and_2_does_not_break_the_protocol(student):
    assert student.function("shout")(7) == 7
    assert student.function("shout").repeat(2, 8) == [8, 8]


def test_call_timeout_then_fast_fail_and_recovery(student):
    started = time.monotonic()
    with pytest.raises(StudentTimeout, match="did not return within 1 s"):
        student.function("spin")()
    with pytest.raises(StudentTimeout, match="already ran longer"):
        student.function("spin")()
    assert time.monotonic() - started < 5
    # The next call gets a fresh child with the notebook run again.
    assert student.function("counter")({}) == 1


def test_crash_in_a_call_then_recovery(student):
    with pytest.raises(StudentCrash, match="exited with status 9"):
        student.function("die")()
    assert student.function("counter")({"n": 1}) == 2


NOTEBOOK_CELLS = [
    "import numpy as np\n%matplotlib inline\n!pip install nothing\nx = 1",
    "import otter\ngrader = otter.Notebook('rnn_dinosaurs.ipynb')\ngrader.check('rnn_forward')",
    "raise RuntimeError('demo failed')",
    "x = x + 1",
    "while True:\n    pass",  # tagged skip-grading below
    "%%bash\necho not python",
    "%%time\nx = x + 10",
    "import matplotlib\nimport matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\n"
    "backend = matplotlib.get_backend()",
    "name = input('your name? ')",
    "import solutions",
    "def get():\n    return x, backend",
]


def test_notebook_cells_run_in_order_with_errors_reported():
    process = start(NOTEBOOK_CELLS, tags={4: ["skip-grading"]})
    with process:
        reports = {r.index: r for r in process.cell_reports()}
        assert reports[0].status == "ok" and reports[1].status == "ok"
        assert reports[2].status == "error" and reports[2].error["type"] == "RuntimeError"
        assert "demo failed" in reports[2].describe()
        assert reports[4].status.startswith("skipped (tagged")
        assert reports[5].status == "not run"  # a non-Python cell magic is skipped
        assert reports[8].error["type"] == "EOFError"  # stdin is empty
        assert reports[9].error["type"] in ("ImportError", "ModuleNotFoundError")
        x, backend = process.function("get")()
        assert x == 12 and backend.lower() == "agg"  # cells 0, 3 and 6 ran; no GUI backend
        assert "get" in process.defined and not process.skipped


def test_hanging_and_crashing_cells_are_skipped_and_the_rest_still_runs():
    sources = [
        "a = 1",
        "while True:\n    pass",
        "b = 2",
        "import os\nos._exit(3)",
        "print('x' * 1_000_000)\ndef total():\n    return a + b",
    ]
    started = time.monotonic()
    with start(sources, timeout_cell=1) as process:
        assert process.function("total")() == 3
        assert set(process.skipped) == {1, 3}
        assert "longer than 1 s" in process.skipped[1]
        assert "exited with status 3" in process.skipped[3]
        assert process.restarts == 2
        # A million characters printed: the kept output is capped.
        assert 9_000 < len(process.notebook_output) < 11_000
        assert "more characters of output not kept" in process.notebook_output
    assert time.monotonic() - started < 15


def test_total_budget_stops_everything():
    with start(["def f():\n    return 1", "while True:\n    pass"], timeout_cell=30,
               timeout_total=1.5) as process:
        assert process.budget_exhausted and not process.ready
        with pytest.raises(StudentTimeout, match="total time budget"):
            process.function("f")()


def alive(pid):
    """True if pid runs (a zombie waiting for its parent to reap it counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_child_tree_is_gone_after_close():
    source = ("import subprocess, sys\n"
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
              "def pid():\n    return p.pid")
    with start([source]) as process:
        grandchild = process.function("pid")()
        assert alive(grandchild)
    assert not alive(grandchild)  # close() returns once the whole tree is gone


def test_cells_from_notebook_keeps_indices_and_tags():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title"),
                nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["skip-grading"]}),
                nbformat.v4.new_code_cell("y = 2")]
    assert cells_from_notebook(nb) == [
        {"index": 1, "source": "x = 1", "tags": ["skip-grading"]},
        {"index": 2, "source": "y = 2", "tags": []},
    ]


REPEATED_REFERENCE = '''
def many(x, h, p, n):
    sums = []
    for _ in range(n):
        h_next, _ = rnn_cell_forward(x, h, p)
        sums.append(float(h_next.sum()))
        h_next[...] = 99.0  # writing into one answer must not change the next one
    h_other, _ = rnn_cell_forward(x, h + 1.0, p)
    return sums, float(h_other.sum())
'''


def test_oracle_answers_repeated_requests_once_per_call():
    asked = []

    def oracle(name):
        def reference(*args, **kwargs):
            asked.append(name)
            return ref.rnn_cell_forward(*args, **kwargs)
        return reference

    X, h0, parameters = small_problem(3)
    x = X[:, :, 0]
    with start([STUDENT, REPEATED_REFERENCE], oracle=oracle) as process:
        many = process.function("many").with_reference("rnn_cell_forward")
        sums, other = many(x, h0, parameters, 50)
        assert sums == [float(ref.rnn_cell_forward(x, h0, parameters)[0].sum())] * 50
        assert other == pytest.approx(float(ref.rnn_cell_forward(x, h0 + 1.0, parameters)[0]
                                            .sum()))
        assert len(asked) == 2  # 51 identical requests answered once, plus the other one
        many(x, h0, parameters, 3)
        assert len(asked) == 4  # nothing is remembered from one call to the next


VARIED_REFERENCE = '''
import numpy as np

def variants(x, h, p):
    reordered = dict(reversed(list(p.items())))
    out = []
    for args in [(x, h, p), (x.astype(np.int64), h, p), (x, h, reordered), (-x, h, p),
                 (x.astype(np.float32), h, p)]:
        for _ in range(2):
            h_next, _ = rnn_cell_forward(*args)
            out.append(float(h_next.sum()))
    return out
'''


def test_oracle_asks_again_for_every_request_encoded_differently():
    """The child's cache key tells apart what the request's bytes tell apart (dtype, the dict's
    order, -0.0); each variant is asked once, its repetition answered from the cache."""
    asked = []

    def oracle(name):
        def reference(*args, **kwargs):
            asked.append(args)
            return ref.rnn_cell_forward(*args, **kwargs)
        return reference

    _, h0, parameters = small_problem(4)
    x = np.zeros((4, 2))
    with start([STUDENT, VARIED_REFERENCE], oracle=oracle) as process:
        out = process.function("variants").with_reference("rnn_cell_forward")(x, h0, parameters)
    expected = float(ref.rnn_cell_forward(x, h0, parameters)[0].sum())
    assert out == [pytest.approx(expected)] * 10
    # Five requests: the int64 x, the reordered dict and -0.0 differ in their bytes; float32
    # travels as float64 but is keyed by its frame (the fast key knows the wire dtypes only).
    assert len(asked) == 5
    assert [a[0].dtype for a in asked] == [np.float64, np.int64, np.float64, np.float64,
                                           np.float64]
    assert list(asked[2][2]) == list(reversed(list(parameters)))
    assert np.signbit(asked[3][0]).all() and not np.signbit(asked[0][0]).any()


LAZY_MATPLOTLIB = [
    "import sys\nimport matplotlib\nimport matplotlib.pyplot as plt\nfrom matplotlib import cm\n"
    "loaded_at_import = 'matplotlib.figure' in sys.modules",
    "import matplotlib.no_such_module",
    "def use():\n    fig = plt.figure()\n    return [loaded_at_import, type(fig).__name__,\n"
    "            'matplotlib.figure' in sys.modules, plt.get_backend().lower(),\n"
    "            matplotlib.__version__ == sys.modules['matplotlib'].__version__,\n"
    "            cm.ScalarMappable is sys.modules['matplotlib.cm'].ScalarMappable]",
]


def test_matplotlib_loads_when_first_used_not_when_imported():
    with start(LAZY_MATPLOTLIB) as process:
        reports = process.cell_reports()
        assert reports[0].status == "ok"
        assert reports[1].error["type"] == "ModuleNotFoundError"  # a missing module still fails
        assert process.function("use")() == [False, "Figure", True, "agg", True, True]


def test_an_idle_child_exits_on_its_own_when_closed():
    process = start(["x = 1"])
    proc = process._proc
    process.close()
    assert proc.returncode == 0  # it exited (status 0), it was not killed by a signal


THREADS = '''
import threading, time
state = {"ticks": 0}

def _spin():
    while True:
        state["ticks"] += 1
        time.sleep(0.001)

for _ in range(5):
    threading.Thread(target=_spin).start()

def count():
    return threading.active_count()

def start_one():
    threading.Thread(target=_spin).start()
    return threading.active_count()

def ticks_after(seconds):
    before = state["ticks"]
    time.sleep(seconds)
    return state["ticks"] - before
'''


def test_threads_student_code_leaves_running_are_stopped_before_grading_and_after_calls():
    """Threads left spinning by a cell or a call would share the GIL and CPU with the graded
    calls of the same process (honest functions missing their limits)."""
    process = start([THREADS])
    try:
        assert process.function("count")() == 1  # the cell's five were stopped at "ready"
        assert process.function("ticks_after")(0.05) == 0
        assert process.function("start_one")() == 2
        assert process.function("count")() == 1  # and the one a call started, after it
    finally:
        process.close()


WORK = '''
import time

def work(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return seconds

def nap(seconds):
    time.sleep(seconds)
    return seconds
'''


def test_a_call_starved_of_cpu_by_the_machine_keeps_its_limit_a_sleeping_one_does_not():
    """The call limit is wall time in which the child got CPU (CALL_MIN_CPU_SHARE): a call that
    the machine's load starves (here: the child stopped for 1.5 s) is not cut at its limit; one
    that sleeps is, at CALL_WALL_FACTOR times its limit at the latest."""
    import os
    import signal
    import threading

    from autograder.isolation.runner import CALL_WALL_FACTOR, cpu_seconds

    process = start([WORK], timeout_call=1)
    try:
        pid = process._proc.pid
        before = cpu_seconds(pid)
        assert process.function("work")(0.3) == 0.3
        assert 0.25 <= cpu_seconds(pid) - before < 1.0

        def starve():
            time.sleep(0.05)
            os.kill(pid, signal.SIGSTOP)
            time.sleep(1.5)
            os.kill(pid, signal.SIGCONT)

        thief = threading.Thread(target=starve)
        started = time.monotonic()
        thief.start()
        assert process.function("work")(0.3) == 0.3  # 1.8 s wall, 0.3 s of CPU
        thief.join()
        assert time.monotonic() - started > 1.5
        started = time.monotonic()
        with pytest.raises(StudentTimeout, match="did not return within 1 s"):
            process.function("nap")(30)
        assert time.monotonic() - started < CALL_WALL_FACTOR * 1 + 1.5
    finally:
        process.close()
