"""The unprivileged mode's supervisor, run by path: ``python -I -S supervisor.py PARENT FDS CMD``.

It makes itself a child subreaper, so that orphans of the student's process (a double fork plus
setsid) are re-parented to it instead of init, starts ARGV in a process group of its own, and
when that ends (or the grader sends SIGTERM) kills that group in one call (where seccomp makes
setsid/setpgid no-ops, that is everything ARGV started, a fork bomb included: the kernel lets
no fork escape a group kill), then kills and reaps every descendant left before it exits with
ARGV's status (dying by the same signal if ARGV was killed). It dies with the grader
(PR_SET_PDEATHSIG). It stays outside the child's confinement (Landlock's signal scope keeps the
child from killing it). Standard library only: it runs outside the project tree's reach.
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


class Stop(Exception):
    pass


def _stop(*_):
    raise Stop


def descendants():
    """Pids whose parent is this process (the subreaper inherits every orphan below it)."""
    me, out = os.getpid(), []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                    out.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return out


def main(argv):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    parent, fds, command = int(argv[1]), [int(x) for x in argv[2].split(",") if x], argv[3:]
    if os.getppid() != parent:  # the grader died before the prctl
        return 137
    signal.signal(signal.SIGTERM, _stop)
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.setpgid(0, 0)
        os.execvp(command[0], command)
    try:
        os.setpgid(pid, pid)  # both sides, so the group exists whichever runs first
    except OSError:
        pass
    for fd in fds:
        os.close(fd)  # so the grader sees EOF when the child ends
    status = None
    try:
        while status is None:
            try:
                p, st = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            if p == pid:
                status = st
    except Stop:
        pass
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    while True:  # kill and reap until no child is left
        kids = descendants()
        for kid in kids:
            try:
                os.kill(kid, signal.SIGKILL)
            except OSError:
                pass
        try:
            p, st = os.waitpid(-1, 0 if kids else os.WNOHANG)
            if p == pid and status is None:
                status = st
            if p == 0 and not kids:
                break
        except ChildProcessError:
            break
    if status is None or os.WIFSIGNALED(status):  # die the same way, so the grader sees it
        sig = os.WTERMSIG(status) if status is not None else signal.SIGKILL
        if sig not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
