"""How a batch executes: grading threads, and a watchdog ending a submission stuck too long.

``run(tasks, jobs=N, limit=S, grade_one=..., on_done=..., on_stopped=...)`` grades ``tasks``
(``[(index, ...)]``) in N daemon threads. A submission still being graded ``limit`` seconds
after it started is ended by the watchdog (this function's own loop): ``on_stopped(index, why)``
reports it (and kills what it runs, through ``stop``), a fresh thread takes the next submission,
and the batch goes on; whatever the stuck thread does later is ignored. Threads are daemons, so
a grader thread that never returns cannot keep the process (and grades.csv) from finishing.

Why threads are safe here: the grader never calls ``os.fork()`` (the sandbox starts its helpers
with ``subprocess``, which uses vfork/exec and runs no pre-fork handlers) and runs BLAS on one
thread (``python -m autograder`` sets OPENBLAS_NUM_THREADS=1 before numpy loads), so the
OpenBLAS pre-fork deadlock of issue 11 cannot happen; the watchdog catches any other hang.
"""

from __future__ import annotations

import queue
import threading
import time


def run(tasks, *, jobs: int, limit: float, grade_one, on_done, on_stopped, stop=None,
        poll: float = 0.2) -> None:
    """Grade every task: ``on_done(i, result)`` for each graded one, ``on_stopped(i, why)`` for
    each the watchdog ended (``stop(i)`` is called first to kill what it runs)."""
    todo: queue.Queue = queue.Queue()
    for task in tasks:
        todo.put(task)
    lock = threading.Lock()
    running: dict[int, float] = {}  # task index -> start time
    finished: set[int] = set()
    remaining = [len(tasks)]

    def serve():
        while True:
            try:
                task = todo.get_nowait()
            except queue.Empty:
                return
            i = task[0]
            with lock:
                running[i] = time.monotonic()
            try:
                result = grade_one(task)
            except Exception:  # noqa: BLE001 - grade_one reports its own errors; never hang
                result = None
            with lock:
                if i in finished:  # the watchdog ended it meanwhile: this thread is abandoned
                    return
                finished.add(i)
                running.pop(i, None)
            on_done(i, result)
            with lock:
                remaining[0] -= 1

    def start():
        threading.Thread(target=serve, daemon=True).start()

    for _ in range(max(1, min(jobs, len(tasks)))):
        start()
    while True:
        with lock:
            if remaining[0] <= 0:
                return
            overdue = [i for i, t0 in running.items() if time.monotonic() - t0 > limit]
            for i in overdue:
                finished.add(i)
                running.pop(i)
        for i in overdue:
            if stop is not None:
                stop(i)
            on_stopped(i, f"grading was stopped after {limit:g} s, far past the submission's "
                          f"time budget; the rest of the batch was graded")
            with lock:
                remaining[0] -= 1
            start()  # the stuck thread is abandoned: another one takes the next submission
        time.sleep(poll)
