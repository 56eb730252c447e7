# ruff: noqa
# description: monkeypatches numpy (np.clip -> identity, Generator.choice / np.random.Generator -> argmax, np.tanh, np.exp) and builtins (sum, isinstance, float) in ways that would fool a grader sharing the student's kernel; clip and sample are the solved code, now behaving wrongly
# attacks: clip, sample
# ran: NUMPY-PATCHED
# position: end
# %% attack
import builtins
import numpy as np

np.clip = lambda a, lo=None, hi=None, *args, **kwargs: np.asarray(a)

class _ArgmaxGenerator(np.random.Generator):
    def choice(self, a, size=None, replace=True, p=None, *args, **kwargs):
        return int(np.argmax(p)) if p is not None else 0

np.random.Generator = _ArgmaxGenerator
np.random.default_rng = lambda *a, **k: _ArgmaxGenerator(np.random.PCG64(0))
try:
    type.__setattr__(np.random._generator.Generator, "choice", _ArgmaxGenerator.choice)
except TypeError:
    pass
_real_sum, _real_isinstance = builtins.sum, builtins.isinstance
builtins.sum = lambda *a, **k: 0
builtins.float = lambda *a, **k: 0.0
print("NUMPY-PATCHED")
# %% honest clip
def clip(gradients, max_value):
    return {key: np.array(value) for key, value in gradients.items()}
# %% honest sample
def sample(parameters, char_to_ix, rng, max_length=50):
    x = np.zeros((parameters["V"].shape[1], 1))
    h = np.zeros((parameters["U"].shape[0], 1))
    indices = []
    newline = char_to_ix["\n"]
    while len(indices) < max_length:
        h, yhat = rnn_cell_forward(x, h, parameters)
        index = int(np.argmax(yhat[:, 0]))
        indices.append(index)
        if index == newline:
            return indices
        x = np.zeros_like(x)
        x[index] = 1.0
    indices.append(newline)
    return indices
