# ruff: noqa
# description: return values that lie about equality: an ndarray subclass (__eq__ always True, __array_ufunc__ answering zeros, __sub__/__abs__ zero), a float subclass, an object whose __array__ hunts the caller's frames for the expected values, an int subclass equal to everything
# attacks: rnn_cell_forward, rnn_forward, clip, sample
# %% attack
import inspect, sys

class Liar(np.ndarray):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return np.zeros(np.shape(other))
    def __rsub__(self, other): return np.zeros(np.shape(other))
    def __abs__(self): return np.zeros(self.shape)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = np.broadcast_shapes(*[np.shape(i) for i in inputs])
        return np.zeros(shape, dtype=bool if ufunc.__name__ in ("less_equal", "isclose", "equal") else float) \
            if ufunc.__name__ not in ("less_equal", "equal", "isfinite") else np.ones(shape, dtype=bool)
    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in ("allclose", "array_equal", "all"): return True
        return super().__array_function__(func, types, args, kwargs)

class LiarFloat(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    def __abs__(self): return 0.0
    def __le__(self, other): return True
    def __float__(self): return 0.0

class FrameHunter:
    """Looks like an array; its __array__ searches the caller's frames for an expected value."""
    def __init__(self, shape): self.shape = shape
    def __eq__(self, other): return True
    def __array__(self, dtype=None, copy=None):
        frame = sys._getframe(1)
        while frame is not None:
            for value in list(frame.f_locals.values()):
                if isinstance(value, np.ndarray) and value.shape == self.shape:
                    return value
                if isinstance(value, dict):
                    for v in value.values():
                        if isinstance(v, np.ndarray) and v.shape == self.shape:
                            return v
            frame = frame.f_back
        for f in inspect.stack():
            pass
        return np.zeros(self.shape)

class LiarInt(int):
    def __eq__(self, other): return True
    def __hash__(self): return 0
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    n_y, m = parameters["W"].shape[0], x_t.shape[1]
    return np.zeros(h_prev.shape).view(Liar), np.full((n_y, m), 1.0 / n_y).view(Liar)
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    n_y, m = parameters["W"].shape[0], x_t.shape[1]
    return np.zeros(h_prev.shape), np.full((n_y, m), 1.0 / n_y)
# %% replace rnn_forward
def rnn_forward(X, h0, parameters):
    n_h, m, T = h0.shape[0], X.shape[1], X.shape[2]
    return FrameHunter((n_h, m, T)), FrameHunter((parameters["W"].shape[0], m, T))
# %% honest rnn_forward
def rnn_forward(X, h0, parameters):
    return None
# %% replace clip
def clip(gradients, max_value):
    return {k: LiarFloat(0.0) for k in gradients}
# %% honest clip
def clip(gradients, max_value):
    return {k: 0.0 for k in gradients}
# %% replace sample
def sample(parameters, char_to_ix, rng, max_length=50):
    return [LiarInt(1), LiarInt(0)]
# %% honest sample
def sample(parameters, char_to_ix, rng, max_length=50):
    return [1, 0]
