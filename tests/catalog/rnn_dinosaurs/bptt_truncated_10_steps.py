# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: bptt
# kind: bug
# description: truncated BPTT as in the WildML tutorial (bptt_truncate = 10): the loss at step t reaches back to step t-10 only
# message: truncated after 10 steps
# base: bptt_correct_per_loss_step
# replace:
#     U, V, W = parameters["U"], parameters["V"], parameters["W"]
# with:
#     bptt_truncate = 10
#     U, V, W = parameters["U"], parameters["V"], parameters["W"]
# replace:
#         for step in np.arange(0, t + 1)[::-1]:
# with:
#         for step in np.arange(max(0, t - bptt_truncate), t + 1)[::-1]:
