# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Dinosaur Island: a recurrent neural network from scratch
#
# Sixty-six million years ago the dinosaurs disappeared; in this notebook you will bring back
# their *names*. You will build, in NumPy only, the recurrent neural network (RNN) of the lecture,
# train it on about 1,350 real dinosaur names, and let it invent new ones, one letter at a time.
#
# What you will write, and what each part teaches:
#
# | part | you write | what it is about |
# |---|---|---|
# | 1 | (nothing) | why a sequence model needs memory; the recurrence and its shapes |
# | 2 | `rnn_cell_forward`, `rnn_forward` | one step of the recurrence, then all T steps; the loss; your RNN is Keras's `SimpleRNN` |
# | 3 | `bptt` | backpropagation through time, and checking it against finite differences |
# | 4 | `clip` | exploding and vanishing gradients, and what clipping does about the first |
# | 5 | `sample` | generating a name; why we sample instead of taking the most likely letter |
# | 6 | (nothing) | training the generator with *your* functions; what its hidden units learned; temperature |
# | 7 | four short written answers | |
#
# **How you are graded.** Each function is graded by hidden tests (correct values on several
# shapes, batch sizes and random inputs; `sample` is also judged statistically). Below every
# function is a cell `grader.check("...")` that runs its one *public* test: one fixed input,
# checked the same way as the hidden ones. Passing it is a good sign, not a guarantee: a function
# that fails it is certainly wrong, one that passes may still be wrong on other sizes. The written
# answers of part 7 are graded by hand.
#
# **Rules of the game.**
# - Write each function in the cell that holds its stub; keep the cell's first line (`def ...(`)
#   and the function's name and arguments as they are. Replace `...` with your code.
# - Use NumPy and the helpers given to you; no other libraries (no PyTorch, no autograd).
# - Do not rename the notebook's helper functions; the tests call them by name.
# - Cells marked *demonstration* train or plot; they are not graded, but run them: they show
#   what your code does.
#
# **Running it.** Locally, with Python 3.10 or newer:
# `pip install "otter-grader==7.0.0" numpy matplotlib jupyterlab`, then `jupyter lab` in the folder
# of this notebook. On Colab (or anywhere you have only this `.ipynb` file), just run the cells
# from the top: the first code cell writes the public tests (`tests/`) and the names
# (`data/dinos.txt`) when they are missing, and installs otter-grader on Colab. The section
# *Submitting* at the end says how to hand the notebook in.

# %% tags=["skip-grading"]
# @title Set-up: run this cell first (it writes the public tests and the names when missing)
# It writes this notebook's public tests (tests/) and data (data/) when they are missing (on
# Colab, or wherever you have only the .ipynb), and installs otter-grader on Colab.
# embed-files: rnn_dinosaurs

# %%
# ruff: noqa: E402, E501, F821  (the build drops this line; the directives define the names)
import otter

grader = otter.Notebook(tests_dir="tests/rnn_dinosaurs")

import time

import matplotlib.pyplot as plt
import numpy as np

# %% [markdown]
# The helpers below are given to you: read them, you will use all of them. `softmax` works
# column by column (each column of its input is one distribution), `one_hot` turns indices into
# one-hot vectors, `initialize_parameters` makes a random RNN.

# %%
# provided: solutions.rnn.softmax


# provided: solutions.rnn.one_hot


# provided: solutions.rnn.initialize_parameters

