"""A fake Gradescope "Export Submissions" folder, as its download unzips.

``submission_metadata.yml`` (YAML written by a Ruby application: symbols as keys, Ruby-style times)
and one ``submission_<id>/`` folder per submission holding what was uploaded. Used by
tests/test_submissions.py (finding and naming) and tests/test_batch_pages.py (a batch graded end to
end). Not a package (no ``__init__.py`` under ``tests/``): import it by path.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Submission:
    """One submission of the export.

    label -- its key in the metadata and its folder's name, e.g. "submission_3001"
    submitters -- [(name, sid, email)]; a str sid is written quoted (as Gradescope writes it), an
                  int bare
    extra -- further lines of its metadata entry, as they stand below ``:submitters:``'s list
             (``:created_at: ...``, ``:score: 60.0``); nested lines carry their own extra indent
    files -- file name -> its content (str or bytes) in the submission's folder; none: an empty
             upload
    """

    label: str
    submitters: list
    extra: tuple = ()
    files: dict = field(default_factory=dict)


def metadata(submissions):
    """The text of submission_metadata.yml for the submissions."""
    lines = []
    for sub in submissions:
        lines += [f"{sub.label}:", "  :submitters:"]
        for name, sid, email in sub.submitters:
            sid = f"'{sid}'" if isinstance(sid, str) else sid
            lines += [f"  - :name: {name}", f"    :sid: {sid}", f"    :email: {email}"]
        lines += [f"  {line}" for line in sub.extra]
    return "\n".join(lines) + "\n"


def write_export(root, submissions):
    """Make the export folder root (it must not exist yet) and return it."""
    root.mkdir()
    (root / "submission_metadata.yml").write_text(metadata(submissions), encoding="utf-8")
    for sub in submissions:
        (root / sub.label).mkdir()
        for name, content in sub.files.items():
            path = root / sub.label / name
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
    return root
