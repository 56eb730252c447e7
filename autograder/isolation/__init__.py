"""The trust boundary: student code runs in a child process, and only plain data crosses back.

- ``protocol``: the wire format (frames of JSON + raw array bytes; no pickle).
- ``child``: the child process itself (run by path, never imported by the grader).
- ``runner``: the grader's side: ``StudentProcess``, its proxies and cell reports.
- ``outcomes``: what happened to a cell or a case, as an enum plus a reason.
- ``sandbox``: the isolation modes (one class each), ``spawn``, ``mode()``, container limits.
- ``policy``: what the child may see, written once as data and rendered for each mode.
- ``confine``: the launcher that applies seccomp, Landlock and oom_score_adj (run by path).
- ``supervisor``: the unprivileged mode's subreaper (run by path).
"""
