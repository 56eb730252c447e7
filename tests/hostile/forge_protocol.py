# ruff: noqa
# description: writes forged protocol frames straight into the grader's pipe: a "ready" in the middle of a cell, and from clip a "result" without the call's number (then its real, wrong result): the cell is skipped, clip crashes, and no stale reply reaches a later call
# attacks: clip
# note: skipped: broke the grader's protocol
# %% attack
import sys, os
_proto = sys.modules["__main__"].protocol
_wfd = int(sys.argv[2])
# %% attack
os.write(_wfd, _proto.encode({"op": "cell_end", "index": 99, "error": None, "stdout": "forged"}))
os.write(_wfd, _proto.encode({"op": "ready", "defined": ["rnn_cell_forward", "rnn_forward", "bptt", "clip", "sample"], "stdout": "FORGED"}))
print("FORGED")
# %% replace clip
def clip(gradients, max_value):
    forged = {k: np.clip(v, -max_value, max_value) for k, v in gradients.items()}
    os.write(_wfd, _proto.encode({"op": "result", "value": forged, "args": [gradients, max_value], "kwargs": {}, "stdout": ""}))
    return {key: np.array(value) for key, value in gradients.items()}
# %% honest clip
def clip(gradients, max_value):
    return None
