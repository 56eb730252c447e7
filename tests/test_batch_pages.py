"""A realistic Gradescope export graded end to end: grades.csv, written_answers.html, report.html.

The export (as Gradescope's "Export Submissions" unzips): ``submission_metadata.yml`` and one
``submission_<id>/`` folder per submission, every notebook named ``rnn_dinosaurs.ipynb`` (or
``rnn_bidirectional_deep.ipynb``): a solo student with written answers in Markdown and LaTeX, a
group of two with a buggy bptt, a notebook 2 submitted as otter's zip, a broken (truncated) file,
an empty upload, and two students whose functions are the same code with other names, comments and
layout. A last test opens both pages in headless Chromium and checks that every plot and formula
renders.
"""

import base64
import csv
import html
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import grade, notebooks, written
from autograder.build import build_notebooks, included_names

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "catalog"))
from catalog import load_catalog  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "helpers"))
from gradescope_export import Submission, write_export  # noqa: E402

SUBMITTERS = {  # submission_metadata.yml: who submitted what (each submission's files: batch())
    "submission_3001": [("Ada Lovelace", "1815", "ada@example.edu")],
    "submission_3002": [("Alan Turing", "1912", "alan@example.edu"),
                        ("Grace Hopper", "1906", "grace@example.edu")],
    "submission_3003": [("Emmy Noether", "1882", "emmy@example.edu")],
    "submission_3004": [("Kurt Gödel", "1906", "kurt@example.edu")],
    "submission_3005": [("John Nash", "1928", "john@example.edu")],
    "submission_3006": [("Sofia Kovalevskaya", "1850", "sofia@example.edu")],
    "submission_3007": [("Srinivasa Ramanujan", "1887", "srinivasa@example.edu")],
}
EXTRA = {"submission_3001": (":created_at: 2024-10-01 12:00:00.000000000 -07:00", ":score: 60.0",
                             ":status: processed"),
         "submission_3002": (":created_at: 2024-10-02 08:30:00.000000000 -07:00",)}

ADA = {
    "7.1": "Clipping keeps one exploding step from throwing the weights away:\n\n"
           "$$\\theta \\leftarrow \\theta - \\alpha \\, \\mathrm{clip}\\left("
           "\\frac{\\partial L}{\\partial \\theta}\\right)$$\n\n"
           "* without it the loss curve shows **spikes**\n* it cannot make small gradients big",
    "7.2": "Because `argmax` always picks the same letter, $\\hat y_t$ would give one name.",
    "7.3": "It needs the letters *after* $t$, which do not exist yet while generating.",
    "7.4": "The gradient through $k$ steps scales like $\\prod_k U^T \\mathrm{diag}(1-h^2)$.",
}
GROUP = {"7.2": "Sampling gives variety; argmax repeats $x_{t+1} = x_t$ forever."}
EMMY = {"4.1": "The evidence is at the start, read last by the forward state $h_{T-1}$.",
        "4.2": "(a) bidirectional many-to-many; (b) many-to-one; (c) one-to-many."}

# John and Sofia: the same distinctive code, Sofia's with other names, comments and layout.
SOFIA_BPTT = '''def bptt(X, Y, H, Y_hat, h0, parameters):
    # my own version!!
    Uu, Ww = parameters["U"], parameters["W"]
    steps = X.shape[2]
    g = Y_hat - Y   # output gradient
    prev_states = np.concatenate([h0[:, :, None], H[:, :, :-1]], axis=2)
    grad_W = np.einsum("ymt,hmt->yh", g, H)
    grad_b2 = g.sum(axis=(1, 2))[:, None]
    da = np.zeros_like(H)
    nxt = np.zeros_like(h0)
    for s in range(steps - 1, -1, -1):
        d = np.einsum("yh,ym->hm", Ww, g[:, :, s]) + nxt
        da[:, :, s] = d * (1.0 - np.square(H[:, :, s]))
        nxt = np.einsum("ij,im->jm", Uu, da[:, :, s])
    return {"dV": np.einsum("hmt,xmt->hx", da, X),
            "dU": np.einsum("hmt,kmt->hk", da, prev_states), "dW": grad_W,
            "dbeta1": da.sum(axis=(1, 2)).reshape(-1, 1), "dbeta2": grad_b2, "dh0": nxt}
'''
SOFIA_FORWARD = '''def rnn_forward(X, h0, parameters):
    """Sofia's forward pass."""
    A, B, C = parameters["V"], parameters["U"], parameters["W"]
    c1, c2 = parameters["beta1"], parameters["beta2"]
    states, outs = [], []
    s = h0
    for k in range(X.shape[2]):
        s = np.tanh(np.dot(B, s) + np.dot(A, X[:, :, k]) + c1)   # the recurrence
        logits = C.dot(s) + c2
        ex = np.exp(logits - np.max(logits, axis=0))
        states.append(s)
        outs.append(ex / ex.sum(axis=0, keepdims=True))
    return np.stack(states, axis=2), np.stack(outs, axis=-1)
'''


