# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Bidirectional and deep RNNs, and the flavors of RNN
#
# In the first notebook your RNN read a name from left to right, one layer deep, and predicted the
# next letter at every step. This notebook changes the two things that were fixed there: the
# **direction** in which the sequence is read, and the **depth** of the network. Then it steps back
# and sorts what you have built into the *flavors* of RNN.
#
# | part | you write | what it is about |
# |---|---|---|
# | 1 | `birnn_forward` | a bidirectional layer: states that know the past *and* the future |
# | 2 | `deep_rnn_forward` | a stack of layers, each reading the states of the one below |
# | 3 | (nothing) | one-to-many, many-to-many, many-to-one: an experiment |
# | 4 | two short written answers | |
#
# **How you are graded.** As in notebook 1: hidden tests check each function on several shapes and
# random inputs; the `grader.check("...")` cell below each function runs its one public test, a
# fixed input checked the same way (passing it is a good sign, not a guarantee). The written answers of part 4 are graded by hand. Use NumPy and the helpers given to
# you; keep each function's name, arguments and cell as they are.
#
# **Running it.** Locally, with Python 3.10 or newer:
# `pip install "otter-grader==7.0.0" numpy matplotlib jupyterlab`, then `jupyter lab` in the folder
# of this notebook. On Colab (or anywhere you have only this `.ipynb` file), just run the cells
# from the top: the first code cell writes the public tests (`tests/`) when they are missing, and
# installs otter-grader on Colab.

# %% tags=["skip-grading"]
# @title Set-up: run this cell first (it writes the public tests when they are missing)
# It writes this notebook's public tests (tests/) when they are missing (on Colab, or wherever
# you have only the .ipynb), and installs otter-grader on Colab.
# embed-files: rnn_bidirectional_deep

# %%
# ruff: noqa: E402, E501, F821  (the build drops this line; the directives define the names)
import otter

grader = otter.Notebook(tests_dir="tests/rnn_bidirectional_deep")

import numpy as np

# %% [markdown]
# ## The building block: one hidden layer
#
# Both parts use the hidden layer of the lecture, $h_t = \tanh(U\,h_{t-1} + V\,x_t + \beta_1)$, with
# its parameters in a dict `{"V": (n_h, n_in), "U": (n_h, n_h), "beta1": (n_h, 1)}`, where $n_{in}$
# is the size of what the layer reads ($n_x$ for the inputs). One step of it is given to you as
# `rnn_step` (it is `rnn_cell_forward` of notebook 1 without the output layer); `init_layer` makes a
# random layer. Shapes are those of notebook 1: `X` is $(n_x, m, T)$, a state is $(n_h, m)$, and
# `H[:, :, t]` is the state after reading `X[:, :, t]`.

# %%
# provided: solutions.layers.rnn_step


# provided: solutions.layers.init_layer

# %% [markdown]
# ## 1. Bidirectional RNNs
#
# *"He needs to work more," Mark said about Pavlos.* Who is "he"? Reading left to right, at the
# word "He" you cannot know: the answer comes six words later. A unidirectional RNN's state $h_t$
# summarises $x_0, \dots, x_t$ only, so when it labels the word "He" it has not yet seen "Pavlos".
#
# A **bidirectional** RNN runs two independent layers over the same sequence:
#
# - the **forward** direction reads $x_0, x_1, \dots, x_{T-1}$ with its own parameters
#   `params_f` and initial state `h0_f`: $\overrightarrow{h}_t = \tanh(U_f \overrightarrow{h}_{t-1} + V_f x_t + \beta_{1,f})$;
# - the **backward** direction reads $x_{T-1}, x_{T-2}, \dots, x_0$ with its own `params_b` and
#   `h0_b`: $\overleftarrow{h}_t = \tanh(U_b \overleftarrow{h}_{t+1} + V_b x_t + \beta_{1,b})$, starting
#   from $\overleftarrow{h}_{T} = $ `h0_b`, the backward state before reading $x_{T-1}$.
#
# At each time step the two states are **stacked** (concatenated, not added) into one column of
# size $2 n_h$, which knows the whole sequence, before and after $t$:
#
# ```
#  time t:            0           1           2          T-1
#  input:            x_0         x_1         x_2   ...   x_{T-1}
#
#  forward:  h0_f -> [f_0] ----> [f_1] ----> [f_2] ... -> [f_{T-1}]     f_t has read x_0 .. x_t
#  backward:         [b_0] <---- [b_1] <---- [b_2] ... <- [b_{T-1}] <- h0_b
#                                                                      b_t has read x_{T-1} .. x_t
#  H[:n_h, :, t]:    f_0         f_1         f_2         f_{T-1}
#  H[n_h:, :, t]:    b_0         b_1         b_2         b_{T-1}
# ```
#
# Note the **alignment in time**: the backward direction *computes* $\overleftarrow{h}_{T-1}$ first,
# but stores it at index $T-1$, next to the forward state of the same time step. So
# `H[n_h:, :, T-1]` has read only $x_{T-1}$, and `H[n_h:, :, 0]` has read everything. (This is the
# layout of the output of PyTorch's `torch.nn.RNN(..., bidirectional=True)`.)
#
# Implement `birnn_forward`: two loops (or one), using `rnn_step`. It returns `H` of shape
# $(2 n_h, m, T)$.