# %% [markdown]
# ## 1. Why sequences need memory
#
# Read the names one letter at a time and try to guess the next letter: after `tyrannosauru` you
# would say `s`, after `tyrannosaurus` you would end the name. The right guess depends on
# *everything read so far*, not only on the last letter: after a `u`, the next letter is `r` in
# `sau|rus` but `s` in `saur|us`, and whether to stop after `saurus` depends on how the name began.
# A feed-forward network sees a fixed number of inputs, so it can only look at a fixed window of
# the last few letters; but names have no fixed length, and what matters may lie outside the window.
#
# A recurrent network keeps a **hidden state** $h_t$, a vector that summarises what it has read,
# and updates it with the same weights at every time step:
#
# $$h_t = \tanh(U\,h_{t-1} + V\,x_t + \beta_1), \qquad \hat y_t = \mathrm{softmax}(W\,h_t + \beta_2).$$
#
# - $x_t$ is the input at step $t$ (here the one-hot vector of a letter), $h_{t-1}$ the previous
#   state. Time steps count from 0, like Python: $h_t$ is the state after reading $x_t$, for
#   $t = 0, \dots, T-1$. The initial state, the state before the first input, is the argument
#   `h0` (zeros, unless said otherwise); in formulas it is $h_{-1}$, so the first step is
#   $h_0 = \tanh(U\,h_{-1} + V\,x_0 + \beta_1)$ with $h_{-1} =$ `h0`.
# - $V$ reads the input, $U$ carries the past forward, $W$ turns the state into scores over the
#   $n_y$ possible next letters; $\beta_1$ and $\beta_2$ are biases.
# - $\hat y_t$ is a probability distribution over the next letter.
#
# Because $U$, $V$, $W$ are shared across time, the same network reads names of any length.
#
# ### Shapes: the contract used everywhere in this notebook
#
# Vectors are **columns**. A *batch* of $m$ sequences is $m$ columns side by side, so one time
# step of input is a matrix $x_t$ of shape $(n_x, m)$ and a whole batch is a 3-d array whose last
# axis is time. With $n_x$ the input size (27 letters here), $n_h$ the hidden size, $n_y$ the
# output size ($n_y = n_x$ for names) and $T$ the number of time steps:
#
# | name | shape | meaning |
# |---|---|---|
# | `parameters["V"]` | $(n_h, n_x)$ | input to hidden |
# | `parameters["U"]` | $(n_h, n_h)$ | hidden to hidden |
# | `parameters["W"]` | $(n_y, n_h)$ | hidden to output |
# | `parameters["beta1"]` | $(n_h, 1)$ | hidden bias |
# | `parameters["beta2"]` | $(n_y, 1)$ | output bias |
# | `x_t` | $(n_x, m)$ | one time step of input |
# | `X` | $(n_x, m, T)$ | a batch of sequences; `X[:, :, t]` is $x_t$ |
# | `h_prev`, `h0` | $(n_h, m)$ | a hidden state |
# | `H` | $(n_h, m, T)$ | `H[:, :, t]` is $h_t$, the state *after* reading `X[:, :, t]` |
# | `Y_hat` | $(n_y, m, T)$ | `Y_hat[:, :, t]` is $\hat y_t$; every column sums to 1 |
# | `Y` | $(n_y, m, T)$ | one-hot targets |
#
# Note that `H[:, :, 0]` is $h_0$, the state *after* the first input `X[:, :, 0]`; the initial
# state $h_{-1}$ is not in `H`: it is passed separately as `h0`. The biases have one column and are
# added to all $m$ columns by NumPy broadcasting. Everything is float64.
#
# The letters are numbered as follows: index 0 is `"\n"`, which marks the **end of a name**, and
# indices 1 to 26 are `"a"` to `"z"`.

# %% [markdown]
# ## 2. The forward pass
#
# ### 2.1 One step: `rnn_cell_forward`
#
# Implement one step of the recurrence for a batch: from $x_t$ and $h_{t-1}$ compute $h_t$, then
# $\hat y_t$. Use `np.tanh` and the given `softmax`; no loop is needed (the $m$ columns are
# processed together by the matrix products).

# %%
# solution: solutions.rnn.rnn_cell_forward

# %%
grader.check("rnn_cell_forward")

# %% [markdown]
# ### 2.2 All time steps: `rnn_forward`
#
# Now run the recurrence over $T$ steps, starting from `h0`: loop over $t$, call your
# `rnn_cell_forward`, and store each $h_t$ in `H[:, :, t]` and each $\hat y_t$ in `Y_hat[:, :, t]`.
# Keep every state: the backward pass needs them all.

# %%
# solution: solutions.rnn.rnn_forward

# %%
grader.check("rnn_forward")

# %% [markdown]
# ### 2.3 The loss
#
# The network is trained to give the *actual* next letter a high probability. With one-hot
# targets $y_t$, the loss is the cross-entropy **summed** over all time steps and all sequences of
# the batch (a sum, not a mean):
#
# $$L = -\sum_{t=0}^{T-1} \sum_{i=1}^{m} \log \hat y_t[\text{target of sequence } i \text{ at step } t].$$
#
# It is given to you below. A network that knows nothing gives every letter probability $1/27$,
# so its loss is about $\log 27 \approx 3.30$ per letter: that is the number to beat. The cell
# after it checks your `rnn_forward` against that.

# %%
# provided: solutions.rnn.cross_entropy_loss

# %% tags=["skip-grading"]
# Demonstration: an untrained network is close to a uniform guess, about log(27) per letter.
demo_rng = np.random.default_rng(0)
demo_parameters = initialize_parameters(27, 50, 27, demo_rng, scale=0.01)
demo_X = one_hot(demo_rng.integers(0, 27, size=(4, 10)), 27)  # m = 4 sequences, T = 10
demo_Y = one_hot(demo_rng.integers(0, 27, size=(4, 10)), 27)
demo_H, demo_Y_hat = rnn_forward(demo_X, np.zeros((50, 4)), demo_parameters)
print("H:", demo_H.shape, " Y_hat:", demo_Y_hat.shape)
print(f"loss per letter: {cross_entropy_loss(demo_Y_hat, demo_Y) / 40:.4f}  (log 27 = {np.log(27):.4f})")

