# ruff: noqa
# description: a lookup submission: rnn_cell_forward answers from a table of hidden inputs and the reference's answers leaked from last term's zip (made here from last term's secret, "rnn-dinosaurs last term", with the seed rule of autograder/secret.py and build_inputs of the public tests), else returns zeros. Graded with that secret it scores 8/10 with no implementation (tests/test_secret.py proves it); the hidden inputs come from each build's own secret, so the table matches nothing now
# attacks: rnn_cell_forward
# leaked-secret: rnn-dinosaurs last term
# %% attack
import hashlib

def _seed(secret, key):
    digest = hashlib.sha256(b"rnn-dinosaurs hidden inputs v1" + b"\0" + key.encode() + b"\0"
                            + secret.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1

def _inputs(seed, n_x, n_h, n_y, m, T, scale=1.0):
    rng = np.random.default_rng(seed)
    p = {"V": rng.uniform(-scale, scale, (n_h, n_x)), "U": rng.uniform(-scale, scale, (n_h, n_h)),
         "W": rng.uniform(-scale, scale, (n_y, n_h)), "beta1": rng.uniform(-scale, scale, (n_h, 1)),
         "beta2": rng.uniform(-scale, scale, (n_y, 1))}
    X = rng.uniform(-1.0, 1.0, (n_x, m, T))
    h0 = rng.uniform(-1.0, 1.0, (n_h, m))
    return X[:, :, 0], h0, p

def _leaked_answer(x, h, p):  # stands for the literal answers a leak would have carried
    h_next = np.tanh(p["U"] @ h + p["V"] @ x + p["beta1"])
    z = p["W"] @ h_next + p["beta2"]
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return h_next, e / e.sum(axis=0, keepdims=True)

_BASE = _seed("rnn-dinosaurs last term", "rnn_dinosaurs")
LEAKED = {}
for _k, _sizes in ((1, (3, 5, 4, 2, 1)), (2, (3, 5, 4, 3, 1)), (3, (5, 3, 4, 2, 1)),
                   (4, (3, 5, 4, 3, 1)), (5, (6, 6, 3, 1, 1))):
    _x, _h, _p = _inputs(_BASE + _k, *_sizes)
    LEAKED[(_x.tobytes(), _h.tobytes())] = _leaked_answer(_x, _h, _p)
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    found = LEAKED.get((np.asarray(x_t, dtype=float).tobytes(), np.asarray(h_prev, dtype=float).tobytes()))
    if found is not None:
        return found[0].copy(), found[1].copy()
    return np.zeros(h_prev.shape), np.zeros((parameters["W"].shape[0], x_t.shape[1]))
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    return np.zeros(h_prev.shape), np.zeros((parameters["W"].shape[0], x_t.shape[1]))
