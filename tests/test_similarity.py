"""Similar submissions: normalization, the rare-run filter, and a class-sized batch."""

import random
import re

from autograder import similarity

FORWARD = '''def rnn_forward(X, h0, parameters):
    """The docstring every student gets."""
    hs = []
    h = h0
    for t in range(X.shape[2]):
        h = np.tanh(parameters["U"] @ h + parameters["V"] @ X[:, :, t])  # step
        hs.append(h)
    return np.stack(hs, axis=2), None
'''
RENAMED = '''def rnn_forward(X, h0, parameters):
    # my comment
    states = [] ; s = h0
    for step in range( X.shape[2] ):
        s = np.tanh(parameters['U'] @ s
                    + parameters['V'] @ X[:, :, step])
        states.append(s)
    return np.stack(states, axis = 2), None
'''


def test_names_comments_docstrings_and_layout_do_not_matter():
    assert similarity.normalized_tokens(FORWARD) == similarity.normalized_tokens(RENAMED)
    changed = RENAMED.replace("np.tanh", "np.sinh")
    assert similarity.normalized_tokens(FORWARD) != similarity.normalized_tokens(changed)
    assert similarity.normalized_tokens("def f(:\n  pass") != []  # not Python: still tokens


def _student(rng, i):
    """A different honest implementation per student: other statements in another order."""
    lines = [f"    a{j} = np.tanh(X[:, :, {rng.randrange(9)}] * {rng.random():.3f})"
             for j in range(12)]
    rng.shuffle(lines)
    body = "\n".join(lines)
    return {"rnn_forward": f"def rnn_forward(X, h0, parameters):\n{body}\n    return a0, a1\n"}


def test_a_copied_pair_stands_out_in_a_class_of_300():
    rng = random.Random(0)
    items = [(f"s{i}", "rnn_dinosaurs", _student(rng, i)) for i in range(300)]
    # s7 hands their code to s200, who renames and re-comments it
    items[200] = ("s200", "rnn_dinosaurs",
                  {"rnn_forward": re.sub(r"\ba(\d+)", r"mine_\1", items[7][2]["rnn_forward"])
                   .replace("    mine", "    # renamed\n    mine")})
    # everyone also has the same boilerplate cell, which never counts
    common = "def clip(g, m):\n    return {k: np.clip(v, -m, m) for k, v in g.items()}\n"
    for _, _, sources in items:
        sources["clip"] = common
    pairs = similarity.similar_pairs(items)
    assert [(p["a"], p["b"]) for p in pairs] == [("s7", "s200")]
    assert pairs[0]["score"] == 1.0 and pairs[0]["identical"] == ["rnn_forward"]


def test_code_matching_the_reference_or_the_template_never_counts():
    items = [("a", "rnn_dinosaurs", {"rnn_forward": FORWARD}),
             ("b", "rnn_dinosaurs", {"rnn_forward": RENAMED})]
    assert len(similarity.similar_pairs(items)) == 1
    assert similarity.similar_pairs(items, {"rnn_dinosaurs": [{"rnn_forward": FORWARD}]}) == []
