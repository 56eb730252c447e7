# ruff: noqa
# description: fills the disk: one huge file (RLIMIT_FSIZE), then many files just under the limit in cwd, /tmp and /dev/shm (2 GB or more if nothing stops it)
# ran: DISK-FILL-STARTED
# %% attack
print("DISK-FILL-STARTED")  # a cell of its own: the time limit may cut the next one, output and all
# %% attack
import os, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
block = b"\0" * 2**24
try:
    with open("huge.bin", "wb") as f:
        for _ in range(64):
            f.write(block)
except OSError as exc:
    print("huge file stopped:", exc.strerror)
written = {}
for place in (".", "/tmp", "/dev/shm"):
    written[place] = 0
    for i in range(40):
        try:
            with open(os.path.join(place, f"fill{i}.bin"), "wb") as f:
                for _ in range(3):
                    f.write(block)
                    written[place] += len(block)
        except OSError:
            break
print("DISK-WROTE", {k: v // 2**20 for k, v in written.items()})
