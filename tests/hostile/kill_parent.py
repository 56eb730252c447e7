# ruff: noqa
# description: tries to kill the grader: SIGKILL to its parent and to pid 1 (refused), to its parent's process group and kill -9 -1 (each kills only itself: those cells are skipped)
# note: skipped
# ran: KILL-TRIED
# %% attack
import os, signal, subprocess
tried = []
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
        tried.append(f"{pid}:sent")
    except OSError as exc:
        tried.append(f"{pid}:{exc.errno}")
print("KILL-TRIED", tried, flush=True)
# %% attack
import os, signal
os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
# %% attack
import subprocess
subprocess.run(["sh", "-c", "kill -9 -1"])