# %% [markdown]
# ### 2.4 Your RNN is Keras's `SimpleRNN`
#
# In Keras (TensorFlow's high-level API), this layer is `keras.layers.SimpleRNN`, and the lecture
# says this exercise is there to understand what happens inside it. Here is the claim, checked:
# **with the same weights, your `rnn_forward` computes exactly the states of a `SimpleRNN`.**
#
# Keras writes vectors as *rows* and batches as rows stacked, so its layer computes, for a batch of
# inputs $x_t$ of shape $(m, n_x)$,
#
# $$h_t = \tanh(x_t\,K + h_{t-1}\,R + b),$$
#
# with `kernel` $K$ of shape $(n_x, n_h)$, `recurrent_kernel` $R$ of shape $(n_h, n_h)$ and `bias`
# $b$ of shape $(n_h,)$. Transpose both sides and you get the lecture's column form,
# $h_t^\top = \tanh(K^\top x_t^\top + R^\top h_{t-1}^\top + b^\top)$, so
#
# | Keras | shape in Keras | here | shape here |
# |---|---|---|---|
# | `kernel` | $(n_x, n_h)$ | $V$ = `kernel.T` | $(n_h, n_x)$ |
# | `recurrent_kernel` | $(n_h, n_h)$ | $U$ = `recurrent_kernel.T` | $(n_h, n_h)$ |
# | `bias` | $(n_h,)$ | $\beta_1$ = `bias.reshape(n_h, 1)` | $(n_h, 1)$ |
# | inputs | (batch, time, features) $= (m, T, n_x)$ | `X = np.transpose(inputs, (2, 0, 1))` | $(n_x, m, T)$ |
# | `initial_state` | $(m, n_h)$ | `h0 = initial_state.T` | $(n_h, m)$ |
# | output, `return_sequences=True` | $(m, T, n_h)$ | `H`, the same transpose | $(n_h, m, T)$ |
#
# A `SimpleRNN` has no output layer: in Keras, $W$ and $\beta_2$ are a `Dense(n_y,
# activation="softmax")` layer on top (its `kernel` is $W^\top$). The file `data/keras_simplernn.json`
# holds a small `SimpleRNN`'s weights, inputs and initial state, and the states Keras computed from
# them, in float64 and in its default float32 (made by the course's `scripts/make_keras_fixture.py`
# with Keras 3; you need neither TensorFlow nor Keras). In Keras the run was
#
# ```python
# layer = keras.layers.SimpleRNN(3, return_sequences=True)   # tanh, with a bias
# outputs = layer(inputs, initial_state=[initial_state])      # (m, T, n_h)
# ```
#
# and the next cell runs *your* `rnn_forward` on the same numbers.

# %% tags=["skip-grading"]
# Demonstration: your rnn_forward with a keras.layers.SimpleRNN's weights gives Keras's states.
import json

with open("data/keras_simplernn.json", encoding="utf-8") as f:
    keras_file = json.load(f)
keras_layer = keras_file["simple"]["layer"]
kernel = np.array(keras_layer["kernel"])  # (n_x, n_h) = (4, 3)
recurrent_kernel = np.array(keras_layer["recurrent_kernel"])  # (n_h, n_h)
bias = np.array(keras_layer["bias"])  # (n_h,)
keras_n_h = bias.shape[0]
keras_parameters = {
    "V": kernel.T,
    "U": recurrent_kernel.T,
    "beta1": bias.reshape(keras_n_h, 1),
    "W": np.zeros((1, keras_n_h)),  # SimpleRNN has no output layer: W and beta2 are unused here
    "beta2": np.zeros((1, 1)),
}
keras_inputs = np.array(keras_file["inputs"])  # Keras's (batch, time, features) = (m, T, n_x)
keras_X = np.transpose(keras_inputs, (2, 0, 1))  # ours: (n_x, m, T)
keras_h0 = np.array(keras_file["simple"]["initial_state"]).T  # (m, n_h) -> (n_h, m)
keras_H, _ = rnn_forward(keras_X, keras_h0, keras_parameters)
print(f"inputs {keras_inputs.shape} (m, T, n_x) -> X {keras_X.shape};  H {keras_H.shape}")
print("sequence 0, unit 0:  t   your h_t[0]        Keras's h_t[0] (float64)")
keras_states = {kind: np.transpose(np.array(keras_file["simple"][f"outputs_{kind}"]), (2, 0, 1))
                for kind in ("float64", "float32")}
for t in range(keras_X.shape[2]):
    print(f"                    {t}   {keras_H[0, 0, t]: .15f}  {keras_states['float64'][0, 0, t]: .15f}")
for kind, states in keras_states.items():
    print(f"largest difference from Keras's {kind} states: {np.abs(keras_H - states).max():.1e}")

# %% [markdown]
# Your states agree with Keras's float64 ones to about $10^{-16}$, the last digit of a float64, and
# with its float32 ones to about $10^{-7}$, float32's precision (Keras computes in float32 unless
# told otherwise; this notebook, like the lecture's formulas, in float64). If yours do not, the
# table shows from which time step on they differ.

