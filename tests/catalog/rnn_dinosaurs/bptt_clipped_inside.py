# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: clips its own gradients to [-5, 5] before returning them, as min-char-rnn does (clipping belongs to clip, after bptt)
# message: clipped inside bptt
# base: solutions.rnn.bptt
# replace:
#     gradients["dh0"] = dh_next
#     return gradients
# with:
#     gradients["dh0"] = dh_next
#     for key in gradients:
#         np.clip(gradients[key], -5, 5, out=gradients[key])
#     return gradients
