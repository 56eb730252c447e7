"""The written questions: found in a submission, shown on Gradescope, gathered into one page.

Each notebook's written questions are marked as otter-grader marks manually graded questions: a
markdown cell ``<!-- BEGIN QUESTION -->`` ... ``**Question 7.1.** <the question>``, the
student's answer in the cells after it (a markdown cell ``YOUR ANSWER HERE`` in the template), and
a cell holding ``<!-- END QUESTION -->``. The answer is every cell between the question's cell and
that end marker (markdown as written; a code cell as a fenced code block). It is unanswered if
nothing but ``YOUR ANSWER HERE`` or blank text is there.

:data:`QUESTIONS` holds, per notebook, each question's number and points. They are graded by hand
and are not part of the autograder's score: on Gradescope they are manually graded questions of
the same assignment (README, "Gradescope"), so the assignment's total is the autograder's points
plus these.

- :func:`answers` -- the answers of one notebook (a dict as read from .ipynb JSON);
- :func:`gradescope_text` -- the section of results.json's top-level output that shows them to the
  graders on Gradescope, beside the autograder's results, each line quoted with ``| `` like the
  notebook's own output (a student's text never passes for the grader's);
- :func:`write_page` -- ``written_answers.html``: per notebook, per question, every submission's
  answer rendered (Markdown with markdown-it-py, LaTeX to MathML with latex2mathml: no script,
  nothing fetched, so it opens offline and renders in any current browser).
"""

from __future__ import annotations

import collections
import html
import html.parser
import re

from autograder import notebooks

# points per written question, in the notebook's order
QUESTIONS = {
    "rnn_dinosaurs": {"7.1": 5, "7.2": 5, "7.3": 5, "7.4": 5},
    "rnn_bidirectional_deep": {"4.1": 5, "4.2": 5},
}
PLACEHOLDER = "YOUR ANSWER HERE"
END_MARKER = "<!-- END QUESTION -->"
ANSWER_CAP = 20_000  # characters of one answer kept (a pasted log must not flood the page)


def _question_re(number):
    return re.compile(r"\*\*\s*Question\s+" + re.escape(number) + r"\.?\s*\*\*")


ANY_QUESTION = re.compile(r"\*\*\s*Question\s+\d+\.\d+\.?\s*\*\*")


def _strip_markers(text):
    return text.replace("<!-- BEGIN QUESTION -->", "").replace(END_MARKER, "").strip()


def answers(nb, key) -> dict:
    """``{number: {"question": text or None, "answer": markdown or None}}`` for notebook ``key``.

    ``question`` is the question cell's text (None: the cell is missing from the submission),
    ``answer`` the student's answer as Markdown (None: unanswered).
    """
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    found = {}
    for number in QUESTIONS.get(key, {}):
        pattern = _question_re(number)
        start = next((i for i, c in enumerate(cells) if c.get("cell_type") == "markdown"
                      and pattern.search(notebooks.cell_source(c))), None)
        if start is None:
            found[number] = {"question": None, "answer": None}
            continue
        question = notebooks.cell_source(cells[start])
        question = _strip_markers(question[question.find("**"):])
        parts = []
        for cell in cells[start + 1:]:
            source = notebooks.cell_source(cell)
            kind = cell.get("cell_type")
            end = END_MARKER in source or (kind == "markdown" and ANY_QUESTION.search(source))
            if end:
                before = source.split(END_MARKER)[0] if END_MARKER in source else ""
                if before.strip():
                    parts.append(before.strip())
                break
            if kind == "markdown":
                parts.append(source.strip())
            elif source.strip():
                lang = "python" if kind == "code" else ""
                parts.append(f"```{lang}\n{source.strip()}\n```")
        text = "\n\n".join(p for p in parts if p)
        lines = [line for line in text.splitlines() if line.strip() != PLACEHOLDER]
        text = "\n".join(lines).strip()
        if len(text) > ANSWER_CAP:
            text = text[:ANSWER_CAP] + f"\n\n[... {len(text) - ANSWER_CAP} more characters]"
        found[number] = {"question": question, "answer": text or None}
    return found


def gradescope_text(nb, key) -> str:
    """The written answers as plain text for results.json's output ("" if the notebook has none)."""
    questions = QUESTIONS.get(key)
    if not questions:
        return ""
    found = answers(nb, key)
    total = sum(questions.values())
    lines = [f"Written answers ({total:g} points, graded by hand by the course staff; the "
             "autograder gives them no points). Each line of an answer is quoted with '| ':"]
    for number, points in questions.items():
        entry = found[number]
        if entry["question"] is None:
            lines += ["", f"Question {number} ({points:g} points): its cell is missing from the "
                          "notebook, so no answer was found."]
        elif entry["answer"] is None:
            lines += ["", f"Question {number} ({points:g} points): no answer."]
        else:
            lines += ["", f"Question {number} ({points:g} points):"]
            lines += [f"| {line}" for line in entry["answer"].splitlines()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- the page


MATHML_TAGS = frozenset(
    "math semantics annotation mrow mi mo mn ms mtext mspace msub msup msubsup mfrac msqrt mroot "
    "mover munder munderover mtable mtr mtd mstyle menclose mpadded mphantom merror "
    "mmultiscripts mprescripts none".split())
MATHML_ATTRIBUTES = frozenset(
    "xmlns display mathvariant accent accentunder stretchy fence form separator lspace rspace "
    "columnalign rowalign columnspacing rowspacing columnlines rowlines frame width height depth "
    "linethickness scriptlevel displaystyle minsize maxsize movablelimits largeop symmetric "
    "notation open close align encoding".split())


class _MathSanitizer(html.parser.HTMLParser):
    """latex2mathml's output rebuilt from allowed MathML tags and attributes only.

    The converter copies a student's ``\\text{...}`` verbatim, so ``\\text{<img onerror=...>}``
    would put live HTML into the TA's page: every other tag is dropped, every text and attribute
    value escaped again.
    """

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag in MATHML_TAGS:
            kept = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs
                           if k in MATHML_ATTRIBUTES and not (v or "").lower().lstrip()
                           .startswith("javascript"))
            self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag):
        if tag in MATHML_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(html.escape(data, quote=False))


