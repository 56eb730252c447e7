"""The grader's side of the trust boundary: student code runs in a child process, data crosses.

``StudentProcess`` starts ``autograder/isolation/child.py`` through
``autograder.isolation.sandbox.spawn`` (in the mode ``sandbox.mode()`` picks, or ``none``: a
plain subprocess in its own session, for tests and debugging), runs the notebook's code cells
there with a time limit per cell and for the whole submission, and hands out **proxies**
(``StudentFunction``) that call the student's functions in the child (DESIGN.md, "The proxy"):

    with StudentProcess(cells, oracle=reference_lookup) as student:
        student.run_notebook()
        rnn_forward = student.function("rnn_forward")
        H, Y_hat = rnn_forward(X, h0, parameters)            # plain data in, plain data out
        rnn_forward.with_reference("rnn_cell_forward")(...)  # inner calls answered by the grader
        rnn_forward.repeat(3, X, h0, parameters)             # three calls, one round trip

A cell that hangs past its limit, kills the child (os._exit, a segfault, a resource limit) or raises
MemoryError (what it allocated would starve the rest), is
noted; the child's whole process tree is killed and the notebook runs again from the start without
that cell. A call that times out or kills the child raises StudentTimeout or StudentCrash; the next
call starts a fresh child (re-running the notebook), and further calls to a function that timed out
fail at once, so one infinite loop cannot eat the whole time budget.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.isolation import protocol, sandbox
from autograder.isolation.outcomes import CellOutcome
from autograder.isolation.protocol import ChannelClosed, ChannelTimeout, ProtocolError

CHILD_PATH = Path(__file__).with_name("child.py")
PROTOCOL_PATH = Path(__file__).with_name("protocol.py")
STARTUP_TIMEOUT = 30.0  # seconds for a fresh child to import numpy and say hello
SKIP_TAG = "skip-grading"
EXIT_WAIT = 1.0  # seconds an idle child gets to exit on its own before it is killed
# A call's (and a cell's) time limit is wall time in which the child got CPU: past it, a call is
# stopped once the child's process has used CALL_MIN_CPU_SHARE of the CPU it could have had (the
# limit times the container's CPU quota per child, at most 1 core; on an idle machine that is at
# the limit itself); a child that the
# machine's load starved of CPU runs on, up to CALL_WALL_FACTOR times the limit. So a loaded
# machine does not cost honest (or merely slow) functions their points, and a function that sleeps
# or blocks is still stopped.
CALL_MIN_CPU_SHARE = 0.5
CALL_WALL_FACTOR = 3.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The reference runs in the grader's own process, where no time limit can stop it: an oracle
# request is refused unless it is about the size of what the checks pass (at most ~100 numbers,
# axes of 6). These bounds keep the worst request to about a second of CPU and tens of MB.
ORACLE_MAX_ELEMENTS = 20_000  # numbers in all the arrays of one request
ORACLE_MAX_AXIS = 256  # length of any one axis
MAX_DETAILED_ERRORS = 100  # cells per notebook run whose errors keep their traceback


# ----------------------------------------------------------------------------------------------
# failures of the student's code, as the grader sees them


class StudentFailure(Exception):
    """The student's code failed; ``str(exc)`` is a sentence for the student."""

    def __init__(self, function, message):
        super().__init__(message)
        self.function = function
        self.message = message


class StudentError(StudentFailure):
    """The student's function raised an exception (or returned something that cannot travel)."""

    def __init__(self, function, exc_type, message, traceback_text="", where=""):
        self.exc_type = exc_type
        self.error_message = message
        self.traceback_text = traceback_text
        self.where = where
        text = f"{function} raised {exc_type}: {message}" if message else \
            f"{function} raised {exc_type}"
        if where:
            text += f" ({where})"
        super().__init__(function, text)


class StudentTimeout(StudentFailure):
    """The call did not return within its time limit (or the submission's budget ran out)."""


class CallTimeLimit(StudentTimeout):
    """The call ran past the time limit its test case set (``with_time_limit``), which is not
    the grader's general per-call limit: the function is not barred from later calls."""


