"""What ``grade`` grades: the submissions named on its command line, found and named.

A command-line argument is

- a file (a ``.ipynb``, otter's exported ``.zip``, or anything else, which then gets a results.json
  saying what is wrong with it);
- a folder: every notebook (``.ipynb``) and zip under it, at any depth, except hidden files and
  folders (``.ipynb_checkpoints/``) and ``__MACOSX/``;
- a Gradescope "Export Submissions" folder, recognised by its ``submission_metadata.yml``: one
  submission per ``submission_<id>/`` folder, named by its submitters. Such a folder may also sit
  anywhere below a folder argument. Gradescope's download is a zip: unzip it first (a zip holding
  ``submission_metadata.yml`` is refused with a sentence saying so).

The metadata file is YAML written by Gradescope (a Ruby application), so its keys are symbols::

    submission_123456:
      :submitters:
      - :name: Ada Lovelace
        :sid: '1815'
        :email: ada@example.edu
      :created_at: 2024-10-01 12:00:00.000000000 -07:00
      :score: 60.0
      ...

Leading colons are dropped from keys, and tags this reader does not know (``!ruby/object:...``)
are read as plain values, so a newer export still reads.

Every submission gets an output folder name of its own (``Submission.out_name``), stable from run
to run: ``submission_<id>`` in an export; otherwise the file's stem, lengthened with its parent
folders' names (``alice__rnn_dinosaurs``) only where two submissions' stems are equal.

A folder holding no submission, or a path that does not exist, is a usage error for the TA
(:class:`UsageError`), not a student's zero.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

METADATA_FILE = "submission_metadata.yml"
SUBMISSION_SUFFIXES = (".ipynb", ".zip")


class UsageError(ValueError):
    """A command-line argument that names no submission; the message is for the TA."""


@dataclasses.dataclass
class Submission:
    """One submission to grade.

    path -- the file to grade (None when there is nothing to grade; then ``error`` says why)
    label -- the ``submission`` column of grades.csv: ``submission_<id>`` in a Gradescope export,
             else the path as found
    name, email, sid -- the submitters ("" where unknown; a group's members joined by "; ")
    out_name -- the folder under ``--out`` for its results.json (set by :func:`discover`)
    error -- for the student: why this submission has no file to grade (e.g. an empty folder)
    """

    path: Path | None
    label: str
    name: str = ""
    email: str = ""
    sid: str = ""
    out_name: str = ""
    error: str | None = None
    parts: tuple = ()  # path components used to lengthen a colliding out_name


# ---------------------------------------------------------------------------- Gradescope export


def _plain(value):
    """A YAML value with Ruby symbol keys (":name") turned into plain ones ("name")."""
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that reads unknown tags (Ruby objects) as plain mappings, lists or text."""

    def unknown(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", unknown)
    Loader.add_multi_constructor("tag:", unknown)
    return Loader


def read_metadata(path: Path) -> dict:
    """``{folder name: {"submitters": [{"name", "email", "sid"}, ...]}}`` of an export's metadata.

    Raises UsageError if the file cannot be read as Gradescope's metadata.
    """
    import yaml

    try:
        loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_loader())  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read Gradescope's {path}: {exc}") from exc
    loaded = _plain(loaded) if loaded is not None else {}
    if not isinstance(loaded, dict):
        raise UsageError(f"{path} is not Gradescope's submission metadata (expected a mapping "
                         "of submission_<id> folders to their submitters)")
    metadata = {}
    for folder, entry in loaded.items():
        entry = entry if isinstance(entry, dict) else {}
        submitters = entry.get("submitters") or []
        if isinstance(submitters, dict):
            submitters = [submitters]
        people = []
        for person in submitters if isinstance(submitters, list) else []:
            person = person if isinstance(person, dict) else {}
            people.append({key: "" if person.get(key) is None else str(person.get(key)).strip()
                           for key in ("name", "email", "sid")})
        metadata[str(folder)] = {"submitters": people}
    return metadata


def _join(people, key):
    values = [p[key] for p in people]
    return "; ".join(values) if any(values) else ""


def _export_submissions(root: Path) -> list[Submission]:
    from autograder.grade import SubmissionError, find_submission

    metadata = read_metadata(root / METADATA_FILE)
    folders = set(metadata)
    folders |= {p.name for p in root.iterdir() if p.is_dir() and p.name.startswith("submission_")}
    found = []
    for folder in sorted(folders, key=_natural):
        people = metadata.get(folder, {}).get("submitters", [])
        sub = Submission(path=None, label=folder, name=_join(people, "name"),
                         email=_join(people, "email"), sid=_join(people, "sid"),
                         out_name=_safe(folder), parts=(folder,))
        directory = root / folder
        if not directory.is_dir():
            sub.error = (f"the export has no folder {folder}/ for this submission (listed in "
                         f"{METADATA_FILE}); nothing to grade")
        else:
            try:
                sub.path = find_submission(directory)
            except SubmissionError as exc:
                sub.error = str(exc)
        found.append(sub)
    return found


# ---------------------------------------------------------------------------- discovery


def _natural(name: str):
    """Sort key putting submission_9 before submission_10."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _safe(text: str) -> str:
    """A folder name from ``text``: letters, digits, ``._-`` kept, the rest as ``_``."""
    text = re.sub(r"[^\w.-]+", "_", text, flags=re.ASCII).strip("._") or "submission"
    return text[:120]


def _skipped(part: str) -> bool:
    return part.startswith(".") or part == "__MACOSX"


def _is_export_zip(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            return any(Path(n).name == METADATA_FILE for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _parts(path: Path, stem=True) -> tuple:
    """The components of ``path``'s absolute form (the stem last): what out_name is cut from."""
    parts = path.absolute().parts[1:]
    return (*parts[:-1], path.stem) if stem and parts else parts


def _folder_submissions(folder: Path) -> list[Submission]:
    """Every notebook and zip under ``folder``; Gradescope exports below it read as exports."""
    found = []

    def walk(directory: Path, rel: tuple):
        if (directory / METADATA_FILE).is_file():
            for sub in _export_submissions(directory):
                sub.parts = (*_parts(directory, stem=False), *sub.parts)
                found.append(sub)
            return
        try:
            entries = sorted(directory.iterdir(), key=lambda p: _natural(p.name))
        except OSError as exc:
            raise UsageError(f"cannot list the folder {directory}: {exc}") from exc
        for entry in entries:
            if _skipped(entry.name):
                continue
            if entry.is_dir():
                walk(entry, (*rel, entry.name))
            elif entry.is_file() and entry.suffix.lower() in SUBMISSION_SUFFIXES:
                found.append(Submission(path=entry, label=str(entry), parts=_parts(entry)))

    walk(folder, ())
    return found


def discover(arguments) -> list[Submission]:
    """The submissions named by the command line's arguments, each with its own ``out_name``.

    Raises UsageError for a path that does not exist, a folder that holds no submission, or an
    unzipped Gradescope export download.
    """
    found = []
    for argument in arguments:
        path = Path(argument)
        if not path.exists():
            raise UsageError(f"{argument} does not exist: name .ipynb or .zip submissions, or "
                             "folders holding them")
        if path.is_dir():
            subs = _folder_submissions(path)
            if not subs:
                raise UsageError(
                    f"the folder {argument} holds no submission: no .ipynb notebook or .zip "
                    f"anywhere under it, and no Gradescope {METADATA_FILE}. Name the folder "
                    "that holds the notebooks (or Gradescope's unzipped \"Export Submissions\" "
                    "download).")
            found.extend(subs)
        elif path.suffix.lower() == ".zip" and _is_export_zip(path):
            raise UsageError(
                f"{argument} is Gradescope's \"Export Submissions\" download (it holds "
                f"{METADATA_FILE}); unzip it and grade the folder: "
                f"unzip {path.name} -d export && python -m autograder grade export --out DIR")
        else:
            found.append(Submission(path=path, label=str(argument), parts=_parts(path)))
    _name_outputs(found)
    return found


def _name_outputs(subs):
    """Give every submission a distinct, stable ``out_name``.

    A name is the last k components of the submission's absolute path (``.../submission_<id>``,
    or a file's folders and stem), joined by ``__``; k grows only for the names that collide.
    Submissions whose whole paths are equal (the same file named twice, ``hw.ipynb`` beside
    ``hw.zip``) get ``-2``, ``-3``, ... in the order given.
    """
    def name(sub, k):
        parts = sub.parts or (sub.label,)
        return _safe("__".join(parts[-k:]))

    k_of = {id(s): 1 for s in subs}
    while True:
        groups = {}
        for s in subs:
            groups.setdefault(name(s, k_of[id(s)]), []).append(s)
        grown = False
        for group in groups.values():
            if len({s.parts for s in group}) < 2:
                continue  # one submission, or the same path several times: -2 below
            for s in group:
                if k_of[id(s)] < len(s.parts):
                    k_of[id(s)] += 1
                    grown = True
        if not grown:
            break
    seen = {}
    for s in subs:
        base = name(s, k_of[id(s)])
        seen[base] = seen.get(base, 0) + 1
        s.out_name = base if seen[base] == 1 else f"{base}-{seen[base]}"
    # a "-2" name may equal another submission's plain name: make those distinct too
    taken = set()
    for s in subs:
        candidate, n = s.out_name, 1
        while candidate in taken:
            n += 1
            candidate = f"{s.out_name}-{n}"
        s.out_name = candidate
        taken.add(candidate)
