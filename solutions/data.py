"""The names file and the character vocabulary.

A names file holds one name per line, e.g. ``data/dinos.txt``. Characters are indexed in a
vocabulary of 27 symbols: index 0 is ``"\\n"``, which marks the end of a name, and indices 1..26
are ``"a"``..``"z"`` (see ``VOCAB``). A name of length L is encoded as L + 1 indices, its letters
followed by the end mark.

- ``load_names(path)``: the names in a file, checked (or, with ``normalize=True``, cleaned).
- ``build_vocab()``: ``(char_to_ix, ix_to_char)``, two plain dicts.
- ``encode_name(name, char_to_ix)`` and ``decode(indices, ix_to_char)``: name <-> list of indices.
- ``split_names(names, val_fraction, seed)``: a seeded split into training and held-out names.
"""

import unicodedata
from pathlib import Path

import numpy as np

VOCAB = "\n" + "abcdefghijklmnopqrstuvwxyz"
"""The vocabulary in index order: ``VOCAB[0] == "\\n"`` (end of name), ``VOCAB[1:] == "a".."z"``."""

END_OF_NAME = "\n"

LETTERS = frozenset(VOCAB[1:])

DINOS_PATH = Path(__file__).resolve().parent.parent / "data" / "dinos.txt"
"""The shipped list of dinosaur genus names (in a source checkout of the project)."""


class NamesFileError(ValueError):
    """A names file that cannot be used: missing, not a file, not UTF-8, empty, or a bad character.

    The message names the file and, where it applies, the line number and the offending character,
    and says how to fix it. The same facts are kept as attributes for programs:

    path -- the file, as given
    line -- the 1-based line number, or None when the problem is not on one line
    char -- the offending character, or None
    """

    def __init__(self, message, *, path=None, line=None, char=None):
        super().__init__(message)
        self.path = path
        self.line = line
        self.char = char


def build_vocab():
    """The character vocabulary for names.

    Returns:
    char_to_ix -- dict str -> int: "\\n" -> 0, "a" -> 1, ..., "z" -> 26
    ix_to_char -- dict int -> str, the inverse of char_to_ix

    Each call returns new dicts, so a caller may change its copy freely.
    """
    char_to_ix = {ch: ix for ix, ch in enumerate(VOCAB)}
    ix_to_char = {ix: ch for ix, ch in enumerate(VOCAB)}
    return char_to_ix, ix_to_char


def load_names(path, normalize=False):
    """Read a names file: one name per line.

    Each line is stripped of surrounding whitespace (so Windows line endings are fine) and
    lowercased; blank lines are skipped; a UTF-8 byte-order mark at the start is ignored. Duplicates
    are kept, in file order (deduplicate with ``list(dict.fromkeys(names))`` if you want to).

    Arguments:
    path -- str or os.PathLike, the names file (UTF-8 text)
    normalize -- False (default): a character outside a-z (after lowercasing) is an error.
                 True: clean each name instead. Decompose it (Unicode NFKD) and drop the combining
                 marks, so "é" becomes "e"; then drop every character that is still outside a-z
                 ("Élasmo-saurus" becomes "elasmosaurus"); skip a name that ends up empty.

    Returns:
    names -- list of str, each non-empty and made of the letters a-z only

    Raises NamesFileError (a ValueError) when the file is missing, is a directory or cannot be read,
    is not valid UTF-8, holds no names, or (normalize=False) a name has a character outside a-z.
    """
    shown = str(path)
    p = Path(path)
    if p.is_dir():
        raise NamesFileError(
            f"names file {shown!r} is a directory, not a file; give the path of the text file "
            "inside it (for example data/dinos.txt)",
            path=shown,
        )
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise NamesFileError(
            f"names file {shown!r} does not exist (looked for {str(p.absolute())!r}); check the "
            "path and the current directory",
            path=shown,
        ) from None
    except OSError as exc:
        raise NamesFileError(
            f"names file {shown!r} cannot be read: {exc.strerror or exc}", path=shown
        ) from exc

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.end]
        raise NamesFileError(
            f"names file {shown!r}, line {line}: not valid UTF-8 (byte {bad.hex(' ')} at offset "
            f"{exc.start}); save the file as UTF-8 text",
            path=shown,
            line=line,
        ) from None

    names = []
    for number, line_text in enumerate(text.split("\n"), start=1):
        stripped = line_text.strip()
        if not stripped:
            continue
        if normalize:
            name = _normalize_name(stripped)
            if name:
                names.append(name)
            continue
        name = stripped.lower()
        if not LETTERS.issuperset(name):
            ch = _first_bad_char(stripped)
            raise NamesFileError(
                f"names file {shown!r}, line {number}: the name {stripped!r} contains "
                f"{ch!r} ({_codepoint(ch)}), which is not a letter a-z. Names may hold only the "
                "letters a-z (case is ignored); fix the line, or pass normalize=True to strip "
                "accents and drop other characters",
                path=shown,
                line=number,
                char=ch,
            )
        names.append(name)

    if not names:
        what = "no names after normalization" if normalize and text.strip() else "no names"
        raise NamesFileError(
            f"names file {shown!r} contains {what}; it needs at least one name, one per line",
            path=shown,
        )
    return names