# %% [markdown]
# ## 3. Backpropagation through time: `bptt`
#
# To train, we need the gradient of $L$ with respect to every parameter. The network unrolled over
# time is an ordinary (deep) computation graph in which the *same* $U$, $V$, $W$, $\beta_1$,
# $\beta_2$ appear at every step; so their gradient is the **sum over time** of the gradients at
# each step. Write $z_t = W h_t + \beta_2$ and $a_t = U h_{t-1} + V x_t + \beta_1$, so that
# $h_t = \tanh(a_t)$ and $\hat y_t = \mathrm{softmax}(z_t)$. Three facts do all the work:
#
# 1. **Softmax and cross-entropy together** have a simple gradient:
#    $\partial L / \partial z_t = \hat y_t - y_t$.
# 2. **The derivative of tanh** is $1 - \tanh^2$, and $\tanh(a_t) = h_t$ is already stored in `H`:
#    $\partial L / \partial a_t = (1 - h_t^2) \odot \partial L / \partial h_t$ (element-wise).
# 3. **$h_t$ reaches the loss by two paths**: through $\hat y_t$ (via $W$) and through $h_{t+1}$
#    (via $U$). So, going backwards from $t = T-1$ down to $0$,
#    $$\frac{\partial L}{\partial h_t} = W^\top \frac{\partial L}{\partial z_t} + U^\top \frac{\partial L}{\partial a_{t+1}},$$
#    where the second term is zero at the last step. After step $t = 0$ the same term,
#    $U^\top\, \partial L / \partial a_0$, is `dh0`: the gradient with respect to the initial state.
#
# From $\partial L / \partial z_t$ and $\partial L / \partial a_t$, each parameter's gradient at step
# $t$ follows as in an ordinary layer ($\partial L/\partial W$ gets $\partial L/\partial z_t \, h_t^\top$,
# $\partial L/\partial U$ gets $\partial L/\partial a_t \, h_{t-1}^\top$, and so on; a bias gets the
# row sums over the batch). Remember that $h_{t-1}$ at $t = 0$ is $h_{-1}$ = `h0`, not `H[:, :, -1]`.
#
# Return a dict with the keys `"dV"`, `"dU"`, `"dW"`, `"dbeta1"`, `"dbeta2"`, `"dh0"`, each of the
# shape of what it differentiates. Use the `H` and `Y_hat` you are given: do not run the forward
# pass again.

# %%
# solution: solutions.rnn.bptt

# %%
grader.check("bptt")

# %% [markdown]
# ### 3.1 Check your own gradients
#
# A derivative is a limit: $\partial L/\partial \theta \approx (L(\theta + \varepsilon) -
# L(\theta - \varepsilon)) / 2\varepsilon$ for a small $\varepsilon$. The given
# `numerical_gradient(f, x)` computes this for every element of an array `x` (changing `x` in
# place and putting it back), and `relative_error(a, b)` says how far two arrays are apart relative
# to their size. It is slow (two forward passes per number), so we use a tiny network; but it needs
# no calculus, so it is the judge of your `bptt`. Errors below about $10^{-6}$ mean agreement;
# $10^{-2}$ or more means a bug. Run the cell and read the table: the name of the gradient that
# fails tells you where to look.

# %%
# provided: solutions.gradcheck.numerical_gradient


# provided: solutions.gradcheck.relative_error

# %% tags=["skip-grading"]
# Demonstration: gradient check of your bptt on a tiny network (n_x=4, n_h=3, m=2, T=5).
check_rng = np.random.default_rng(1)
check_parameters = initialize_parameters(4, 3, 4, check_rng, scale=0.8)
check_parameters["beta1"] = check_rng.normal(size=(3, 1))
check_parameters["beta2"] = check_rng.normal(size=(4, 1))
check_X = check_rng.normal(size=(4, 2, 5))
check_Y = one_hot(check_rng.integers(0, 4, size=(2, 5)), 4)
check_h0 = check_rng.normal(size=(3, 2))


def check_loss():
    _, Y_hat = rnn_forward(check_X, check_h0, check_parameters)
    return cross_entropy_loss(Y_hat, check_Y)


check_H, check_Y_hat = rnn_forward(check_X, check_h0, check_parameters)
check_gradients = bptt(check_X, check_Y, check_H, check_Y_hat, check_h0, check_parameters)
for key in ["V", "U", "W", "beta1", "beta2", "h0"]:
    array = check_h0 if key == "h0" else check_parameters[key]
    numerical = numerical_gradient(check_loss, array)
    error = relative_error(check_gradients["d" + key], numerical)
    verdict = "ok" if error < 1e-6 else "CHECK THIS ONE"
    print(f"d{key:<6} relative error {error:.2e}   {verdict}")

# %% [markdown]
# ## 4. Exploding and vanishing gradients: `clip`
#
# Fact 3 above says that going one step back in time multiplies the gradient by
# $U^\top \mathrm{diag}(1 - h_t^2)$. Going back $k$ steps multiplies it by $k$ such matrices. Like
# $0.5^k$ and $2^k$, such a product tends to shrink to nothing or to blow up as $k$ grows,
# depending on whether these matrices shrink or stretch vectors (roughly: on the size of $U$'s
# largest singular values, and on how saturated the tanh units are).
#
# The next cell shows it. It runs *your* `rnn_forward` over 40 random letters with $U$ a rotation
# scaled by 0.5, 1, 2 or 4, then propagates a gradient of norm 1 backwards from the last step and
# plots $\lVert \partial L/\partial h_t \rVert$ against $t$ (a log scale).

