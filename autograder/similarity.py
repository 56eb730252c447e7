"""Pairs of submissions whose graded functions are near-identical: a pointer for a human.

Never a verdict: short functions of a well-specified homework look alike when written honestly,
and two students may have worked from the same lecture slide. The report says so beside the list.

How (the idea of MOSS's fingerprints, on Python tokens):

1. Each graded function's cell is tokenized (:mod:`tokenize`) and normalized: comments,
   docstrings and layout dropped, strings in one quoting, and every name the student chose
   (arguments, variables, helpers: a name that is not a keyword, a builtin, ``np``, or an
   attribute after ``.``) becomes ``_1``, ``_2``, ... in order of first use. Renaming variables,
   rewording comments or reformatting changes nothing.
2. A submission's fingerprint is the set of hashes of its runs of :data:`K` consecutive tokens
   (within one function).
3. Runs that many submissions share (more than :data:`COMMON_SHARE` of the batch, at least 2) are
   dropped: that is the code everyone writes. So are the runs of the student template and of the
   reference solution: matching them is what a correct answer written the canonical way does.
   What is left is what makes a submission its own.
4. Pairs are counted through an inverted index (run -> submissions), so only pairs that share a
   rare run are ever looked at: a batch of n submissions costs about n times its code, not n².
   A pair is listed when it shares at least :data:`MIN_SHARED` such runs and their Jaccard
   similarity (shared / union of the two fingerprints) is at least :data:`MIN_SCORE`.
"""

from __future__ import annotations

import ast
import builtins
import collections
import functools
import io
import itertools
import keyword
import tokenize
import zlib

from autograder import notebooks

K = 8
COMMON_SHARE = 0.10
MIN_SHARED = 12
MIN_SCORE = 0.5
MAX_PAIRS = 50
KEPT_NAMES = frozenset(dir(builtins)) | {"np", "numpy", "self"}


@functools.lru_cache(maxsize=4096)  # a batch holds many equal cells (untouched helpers, copies)
def normalized_tokens(source: str) -> tuple[str, ...]:
    """The tokens of ``source`` with comments, docstrings, layout and chosen names normalized.

    Straight from :mod:`tokenize` (no parse: fast, and code that does not compile still has
    tokens): comments and line breaks inside brackets dropped, statements ended by ``;``, blocks
    by ``{`` and ``}``, a string standing alone as a block's first statement (a docstring) dropped,
    trailing commas dropped, string literals in one quoting, chosen names numbered in order of
    first use. (Redundant parentheses still count: ``return (a, b)`` is not ``return a, b``.)
    """
    out, names = [], {}
    previous = None
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
                  if t.type not in skip]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        tokens = []
    for i, tok in enumerate(tokens):
        text = tok.string
        if tok.type == tokenize.STRING:
            before = tokens[i - 1].type if i else tokenize.NEWLINE
            after = tokens[i + 1].type if i + 1 < len(tokens) else tokenize.NEWLINE
            if before == tokenize.INDENT and after == tokenize.NEWLINE:
                continue  # a docstring (its NEWLINE is dropped below)
            try:
                text = repr(ast.literal_eval(text))
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                pass
        elif tok.type == tokenize.NAME and not keyword.iskeyword(text) \
                and text not in KEPT_NAMES and previous != ".":
            text = names.setdefault(text, f"_{len(names) + 1}")
        elif tok.type == tokenize.NEWLINE or text == ";":
            if out and out[-1] in (";", "{"):
                continue  # blank statement: after a dropped docstring, or ";" then a newline
            text = ";"
        elif tok.type in (tokenize.INDENT, tokenize.DEDENT):
            text = "{" if tok.type == tokenize.INDENT else "}"
        elif text == "," and i + 1 < len(tokens) and tokens[i + 1].string in (")", "]", "}"):
            continue  # a trailing comma is layout (a 1-tuple "(x,)" reads as "(x)": rare here)
        out.append(text)
        previous = tok.string
    return tuple(out)


def graded_sources(nb, key) -> dict:
    """``{function: source}`` of the graded functions' cells (the last cell defining each)."""
    graded = set(notebooks.NOTEBOOKS[key]["functions"])
    found = {}
    for cell in nb.get("cells", []):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = notebooks.cell_source(cell)
            name = notebooks.defined_function(source)
            if name in graded:
                found[name] = source
    return found


def fingerprint(sources: dict) -> tuple[set, dict]:
    """(hashes of all K-token runs, {function: normalized token tuple})."""
    hashes, normal = set(), {}
    for function, source in sources.items():
        tokens = normalized_tokens(source)
        normal[function] = tokens
        for i in range(max(len(tokens) - K + 1, 0)):
            run = "\x00".join([function, *tokens[i:i + K]])
            hashes.add(zlib.crc32(run.encode()))
    return hashes, normal


def similar_pairs(items, base=None) -> list[dict]:
    """Near-identical pairs among ``items``: [(label, notebook key, {function: source})].

    base -- {key: [{function: source}, ...]}: code whose runs never count (the student template,
            the reference solution)
    Returns at most MAX_PAIRS dicts, most similar first: ``a``, ``b`` (labels), ``notebook``,
    ``score`` (Jaccard of the rare runs, 0..1), ``shared`` (rare runs in common), ``identical``
    (functions equal after normalization, ignoring ones everybody wrote the same).
    """
    base = base or {}
    pairs = []
    by_key = collections.defaultdict(list)
    for label, key, sources in items:
        if sources:
            by_key[key].append((label, sources))
    for key, members in by_key.items():
        known = set()
        for sources in base.get(key, []):
            known |= fingerprint(sources)[0]
        prints = [fingerprint(sources) for _, sources in members]
        df = collections.Counter(h for hashes, _ in prints for h in hashes)
        limit = max(2, int(COMMON_SHARE * len(members)))
        rare = [{h for h in hashes if df[h] <= limit and h not in known} for hashes, _ in prints]
        index = collections.defaultdict(list)
        for i, hashes in enumerate(rare):
            for h in hashes:
                index[h].append(i)
        shared = collections.Counter()
        for holders in index.values():
            if len(holders) > 1:
                shared.update(itertools.combinations(holders, 2))
        normal_count = collections.Counter(
            (f, toks) for _, normal in prints for f, toks in normal.items())
        for (i, j), n in shared.items():
            if n < MIN_SHARED:
                continue
            score = n / len(rare[i] | rare[j])
            if score < MIN_SCORE:
                continue
            ni, nj = prints[i][1], prints[j][1]
            identical = sorted(f for f in ni if f in nj and ni[f] == nj[f] and len(ni[f]) >= K
                               and normal_count[(f, ni[f])] <= limit)
            pairs.append({"a": members[i][0], "b": members[j][0], "notebook": key,
                          "score": round(score, 3), "shared": n, "identical": identical})
    pairs.sort(key=lambda p: (-p["score"], -p["shared"], p["a"], p["b"]))
    return pairs[:MAX_PAIRS]