# %%
# solution: solutions.bidirectional.birnn_forward

# %%
grader.check("birnn_forward")

# %% [markdown]
# Check the picture with your own function: change only the **last** input $x_{T-1}$ and see which
# states change. The forward direction reads it last, so only its last state moves; the backward
# direction reads it first, so all of its states move.

# %% tags=["skip-grading"]
# Demonstration: which states depend on the last input x_{T-1}?
demo_rng = np.random.default_rng(0)
n_x, n_h, m, T = 4, 3, 1, 6
X = demo_rng.normal(size=(n_x, m, T))
params_f, params_b = init_layer(n_x, n_h, demo_rng, scale=0.8), init_layer(n_x, n_h, demo_rng, scale=0.8)
h0 = np.zeros((n_h, m))
H = birnn_forward(X, h0, h0, params_f, params_b)
X_changed = X.copy()
X_changed[:, :, T - 1] += 1.0
H_changed = birnn_forward(X_changed, h0, h0, params_f, params_b)
moved = np.abs(H_changed - H).max(axis=1)  # (2 n_h, T): the largest change over the batch
print("t:                ", "  ".join(f"{t:5d}" for t in range(T)))
print("forward  changed: ", "  ".join(f"{moved[:n_h, t].max():5.2f}" for t in range(T)))
print("backward changed: ", "  ".join(f"{moved[n_h:, t].max():5.2f}" for t in range(T)))

# %% [markdown]
# ## 2. Deep RNNs
#
# A network gets more expressive by stacking layers. In a **deep RNN**, layer 0 reads the inputs
# and each layer $l+1$ reads the *states* of layer $l$ as its input sequence:
#
# $$h^{0}_t = \tanh(U^{0} h^{0}_{t-1} + V^{0} x_t + \beta_1^{0}), \qquad
#   h^{l+1}_t = \tanh(U^{l+1} h^{l+1}_{t-1} + V^{l+1} h^{l}_t + \beta_1^{l+1}).$$
#
# ```
#  layer 1:  h0s[1] -> [h1_0] -> [h1_1] -> [h1_2] -> ...      Hs[1]
#                        ^         ^         ^
#  layer 0:  h0s[0] -> [h0_0] -> [h0_1] -> [h0_2] -> ...      Hs[0]
#                        ^         ^         ^
#  input:               x_0       x_1       x_2
# ```
#
# `[h1_2]` is $h^1_2$ = `Hs[1][:, :, 2]`, layer 1's state after time step 2. A layer's initial state
# `h0s[l]`, the state before time step 0, is $h^l_{-1}$ in the formulas.
#
# Each layer has its own parameters `layers[l]` and its own initial state `h0s[l]`, and the layers
# may have **different widths** $n_{h,l}$: layer $l$'s `V` then has shape $(n_{h,l}, n_{h,l-1})$
# ($n_x$ in place of $n_{h,-1}$ for layer 0). Implement `deep_rnn_forward`: it returns the list
# `Hs` of every layer's states, `Hs[l]` of shape $(n_{h,l}, m, T)$ (the top layer's are `Hs[-1]`).

# %%
# solution: solutions.deep.deep_rnn_forward

# %%
grader.check("deep_rnn_forward")

