"""Code that runs in the student's notebook, outside grading: set-up and export.

The build copies these functions' source into the notebooks (``# provided:`` and
``# embed-files:`` directives), in cells tagged ``skip-grading``: the grader never runs them. They
use the standard library only (and otter's ``grader`` object), because a student who uploads only
the ``.ipynb`` (Colab) has nothing else.

- ``restore_files(payload)``: the set-up cell. ``payload`` is the build's base64 of zlib-compressed
  JSON ``{relative path: text}`` (the notebook's public tests and the data it reads); every file
  that is missing is written, files that exist are left alone. On Colab it also installs
  otter-grader when it is missing.
- ``export_submission(grader, key, functions, path=None)``: the last cell. Finds the notebook it
  runs in (``find_notebook``), refuses clearly when it cannot tell or when the notebook is still the
  blank one, and calls otter's ``grader.export`` on it. On Colab, where otter's export refuses to
  run, it says how to download the notebook instead.

How the running notebook is found (the kernel is never told its file name for sure):

1. JupyterLab / Jupyter Notebook 7 (jupyter_server 2) start the kernel with ``JPY_SESSION_NAME``
   set to the notebook's full path, which ipykernel also exposes as ``__session__``; VS Code sets
   ``__vsc_ipynb_file__``. A notebook renamed after its kernel started keeps the old name there,
   so a path that no longer exists, or holds only the blank functions, is not trusted.
2. Otherwise (nbclient, older servers, a renamed notebook): the ``.ipynb`` files of the current
   folder that define this notebook's graded functions and are not the blank template; exactly
   one must remain, else the cell refuses and asks for the file name.
"""

from __future__ import annotations

REQUIRED_OTTER = "otter-grader==7.0.0"


def restore_files(payload):
    """Write this notebook's public tests and data files where they are missing.

    Arguments:
    payload -- base64 text of zlib-compressed JSON {relative path: file text}, made by the build
    """
    import base64
    import json
    import os
    import subprocess
    import sys
    import zlib

    files = json.loads(zlib.decompress(base64.b64decode("".join(payload.split()))))
    written = []
    for rel, text in sorted(files.items()):
        if os.path.isabs(rel) or ".." in rel.split("/"):
            continue  # the build writes relative paths only; never write elsewhere
        if not os.path.exists(rel):
            os.makedirs(os.path.dirname(rel) or ".", exist_ok=True)
            with open(rel, "w", encoding="utf-8") as f:
                f.write(text)
            written.append(rel)
    if written:
        print(f"wrote {len(written)} missing files: {', '.join(written)}")
    else:
        print("the public tests and data are all here")
    try:
        import otter  # noqa: F401
    except ImportError:
        if "google.colab" not in sys.modules:
            raise ImportError(
                "otter-grader is not installed in this Python: run "
                f'pip install "{REQUIRED_OTTER}" numpy matplotlib jupyterlab '
                "(Python 3.10 or newer), then restart the kernel") from None
        print(f"installing {REQUIRED_OTTER} (Colab; about a minute)...")
        subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", REQUIRED_OTTER])


def _defines(nb_path, functions):
    """(how many of ``functions`` the notebook defines, whether all of those are blank stubs).

    A function counts as defined when a code cell's first code line is ``def <name>(``; it is a
    blank stub when its body, after the docstring, is only ``...`` or ``pass``.
    """
    import ast
    import json

    try:
        with open(nb_path, encoding="utf-8") as f:
            cells = json.load(f).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return 0, False
    found, blank = 0, 0
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in functions:
                found += 1
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(
                        getattr(body[0], "value", None), ast.Constant) and isinstance(
                        body[0].value.value, str):
                    body = body[1:]
                blank += all(isinstance(b, ast.Pass) or (
                    isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)
                    and b.value.value is Ellipsis) for b in body)
                break
    return found, found > 0 and blank == found


def find_notebook(key, functions, namespace=None):
    """The path of the notebook this kernel runs, or None on Colab.

    Arguments:
    key -- the notebook's name as handed out, e.g. "rnn_dinosaurs"
    functions -- its graded functions' names
    namespace -- the kernel's globals (default: those of ``__main__``)

    Raises:
    FileNotFoundError -- with a sentence saying what to do, when the notebook cannot be told
    """
    import os
    import sys

    if "google.colab" in sys.modules:
        return None
    if namespace is None:
        namespace = vars(sys.modules["__main__"])
    hints = [namespace.get("__vsc_ipynb_file__"), namespace.get("__session__"),
             os.environ.get("JPY_SESSION_NAME")]
    for hint in hints:
        if isinstance(hint, str) and hint.endswith(".ipynb") and os.path.isfile(hint):
            found, blank = _defines(hint, functions)
            if found and not blank:
                relative = os.path.relpath(hint)
                # otter's zip names the notebook by the path it is given: keep it short.
                return hint if relative.startswith("..") else relative
            # A stale name (the notebook was saved under another name after its kernel started)
            # may point to the blank original: look in the folder instead.
    here = sorted(name for name in os.listdir(".") if name.endswith(".ipynb"))
    mine = [name for name in here if _defines(name, functions)[0]]
    filled = [name for name in mine if not _defines(name, functions)[1]]
    if len(filled) == 1:
        return filled[0]
    if not mine:
        raise FileNotFoundError(
            f"cannot find this notebook: no .ipynb file in {os.getcwd()} defines "
            f"{', '.join(functions)}. Save the notebook, or pass its file name: "
            f'export_submission(grader, "{key}", GRADED, "my_notebook.ipynb")')
    if not filled:
        raise FileNotFoundError(
            f"{', '.join(mine)} in this folder still hold(s) the blank functions as handed out: "
            "save your notebook first (File > Save Notebook), then run this cell again")
    raise FileNotFoundError(
        f"several notebooks here hold your functions ({', '.join(filled)}) and Jupyter did not "
        "say which one is running: pass its file name, e.g. "
        f'export_submission(grader, "{key}", GRADED, "{filled[0]}")')


def export_submission(grader, key, functions, path=None):
    """Write otter's submission zip of the notebook this kernel runs (save the notebook first).

    Arguments:
    grader -- the notebook's ``otter.Notebook``
    key -- the notebook's name as handed out, e.g. "rnn_dinosaurs"
    functions -- its graded functions' names (to recognise it among other notebooks)
    path -- the notebook's file name, if the cell cannot find it by itself

    Returns:
    the notebook's path, or None on Colab (where it prints how to submit instead)
    """
    import os

    if path is None:
        path = find_notebook(key, functions)
        if path is None:
            print("On Colab, otter cannot export. Submit the notebook itself: File > Download > "
                  "Download .ipynb, then upload that file to the Gradescope assignment of "
                  f"{key}.ipynb.")
            return None
    elif not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such notebook in {os.getcwd()}")
    found, blank = _defines(path, functions)
    if not found:
        raise ValueError(f"{path} does not define {', '.join(functions)}: it is not the "
                         f"{key} notebook")
    if blank:
        raise ValueError(f"{path} still holds the blank functions as handed out: save your "
                         "notebook first (File > Save Notebook), then run this cell again")
    print(f"exporting {path} (the notebook as last saved)")
    grader.export(path, pdf=False)
    return path