# %% tags=["skip-grading"]
# Demonstration: ||dL/dh_t|| through time for U = scale * (a rotation).
def gradient_norms_through_time(parameters, X):
    """||dL/dh_t|| for t = 0..T-1, when dL/dh_{T-1} is a unit vector and only h_{T-1} is scored."""
    n_h = parameters["U"].shape[0]
    H, _ = rnn_forward(X, np.zeros((n_h, 1)), parameters)
    T = X.shape[2]
    g = np.ones((n_h, 1)) / np.sqrt(n_h)
    norms = [1.0]
    for t in range(T - 1, 0, -1):
        # One step back in time: through tanh (1 - h_t^2) and then through U.
        g = parameters["U"].T @ ((1 - H[:, :, t] ** 2) * g)
        norms.append(np.linalg.norm(g))
    return norms[::-1]


grad_rng = np.random.default_rng(2)
grad_X = one_hot(grad_rng.integers(1, 27, size=(1, 40)), 27)  # m = 1, T = 40
rotation = np.linalg.qr(grad_rng.normal(size=(50, 50)))[0]
scales = [0.5, 1.0, 2.0, 4.0]
fig, ax = plt.subplots(figsize=(7, 4))
for scale in scales:
    grad_parameters = initialize_parameters(27, 50, 27, np.random.default_rng(3), scale=0.05)
    grad_parameters["U"] = scale * rotation
    ax.semilogy(gradient_norms_through_time(grad_parameters, grad_X), label=f"U = {scale} x rotation")
ax.set_xlabel("time step t")
ax.set_ylabel("||dL/dh_t||  (log scale)")
ax.set_title("A gradient sent back from the last step (t = 39)")
ax.legend()
plt.show()

# %% [markdown]
# With the small $U$ the gradient **vanishes**: after 20 steps back it is a millionth of what it
# was, so the first letters of a long name get almost no say in how the weights change, and the
# network struggles to learn long-range structure. With the large $U$ it **explodes**: a single
# update can be so large that it throws the weights far away and undoes training (the loss
# suddenly jumps, or becomes `nan`).
#
# There is no cheap cure for vanishing gradients in this plain RNN (that is what LSTMs and GRUs
# are for), but exploding gradients have a blunt and effective one: **clipping**. Before the update,
# every element of every gradient is forced into the interval `[-max_value, max_value]`.
# Elements that were already small pass unchanged; huge ones are cut to the bound, so no single
# update can be huge.
#
# Implement `clip`. It must return a **new** dict with the same keys, and leave the dict and the
# arrays it receives unchanged (the caller may still need the unclipped gradients, as the plot
# below does). `np.clip` is allowed.

# %%
# solution: solutions.rnn.clip

# %%
grader.check("clip")

# %% tags=["skip-grading"]
# Demonstration: what clip does to an exploding gradient (U = 4 x rotation, a real loss this time).
explode_parameters = initialize_parameters(27, 50, 27, np.random.default_rng(3), scale=0.05)
explode_parameters["U"] = 4.0 * rotation
explode_Y = one_hot(grad_rng.integers(0, 27, size=(1, 40)), 27)
explode_H, explode_Y_hat = rnn_forward(grad_X, np.zeros((50, 1)), explode_parameters)
raw = bptt(grad_X, explode_Y, explode_H, explode_Y_hat, np.zeros((50, 1)), explode_parameters)
clipped = clip(raw, 5.0)
fig, ax = plt.subplots(figsize=(7, 4))
ax.semilogy(np.sort(np.abs(raw["dU"]).ravel())[::-1], label="dU before clip")
ax.semilogy(np.sort(np.abs(clipped["dU"]).ravel())[::-1], label="dU after clip(gradients, 5)")
ax.axhline(5.0, color="gray", linestyle=":")
ax.set_xlabel("elements of dU, largest first")
ax.set_ylabel("|element|  (log scale)")
ax.legend()
plt.show()
print(f"largest |dU| element: {np.abs(raw['dU']).max():.1f} before, {np.abs(clipped['dU']).max():.1f} after")

# %% [markdown]
# Clipping element by element also changes the gradient's *direction* a little (large elements are
# cut more than small ones). A common alternative scales the whole gradient down when its norm is
# too large, keeping its direction; both prevent the one catastrophic step.

