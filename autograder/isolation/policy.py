"""What the child may see: the visibility policy, written once as data, rendered per mode.

``visibility(readable, hidden)`` turns the lists of readable and hidden paths into an ordered
list of ``View`` entries; each mode renders the same list its own way:

- root-sandbox: mount commands of the namespace script (``sandbox.namespace_script``),
- bubblewrap: ``--ro-bind``/``--symlink``/``--tmpfs`` options (``sandbox.bubblewrap_argv``),
- root-confined: Landlock rules (read-only beneath each ``ro`` path; ``confine.py``),
- root-user-only: the ``hide`` paths closed (chmod) while the child runs.

Beside these, every mode gives the child its own working folder (read-write) and a few device
nodes (``DEV_NODES``).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import site
import sys
from dataclasses import dataclass
from pathlib import Path

# The project's own tree: what the child must never read (tests, solutions/, checks, config).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# System directories the child may read (merged-/usr symlinks are recreated as symlinks).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEV_NODES = ("null", "zero", "full", "random", "urandom")


@dataclass(frozen=True)
class View:
    """One entry of the policy.

    kind "symlink": ``path`` is recreated as a symlink to ``target``; "ro": ``path`` (a file or
    a directory) is visible read-only with everything beneath it; "hide": ``path`` lies inside
    an "ro" directory and must look empty (an empty tmpfs where the mode can mount one).
    """

    kind: str
    path: str
    target: str = ""


def under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def minimal(paths) -> list[str]:
    """Real paths that exist, without those already inside another one of the list."""
    out: list[str] = []
    for p in sorted({os.path.realpath(p) for p in paths if os.path.exists(p)}):
        if not any(under(p, q) for q in out):
            out.append(p)
    return out


def visibility(readable, hidden) -> list[View]:
    """The ordered policy: system dirs, then ``readable``, then what to hide inside them."""
    views: list[View] = []
    bound: list[str] = []

    def add(src: str) -> None:
        if os.path.islink(src) and os.path.realpath(src) != src:
            views.append(View("symlink", src, os.readlink(src)))
            src = os.path.realpath(src)
        if os.path.exists(src) and not any(under(src, b) for b in bound):
            views.append(View("ro", src))
            bound.append(src)

    for d in SYSTEM_DIRS:
        add(d)
    for p in minimal(readable):
        add(p)
    for h in minimal(hidden):
        if any(under(h, b) for b in bound) and os.path.isdir(h):
            views.append(View("hide", h))
    return views


def readonly_paths(views) -> list[str]:
    return [v.path for v in views if v.kind == "ro"]


def default_readable_paths(argv0: str | None = None) -> list[str]:
    """The Python installation(s), site-packages holding numpy, and the interpreter's directory."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(p for p in site.getsitepackages() if os.path.isdir(p))
    for module in ("numpy", "pyseccomp"):
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin:
            origin = Path(spec.origin).resolve()
            # numpy/__init__.py -> site-packages; pyseccomp.py -> site-packages
            paths.add(str(origin.parents[1] if spec.submodule_search_locations else
                          origin.parent))
    if argv0:
        exe = shutil.which(argv0) or argv0
        paths.add(os.path.dirname(os.path.abspath(exe)))
        paths.add(os.path.dirname(os.path.realpath(exe)))
        venv = os.path.dirname(os.path.dirname(os.path.abspath(exe)))
        if os.path.isfile(os.path.join(venv, "pyvenv.cfg")):  # the child's own virtualenv
            paths.add(venv)
    return sorted(p for p in paths if p and p != "/")


def default_hidden_paths() -> list[str]:
    """The project root, wherever ``solutions``/``autograder`` live, and /root."""
    hidden = {str(PROJECT_ROOT), "/root"}
    for pkg in ("solutions", "autograder"):
        try:
            spec = importlib.util.find_spec(pkg)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            hidden.update(os.path.realpath(p) for p in spec.submodule_search_locations)
    return sorted(hidden)
