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

This module is not a package (no ``__init__.py`` under ``tests/``): import it by path, e.g.

    sys.path.insert(0, str(Path(__file__).parent / "catalog")); from catalog import load_catalog
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent
KINDS = ("bug", "correct")


@dataclass(frozen=True)
class Entry:
    """One implementation of one graded function.

    function -- the graded function's name, e.g. "bptt"
    name -- the entry's name (its file's stem), e.g. "bptt_truncated"
    source -- the file's text: the header comments, then the function's definition
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
    fields = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].partition(":")
        if sep and key.strip() != "ruff":
            fields[key.strip()] = value.strip()
    for key in ("function", "kind", "description"):
        if key not in fields:
            raise ValueError(f"{path}: the header has no '# {key}: ...' line")
    if fields["kind"] not in KINDS:
        raise ValueError(f"{path}: kind must be one of {KINDS}, not {fields['kind']!r}")
    if f"def {fields['function']}(" not in text:
        raise ValueError(f"{path}: does not define {fields['function']}")
    return fields


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
        text = path.read_text()
        fields = _header(path, text)
        definition = text[text.index(f"def {fields['function']}("):]
        entry = Entry(function=fields["function"], name=path.stem, source=text,
                      definition=definition,
                      kind=fields["kind"], description=fields["description"],
                      message=fields.get("message"), path=path)
        if kind not in (None, entry.kind) or function not in (None, entry.function):
            continue
        entries.append(entry)
    return entries
