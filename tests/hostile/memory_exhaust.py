# ruff: noqa
# description: exhausts memory with several processes, each below the per-process limit (3 children holding 300 MB each, then the notebook itself): in a 768 MB container the OOM killer must take student code, not the grader
# ran: MEMORY-HELD
# %% attack
import os, time
_kids = []
for _ in range(3):
    _pid = os.fork()
    if _pid == 0:
        try:
            _hog = bytearray(300 * 2**20)
            for _i in range(0, len(_hog), 4096):
                _hog[_i] = 1
            time.sleep(2)
        finally:
            os._exit(0)
    _kids.append(_pid)
try:
    _mine = bytearray(300 * 2**20)
    for _i in range(0, len(_mine), 4096):
        _mine[_i] = 1
except MemoryError:
    _mine = None
for _pid in _kids:
    try:
        os.waitpid(_pid, 0)
    except ChildProcessError:
        pass
_mine = None
print("MEMORY-HELD")