# %% tags=["skip-grading"]
# Demonstration: a stack of three layers of widths 5, 3 and 4 over 27-letter one-hot inputs.
stack_rng = np.random.default_rng(1)
widths = [5, 3, 4]
n_ins = [27] + widths[:-1]
layers = [init_layer(n_in, n_h, stack_rng) for n_in, n_h in zip(n_ins, widths, strict=True)]
h0s = [np.zeros((n_h, 2)) for n_h in widths]
X = np.eye(27)[:, stack_rng.integers(1, 27, size=(2, 7))]  # one-hot, m = 2 sequences, T = 7
Hs = deep_rnn_forward(X, h0s, layers)
for k, H in enumerate(Hs):
    print(f"layer {k}: V {layers[k]['V'].shape}, states {H.shape}")

# %% [markdown]
# ### Your layers are Keras's `Bidirectional(SimpleRNN)` and stacked `SimpleRNN`s
#
# As in notebook 1, where your `rnn_forward` reproduced `keras.layers.SimpleRNN`, your two
# functions compute what Keras's layers compute, with each `SimpleRNN`'s weights mapped the same
# way ($V$ = `kernel.T`, $U$ = `recurrent_kernel.T`, $\beta_1$ = `bias` as a column; inputs and
# outputs (batch, time, features) transposed to (features, batch, time)):
#
# | Keras (run by the course with Keras 3, stored in `data/keras_simplernn.json`) | here |
# |---|---|
# | `Bidirectional(SimpleRNN(3, return_sequences=True), merge_mode="concat")`, called with `initial_state=[h0_f.T, h0_b.T]` | `birnn_forward(X, h0_f, h0_b, params_f, params_b)` |
# | its `forward_layer` / `backward_layer` weights | `params_f` / `params_b` |
# | output (m, T, 2 n_h): forward units first; Keras turns the backward outputs back into time order | `H` (2 n_h, m, T): `H[:n_h]` forward, `H[n_h:]` backward, aligned in time |
# | `SimpleRNN(4, return_sequences=True)` then `SimpleRNN(3, return_sequences=True)`, each with its `initial_state` | `deep_rnn_forward(X, h0s, layers)` with two layers; Keras's output is `Hs[-1]` |

# %% tags=["skip-grading"]
# Demonstration: birnn_forward and deep_rnn_forward with Keras's weights give Keras's states.
import json

with open("data/keras_simplernn.json", encoding="utf-8") as f:
    keras_file = json.load(f)


def from_keras(weights):
    """A keras SimpleRNN's weights as a layer dict of this notebook."""
    return {"V": np.array(weights["kernel"]).T, "U": np.array(weights["recurrent_kernel"]).T,
            "beta1": np.array(weights["bias"]).reshape(-1, 1)}


def keras_layout_to_ours(array):
    """(batch, time, features) -> (features, batch, time)."""
    return np.transpose(np.array(array), (2, 0, 1))


keras_X = keras_layout_to_ours(keras_file["inputs"])
bi = keras_file["bidirectional"]
H_bi = birnn_forward(keras_X, np.array(bi["initial_state_forward"]).T,
                     np.array(bi["initial_state_backward"]).T,
                     from_keras(bi["forward"]), from_keras(bi["backward"]))
stacked = keras_file["stacked"]
Hs_stacked = deep_rnn_forward(keras_X, [np.array(h).T for h in stacked["initial_states"]],
                              [from_keras(w) for w in stacked["layers"]])
for label, mine, theirs in (("Bidirectional(SimpleRNN)", H_bi, bi),
                            ("two stacked SimpleRNNs  ", Hs_stacked[-1], stacked)):
    for kind in ("float64", "float32"):
        keras_H = keras_layout_to_ours(theirs[f"outputs_{kind}"])
        print(f"{label}: states {mine.shape}, largest difference from Keras's {kind} states "
              f"{np.abs(mine - keras_H).max():.1e}")

