"""``DIR/report.html``: the batch at a glance, for the TA before section.

One self-contained page (plots embedded as base64 PNG, styles inline, no script, nothing fetched):

- per notebook, how many submissions and their total scores;
- per graded function, the distribution of its scores (a matplotlib histogram);
- per case, the pass rate among the submissions graded on it;
- the most frequent diagnosed causes of failure, with counts;
- the submissions that could not be graded, and why;
- pairs of near-identical submissions (``autograder.similarity``), a pointer, never a verdict.

Everything is read from the results.json data (``results``, as ``grade`` wrote them), so the
page's numbers are the files' numbers. A case's result is taken from a structured list when a
test entry carries one (``extra_data["cases"]``: ``name``, ``passed``, ``cause``, ...), else
parsed from the entry's output lines (``PASS name [hidden] (1/1)``, ``FAIL name (0/2): message``).
A failure's cause is its structured ``cause`` when there is one, else the part of the message
after its inputs (``... on inputs n_x=3, m=2; <cause>``), with numbers blanked so that the same
mistake on other inputs counts once.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import html
import io
import re
import statistics

from autograder import notebooks

CASE_LINE = re.compile(r"^(PASS|FAIL) (\S+)( \[hidden\])? \(([-\d.e]+)/([-\d.e]+)\)(?:: (.*))?$")
TOP_CAUSES = 8


@dataclasses.dataclass
class CaseResult:
    function: str
    name: str
    hidden: bool
    points: float
    passed: bool
    message: str
    cause: str | None = None


def case_results(test) -> list[CaseResult]:
    """The cases of one results.json test entry (a graded function)."""
    structured = (test.get("extra_data") or {}).get("cases")
    if isinstance(structured, list) and structured:
        found = []
        for c in structured:
            if isinstance(c, dict) and "name" in c:
                found.append(CaseResult(test["name"], str(c["name"]), bool(c.get("hidden")),
                                        float(c.get("points", c.get("max_score", 0)) or 0),
                                        bool(c.get("passed")), str(c.get("message") or ""),
                                        c.get("cause")))
        if found:
            return found
    found = []
    for line in (test.get("output") or "").splitlines():
        m = CASE_LINE.match(line)
        if m:
            found.append(CaseResult(test["name"], m.group(2), bool(m.group(3)),
                                    float(m.group(5)), m.group(1) == "PASS", m.group(6) or ""))
        elif found and line.strip():  # a message that ran over several lines
            found[-1].message += "\n" + line
    return found


def cause_of(case: CaseResult) -> str:
    """What the feedback says caused a failure, with numbers blanked, for counting."""
    text = case.cause or case.message
    if not case.cause:
        # "<what differs> on inputs n_x=3, n_h=5, m=2; <the likely cause>"
        m = re.search(r"on inputs? [^;]*;\s*(.+)", text, flags=re.S)
        if m:
            text = m.group(1)
    text = " ".join(text.split())
    text = re.sub(r"(?<![\w])-?\d+(\.\d+)?(e[-+]?\d+)?%?", "#", text)
    return text[:300] or "(no message)"


def _histogram_png(name, scores, max_score):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 2.6), dpi=100)
    values = sorted(set(scores) | {0.0, max_score})
    if len(values) <= 25:  # one bar per score reached (partial credit is in whole points here)
        counts = collections.Counter(scores)
        ax.bar([str(f"{v:g}") for v in values], [counts.get(v, 0) for v in values],
               color="#4a6fa5")
    else:
        ax.hist(scores, bins=20, range=(0, max_score), color="#4a6fa5")
    ax.set_title(f"{name} (out of {max_score:g})", fontsize=10)
    ax.set_xlabel("score", fontsize=9)
    ax.set_ylabel("submissions", fontsize=9)
    ax.tick_params(labelsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'<img class=plot alt="distribution of {html.escape(name)} scores" '
            f'src="data:image/png;base64,{data}">')


STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h2 { border-bottom: 2px solid #444; margin-top: 2.5rem; } h3 { margin-top: 2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .2rem .5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: .7rem; background: #4a6fa5; }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; } .note { color: #555; }
"""


