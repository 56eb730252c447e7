"""A bounded results.json: every field capped, what was cut counted, the whole under a stated size.

``bound_results(results)`` caps, in place, the top-level ``output`` (``OUTPUT_CHARS``), each
test entry's ``name`` and ``output`` (``TEST_OUTPUT_CHARS``), every string of ``extra_data``
(``EXTRA_CHARS``), and the per-cell dicts of ``extra_data`` (``EXTRA_ITEMS`` entries). It records
what it cut in ``extra_data["truncated"]`` (characters or entries per field). If the JSON is
still larger than ``MAX_RESULTS_BYTES`` (escapes can make it up to 6 times the characters), the
caps are halved until it fits. So results.json is never larger than ``MAX_RESULTS_BYTES``,
whatever the submission prints or raises (README, "How student code is isolated").
"""

from __future__ import annotations

import json

MAX_RESULTS_BYTES = 200_000
OUTPUT_CHARS = 60_000
TEST_OUTPUT_CHARS = 10_000
NAME_CHARS = 200
EXTRA_CHARS = 2_000
EXTRA_ITEMS = 50
MAX_TESTS = 64


def _cut(text, cap, what, cuts):
    text = text if isinstance(text, str) else str(text)
    if len(text) <= cap:
        return text
    cuts[what] = cuts.get(what, 0) + len(text) - cap
    note = f"\n[... {len(text) - cap} more characters cut: results.json is kept small]"
    return text[:max(cap - len(note), 0)] + note


def _bound_value(value, cap_chars, cap_items, what, cuts):
    if isinstance(value, str):
        return _cut(value, cap_chars, what, cuts)
    if isinstance(value, dict):
        items = list(value.items())
        if len(items) > cap_items:
            cuts[what] = cuts.get(what, 0) + len(items) - cap_items
            items = items[:cap_items]
        return {str(k)[:NAME_CHARS]: _bound_value(v, cap_chars, cap_items, what, cuts)
                for k, v in items}
    if isinstance(value, list):
        if len(value) > cap_items:
            cuts[what] = cuts.get(what, 0) + len(value) - cap_items
            value = value[:cap_items]
        return [_bound_value(v, cap_chars, cap_items, what, cuts) for v in value]
    return value


def _apply(results, scale, cuts):
    if "output" in results:
        results["output"] = _cut(results["output"], OUTPUT_CHARS // scale, "output", cuts)
    tests = results.get("tests", [])
    if len(tests) > MAX_TESTS:
        cuts["tests"] = cuts.get("tests", 0) + len(tests) - MAX_TESTS
        del tests[MAX_TESTS:]
    for test in tests:
        test["name"] = _cut(test.get("name", ""), NAME_CHARS, "tests.name", cuts)
        if "output" in test:
            test["output"] = _cut(test["output"], TEST_OUTPUT_CHARS // scale,
                                  f"tests[{test['name']}].output", cuts)
    extra = results.get("extra_data")
    if isinstance(extra, dict):
        for key in [k for k in extra if k != "truncated"]:
            extra[key] = _bound_value(extra[key], EXTRA_CHARS // scale,
                                      max(EXTRA_ITEMS // scale, 1), f"extra_data.{key}", cuts)


def bound_results(results: dict) -> dict:
    """Cap ``results`` in place (see the module docstring) and return it."""
    cuts: dict = {}
    scale = 1
    while True:
        _apply(results, scale, cuts)
        if cuts:
            results.setdefault("extra_data", {})["truncated"] = dict(cuts)
        size = len(json.dumps(results, indent=2, allow_nan=False).encode())
        if size <= MAX_RESULTS_BYTES or scale >= 1024:
            return results
        scale *= 2
