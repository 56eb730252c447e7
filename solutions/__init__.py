"""The reference implementation: a recurrent neural network from scratch in NumPy.

- ``solutions.rnn``: the lecture's RNN and the five graded functions of notebook 1.
- ``solutions.layers``: one hidden RNN layer forward and backward, the parts of notebook 2.
- ``solutions.bidirectional`` and ``solutions.deep``: notebook 2's graded functions and their
  backward passes.
- ``solutions.data``: the names file and the vocabulary.
- ``solutions.gradcheck``: centered finite differences, used by the notebooks and the tests.
- ``solutions.train`` and ``python -m solutions.generate``: training the dinosaur-name generator.
"""