def _built(key):
    source = ROOT / "assignment" / f"{key}.py"
    return build_notebooks(source, {name: [] for name in included_names(source)})


def _copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _replace(nb, function, source):
    [cell] = [c for c in nb.cells if c.cell_type == "code"
              and notebooks.defined_function(c.source) == function]
    cell.source = source


def _answer(nb, answers):
    """Put answers into the cells holding YOUR ANSWER HERE, question by question."""
    cells = nb.cells
    for number, text in answers.items():
        start = next(i for i, c in enumerate(cells) if c.cell_type == "markdown"
                     and f"**Question {number}.**" in c.source)
        assert cells[start + 1].source.strip() == written.PLACEHOLDER
        cells[start + 1].source = text


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    nb1, nb2 = _built("rnn_dinosaurs").solved, _built("rnn_bidirectional_deep").solved
    entries = {e.name: e for e in load_catalog(notebook="rnn_dinosaurs")}
    files = {}

    ada = _copy(nb1)
    _answer(ada, ADA)
    files["submission_3001"] = {"rnn_dinosaurs.ipynb": nbformat.writes(ada)}
    group = _copy(nb1)
    _replace(group, "bptt", entries["bptt_truncated"].definition)
    _answer(group, GROUP)
    files["submission_3002"] = {"rnn_dinosaurs.ipynb": nbformat.writes(group)}
    emmy = _copy(nb2)
    _answer(emmy, EMMY)
    buffer = tmp / "zip"
    buffer.mkdir()
    nbformat.write(emmy, buffer / "rnn_bidirectional_deep.ipynb")
    with zipfile.ZipFile(buffer / "export.zip", "w") as zf:  # as otter's grader.export writes
        zf.write(buffer / "rnn_bidirectional_deep.ipynb", "rnn_bidirectional_deep.ipynb")
        zf.writestr(".OTTER_LOG", b"not read")
    files["submission_3003"] = {"rnn_bidirectional_deep_2024_10_01T12_00_00.zip":
                                (buffer / "export.zip").read_bytes()}
    text = nbformat.writes(nb1)
    files["submission_3004"] = {"rnn_dinosaurs.ipynb": text[: len(text) // 2].encode()}
    john = _copy(nb1)
    _replace(john, "bptt", entries["bptt_einsum"].definition)
    _replace(john, "rnn_forward", entries["forward_inline_lists"].definition)
    files["submission_3005"] = {"rnn_dinosaurs.ipynb": nbformat.writes(john)}
    sofia = _copy(nb1)
    _replace(sofia, "bptt", SOFIA_BPTT)
    _replace(sofia, "rnn_forward", SOFIA_FORWARD)
    files["submission_3006"] = {"rnn_dinosaurs.ipynb": nbformat.writes(sofia)}
    # submission_3007: an upload with nothing in it
    root = write_export(tmp / "assignment_4242_export", [
        Submission(label, who, EXTRA.get(label, ()), files.get(label, {}))
        for label, who in SUBMITTERS.items()])

    out = tmp / "graded"
    assert grade.main([str(root), "--out", str(out), "--jobs", "2", "--no-progress"]) == 0
    rows = list(csv.DictReader((out / "grades.csv").open(encoding="utf-8")))
    results = {r["submission"]: json.loads((out / r["submission"] / "results.json").read_text())
               for r in rows}
    return {"out": out, "rows": rows, "results": results}


def test_grades_csv_names_every_submission_by_its_submitters(batch):
    rows = {r["submission"]: r for r in batch["rows"]}
    head = list(batch["rows"][0])
    assert head[:7] == ["submission", "name", "email", "sid", "notebook", "score", "max_score"]
    assert head[-1] == "error" and set(head[7:-1]) == {
        *notebooks.NOTEBOOKS["rnn_dinosaurs"]["functions"],
        *notebooks.NOTEBOOKS["rnn_bidirectional_deep"]["functions"]}
    assert list(rows) == [f"submission_{i}" for i in range(3001, 3008)]
    ada = rows["submission_3001"]
    assert (ada["name"], ada["email"], ada["sid"]) == ("Ada Lovelace", "ada@example.edu", "1815")
    assert (ada["notebook"], ada["score"], ada["max_score"]) == ("rnn_dinosaurs", "60", "60")
    group = rows["submission_3002"]
    assert group["name"] == "Alan Turing; Grace Hopper"
    assert group["email"] == "alan@example.edu; grace@example.edu"
    assert group["sid"] == "1912; 1906"
    assert float(group["bptt"]) < 20 and group["clip"] == "5"
    emmy = rows["submission_3003"]
    assert (emmy["notebook"], emmy["score"], emmy["birnn_forward"]) == (
        "rnn_bidirectional_deep", "20", "10")
    assert emmy["bptt"] == ""
    broken = rows["submission_3004"]
    assert broken["name"] == "Kurt Gödel" and broken["score"] == "0"
    assert "cut off" in broken["error"] and broken["notebook"] == ""
    assert rows["submission_3005"]["score"] == rows["submission_3006"]["score"] == "60"
    assert "empty" in rows["submission_3007"]["error"]
    # every row's numbers are its results.json's
    for label, row in rows.items():
        result = batch["results"][label]
        assert float(row["score"]) == result["score"]
        for test in result["tests"]:
            if test["name"] in row and test["name"] != "submission":
                assert float(row[test["name"]]) == test["score"]


def _sections(page, key):
    """{question number: [(who, rendered answer html)]} of written_answers.html."""
    found = {}
    parts = re.split(r'<h3 id="([\w]+-[\d.]+)">', page)
    for anchor, body in zip(parts[1::2], parts[2::2], strict=True):
        k, number = anchor.rsplit("-", 1)
        if k != key:
            continue
        body = body.split("<h2")[0]
        found[number] = re.findall(r"<section class=answer><h4>(.*?)</h4>(.*?)</section>", body,
                                   re.S)
    return found


def test_written_answers_page_has_every_answer_under_its_question_and_name(batch):
    page = (batch["out"] / "written_answers.html").read_text(encoding="utf-8")
    nb1 = _sections(page, "rnn_dinosaurs")
    assert list(nb1) == list(written.QUESTIONS["rnn_dinosaurs"])
    for number in nb1:
        whos = [html.unescape(re.sub("<[^>]+>", "", who)) for who, _ in nb1[number]]
        # every graded notebook-1 submission, named as in grades.csv, in grades.csv's order
        assert [w.split(" (")[0] for w in whos] == [
            "Ada Lovelace", "Alan Turing; Grace Hopper", "John Nash", "Sofia Kovalevskaya"]
        assert "submission_3002, alan@example.edu; grace@example.edu, 1912; 1906" in whos[1]
        answers = dict(zip([w.split(" (")[0] for w in whos], [a for _, a in nb1[number]],
                           strict=True))
        assert "<math" in answers["Ada Lovelace"]  # every one of Ada's answers has a formula
        for name in ("John Nash", "Sofia Kovalevskaya"):
            assert "Not answered." in answers[name]
        if number in GROUP:
            assert "<math" in answers["Alan Turing; Grace Hopper"]
        else:
            assert "Not answered." in answers["Alan Turing; Grace Hopper"]
    ada_71 = dict((re.sub("<[^>]+>", "", w).split(" (")[0], a) for w, a in nb1["7.1"])
    ada_71 = ada_71["Ada Lovelace"]
    assert "<strong>spikes</strong>" in ada_71 and "<li>" in ada_71
    assert 'display="block"' in ada_71 and "<mfrac>" in ada_71
    assert "<code>argmax</code>" in dict(
        (re.sub("<[^>]+>", "", w).split(" (")[0], a) for w, a in nb1["7.2"])["Ada Lovelace"]
    nb2 = _sections(page, "rnn_bidirectional_deep")
    assert list(nb2) == ["4.1", "4.2"]
    [(who, answer)] = nb2["4.1"]
    assert "Emmy Noether" in who and "<math" in answer and "$" not in answer
    assert "bidirectional many-to-many" in nb2["4.2"][0][1]
    assert 'class="tex"' not in page  # every formula was converted
    # the broken file and the empty upload are listed as unreadable, not silently left out
    tail = page.split("could not be read")[-1]
    assert "Kurt Gödel" in tail and "submission_3007" in tail


def test_gradescope_output_shows_the_written_answers_to_graders(batch):
    output = batch["results"]["submission_3001"]["output"]
    assert "Written answers (20 points" in output
    for text in ADA.values():
        for line in text.splitlines():
            assert f"| {line}" in output
    assert "Question 7.3 (5 points): no answer." in batch["results"]["submission_3002"]["output"]


def _case_counts(results, function):
    """{case: (passed, graded)} straight from the results.json outputs."""
    counts = {}
    for result in results.values():
        for test in result["tests"]:
            if test["name"] != function:
                continue
            for line in test["output"].splitlines():
                if line.startswith(("PASS ", "FAIL ")):
                    name = line.split()[1]
                    passed, graded = counts.get(name, (0, 0))
                    counts[name] = (passed + line.startswith("PASS"), graded + 1)
    return counts


def test_report_numbers_agree_with_the_results_files(batch):
    page = (batch["out"] / "report.html").read_text(encoding="utf-8")
    results = batch["results"]
    for key in ("rnn_dinosaurs", "rnn_bidirectional_deep"):
        for function in notebooks.NOTEBOOKS[key]["functions"]:
            scores = [t["score"] for r in results.values() for t in r["tests"]
                      if t["name"] == function]
            mean = sum(scores) / len(scores)
            section = page.split(f"<h3 id={key}-{function}>")[1].split("<h3")[0]
            assert section.startswith(f"{function}: mean {mean:.2f} of ")
            for case, (passed, graded) in _case_counts(results, function).items():
                assert re.search(rf"<td>{case}( \(hidden\))?</td><td class=n>[\d.]+</td>"
                                 rf"<td class=n>{passed}/{graded}</td>", section), case
    # one plot per graded function, each a real PNG
    images = re.findall(r'<img class=plot alt="distribution of (\w+) scores" '
                        r'src="data:image/png;base64,([^"]+)"', page)
    assert sorted(n for n, _ in images) == sorted(
        f for entry in notebooks.NOTEBOOKS.values() for f in entry["functions"])
    assert all(base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n") for _, data in images)
    # the group's truncated BPTT is diagnosed, with a count
    bptt = page.split("<h3 id=rnn_dinosaurs-bptt>")[1].split("<h3")[0]
    assert "Most frequent diagnosed causes" in bptt and "submission_3002" in bptt
    # could not be graded: the broken file and the empty upload, with why
    failed = page.split("<h2 id=failed>")[1].split("<h2")[0]
    assert "Kurt Gödel (submission_3004)" in failed and "cut off" in failed
    assert "submission_3007" in failed and "empty" in failed
    assert "Ada Lovelace" not in failed
    # similar submissions: John and Sofia, and no one else
    similar = page.split("<h2 id=similar>")[1]
    pairs = re.findall(r"<tr><td class=n>([\d.]+)</td><td>(.*?)</td><td>(.*?)</td>", similar)
    assert len(pairs) == 1
    score, a, b = pairs[0]
    assert {a, b} == {"John Nash (submission_3005)", "Sofia Kovalevskaya (submission_3006)"}
    assert float(score) >= 0.9
    assert "bptt, rnn_forward" in similar


# -------------------------------------------------------------------- rendering, in a browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = """<script>
window.addEventListener("load", () => {
  const out = {images: [], formulas: []};
  for (const img of document.images)
    out.images.push({ok: img.complete && img.naturalWidth > 0, w: img.naturalWidth});
  for (const m of document.getElementsByTagName("math")) {
    const box = m.getBoundingClientRect();
    out.formulas.push({display: getComputedStyle(m).display, w: box.width, h: box.height});
  }
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _rendered(page: Path, tmp_path):
    """What the probe saw in headless Chromium: {"images": [...], "formulas": [...]}."""
    probed = tmp_path / f"probed-{page.name}"
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                      encoding="utf-8")
    profile = tmp_path / f"profile-{page.stem}"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
               "--no-first-run", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
               "--dump-dom", probed.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert m, f"no probe output from chromium: {done.stderr[-2000:]}"
    return json.loads(html.unescape(m.group(1)))


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt install "
                    "chromium; .ci/run installs it): the pages' rendering is not checked")
def test_both_pages_render_every_image_and_formula_in_chromium(batch, tmp_path):
    report = _rendered(batch["out"] / "report.html", tmp_path)
    assert len(report["images"]) == 7 and all(i["ok"] and i["w"] > 100 for i in report["images"])
    answers = _rendered(batch["out"] / "written_answers.html", tmp_path)
    page = (batch["out"] / "written_answers.html").read_text(encoding="utf-8")
    assert len(answers["formulas"]) == page.count("<math") >= 10
    for formula in answers["formulas"]:
        # laid out by the browser's MathML engine (display "math"/"block math"), not as text
        assert "math" in formula["display"] and formula["w"] > 0 and formula["h"] > 0, formula