# %% [markdown]
# ## 5. Generating names: `sample`
#
# A trained network gives, after reading a prefix, a distribution $\hat y_t$ over the next letter.
# To invent a name we turn that around: start from nothing, **draw** a letter from $\hat y_t$, feed
# it back in as the next input, and repeat until the network draws the end-of-name character.
#
# Precisely: start with $x = $ zeros $(n_x, 1)$ and $h = $ zeros $(n_h, 1)$ (a batch of one). At each
# step, compute $h$ and $\hat y$ with your `rnn_cell_forward`, draw an index from $\hat y$ with
# `rng.choice(n_y, p=yhat.ravel())`, append it to the list of indices, and make its one-hot vector
# the next $x$. Stop after drawing `char_to_ix["\n"]`; if `max_length` indices have been drawn
# without it, append `char_to_ix["\n"]` yourself and stop. All randomness must come from `rng`, so
# that the same `rng` state gives the same name (that is how it is tested).
#
# Why draw at random, instead of always taking the most likely letter (`argmax`)? Think about it
# while you write `sample`; at the end of part 6 you will see what `argmax` produces, and question
# 7.2 asks you to explain the difference.

# %%
# solution: solutions.rnn.sample

# %%
grader.check("sample")

# %% [markdown]
# ## 6. Training the generator with your functions
#
# Everything is in place. The names are in `data/dinos.txt`, one per line. A name of $\ell$
# letters becomes a training sequence of $T = \ell + 1$ steps as follows (with `\n` ending the
# name; `tyrannosaurus` has $\ell = 13$):
#
# | t | 0 | 1 | 2 | ... | $\ell$ |
# |---|---|---|---|---|---|
# | input $x_t$ | zeros | `t` | `y` | ... | last letter |
# | target $y_t$ | `t` | `y` | `r` | ... | `\n` |
#
# so the network learns the first letter (from the zero input, exactly as `sample` starts), every
# next letter, and when to stop. The given helpers build the vocabulary, encode and decode names,
# and turn a list of encoded names into `X` and `Y` batches.

# %%
# provided: solutions.data.VOCAB
# provided: solutions.data.END_OF_NAME


# provided: solutions.data.build_vocab


# provided: solutions.data.encode_name


# provided: solutions.data.decode


# provided: solutions.train.index_batch


# provided: solutions.train.make_batch

# %% tags=["skip-grading"]
# Demonstration: the names, the vocabulary, and one name as a training sequence.
with open("data/dinos.txt", encoding="utf-8") as f:
    names = [line.strip().lower() for line in f if line.strip()]
char_to_ix, ix_to_char = build_vocab()
print(f"{len(names)} names, e.g. {names[:5]}")
print(f"vocabulary of {len(char_to_ix)} characters: index 0 is {ix_to_char[0]!r}, 1 is {ix_to_char[1]!r}")
example_X, example_Y = make_batch([encode_name(names[0], char_to_ix)], len(char_to_ix))
print(f"{names[0]!r}: X {example_X.shape}, Y {example_Y.shape}")

# %% [markdown]
# The training loop below is given. It takes batches of names **of the same length** (so that no
# padding is needed), runs your `rnn_forward`, your `bptt` and your `clip`, and updates the
# weights with Adam, a variant of gradient descent that adapts the step size of every weight
# (also given). The gradients are divided by the number of letters in the batch, so that the step
# size does not depend on the batch size. Every few epochs it prints names drawn by your `sample`.
#
# With the default settings (30 epochs, $n_h = 64$) it took 3 s on a quiet 2-core test machine and
# 11 s on the same machine under load. Try more epochs or a larger `n_h` and see how the names
# change.

# %%
# provided: solutions.train.Adam


# provided: solutions.train.same_length_batches


def train(names, char_to_ix, ix_to_char, n_h=64, epochs=30, batch_size=32, learning_rate=0.01,
          clip_value=5.0, seed=0, print_every=5):
    """Train the name generator with rnn_forward, bptt, clip and sample.

    Returns:
    parameters -- the trained weights, the dict of part 1's table
    losses -- list of the training loss per letter of every epoch
    """
    rng = np.random.default_rng(seed)
    n_x = len(char_to_ix)
    parameters = initialize_parameters(n_x, n_h, n_x, rng)
    optimizer = Adam(parameters, learning_rate)
    encoded = [encode_name(name, char_to_ix) for name in names]
    losses = []
    for epoch in range(1, epochs + 1):
        epoch_loss, epoch_letters = 0.0, 0
        for batch in same_length_batches([len(e) for e in encoded], batch_size, rng):
            X, Y = make_batch([encoded[i] for i in batch], n_x)
            h0 = np.zeros((n_h, len(batch)))
            H, Y_hat = rnn_forward(X, h0, parameters)
            letters = Y.shape[1] * Y.shape[2]
            epoch_loss += cross_entropy_loss(Y_hat, Y)
            epoch_letters += letters
            gradients = bptt(X, Y, H, Y_hat, h0, parameters)
            # The loss is a sum; its mean per letter gives steps that do not grow with the batch.
            gradients = {key: value / letters for key, value in gradients.items()}
            optimizer.update(parameters, clip(gradients, clip_value))
        losses.append(epoch_loss / epoch_letters)
        if epoch % print_every == 0 or epoch == epochs:
            invented = [decode(sample(parameters, char_to_ix, rng), ix_to_char) for _ in range(6)]
            print(f"epoch {epoch:3d}  loss/letter {losses[-1]:.3f}  " + ", ".join(invented))
    return parameters, losses