def encode_name(name, char_to_ix):
    """A name as a list of vocabulary indices, ending with the end-of-name index.

    Arguments:
    name -- str of letters in char_to_ix, e.g. "rex"
    char_to_ix -- dict str -> int, from build_vocab()

    Returns:
    indices -- list of int of length len(name) + 1, e.g. [18, 5, 24, 0]

    Raises ValueError for a character that is not in char_to_ix, or for "\\n" inside the name.
    """
    indices = []
    for position, ch in enumerate(name):
        if ch == END_OF_NAME or ch not in char_to_ix:
            why = "the end-of-name mark" if ch == END_OF_NAME else "not in the vocabulary"
            raise ValueError(
                f"cannot encode {name!r}: character {ch!r} at position {position} is {why}; "
                "names hold only the letters a-z (see load_names)"
            )
        indices.append(char_to_ix[ch])
    indices.append(char_to_ix[END_OF_NAME])
    return indices


def decode(indices, ix_to_char):
    """The name that a sequence of indices spells, up to (not including) the end-of-name mark.

    Arguments:
    indices -- iterable of int (a list, or a 1-D integer numpy array), e.g. [18, 5, 24, 0]
    ix_to_char -- dict int -> str, from build_vocab()

    Returns:
    name -- str, e.g. "rex"; everything from the first "\\n" on is left out

    Raises ValueError for an index that is not in ix_to_char.
    """
    chars = []
    for position, ix in enumerate(indices):
        key = int(ix)
        if key not in ix_to_char:
            raise ValueError(
                f"cannot decode: index {key} at position {position} is not in the vocabulary "
                f"(valid indices are {min(ix_to_char)}..{max(ix_to_char)})"
            )
        ch = ix_to_char[key]
        if ch == END_OF_NAME:
            break
        chars.append(ch)
    return "".join(chars)


def split_names(names, val_fraction=0.1, seed=0):
    """Split names into training and held-out (validation) names, the same way for the same seed.

    The names are shuffled with ``numpy.random.default_rng(seed).permutation(len(names))``; the
    held-out names are the first ``round(val_fraction * len(names))`` of the shuffled list (Python's
    round), raised to 1 if that is 0 and there are at least 2 names, and lowered to len(names) - 1
    if it would leave no training names. The training names are the rest. Both keep the shuffled
    order.

    Arguments:
    names -- sequence of str (duplicates are treated as separate names)
    val_fraction -- float strictly between 0 and 1, the share of held-out names
    seed -- int, seed of the shuffle

    Returns:
    train -- list of str
    val -- list of str

    Raises ValueError when val_fraction is not strictly between 0 and 1.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be strictly between 0 and 1, got {val_fraction!r}")
    names = list(names)
    n = len(names)
    n_val = round(val_fraction * n)
    if n >= 2:
        n_val = min(max(n_val, 1), n - 1)
    else:
        n_val = 0
    order = np.random.default_rng(seed).permutation(n)
    shuffled = [names[i] for i in order]
    return shuffled[n_val:], shuffled[:n_val]


def _normalize_name(text):
    """NFKD-decompose, drop combining marks, lowercase, keep only a-z."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if c in LETTERS and not unicodedata.combining(c))


def _first_bad_char(text):
    """The first character of text that does not lowercase to letters a-z."""
    for ch in text:
        if not LETTERS.issuperset(ch.lower()):
            return ch
    return text[0]


def _codepoint(ch):
    """A character's code point, e.g. "U+002D HYPHEN-MINUS"."""
    label = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {label}".rstrip()
