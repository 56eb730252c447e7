"""The README's student install line, exactly, in a fresh virtual environment: Jupyter and its
kernel are there, and both solved notebooks run in it with every public check passing.

Slow (a fresh venv and pip install, about a minute with pip's cache warm, several without).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import notebooks

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def text_of(output):
    """An output's text: a stream's, or a display's text/plain (grader.check's results)."""
    text = output.get("text", output.get("data", {}).get("text/plain", ""))
    return text if isinstance(text, str) else "".join(text)


def student_install_line():
    """The one `pip install ...` line of the README's section for students."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For students", 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines()
             if line.strip().startswith("pip install")]
    assert len(lines) == 1, lines
    return lines[0]


def test_the_readme_states_the_python_versions():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For students", 1)[1].split("\n## ", 1)[0]
    assert "Python 3.10 or newer" in section
    assert "jupyterlab" in student_install_line()
    for key in notebooks.NOTEBOOKS:
        source = (ROOT / "assignment" / f"{key}.py").read_text(encoding="utf-8")
        assert "Python 3.10 or newer" in source and student_install_line() in source


def test_the_student_install_line_opens_and_runs_the_notebooks(dist, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bin_dir = venv / "bin"
    words = shlex.split(student_install_line())
    assert words[:2] == ["pip", "install"]
    # Exactly the line, with the venv's pip (what `pip` is once the venv is activated).
    subprocess.run([str(bin_dir / "pip"), *words[1:], "--quiet", "--disable-pip-version-check"],
                   check=True, timeout=1200)
    # What the issue found missing: JupyterLab's command and a Python kernel.
    lab = subprocess.run([str(bin_dir / "jupyter-lab"), "--version"], capture_output=True,
                         text=True, check=True)
    assert re.match(r"\d+\.\d+", lab.stdout.strip())
    kernels = subprocess.run([str(bin_dir / "jupyter"), "kernelspec", "list", "--json"],
                             capture_output=True, text=True, check=True)
    assert "python3" in json.loads(kernels.stdout)["kernelspecs"]
    work = tmp_path / "hw"
    shutil.copytree(dist / "solved", work)
    for key, entry in notebooks.NOTEBOOKS.items():
        subprocess.run([str(bin_dir / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                        "--ExecutePreprocessor.timeout=300", "--output", f"{key}.run.ipynb",
                        f"{key}.ipynb"], cwd=work, check=True, capture_output=True, timeout=900)
        nb = json.loads((work / f"{key}.run.ipynb").read_text(encoding="utf-8"))
        outputs = "".join(text_of(o) for c in nb["cells"] if c["cell_type"] == "code"
                          for o in c.get("outputs", []))
        for function in entry["functions"]:
            assert f"{function} results: All test cases passed!" in outputs, (key, function)
