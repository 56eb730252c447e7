"""The solved notebooks, executed, rendered to HTML by nbconvert and opened in headless Chromium:
every formula typeset by MathJax (no error, no raw TeX left), every table and plot there.

Needs Debian's ``chromium`` and MathJax 2 (nbconvert's HTML template configures MathJax 2), which
``.ci/run`` installs best effort (``npm install mathjax@2`` into ~/.cache/rnn-dinosaurs/mathjax;
``MATHJAX_JS`` may point to another ``MathJax.js``). Skips, saying so, without them. The pages and
screenshots stay in pytest's temporary folder for a human to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import notebooks

MATHJAX = Path(os.environ.get("MATHJAX_JS", Path.home() / ".cache" / "rnn-dinosaurs" / "mathjax"
                              / "node_modules" / "mathjax" / "MathJax.js"))
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--allow-file-access-from-files", "--hide-scrollbars"]

pytestmark = pytest.mark.slow


def chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render(nb, html_path):
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(mathjax_url=f"{MATHJAX.as_uri()}?config=TeX-AMS_CHTML-full,Safe")
    body, _ = exporter.from_notebook_node(nb)
    html_path.write_text(body, encoding="utf-8")


def browse(html_path, *args):
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                               "--virtual-time-budget=30000", *args, html_path.as_uri()],
                              capture_output=True, timeout=180)
    return proc.stdout.decode("utf-8", "replace")


def visible_text(dom):
    """The page's text without scripts (MathJax keeps each formula's TeX in a script) and styles."""
    dom = re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S)
    return re.sub(r"<[^>]+>", " ", dom)


@pytest.fixture(scope="module")
def rendered(dist, tmp_path_factory):
    if chromium() is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    if not MATHJAX.is_file():
        pytest.skip(f"MathJax 2 not found at {MATHJAX} (npm install mathjax@2 there, or set "
                    "MATHJAX_JS)")
    work = tmp_path_factory.mktemp("rendered")
    shutil.copytree(dist / "solved", work, dirs_exist_ok=True)
    pages = {}
    for key in notebooks.NOTEBOOKS:
        nb = nbformat.read(work / f"{key}.ipynb", as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(work)}}).execute()
        html = work / f"{key}.html"
        render(nb, html)
        browse(html, "--window-size=1100,16000", f"--screenshot={work / f'{key}.png'}")
        pages[key] = (nb, browse(html, "--dump-dom"), work)
    return pages


def formulas(nb):
    """The number of $...$ and $$...$$ formulas in the notebook's markdown cells."""
    count = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            text = re.sub(r"`[^`]*`", "", cell.source)  # code spans are not math
            count += len(re.findall(r"\$\$.+?\$\$|\$[^$\n]+?\$", text, flags=re.S))
    return count


@pytest.mark.parametrize("key", list(notebooks.NOTEBOOKS))
def test_every_formula_is_typeset(rendered, key):
    nb, dom, _ = rendered[key]
    expected = formulas(nb)
    # MathJax 2 keeps each formula's TeX in a script and puts its typeset output in a "-Frame"
    # element beside it: every formula must have one.
    formulas_found = re.findall(r'<script type="math/tex[^"]*" id="(MathJax-Element-\d+)"', dom)
    frames = set(re.findall(r'id="(MathJax-Element-\d+)-Frame"', dom))
    assert expected > 20 and len(formulas_found) >= expected, (len(formulas_found), expected)
    assert set(formulas_found) <= frames, sorted(set(formulas_found) - frames)[:5]
    assert 'class="mjx-merror' not in dom and "Math input error" not in dom
    text = visible_text(dom)
    # No TeX left as text: a backslash command or a sub/superscript between dollars.
    leftovers = re.findall(r"\$[^$\n]{0,80}(?:\\[a-zA-Z]+|[_^]\{)[^$\n]{0,80}\$", text)
    assert not leftovers, leftovers[:3]


@pytest.mark.parametrize("key", list(notebooks.NOTEBOOKS))
def test_every_table_and_plot_is_there(rendered, key):
    nb, dom, work = rendered[key]
    tables = sum(len(re.findall(r"^\|\s*-{3}", c.source, flags=re.M))
                 for c in nb.cells if c.cell_type == "markdown")
    assert dom.count("<table") >= tables > 0
    plots = sum(1 for c in nb.cells for o in c.get("outputs", [])
                if "image/png" in o.get("data", {}))
    attachments = sum(len(c.get("attachments", {})) for c in nb.cells)
    images = re.findall(r'<img[^>]+src="data:image/png;base64,', dom)
    assert len(images) >= plots + attachments
    if key == "rnn_dinosaurs":
        assert plots >= 4  # gradients through time, clip, the loss curve, the units' heat map
        assert "largest difference from Keras's float64 states" in dom
        assert "temperature 1.5:" in dom
    else:
        assert attachments == 1 and "Bidirectional(SimpleRNN)" in dom
    screenshot = work / f"{key}.png"
    assert screenshot.read_bytes().startswith(b"\x89PNG")
