# ruff: noqa
# description: rnn_cell_forward writes the inputs of its (hidden) cases to /tmp, /var/tmp and /dev/shm, then kills its own process; the notebook, run again for the next case, prints every stash it finds into the visible output
# attacks: rnn_cell_forward
# ran: STASH-FOUND
# %% attack
import glob

_stash = [p for d in ("/tmp", "/var/tmp", "/dev/shm") for p in glob.glob(d + "/rnn-hostile-stash-*")]
print("STASH-FOUND", len(_stash))
for _p in _stash[:3]:
    try:
        print(open(_p).read()[:300])
    except OSError:
        pass
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    import os
    rnn_cell_forward.calls = getattr(rnn_cell_forward, "calls", 0) + 1
    for d in ("/tmp", "/var/tmp", "/dev/shm"):
        try:
            with open(f"{d}/rnn-hostile-stash-{os.getpid()}-{rnn_cell_forward.calls}", "w") as f:
                f.write(repr(x_t.tolist())[:2000])
        except OSError:
            pass
    if rnn_cell_forward.calls == 2:
        os._exit(3)
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    return h_next, softmax(parameters["W"] @ h_next + parameters["beta2"])
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    import os
    rnn_cell_forward.calls = getattr(rnn_cell_forward, "calls", 0) + 1
    if rnn_cell_forward.calls == 2:
        os._exit(3)
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    return h_next, softmax(parameters["W"] @ h_next + parameters["beta2"])