class StudentCrash(StudentFailure):
    """The process running the student's code died or broke the protocol."""


class GraderError(RuntimeError):
    """The grader's own machinery failed (e.g. the child did not start): not the student's fault."""


# ----------------------------------------------------------------------------------------------


@dataclass
class CellReport:
    """What happened to one code cell: ``outcome`` (decides) and ``reason`` (for people)."""

    index: int
    first_line: str
    outcome: CellOutcome = CellOutcome.NOT_RUN
    reason: str = ""
    error: dict | None = None

    @property
    def status(self) -> str:
        """The outcome as a short phrase ("ok", "error", "skipped: ran longer than 5 s", ...)."""
        return self.reason or self.outcome.value

    @property
    def problem(self) -> bool:
        return self.outcome.problem

    def describe(self) -> str:
        head = f"cell {self.index} ({self.first_line!r})"
        if self.outcome is CellOutcome.ERROR and self.error:
            where = f" at {self.error.get('where')}" if self.error.get("where") else ""
            return f"{head} raised {self.error.get('type')}: {self.error.get('message')}{where}"
        return f"{head}: {self.status}"


def cells_from_notebook(nb) -> list:
    """The notebook's code cells as the child receives them: [{"index", "source", "tags"}].

    ``index`` is the cell's position among all the notebook's cells (markdown included).
    """
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        tags = cell.get("metadata", {}).get("tags", []) or []
        cells.append({"index": index, "source": source,
                      "tags": [str(t) for t in tags if isinstance(t, str)]})
    return cells


def _first_line(source):
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:60]
    return ""


def mirror(orig, new):
    """Copy the child's final state of an argument into the grader's object, in place.

    ndarrays are overwritten (same shape only), dicts and lists updated item by item (recursively,
    so an array inside a dict is overwritten, not replaced), Generators get the child's state.
    Returns the object to keep in a container (orig when it could be updated, else new).
    """
    if isinstance(orig, np.ndarray):
        if isinstance(new, np.ndarray) and new.shape == orig.shape and orig.flags.writeable:
            np.copyto(orig, new, casting="unsafe")
        return orig
    if isinstance(orig, np.random.Generator):
        if isinstance(new, np.random.Generator) and type(new.bit_generator) is type(
                orig.bit_generator):
            orig.bit_generator.state = new.bit_generator.state
        return orig
    if isinstance(orig, dict) and isinstance(new, dict):
        for key in [k for k in orig if k not in new]:
            del orig[key]
        for key, value in new.items():
            orig[key] = mirror(orig[key], value) if key in orig else value
        return orig
    if isinstance(orig, list) and isinstance(new, list):
        if len(orig) == len(new):
            orig[:] = [mirror(o, n) for o, n in zip(orig, new, strict=True)]
        else:
            orig[:] = new
        return orig
    if isinstance(orig, tuple) and isinstance(new, tuple) and len(orig) == len(new):
        for o, n in zip(orig, new, strict=True):
            mirror(o, n)
    return orig


def sandbox_mode():
    return sandbox.mode()


def cpu_seconds(pid):
    """CPU seconds (user + system, with those of its reaped children) of ``pid`` from /proc;
    0.0 if it is gone or unreadable."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(v) for v in fields[11:15]) / _CLOCK_TICKS  # utime stime cutime cstime
    except (OSError, IndexError, ValueError):
        return 0.0


def _descendants(pid):
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except (OSError, ValueError):
                continue
            found += kids
            todo += kids
    return found


def find_child_pid(pid, script):
    """The pid of the process running ``script`` (child.py) among ``pid`` and its descendants,
    whatever launchers (unshare, setpriv, bwrap) stand between; ``pid`` if none is found."""
    for candidate in [pid, *_descendants(pid)][::-1]:
        try:
            with open(f"/proc/{candidate}/cmdline", "rb") as f:
                if os.fsencode(script) in f.read().split(b"\0"):
                    return candidate
        except OSError:
            continue
    return pid


@functools.lru_cache(maxsize=1)
def _cpu_per_child():
    """The CPU (in cores, at most 1) a child can have when the machine is not loaded: the
    container's quota (0.5 on Gradescope) shared by RNN_GRADER_JOBS children, else 1."""
    cpus = sandbox.container_cpus() or float(os.cpu_count() or 1)
    jobs = max(int(os.environ.get("RNN_GRADER_JOBS", "1") or 1), 1)
    return min(1.0, cpus / jobs)


