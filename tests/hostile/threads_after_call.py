# ruff: noqa
# description: graded functions start threads that keep running after the call returns (spinning, rewriting the namespace, mutating returned arrays); rnn_cell_forward is otherwise correct
# %% attack
import threading, time

def _meddle():
    while True:
        globals()["clip"] = globals().get("clip")
        time.sleep(0.005)

for _ in range(5):
    threading.Thread(target=_meddle, daemon=False).start()
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    import threading
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])

    def spin():
        end = time.monotonic() + 3600
        while time.monotonic() < end:
            yhat_t[...] = yhat_t
            time.sleep(0.002)
    if threading.active_count() < 40:
        threading.Thread(target=spin).start()
    return h_next, yhat_t