def _table(head, rows, numeric=()):
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = " class=n" if i in numeric else ""
            cells.append(f"<td{cls}>{cell}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _who(row):
    label = html.escape(row["submission"])
    return f"{html.escape(row['name'])} ({label})" if row["name"] else label


def summary(rows, results) -> dict:
    """The report's numbers: ``{key: {"count", "scores", "functions": {f: {...}}}}``, ``failed``.

    Per function: ``scores`` (one per graded submission), ``max_score``, ``cases`` ({case:
    {"passed", "graded", "hidden", "points"}}), ``causes`` (Counter: cause -> failed cases) and
    ``who`` (cause -> the submission of each of those failed cases).
    """
    by_key = {}
    failed = []
    for row, result in zip(rows, results, strict=True):
        key = row["notebook"]
        if not key:
            failed.append((row, row["error"] or "not graded"))
            continue
        entry = by_key.setdefault(key, {"count": 0, "scores": [], "max_score": None,
                                        "functions": {}})
        entry["count"] += 1
        entry["scores"].append(float(result.get("score", 0.0)))
        entry["max_score"] = float(row["max_score"] or 0)
        for test in result.get("tests", []):
            if test.get("name") == "submission":
                continue
            fn = entry["functions"].setdefault(test["name"], {
                "scores": [], "max_score": float(test["max_score"]),
                "cases": {}, "causes": collections.Counter(), "who": {}})
            fn["scores"].append(float(test["score"]))
            for case in case_results(test):
                stats = fn["cases"].setdefault(case.name, {"passed": 0, "graded": 0,
                                                           "hidden": case.hidden,
                                                           "points": case.points})
                stats["graded"] += 1
                stats["passed"] += case.passed
                if not case.passed:
                    cause = cause_of(case)
                    fn["causes"][cause] += 1
                    fn["who"].setdefault(cause, []).append(row["submission"])
    for key, entry in by_key.items():
        order = list(notebooks.NOTEBOOKS.get(key, {}).get("functions", ()))
        entry["functions"] = dict(sorted(entry["functions"].items(),
                                         key=lambda kv: order.index(kv[0])
                                         if kv[0] in order else len(order)))
    return {"notebooks": by_key, "failed": failed}


def page(rows, results, pairs) -> str:
    """report.html from grades.csv's rows, the results.json data and the similar pairs."""
    data = summary(rows, results)
    out = ["<!DOCTYPE html>", "<html lang=en><head><meta charset=utf-8>",
           "<title>Grading report</title>", f"<style>{STYLE}</style></head><body>",
           f"<h1>Grading report: {len(rows)} submissions</h1>"]
    keys = [k for k in notebooks.NOTEBOOKS if k in data["notebooks"]]
    keys += [k for k in data["notebooks"] if k not in keys]
    overview = []
    for key in keys:
        entry = data["notebooks"][key]
        scores = entry["scores"]
        full = sum(1 for s in scores if s == entry["max_score"])
        overview.append([html.escape(key), entry["count"], f"{statistics.mean(scores):.1f}",
                         f"{statistics.median(scores):g}", f"{entry['max_score']:g}", full])
    out.append(_table(["notebook", "graded", "mean score", "median", "out of", "full marks"],
                      overview, numeric=(1, 2, 3, 4, 5)))
    out.append(f"<p>Could not be graded: {len(data['failed'])} "
               "(<a href=#failed>list below</a>).</p>")
    for key in keys:
        entry = data["notebooks"][key]
        out.append(f"<h2 id={key}>{html.escape(key)}.ipynb ({entry['count']} graded)</h2>")
        out.append("<h3>Scores per graded function</h3><div class=plots>")
        for name, fn in entry["functions"].items():
            out.append(_histogram_png(name, fn["scores"], fn["max_score"]))
        out.append("</div>")
        for name, fn in entry["functions"].items():
            mean = statistics.mean(fn["scores"]) if fn["scores"] else 0.0
            out.append(f"<h3 id={key}-{name}>{html.escape(name)}: mean {mean:.2f} of "
                       f"{fn['max_score']:g}</h3>")
            rows_ = []
            for case, stats in fn["cases"].items():
                rate = stats["passed"] / stats["graded"] if stats["graded"] else 0.0
                bar = f"<span class=bar style='width:{rate * 8:.2f}rem'></span>"
                rows_.append([html.escape(case) + (" (hidden)" if stats["hidden"] else ""),
                              f"{stats['points']:g}", f"{stats['passed']}/{stats['graded']}",
                              f"{100 * rate:.0f}%", bar])
            out.append(_table(["case", "points", "passed", "pass rate", ""], rows_,
                              numeric=(1, 2, 3)))
            causes = sorted(fn["who"].items(), key=lambda kv: (-len(set(kv[1])), kv[0]))
            if causes:
                out.append("<p>Most frequent diagnosed causes of failure:</p>")
                out.append(_table(
                    ["submissions", "failed cases", "cause (numbers blanked as #)",
                     "for example"],
                    [[len(set(who)), len(who), html.escape(c), html.escape(who[0])]
                     for c, who in causes[:TOP_CAUSES]], numeric=(0, 1)))
    out.append("<h2 id=failed>Submissions that could not be graded</h2>")
    if data["failed"]:
        out.append(_table(["submission", "why"],
                          [[_who(r), html.escape(why)] for r, why in data["failed"]]))
    else:
        out.append("<p>None: every submission was graded.</p>")
    out.append("<h2 id=similar>Similar submissions</h2>")
    out.append("<p class=note>Pairs whose graded functions are near-identical once names, "
               "comments, docstrings and layout are normalized, ignoring code that many "
               "submissions share. A pointer for a human to read both notebooks, never a "
               "verdict: short functions of a well-specified homework often look alike.</p>")
    if pairs:
        by_label = {r["submission"]: r for r in rows}
        out.append(_table(
            ["similarity", "submission", "submission", "notebook", "rare runs shared",
             "identical functions"],
            [[f"{p['score']:.2f}", _who(by_label.get(p["a"], {"submission": p["a"], "name": ""})),
              _who(by_label.get(p["b"], {"submission": p["b"], "name": ""})),
              html.escape(p["notebook"]), p["shared"], html.escape(", ".join(p["identical"]))]
             for p in pairs], numeric=(0, 4)))
    else:
        out.append("<p>No pair stands out.</p>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def base_sources() -> dict:
    """{key: [{function: source}, ...]}: the student template and the reference solution.

    Code that matches them never counts as shared: every student starts from the template, and
    a correct answer written the canonical way matches the reference without anyone copying.
    """
    import inspect

    try:
        from autograder import build
    except ImportError:
        build = None
    found = {}
    for key, entry in notebooks.NOTEBOOKS.items():
        stubs, refs = {}, {}
        for function in entry["references"]:
            try:
                source = inspect.getsource(notebooks.reference_function(key, function))
            except (OSError, TypeError, ImportError, AttributeError):
                continue
            refs[function] = source
            if build is not None:
                try:
                    stubs[function] = build.stub_source(source)
                except Exception:  # noqa: BLE001 - a missing template only weakens the filter
                    pass
        found[key] = [stubs, refs]
    return found


def write(out_dir, rows, results, nbs):
    """Write ``out_dir/report.html``; ``nbs`` are the submissions' notebooks (None: unreadable)."""
    from autograder import similarity

    items = []
    for row, nb in zip(rows, nbs, strict=True):
        if nb is not None and row["notebook"] in notebooks.NOTEBOOKS:
            items.append((row["submission"], row["notebook"],
                          similarity.graded_sources(nb, row["notebook"])))
    pairs = similarity.similar_pairs(items, base_sources())
    (out_dir / "report.html").write_text(page(rows, results, pairs), encoding="utf-8")
    return pairs