# %% tags=["skip-grading"]
# Demonstration: train (a few seconds) and watch the names improve.
started = time.perf_counter()
trained_parameters, losses = train(names, char_to_ix, ix_to_char)
print(f"trained in {time.perf_counter() - started:.1f} s")

fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(np.arange(1, len(losses) + 1), losses, marker=".", label="training loss")
ax.axhline(np.log(27), color="gray", linestyle=":", label="uniform guess, log 27")
ax.set_xlabel("epoch")
ax.set_ylabel("loss per letter (nats)")
ax.set_ylim(0, 3.5)
ax.legend()
plt.show()

# %% [markdown]
# Finally, compare sampling with `argmax` (always taking the most likely letter) on the trained
# network. The cell runs your `sample` twice over: once with a real random generator, once with a
# stand-in whose `choice` returns the most likely index instead of drawing one (this assumes your
# `sample` draws with `rng.choice(n_y, p=...)`, as suggested).

# %% tags=["skip-grading"]
# Demonstration: ten sampled names, and the one name that argmax always gives.
class ArgmaxChooser:
    """Stands in for the rng in sample: choice(n, p=yhat) returns the most likely index."""

    def choice(self, n, p=None, **kwargs):
        return int(np.argmax(p))


name_rng = np.random.default_rng(42)
sampled = [decode(sample(trained_parameters, char_to_ix, name_rng), ix_to_char) for _ in range(10)]
print("sampled:", ", ".join(sampled))
greedy = [decode(sample(trained_parameters, char_to_ix, ArgmaxChooser()), ix_to_char) for _ in range(3)]
print("argmax: ", ", ".join(greedy))

# %% [markdown]
# ### 6.1 Looking inside: what the hidden state has learned
#
# The network has to know, at every letter, whether the name is about to end, since it must give
# `\n` a high probability exactly there. Some hidden units take on that job. The next cell runs
# your `rnn_forward` over every name, finds the four units whose value is most correlated with
# "the next character is the end of the name", and shows them letter by letter on four names
# (red: close to +1, blue: close to -1). Column $t$ is the state after reading the letter below it.

# %% tags=["skip-grading"]
# Demonstration: the units most tied to the end of a name, over a few names.
trained_n_h = trained_parameters["U"].shape[0]
encoded_names = [encode_name(name, char_to_ix) for name in names]
all_states, ends_next = [], []
for batch in same_length_batches([len(e) for e in encoded_names], 256, np.random.default_rng(0)):
    X, Y = make_batch([encoded_names[i] for i in batch], len(char_to_ix))
    H, _ = rnn_forward(X, np.zeros((trained_n_h, len(batch))), trained_parameters)
    all_states.append(H.transpose(1, 2, 0).reshape(-1, trained_n_h))  # one row per (name, t)
    ends_next.append(Y[char_to_ix["\n"]].reshape(-1))  # 1 where the target is "\n"
all_states, ends_next = np.concatenate(all_states), np.concatenate(ends_next)
correlation = np.array([np.corrcoef(all_states[:, k], ends_next)[0, 1] for k in range(trained_n_h)])
end_units = np.argsort(-np.abs(correlation))[:4]
print("units most correlated with 'the name ends next':",
      ", ".join(f"unit {k} ({correlation[k]:+.2f})" for k in end_units))

examples = ["tyrannosaurus", "stegosaurus", "velociraptor", "triceratops"]
fig, axes = plt.subplots(len(examples), 1, figsize=(8, 1.7 * len(examples)), layout="constrained")
for ax, name in zip(axes, examples, strict=True):
    X, _ = make_batch([encode_name(name, char_to_ix)], len(char_to_ix))
    H, _ = rnn_forward(X, np.zeros((trained_n_h, 1)), trained_parameters)
    image = ax.imshow(H[end_units, 0, :], cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(name) + 1), ["start"] + list(name))
    ax.set_yticks(range(len(end_units)), [f"unit {k}" for k in end_units], fontsize=7)
fig.colorbar(image, ax=axes, label="h_t of the unit")
axes[0].set_title("The four units most tied to the end of a name, letter by letter")
plt.show()

# %% [markdown]
# Look at the last column of each name (after its last letter, where the target is `\n`) and at
# the columns after `...saur`, where `us` often follows but the name is not over yet: units that
# change sign right at the end are the network's "end of name" detectors. They were not asked for;
# training found them because predicting `\n` needs them.
#
# ### 6.2 Temperature: bolder or safer names
#
# `sample` draws from $\hat y_t = \mathrm{softmax}(z_t)$. Dividing the scores by a *temperature*
# $\tau$ before the softmax, $\mathrm{softmax}(z_t / \tau)$, changes how adventurous the draws are:
# $\tau < 1$ sharpens the distribution towards the likely letters (at $\tau \to 0$ it is `argmax`),
# $\tau > 1$ flattens it towards a uniform guess. Since $z_t = W h_t + \beta_2$, dividing $W$ and
# $\beta_2$ by $\tau$ does exactly that, so your own `sample` draws at any temperature. The cell
# shows names at $\tau$ = 0.5, 1 and 1.5, with how many of 200 draws are names from the training
# list and their average length.