# %% [markdown]
# ## 3. The flavors of RNN
#
# The same recurrence serves different tasks, depending on where the inputs go in and where the
# outputs come out:
#
# | flavor | inputs | outputs | in these notebooks |
# |---|---|---|---|
# | **one-to-many** | one (or none) | a sequence | `sample` in notebook 1: from an empty start it generates a whole name, feeding each letter back in |
# | **many-to-many** (aligned) | a sequence | one per step | training the language model of notebook 1: at every step, predict the next letter |
# | **many-to-one** | a sequence | one at the end | here: read a whole name, then say one thing about it |
# | many-to-many (encoder-decoder) | a sequence | another sequence, of its own length | translation (not in these notebooks) |
#
# A **many-to-one** model reads the whole sequence and answers once, from one state. The
# experiment below asks: *is this a real dinosaur name, or a fake?* Fakes are made from real names
# in two ways: (a) the **first three letters** are replaced by random letters (`tyrannosaurus` ->
# `qwjannosaurus`; the end of the name, which real and fake share, says nothing), or (b) the
# letters are **shuffled**. Four classifiers, with the same optimizer, the same number of updates
# over the same batches and the same held-out names (never trained on, nor their fakes), were
# trained with the reference versions of your two functions (and their backward passes), each with
# 3 seeds (initialization and batch order):
#
# - **unidirectional**: one layer, the answer read from $h_{T-1}$;
# - **bidirectional**: your `birnn_forward`, the answer read from the forward $h_{T-1}$ stacked
#   with the backward $\overleftarrow{h}_0$ = `H[n_h:, :, 0]` (each direction's state after reading
#   the whole name);
# - **deep**: your `deep_rnn_forward` with 2 layers, the answer read from the top layer's $h_{T-1}$;
# - **wider**: one unidirectional layer with as many parameters as the deep model, to tell an effect
#   of depth from an effect of having more parameters.
#
# The first three have the same hidden size $n_h$ per direction and per layer. Here are the
# held-out accuracies (chance is 0.5), the mean over the seeds with the lowest and the highest:

# %%
# include-results: flavors

# %% [markdown]
# **What the table shows.** *Direction* matters, by a lot, when the evidence is at the start: the
# bidirectional model gets about 0.84, every unidirectional model stays near chance, and the seeds
# agree (their spreads do not overlap). Neither more parameters nor a second layer helps the
# unidirectional models there. When the letters are shuffled the evidence is everywhere, and all
# four models do about as well (0.87 to 0.89).
#
# *Depth*, honestly, does not measurably matter here. The deep model's lead on the shuffled names
# is about 0.02 (the wider single layer sits in between), smaller than the spread between the deep
# model's own seeds. The instructors also tried other fakes (letters replaced
# in the middle of the name, two letters swapped, names drawn from a letter-pair model of real
# names) and widths from 4 to 24: a second layer never gained more than about 0.02. With about a
# thousand training names, these tasks are limited by the data, not by what one tanh layer can
# compute; depth pays off on larger data and harder tasks (speech, translation), where deep RNNs
# of 2 to 8 layers are common.

# %% [markdown]
# ## 4. Written questions
#
# Answer each question in the cell below it, in a few sentences. These answers are graded by hand.

# %% [markdown]
# <!-- BEGIN QUESTION -->
#
# **Question 4.1.** In the experiment with fakes whose first three letters are random, the
# unidirectional model stays close to chance while the bidirectional one does not. Explain why,
# using where the evidence is in the name, which state the answer is read from, and what you saw
# about vanishing gradients in notebook 1. What would you expect if the *last* three letters were
# random instead?

# %% [markdown]
# YOUR ANSWER HERE

# %% [markdown]
# <!-- END QUESTION -->
#
# <!-- BEGIN QUESTION -->
#
# **Question 4.2.** Which flavor of RNN would you use (and would you make it bidirectional?) for
# each of these: (a) tagging each word of a sentence as a name or not, as in "Mark said about
# Pavlos"; (b) predicting tomorrow's temperature from the last 30 days; (c) generating a caption
# from an image. Justify each in one sentence.

# %% [markdown]
# YOUR ANSWER HERE

# %% [markdown]
# <!-- END QUESTION -->
#
# ## Submitting
#
# 1. Run the whole notebook from the top (JupyterLab: *Kernel > Restart Kernel and Run All
#    Cells...*; Colab: *Runtime > Restart session and run all*) and check that both
#    `grader.check` cells pass and nothing raises an error.
# 2. Save the notebook (JupyterLab: *File > Save Notebook*, Ctrl+S) and upload it to **this
#    notebook's** Gradescope assignment (notebook 1 has its own). On Colab, use *File > Download >
#    Download .ipynb* and upload that file. Do not rename the graded functions.
#
# Elsewhere, the last cell writes a zip of the notebook it runs in (even a renamed copy), which
# you may upload instead.

# %% tags=["skip-grading"]
grader.check_all()

# %% tags=["skip-grading"]
# Writes a zip of the notebook this cell runs in, as last saved (save it first). On Colab it tells
# you how to download the notebook instead.
# provided: autograder.student_cells._defines


# provided: autograder.student_cells.find_notebook


# provided: autograder.student_cells.export_submission


GRADED = ("birnn_forward", "deep_rnn_forward")
submitted = export_submission(grader, "rnn_bidirectional_deep", GRADED)
