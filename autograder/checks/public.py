"""The students' public test files: otter exception-format tests of the public cases.

``render_public_tests(key)`` turns each public case of ``autograder.checks.<key>`` (its ``PUBLIC``
list) into a test file that runs in the student's kernel with nothing but NumPy and otter:

- the comparison helpers of ``autograder.checks`` and the notebook's ``build_*`` / ``check_*``
  functions are copied in as source (they hold no solution code and no hidden case);
- inputs are rebuilt from the public seed by the same ``build_*`` function the grader uses;
- expected values are frozen as literals, computed here from the reference, so ``solutions`` is
  neither imported nor copied.

The test runs the very call that the public ``Case.run`` makes, so the student's ``grader.check``
and the grader agree on the public cases.
"""

from __future__ import annotations

import importlib
import inspect
import textwrap

import numpy as np

import autograder.checks as checks_package

# The helpers every public file carries, in an order where each is defined before it is called.
HELPERS = (
    checks_package.CheckFailed,
    checks_package.using_reference,
    checks_package.refusing,
    checks_package.repeat,
    checks_package.copy_parameters,
    checks_package.require_function,
    checks_package.likely_cause,
    checks_package.describe,
    checks_package.type_name,
    checks_package.expect_tuple,
    checks_package.expect_dict,
    checks_package.expect_shape,
    checks_package.expect_array,
    checks_package.values_match,
    checks_package.expect_index_list,
    checks_package.chi_square,
    checks_package.format_distribution,
)


def literal(value):
    """Python source that evaluates (with ``np`` imported) to value, exactly.

    Floats are written with repr, which round-trips float64 exactly; arrays as
    ``np.array(<nested lists>, dtype=...)``.
    """
    if isinstance(value, np.ndarray):
        dtype = "float" if np.issubdtype(value.dtype, np.floating) else value.dtype.name
        return f"np.array({value.tolist()!r}, dtype={dtype})"
    if isinstance(value, dict):
        items = ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, tuple):
        return "(" + "".join(f"{literal(v)}, " for v in value).rstrip(" ") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, (np.floating, float)):
        return repr(float(value))
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return repr(int(value))
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    raise TypeError(f"cannot write {type(value).__name__} as a literal")


def _source(obj):
    return textwrap.dedent(inspect.getsource(obj)).rstrip() + "\n"


def render_public_tests(notebook_key):
    """The public test files of one notebook.

    Arguments:
    notebook_key -- e.g. "rnn_dinosaurs"; the cases come from ``autograder.checks.<key>.PUBLIC``

    Returns:
    dict mapping each graded function's name to the text of its otter test file
    (``tests/<name>.py``)
    """
    module = importlib.import_module(f"autograder.checks.{notebook_key}")
    by_function = {}
    for public in module.PUBLIC:
        by_function.setdefault(public.case.function, []).append(public)
    return {function: _render(notebook_key, module, function, publics)
            for function, publics in by_function.items()}


def _render(notebook_key, module, function, publics):
    """The text of one test file: header, copied helpers, frozen expected values, test cases."""
    total = sum(p.case.points for p in publics)
    parts = [
        f'"""Public tests of {function} ({notebook_key}.ipynb): run them with '
        f'grader.check("{function}").\n\n'
        "These are some of the cases the autograder runs; passing them does not guarantee full "
        'marks.\n"""\n',
        "import numpy as np\nfrom otter.test_files import test_case\n",
        f"OK_FORMAT = False\nname = {function!r}\npoints = {literal(total)}\n",
    ]
    seen, sources = set(), []
    functions = list(HELPERS) + list(getattr(module, "PUBLIC_SUPPORT", ()))
    for public in publics:
        functions += [public.build, *public.helpers, public.check]
    for obj in functions:
        if obj.__name__ not in seen:
            seen.add(obj.__name__)
            sources.append(_source(obj))
    # Only the module constants that the copied functions read.
    for constant in getattr(module, "PUBLIC_CONSTANTS", ()):
        if any(constant in source for source in sources):
            parts.append(f"{constant} = {literal(getattr(module, constant))}\n")
    parts += sources
    for public in publics:
        case = public.case
        expected_name = f"EXPECTED_{case.name}"
        parts.append(f"{expected_name} = {literal(public.expected())}\n")
        parts.append(
            f"@test_case(name={case.name!r}, points={literal(case.points)}, hidden=False)\n"
            f"def {case.name}({function}):\n"
            f"    require_function({function}, {function!r})\n"
            f"    inputs = {public.build.__name__}(**{literal(public.build_kwargs)})\n"
            f"    {public.check.__name__}({function}, inputs, {expected_name}, "
            f"{literal(public.properties)})\n"
        )
    return "\n\n".join(parts)
