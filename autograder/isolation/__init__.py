"""The trust boundary: student code runs in a child process, and only plain data crosses back.

- ``protocol``: the wire format (frames of JSON + raw array bytes; no pickle).
- ``child``: the child process itself (run by path, never imported by the grader).
- ``runner``: the grader's side: ``StudentProcess`` and its proxies.
- ``sandbox``: how the child is started, as isolated as this machine allows.
"""