def sanitize_mathml(markup: str) -> str:
    parser = _MathSanitizer()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def _math(content, options):
    display = "block" if options.get("display_mode") else "inline"
    try:
        from latex2mathml.converter import convert

        return sanitize_mathml(convert(content, display=display))
    except Exception:  # noqa: BLE001 - a formula the converter cannot read stays as TeX
        delim = "$$" if display == "block" else "$"
        return f'<code class="tex">{html.escape(delim + content + delim)}</code>'


def markdown_renderer():
    """Markdown (CommonMark + tables, raw HTML shown as text) with $...$ and $$...$$ as MathML."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.use(dollarmath_plugin, renderer=_math, allow_digits=False, double_inline=True)
    return md


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #444; margin-top: 3rem; }
h3 { margin-top: 2.5rem; background: #eef; padding: .3rem .6rem; }
.question { color: #333; border-left: 4px solid #88a; padding-left: .8rem; }
.answer { border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; padding: .2rem 1rem; }
.answer h4 { margin: .5rem 0; font-size: 1rem; } .who { color: #555; font-weight: normal; }
.unanswered { color: #a00; font-style: italic; } code.tex { color: #a00; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; }
nav a { margin-right: 1rem; } math[display="block"] { margin: .5rem 0; }
"""


def _who(row):
    """How a submission is named on the page: as in grades.csv (name, then submission)."""
    name = html.escape(row["name"]) if row["name"] else ""
    label = html.escape(row["submission"])
    extra = ", ".join(html.escape(v) for v in (row["email"], row["sid"]) if v)
    who = f"{name} <span class=who>({label}{', ' + extra if extra else ''})</span>" if name \
        else label
    return who


def page(items) -> str:
    """written_answers.html from ``items``: [(row of grades.csv, notebook dict or None)]."""
    md = markdown_renderer()
    by_key = collections.defaultdict(list)
    for row, nb in items:
        if nb is not None and row["notebook"] in QUESTIONS:
            by_key[row["notebook"]].append((row, answers(nb, row["notebook"])))
    out = ["<!DOCTYPE html>", "<html lang=en><head><meta charset=utf-8>",
           "<title>Written answers</title>", f"<style>{STYLE}</style></head><body>",
           "<h1>Written answers, one question at a time</h1>",
           "<p>Graded by hand: these points are not in grades.csv's score (see the README, "
           "\"Gradescope\"). Each answer is rendered as its author wrote it (Markdown, "
           "LaTeX).</p>"]
    keys = [k for k in QUESTIONS if k in by_key]
    if not keys:
        out.append("<p>No submission of a notebook with written questions was read.</p>")
    out.append("<nav>" + "".join(f'<a href="#{k}-{n}">{k} {n}</a>' for k in keys
                                 for n in QUESTIONS[k]) + "</nav>")
    for key in keys:
        entries = by_key[key]
        points = QUESTIONS[key]
        out.append(f"<h2 id={key}>{key}.ipynb: {len(entries)} submissions, written questions "
                   f"worth {sum(points.values()):g} points</h2>")
        for number, worth in points.items():
            texts = collections.Counter(a[number]["question"] for _, a in entries
                                        if a[number]["question"])
            answered = sum(1 for _, a in entries if a[number]["answer"])
            out.append(f'<h3 id="{key}-{number}">Question {number} ({worth:g} points): '
                       f"{answered} of {len(entries)} answered</h3>")
            if texts:
                out.append(f"<div class=question>{md.render(texts.most_common(1)[0][0])}</div>")
            for row, found in entries:
                entry = found[number]
                if entry["answer"]:
                    body = md.render(entry["answer"])
                elif entry["question"] is None:
                    body = ("<p class=unanswered>Not answered: the question's cell is missing "
                            "from this notebook.</p>")
                else:
                    body = "<p class=unanswered>Not answered.</p>"
                out.append(f"<section class=answer><h4>{_who(row)}</h4>{body}</section>")
    unread = [row for row, nb in items if nb is None or not row["notebook"]]
    if unread:
        out.append("<h2>Submissions that could not be read</h2><ul>")
        out += [f"<li>{_who(r)}: {html.escape(r['error'])}</li>" for r in unread]
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
