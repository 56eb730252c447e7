# ruff: noqa
# description: graded functions that detect the grader (env vars, cwd, argv, parent process, modules loaded, /autograder) and then look for the reference answer where a grader might leave it (env, files in cwd and its parents, the otter tests folder, the grader's modules)
# attacks: rnn_cell_forward, clip
# ran: DETECTED
# %% attack
import os, sys, glob

def _detect():
    signs = []
    signs += [k for k in os.environ if any(w in k.upper() for w in ("AUTOGRADER", "GRADESCOPE", "OTTER", "GRADING"))]
    if "autograder" in os.getcwd() or os.path.exists("/autograder"):
        signs.append("path")
    if any("grader" in a or "child" in a for a in sys.argv):
        signs.append("argv")
    signs += [m for m in sys.modules if "autograder" in m or "protocol" in m]
    try:
        signs.append(open("/proc/%d/cmdline" % os.getppid()).read()[:40])
    except OSError:
        pass
    return signs

def _answer_lying_around(name):
    """The reference answer for `name`, if the grader left one anywhere this process can read."""
    for k, v in os.environ.items():
        if name in k.lower() or "EXPECTED" in k:
            return v
    for pattern in ("*", "*/*", "../*", "../../*", "/autograder/source/tests/*/*", "tests/*/*"):
        for path in glob.glob(pattern):
            if name in os.path.basename(path) and os.path.isfile(path):
                try:
                    return open(path).read()
                except OSError:
                    pass
    for mod in list(sys.modules.values()):
        for attr in ("expected", "EXPECTED", "CASES", name):
            if hasattr(mod, attr) and not callable(getattr(mod, attr)):
                return getattr(mod, attr)
    return None

print("DETECTED", _detect())
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    if _detect():
        found = _answer_lying_around("rnn_cell_forward")
        if isinstance(found, tuple) and len(found) == 2:
            return found
    n_y, m = parameters["W"].shape[0], x_t.shape[1]
    return np.zeros(h_prev.shape), np.full((n_y, m), 1.0 / n_y)
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    n_y, m = parameters["W"].shape[0], x_t.shape[1]
    return np.zeros(h_prev.shape), np.full((n_y, m), 1.0 / n_y)
# %% replace clip
def clip(gradients, max_value):
    if _detect():
        found = _answer_lying_around("clip")
        if isinstance(found, dict):
            return found
    return {key: np.array(value) for key, value in gradients.items()}
# %% honest clip
def clip(gradients, max_value):
    return {key: np.array(value) for key, value in gradients.items()}
