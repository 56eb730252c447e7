"""The catalog of student implementations: realistic bugs and correct alternatives, as data.

``tests/catalog/<notebook key>/<entry>.py`` holds ONE function definition, as a student would write
it in the graded cell, after a header of comments:

    # function: bptt
    # kind: bug                       (or: correct)
    # description: truncated BPTT: dh_t ignores the gradient from step t+1
    # message: U^T da_{t+1}           (optional: text some failure message must contain)

The source runs in a namespace holding ``np``, the notebook's given helpers and the other graded
functions, exactly like a notebook cell; a test can also build a whole notebook per entry (the
solved notebook with the function's cell replaced by ``entry.source``). Each file starts with
``# ruff: noqa``, because a cell's names come from the notebook, not from imports.

A bug that is the reference plus a small edit is written as a MUTATION of it instead: the header
names the reference function (``# base: <module>.<function>``), then one or more blocks say which
text of the reference to replace and by what, every line of a block prefixed by ``# `` (a line
``#`` alone is an empty line; an empty ``# with:`` block deletes the text):

    # function: bptt
    # kind: bug
    # description: truncated BPTT: dh_t ignores the gradient from step t+1
    # base: solutions.rnn.bptt
    # replace:
    #         dh = W.T @ dZ[:, :, t] + dh_next
    # with:
    #         dh = W.T @ dZ[:, :, t]

The definition is then ``inspect.getsource`` of the base with each block applied in turn, so a bug
never duplicates the reference. The base may also be another entry of the same folder, by its name
(``# base: bptt_correct_per_loss_step``): a bug that is a correct alternative plus a small edit.
Each ``replace`` text must occur exactly once in the reference (the text after the blocks before it
were applied) and the result must differ from the reference, else loading raises ValueError naming
the file: a change to the reference fails loudly instead of silently making the bug vanish.

This module is not a package (no ``__init__.py`` under ``tests/``): import it by path, e.g.

    sys.path.insert(0, str(Path(__file__).parent / "catalog")); from catalog import load_catalog
"""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
KINDS = ("bug", "correct")


@dataclass(frozen=True)
class Entry:
    """One implementation of one graded function.

    function -- the graded function's name, e.g. "bptt"
    name -- the entry's name (its file's stem), e.g. "bptt_truncated"
    source -- the header comments, then the function's definition (for a mutation: the header
              without its replace blocks, then the generated definition)
    definition -- the function's definition alone, starting with ``def <function>(``: the text of
                  the notebook cell that replaces the solution
    kind -- "bug" or "correct"
    description -- what is wrong (or how it differs), one line
    message -- text that some failure message must contain, or None
    path -- the file
    """

    function: str
    name: str
    source: str
    definition: str
    kind: str
    description: str
    message: str | None
    path: Path


def _header(path, text):
    """The header's fields up to the first ``# replace:`` line; checks the required ones."""
    fields = {}
    for line in text.splitlines():
        if not line.startswith("#") or line.strip() == "# replace:":
            break
        key, sep, value = line[1:].partition(":")
        if sep and key.strip() != "ruff":
            fields[key.strip()] = value.strip()
    for key in ("function", "kind", "description"):
        if key not in fields:
            raise ValueError(f"{path}: the header has no '# {key}: ...' line")
    if fields["kind"] not in KINDS:
        raise ValueError(f"{path}: kind must be one of {KINDS}, not {fields['kind']!r}")
    return fields


def _blocks(path, text):
    """[(old, new)]: the texts of the file's ``# replace:`` / ``# with:`` blocks, in order."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == "# replace:"), None)
    if start is None:
        raise ValueError(f"{path}: a '# base: ...' header needs '# replace:' / '# with:' blocks")
    blocks, part = [], None  # blocks: [old lines, new lines or None before '# with:']
    for line in lines[start:]:
        if not line.strip():
            continue
        if not line.startswith("#"):
            raise ValueError(f"{path}: a mutation holds only comment lines, not {line!r}")
        if line.strip() == "# replace:":
            blocks.append([[], None])
            part = blocks[-1][0]
        elif line.strip() == "# with:" and blocks[-1][1] is None:
            blocks[-1][1] = part = []
        elif line == "#" or line.startswith("# "):
            part.append(line[2:])
        else:
            raise ValueError(f"{path}: a block's line must start with '# ', not {line!r}")
    if any(new is None for _, new in blocks):
        raise ValueError(f"{path}: a '# replace:' block has no '# with:'")
    return [("\n".join(old) + "\n", "\n".join(new) + "\n" if new else "") for old, new in blocks]


def _base_definition(path, base):
    """The definition a mutation starts from: ``module.function``'s source, or an entry's."""
    if "." not in base:
        return _definition(path.parent / f"{base}.py")[1]
    module, _, name = base.rpartition(".")
    return inspect.getsource(getattr(importlib.import_module(module), name))


def _mutation(path, text, base):
    """The definition of base (see _base_definition) with the file's blocks applied."""
    reference = _base_definition(path, base)
    definition = reference
    for old, new in _blocks(path, text):
        if not old.strip():
            raise ValueError(f"{path}: a '# replace:' block is empty")
        count = definition.count(old)
        if count != 1:
            raise ValueError(f"{path}: the text to replace occurs {count} times in {base} "
                             f"(it must occur exactly once):\n{old}")
        definition = definition.replace(old, new)
    if definition == reference:
        raise ValueError(f"{path}: the replacements leave {base} unchanged")
    return definition


def _definition(path):
    """(header fields, definition, source) of the entry in path."""
    text = path.read_text()
    fields = _header(path, text)
    if "base" in fields:
        definition = _mutation(path, text, fields["base"])
        header = text[: text.index("# replace:")]
        source = header.rstrip("\n") + "\n\n" + definition
    else:
        source = text
        start = text.find(f"def {fields['function']}(")
        definition = text[start:] if start >= 0 else ""
    if not definition.startswith(f"def {fields['function']}("):
        raise ValueError(f"{path}: does not define {fields['function']}")
    return fields, definition, source


def load_catalog(kind=None, notebook="rnn_dinosaurs", function=None):
    """The catalog's entries, sorted by name.

    Arguments:
    kind -- "bug", "correct", or None for both
    notebook -- the notebook key, the catalog's folder
    function -- only the entries of this graded function, or None for all

    Returns:
    list of Entry
    """
    entries = []
    for path in sorted((CATALOG_DIR / notebook).glob("*.py")):
        fields, definition, source = _definition(path)
        entry = Entry(function=fields["function"], name=path.stem, source=source,
                      definition=definition,
                      kind=fields["kind"], description=fields["description"],
                      message=fields.get("message"), path=path)
        if kind not in (None, entry.kind) or function not in (None, entry.function):
            continue
        entries.append(entry)
    return entries