class _CallClock:
    """When a call (or a cell) of ``limit`` seconds is out of time (see CALL_MIN_CPU_SHARE)."""

    def __init__(self, process, limit):
        self.process, self.limit = process, limit
        now = time.monotonic()
        self.soft, self.hard = now + limit, now + limit * CALL_WALL_FACTOR
        self.cpu_start = process._cpu_seconds()

    def extend(self, seconds):
        """Time the grader spent (computing an oracle answer) is not the student's."""
        self.soft += seconds
        self.hard += seconds

    def last_deadline(self):
        return min(self.hard, self.process.deadline_total)

    def next_deadline(self):
        now = time.monotonic()
        step = self.soft if now < self.soft else now + 0.25
        return min(step, self.last_deadline())

    def out_of_time(self):
        now = time.monotonic()
        if now >= self.last_deadline():
            return True
        used = self.process._cpu_seconds() - self.cpu_start
        return now >= self.soft and used >= self.limit * CALL_MIN_CPU_SHARE * _cpu_per_child()


def _exit_description(returncode):
    if returncode is None:
        return "stopped responding"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = " (often: out of memory or another resource limit)" if name == "SIGKILL" else ""
        return f"was killed by {name}{hint}"
    return f"exited with status {returncode}"


class StudentProcess:
    """One submission's child process: the notebook's namespace, and calls into it.

    Arguments:
    cells -- code cells as from ``cells_from_notebook``
    oracle -- function name -> reference function, for ``with_reference`` calls (or None)
    timeout_cell, timeout_call, timeout_total -- seconds per cell, per call, for the whole
        submission (notebook runs, restarts and calls together)
    data_dir -- a directory copied to ``data/`` in the child's working directory (the files the
        notebook reads as ``data/<name>``), or None
    """

    def __init__(self, cells, *, oracle=None, timeout_cell=60.0, timeout_call=30.0,
                 timeout_total=300.0, data_dir=None, hidden_paths=(), sandbox=None,
                 python=None):
        self.cells = list(cells)
        self.oracle = oracle
        self.timeout_cell = float(timeout_cell)
        self.timeout_call = float(timeout_call)
        self.timeout_total = float(timeout_total)
        self.data_dir = data_dir
        self.hidden_paths = [str(p) for p in hidden_paths]
        # None or True: the strongest mode here (sandbox.mode()); False: mode "none", a plain
        # subprocess (tests, debugging); a string: that mode.
        self.mode = sandbox if isinstance(sandbox, str) else \
            "none" if sandbox is False else sandbox_mode()
        self.python = python or sys.executable
        self.skipped = {}  # cell index -> reason (a sentence), for cells left out of re-runs
        self.skip_outcomes = {}  # cell index -> CellOutcome of the skipped cell
        self.reports = {}  # cell index -> CellReport, of the latest notebook run
        self.defined = []
        self.notebook_output = ""
        self.call_output = []
        self.ready = False
        self.budget_exhausted = False
        self.restarts = 0
        self._timed_out = set()
        self._seq = 0  # numbers the calls; the child's reply carries its call's number
        self._proc = None
        self._cpu_pid = None  # the child's own process, whose CPU time the limits read
        self._channel = None
        self._t0 = None
        self._workdir = None

    def continue_from(self, earlier):
        """Go on where the StudentProcess ``earlier`` (of the same submission) stopped: the same
        total time budget (counted from its start), the cells it had to leave out, the functions
        that already ran past the per-call limit. Call before the first run_notebook."""
        self._t0 = earlier._t0
        self.skipped = dict(earlier.skipped)
        self.skip_outcomes = dict(earlier.skip_outcomes)
        self._timed_out = set(earlier._timed_out)
        self.budget_exhausted = earlier.budget_exhausted
        return self

    # -- lifetime ------------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Kill the child's whole process tree and remove its working directory."""
        self._exit_gracefully()
        self._kill()

    def kill_from_outside(self):
        """Kill the child's whole tree from another thread (the batch watchdog); the grading
        thread then sees the child gone and ends."""
        proc = self._proc
        if proc is not None:
            proc.kill_all()

    def _exit_gracefully(self, seconds=EXIT_WAIT):
        """Ask an idle child to exit and give it a moment, before ``_kill`` kills what is left.

        Not a security measure (``_kill`` runs anyway, whatever the child does) but a fast path:
        a child that exits on its own is reaped by its parent at once, while one killed together
        with its launcher lingers as a zombie until the machine's init reaps it, which holds a
        sandbox user's slot for a moment.
        """
        if self._proc is None or self._channel is None or not self.ready:
            return
        try:
            self._channel.send({"op": "exit"}, time.monotonic() + seconds)
            self._proc.wait(timeout=seconds)
        except (ChannelClosed, ChannelTimeout, ProtocolError, subprocess.TimeoutExpired):
            pass

    @property
    def deadline_total(self):
        return self._t0 + self.timeout_total

    def _deadline(self, seconds):
        return min(time.monotonic() + seconds, self.deadline_total)

    def _make_workdir(self):
        """A fresh working directory per child: the child's two scripts, and data/."""
        self._workdir = tempfile.mkdtemp(prefix="autograder-student-")
        # The sandbox hides the project tree, so the child runs copies of its scripts by path.
        scripts = os.path.join(self._workdir, "_grader")
        os.mkdir(scripts)
        for path in (CHILD_PATH, PROTOCOL_PATH):
            shutil.copy(path, scripts)
        if self.data_dir:
            shutil.copytree(self.data_dir, os.path.join(self._workdir, "data"))
        return os.path.join(scripts, CHILD_PATH.name)

    def _spawn(self):
        if self._t0 is None:
            self._t0 = time.monotonic()
        child_path = self._make_workdir()
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        pass_fds = (to_child_r, from_child_w)
        argv = [self.python, "-I", "-u", child_path, str(to_child_r), str(from_child_w)]
        # The child's own fd 1/2 (before it points them at /dev/null) go to this file, so that a
        # child failing to start leaves its Python traceback for the grader's error message.
        self._log = tempfile.TemporaryFile()
        kwargs = dict(pass_fds=pass_fds, cwd=self._workdir, stdin=subprocess.DEVNULL,
                      stdout=self._log, stderr=self._log)
        try:
            # The mode picks the environment (a private HOME and TMPDIR in the workdir).
            self._proc = sandbox.spawn(argv, hidden_paths=self.hidden_paths, mode=self.mode,
                                       **kwargs)
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self._channel = protocol.Channel(from_child_r, to_child_w, nonblocking=True,
                                         max_header=protocol.MAX_CHILD_HEADER)
        try:
            hello = self._channel.recv(time.monotonic() + STARTUP_TIMEOUT)
            if not (isinstance(hello, dict) and hello.get("op") == "hello"):
                raise ProtocolError("no hello")
            # Found now, before any student code runs (a cell could name itself child.py).
            self._cpu_pid = find_child_pid(self._proc.pid, child_path)
        except (ChannelClosed, ChannelTimeout, ProtocolError) as exc:
            log = self._read_log()
            self._kill()
            raise GraderError(f"the student process did not start ({exc}): {log}") from exc

    def _read_log(self):
        try:
            self._log.seek(0)
            return self._log.read(4000).decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def _kill(self):
        """Kill the child and everything it started; wait until it is gone."""
        proc, self._proc = self._proc, None
        self.ready = False
        if proc is not None:
            proc.kill_all()  # sandbox.Sandboxed: its whole tree, waited for
        if self._channel is not None:
            for fd in (self._channel.read_fd, self._channel.write_fd):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._channel = None
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()
            self._log = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def _exit_status(self):
        """How the child ended, waiting a moment for it to be reaped."""
        if self._proc is None:
            return "stopped responding"
        try:
            return _exit_description(self._proc.wait(timeout=2))
        except subprocess.TimeoutExpired:
            return "stopped responding"

    # -- the notebook --------------------------------------------------------------------------

    def run_notebook(self):
        """Run the code cells (minus skip-grading and skipped ones), restarting past bad cells.

        Returns the list of CellReports. Afterwards ``ready`` tells whether a child holds the
        notebook's namespace; ``skipped`` maps the cells left out to why.
        """
        while True:
            if time.monotonic() >= (self.deadline_total if self._t0 else float("inf")):
                self.budget_exhausted = True
                return self.cell_reports()
            self._spawn()
            self.reports = {c["index"]: CellReport(c["index"], _first_line(c["source"]))
                            for c in self.cells}
            for c in self.cells:
                report = self.reports[c["index"]]
                if SKIP_TAG in c["tags"]:
                    report.outcome = CellOutcome.TAGGED_SKIP
                elif c["index"] in self.skipped:
                    report.outcome = self.skip_outcomes[c["index"]]
                    report.reason = self.skipped[c["index"]]
            output = []
            current = last = None
            errors_seen = 0
            try:
                self._channel.send({"op": "run", "cells": self.cells,
                                    "skip": sorted(self.skipped)},
                                   self._deadline(self.timeout_cell))
                while True:
                    message = self._recv_call(_CallClock(self, self.timeout_cell))
                    op = message.get("op")
                    # The child's code sends start, end, start, end, ..., ready. Anything out of
                    # that order was written into the pipe by the student's code (a forged
                    # "ready" in the middle of a cell): the running cell broke the protocol.
                    if op == "cell_start" and current is None:
                        index = message.get("index")
                        if type(index) is not int or index not in self.reports:
                            raise ProtocolError("unknown cell")
                        current = last = index
                    elif op == "cell_end" and current is not None:
                        if message.get("index") != current:
                            raise ProtocolError("the end of another cell")
                        report = self.reports[current]
                        report.error = _plain_error(message.get("error"),
                                                    brief=errors_seen >= MAX_DETAILED_ERRORS)
                        errors_seen += bool(report.error)
                        report.outcome = CellOutcome.ERROR if report.error else CellOutcome.OK
                        if report.error and report.error["type"] == "MemoryError":
                            # What the cell allocated before failing (a global list, say) stays
                            # in the namespace and would starve every later call: run without it.
                            raise _OutOfMemory(report.error["message"])
                        output.append(str(message.get("stdout", "")))
                        current = None
                    elif op == "ready" and current is None:
                        output.append(str(message.get("stdout", "")))
                        self.defined = [str(n) for n in message.get("defined", [])]
                        self.notebook_output = "".join(output)
                        self.ready = True
                        return self.cell_reports()
                    else:
                        raise ProtocolError(f"unexpected message {str(op)[:40]!r}")
            except (ChannelTimeout, ChannelClosed, ProtocolError, _OutOfMemory) as exc:
                out_of_time = time.monotonic() >= self.deadline_total
                status = self._exit_status() if isinstance(exc, ChannelClosed) else None
                self._kill()
                self.notebook_output = "".join(output)
                culprit = current if current is not None else last
                if out_of_time:
                    self.budget_exhausted = True
                    if culprit is not None:
                        self.reports[culprit].outcome = CellOutcome.BUDGET
                        self.reports[culprit].reason = (
                            f"stopped: the submission's total time budget of "
                            f"{self.timeout_total:g} s ran out")
                    return self.cell_reports()
                if culprit is None or culprit in self.skipped:
                    raise GraderError(f"the student process failed outside a cell: {exc}") from exc
                if isinstance(exc, ChannelTimeout):
                    outcome = CellOutcome.TIMEOUT
                    reason = f"skipped: ran longer than {self.timeout_cell:g} s"
                elif isinstance(exc, ChannelClosed):
                    outcome = CellOutcome.CRASH
                    reason = f"skipped: the process running it {status}"
                elif isinstance(exc, _OutOfMemory):
                    outcome = CellOutcome.OUT_OF_MEMORY
                    reason = f"skipped: ran out of memory (MemoryError: {str(exc)[:200]})"
                else:
                    outcome = CellOutcome.PROTOCOL
                    reason = f"skipped: broke the grader's protocol ({str(exc)[:200]})"
                self.skipped[culprit] = reason
                self.skip_outcomes[culprit] = outcome
                self.restarts += 1

    def cell_reports(self):
        return [self.reports[c["index"]] for c in self.cells if c["index"] in self.reports]

    def _recv(self, deadline):
        message = self._channel.recv(deadline)
        if not isinstance(message, dict):
            raise ProtocolError("message is not a dict")
        return message

    def _cpu_seconds(self):
        return cpu_seconds(self._cpu_pid) if self._cpu_pid else 0.0

    def _recv_call(self, clock):
        """The child's next message during a call; ChannelTimeout once ``clock`` is out."""
        while True:
            try:
                return self._recv(clock.next_deadline())
            except ChannelTimeout:
                if clock.out_of_time():
                    raise

    def _ensure_ready(self, name):
        if self.ready:
            return
        if self._t0 is not None and time.monotonic() >= self.deadline_total:
            self.budget_exhausted = True
        if not self.budget_exhausted:
            self.run_notebook()
        if not self.ready:
            raise StudentTimeout(name, f"{name} was not run: the submission used up its total "
                                       f"time budget of {self.timeout_total:g} s")

    # -- calls ---------------------------------------------------------------------------------

    def function(self, name, with_reference=()):
        """A proxy for the notebook's function ``name``."""
        return StudentFunction(self, name, with_reference=tuple(with_reference))

    def call(self, name, args, kwargs, repeat=None, with_reference=(), refuse=None,
             time_limit=None):
        """Call ``name(*args, **kwargs)`` in the child (``repeat`` times); see StudentFunction.

        with_reference -- names whose calls the reference answers, but only for this call's own
            parameters (``_in_scope``)
        refuse -- (names, message): during the call those functions of the notebook raise
            RuntimeError(message)
        time_limit -- (seconds, why): a tighter limit than ``timeout_call`` for this call; past
            it, CallTimeLimit with ``why`` in its message
        """
        if name in self._timed_out:
            raise StudentTimeout(name, f"{name} was not run again: it already ran longer than "
                                       f"{self.timeout_call:g} s in an earlier test")
        self._ensure_ready(name)
        args, kwargs = list(args), dict(kwargs)
        self._seq += 1
        seq = self._seq
        request = {"op": "call", "seq": seq, "fn": name, "args": args, "kwargs": kwargs,
                   "repeat": None if repeat is None else int(repeat),
                   "with_reference": list(with_reference)}
        if refuse:
            request["refuse"] = {"names": [str(n) for n in refuse[0]], "message": str(refuse[1])}
        limited = time_limit is not None and float(time_limit[0]) < self.timeout_call
        frame = protocol.encode(request)  # ProtocolError here is the grader's bug: raise
        clock = _CallClock(self, float(time_limit[0]) if limited else self.timeout_call)
        try:
            self._channel.send_frame(frame, clock.last_deadline())
            while True:
                message = self._recv_call(clock)
                op = message.get("op")
                if op == "oracle":
                    started = time.monotonic()
                    reply = self._answer_oracle(message, with_reference, (args, kwargs))
                    # Time spent computing the reference is not charged to the student.
                    clock.extend(time.monotonic() - started)
                    try:
                        self._channel.send(reply, clock.last_deadline())
                    except ProtocolError as exc:
                        self._channel.send({"op": "oracle_error", "type": "ProtocolError",
                                            "message": str(exc)}, clock.last_deadline())
                elif op in ("result", "error") and message.get("seq") != seq:
                    # A reply to an earlier call (which a forged reply overtook): skip it. Any
                    # other seq was forged.
                    stale = message.get("seq")
                    if not (type(stale) is int and 0 < stale < seq):
                        raise ProtocolError("a reply to no call")
                elif op == "result":
                    self.call_output.append(str(message.get("stdout", "")))
                    new_args, new_kwargs = message.get("args"), message.get("kwargs")
                    if isinstance(new_args, list) and len(new_args) == len(args):
                        for old, new in zip(args, new_args, strict=True):
                            mirror(old, new)
                    if isinstance(new_kwargs, dict):
                        for key, old in kwargs.items():
                            if key in new_kwargs:
                                mirror(old, new_kwargs[key])
                    return message.get("value")
                elif op == "error":
                    self.call_output.append(str(message.get("stdout", "")))
                    raise StudentError(name, str(message.get("type", "Exception"))[:200],
                                       str(message.get("message", ""))[:2000],
                                       str(message.get("traceback", ""))[:4000],
                                       str(message.get("where", ""))[:200])
                else:
                    raise ProtocolError(f"unexpected message {str(op)[:40]!r}")
        except ChannelTimeout as exc:
            self._kill()
            if time.monotonic() >= self.deadline_total:
                self.budget_exhausted = True
                raise StudentTimeout(name, f"{name} was stopped: the submission used up its "
                                           f"total time budget of {self.timeout_total:g} s"
                                     ) from exc
            if limited:
                raise CallTimeLimit(name, f"{name} did not return within {time_limit[0]:g} s, "
                                          f"this test's limit: {time_limit[1]}") from exc
            self._timed_out.add(name)
            if time_limit is not None:
                raise StudentTimeout(name, f"{name} did not return within "
                                           f"{self.timeout_call:g} s: {time_limit[1]}") from exc
            raise StudentTimeout(name, f"{name} did not return within {self.timeout_call:g} s "
                                       "(an infinite loop?)") from exc
        except ChannelClosed as exc:
            status = self._exit_status()
            self._kill()
            raise StudentCrash(name, f"the process running {name} {status}") from exc
        except ProtocolError as exc:
            self._kill()
            raise StudentCrash(name, f"the process running {name} sent data the grader cannot "
                                     f"read ({exc})") from exc

    def _answer_oracle(self, message, allowed, scope=((), {})):
        name = message.get("fn")
        args, kwargs = message.get("args", []), message.get("kwargs", {})
        if self.oracle is None or name not in allowed:
            return {"op": "oracle_error", "type": "PermissionError",
                    "message": f"{str(name)[:60]} is not replaced by the reference in this call"}
        if not isinstance(args, list) or not isinstance(kwargs, dict) or not all(
                isinstance(k, str) for k in kwargs):
            return {"op": "oracle_error", "type": "TypeError", "message": "malformed arguments"}
        if not _in_scope((args, kwargs), scope):
            return {"op": "oracle_error", "type": "PermissionError",
                    "message": f"the grader answers {str(name)[:60]} only for the parameters "
                               "of the current test case (those passed to the function tested)"}
        too_big = _oracle_size_error([args, kwargs])
        if too_big:
            return {"op": "oracle_error", "type": "ValueError", "message": too_big}
        try:
            return {"op": "oracle_result", "value": self.oracle(name)(*args, **kwargs)}
        except Exception as exc:  # noqa: BLE001 - the student passed arguments the reference rejects
            return {"op": "oracle_error", "type": type(exc).__name__, "message": str(exc)[:500]}