# %% tags=["skip-grading"]
# Demonstration: the same network sampled at three temperatures.
def at_temperature(parameters, temperature):
    """The parameters whose softmax(W h + beta2) is softmax((W h + beta2) / temperature)."""
    scaled = dict(parameters)
    scaled["W"] = parameters["W"] / temperature
    scaled["beta2"] = parameters["beta2"] / temperature
    return scaled


known = set(names)
for temperature in (0.5, 1.0, 1.5):
    temperature_rng = np.random.default_rng(7)
    drawn = [decode(sample(at_temperature(trained_parameters, temperature), char_to_ix,
                           temperature_rng), ix_to_char) for _ in range(200)]
    share_known = np.mean([name in known for name in drawn])
    length = np.mean([len(name) for name in drawn])
    print(f"temperature {temperature}: {share_known:.0%} from the training list, "
          f"{length:.1f} letters on average")
    print("    " + ", ".join(drawn[:8]))

# %% [markdown]
# At 0.5 the names play safe: more of them are real names learned by heart (in the course's run,
# about a quarter of the draws against a tenth at 1) and many end in `saurus`. At 1.5 the network
# takes letters it finds unlikely, and the names get stranger and harder to pronounce. Temperature
# 1, the distribution the network learned, is what `sample` and the grader use.

# %% [markdown]
# ## 7. Written questions
#
# Answer each question in the cell below it, in a few sentences. These answers are graded by hand.

# %% [markdown]
# <!-- BEGIN QUESTION -->
#
# **Question 7.1.** Why do we clip the gradients during training? What would you expect to see in
# the loss curve without clipping, and why does clipping not help against *vanishing* gradients?

# %% [markdown]
# YOUR ANSWER HERE

# %% [markdown]
# <!-- END QUESTION -->
#
# <!-- BEGIN QUESTION -->
#
# **Question 7.2.** `sample` draws each letter at random from $\hat y_t$. Why not take the most
# likely letter (`argmax`) at every step? Use what you saw at the end of part 6.

# %% [markdown]
# YOUR ANSWER HERE

# %% [markdown]
# <!-- END QUESTION -->
#
# <!-- BEGIN QUESTION -->
#
# **Question 7.3.** A bidirectional RNN reads the sequence both forwards and backwards, so its
# state at step $t$ knows the letters *after* $t$ as well. It is often better at labelling
# sequences. Why can it not be used, as it is, to *generate* names letter by letter?

# %% [markdown]
# YOUR ANSWER HERE

# %% [markdown]
# <!-- END QUESTION -->
#
# <!-- BEGIN QUESTION -->
#
# **Question 7.4.** Some dinosaur names are long (`micropachycephalosaurus` has 23 letters). Using
# the plot of part 4, explain what vanishing gradients mean for how well the network can learn that
# the end of such a name depends on its beginning.

# %% [markdown]
# YOUR ANSWER HERE

# %% [markdown]
# <!-- END QUESTION -->
#
# ## Submitting
#
# 1. Run the whole notebook from the top (JupyterLab: *Kernel > Restart Kernel and Run All
#    Cells...*; Colab: *Runtime > Restart session and run all*) and check that every
#    `grader.check` cell passes and nothing raises an error.
# 2. Save the notebook (JupyterLab: *File > Save Notebook*, Ctrl+S).
# 3. Upload the notebook you worked in to this notebook's Gradescope assignment (each of the two
#    notebooks has its own). Renaming the file is fine; the grader reads the functions. The
#    functions are graded automatically; the written answers are read from the same notebook.
#
# On Colab, the notebook is not a file on your computer: use *File > Download > Download .ipynb*
# and upload that file. Elsewhere, the last cell below also writes a zip of the notebook it runs
# in (otter's `grader.export`, no LaTeX needed), which you may upload instead of the `.ipynb`.
# Do not rename the graded functions.

# %% tags=["skip-grading"]
# Runs every public test again (all should pass before you submit).
grader.check_all()

# %% tags=["skip-grading"]
# Writes a zip of the notebook this cell runs in, as last saved (save it first), next to it. It
# finds the notebook by itself, even a renamed copy; when it cannot tell, it says so and asks for
# the file name: export_submission(grader, "rnn_dinosaurs", GRADED, "my_notebook.ipynb").
# On Colab it tells you how to download the notebook instead.
# provided: autograder.student_cells._defines


# provided: autograder.student_cells.find_notebook


# provided: autograder.student_cells.export_submission


GRADED = ("rnn_cell_forward", "rnn_forward", "bptt", "clip", "sample")
submitted = export_submission(grader, "rnn_dinosaurs", GRADED)
