# ruff: noqa
# description: exhausts memory with several processes, each below the per-process limit (3 children touching 200 MB each at once, then the notebook itself): in a 768 MB container the OOM killer must take student code, not the grader
# note: MEMORY-HELD|starting `import os`: skipped: the process running it was killed by SIGKILL
#   (the cell ends, or the OOM killer took the notebook's own process, the largest of the
#   student's; either way the attack ran and the grader survived)
# %% attack
import os
_kids = []
for _ in range(3):
    _pid = os.fork()
    if _pid == 0:
        try:
            _hog = bytearray(200 * 2**20)  # zero-filled: every page is touched
        finally:
            os._exit(0)
    _kids.append(_pid)
try:
    _mine = bytearray(200 * 2**20)
except MemoryError:
    _mine = None
for _pid in _kids:
    try:
        os.waitpid(_pid, 0)
    except ChildProcessError:
        pass
_mine = None
print("MEMORY-HELD")
