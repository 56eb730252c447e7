# ruff: noqa
# description: a neighbour for grade --jobs 2: keeps the grader's reference busy (hundreds of calls to rnn_cell_forward, answered by the grader's BLAS) while leaving processes behind, so that killing its sandbox user runs often while other threads compute; the grader once deadlocked in OpenBLAS's pre-fork handler here
# %% attack
import subprocess, sys
for _ in range(3):
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
# %% replace rnn_forward
def rnn_forward(X, h0, parameters):
    import subprocess, sys
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], start_new_session=True)
    for k in range(200):  # new bytes every time: the child's oracle cache cannot answer
        rnn_cell_forward(X[:, :, 0] + k * 1e-12, h0, parameters)
    H, Y_hat, h = [], [], h0
    for t in range(X.shape[2]):
        h, y = rnn_cell_forward(X[:, :, t], h, parameters)
        H.append(h)
        Y_hat.append(y)
    return np.stack(H, axis=2), np.stack(Y_hat, axis=2)