def _dicts(value, depth=0):
    """The dicts in a (decoded) value, outermost first, not looking inside a dict."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, (list, tuple)) and depth < protocol.MAX_DEPTH:
        return [d for item in value for d in _dicts(item, depth + 1)]
    return []


def _same_dict(a, b):
    if sorted(a, key=repr) != sorted(b, key=repr):
        return False
    for key, value in a.items():
        other = b[key]
        if isinstance(value, dict) or isinstance(other, dict):
            if not (isinstance(value, dict) and isinstance(other, dict)
                    and _same_dict(value, other)):
                return False
        elif isinstance(value, np.ndarray) or isinstance(other, np.ndarray):
            if not (isinstance(value, np.ndarray) and isinstance(other, np.ndarray)
                    and value.shape == other.shape and np.array_equal(value, other)):
                return False
        elif type(value) is not type(other) or not _plain_equal(value, other):
            return False
    return True


def _plain_equal(a, b):
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - lists of arrays and the like: not the same parameters
        return False


def _in_scope(request, scope):
    """Whether an oracle request ``(args, kwargs)`` belongs to the call being graded: it passes
    at least one dict (the parameters) and every dict it passes equals, key by key and bit by
    bit, a dict among the arguments the grader passed to this call (the grader's own objects,
    which the student's code cannot change while it runs).

    So the reference computes only on the current case's own parameters, which the student's
    code already holds: recorded inputs of another case (a hidden one, say) get no answer.
    """
    def arguments(pair):  # (args, kwargs): the dicts passed, positionally or by keyword
        args, kwargs = pair
        return _dicts(list(args)) + _dicts(list(kwargs.values()))

    allowed, asked = arguments(scope), arguments(request)
    return bool(asked) and all(any(_same_dict(d, a) for a in allowed) for d in asked)


def _oracle_size_error(value):
    """Why a decoded oracle request is too large for the reference to run here, or None."""
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            if any(n > ORACLE_MAX_AXIS for n in item.shape):
                return (f"the grader runs the reference only on arrays with axes of at most "
                        f"{ORACLE_MAX_AXIS}, not {item.shape}")
            total += item.size
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    if total > ORACLE_MAX_ELEMENTS:
        return (f"the grader runs the reference only on inputs of at most {ORACLE_MAX_ELEMENTS} "
                f"numbers, not {total}")
    return None


class _OutOfMemory(Exception):
    """A cell raised MemoryError: run the notebook again without it."""


def _plain_error(error, brief=False):
    """The child's description of an exception, capped (``brief``: type, message, where only:
    a notebook of 20,000 raising cells must not hold 20,000 tracebacks in the grader)."""
    if not isinstance(error, dict):
        return None
    if brief:
        return {"type": str(error.get("type", ""))[:200],
                "message": str(error.get("message", ""))[:200],
                "where": str(error.get("where", ""))[:200], "traceback": ""}
    return {key: str(error.get(key, ""))[:4000] for key in ("type", "message", "where",
                                                            "traceback")}


class StudentFunction:
    """A proxy for a function defined in the student's notebook (DESIGN.md, "The proxy").

    Calling it sends the arguments to the child as plain data and returns the result as plain
    data (base ndarray, list, tuple, dict, Python scalars). In-place changes to ndarray, dict, list
    and Generator arguments are mirrored back into the caller's objects.
    Raises StudentError, StudentTimeout or StudentCrash (all StudentFailure).
    """

    def __init__(self, process, name, with_reference=(), refuse=None, time_limit=None):
        self._process = process
        self.__name__ = name
        self._with_reference = tuple(with_reference)
        self._refuse = refuse
        self._time_limit = time_limit

    def __repr__(self):
        refs = f" with reference {', '.join(self._with_reference)}" if self._with_reference else ""
        return f"<student function {self.__name__}{refs}>"

    def _options(self):
        return {"with_reference": self._with_reference, "refuse": self._refuse,
                "time_limit": self._time_limit}

    def _with(self, **changes):
        options = {**self._options(), **changes}
        return StudentFunction(self._process, self.__name__, **options)

    def __call__(self, *args, **kwargs):
        return self._process.call(self.__name__, args, kwargs, **self._options())

    def with_reference(self, *names):
        """This function, with its calls to the named functions answered by the reference (for
        the parameters passed to the call only)."""
        return self._with(with_reference=tuple(dict.fromkeys(self._with_reference + names)))

    def refusing(self, names, message):
        """This function, during whose calls the notebook's functions ``names`` raise
        RuntimeError(message) (``autograder.checks.refusing``)."""
        return self._with(refuse=(tuple(names), str(message)))

    def with_time_limit(self, seconds, why):
        """This function, stopped after ``seconds`` (when below the grader's per-call limit) with
        CallTimeLimit saying ``why`` (``autograder.checks.time_limited``)."""
        return self._with(time_limit=(float(seconds), str(why)))

    def repeat(self, n, *args, **kwargs):
        """``[self(*args, **kwargs) for _ in range(n)]`` in one round trip, same argument objects"""
        return self._process.call(self.__name__, args, kwargs, repeat=n, **self._options())
