"""What grades the homework: ``python -m autograder build`` and ``python -m autograder grade``.

- ``notebooks``: the registry of notebooks, their graded functions, references and checks.
- ``checks``: the test cases of every graded function (hidden and public).
- ``build``: the student and solved notebooks, public tests and the Gradescope zip.
- ``grade``: the grading core (results.json, grades.csv, batches, the Gradescope entry point).
- ``isolation``: the trust boundary; student code runs in a child process and only plain data
  crosses back (``isolation.protocol``, ``.child``, ``.runner``), started as isolated as the
  machine allows (``isolation.sandbox``).
"""
