# SPDX-License-Identifier: GPL-2.0-or-later
"""A strict parser of the Prometheus text exposition format (0.0.4).

    promparse.py FILE        exit 1 with the line and reason on any fault;
                             else print each sample as NAME{LABELS} VALUE

Checks: every line is a HELP or TYPE comment, another comment, blank, or
a sample; names and label names match the grammar; label values use only
the escapes \\\\ \\" \\n; values are floats (or NaN, +Inf, -Inf); a family's
TYPE comes once, before its samples; a family's samples are contiguous; no
series (name and label set) appears twice; counters end in _total and are
not negative.
"""
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LNAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(n, line, why):
    sys.exit("line %d: %s: %r" % (n, why, line))


def labels(n, line, s):
    out, i = [], 0
    while i < len(s):
        m = re.match(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", s[i:])
        if not m:
            fail(n, line, "bad label at %r" % s[i:])
        name = m.group(1)
        i += m.end()
        val = ""
        while True:
            if i >= len(s):
                fail(n, line, "unterminated label value")
            c = s[i]
            if c == "\\":
                if i + 1 >= len(s) or s[i + 1] not in '\\"n':
                    fail(n, line, "bad escape in label value")
                val += {"\\": "\\", '"': '"', "n": "\n"}[s[i + 1]]
                i += 2
                continue
            if c == '"':
                i += 1
                break
            if c == "\n":
                fail(n, line, "newline in label value")
            val += c
            i += 1
        out.append((name, val))
        if i < len(s):
            if s[i] != ",":
                fail(n, line, "expected , between labels")
            i += 1
    if len({k for k, _ in out}) != len(out):
        fail(n, line, "label repeated")
    return tuple(sorted(out))


def main():
    types, helps, seen, done, samples = {}, set(), set(), set(), []
    current = None
    for n, line in enumerate(open(sys.argv[1], encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME.match(name):
                    fail(n, line, "bad metric name")
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        fail(n, line, "bad type")
                    if name in types:
                        fail(n, line, "TYPE given twice")
                    if name in done or name == current:
                        fail(n, line, "TYPE after samples")
                    types[name] = parts[3]
                else:
                    if name in helps:
                        fail(n, line, "HELP given twice")
                    helps.add(name)
            continue
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$",
                     line)
        if not m:
            fail(n, line, "not a sample")
        name, lab, value = m.group(1), m.group(3) or "", m.group(4)
        if value not in ("NaN", "+Inf", "-Inf"):
            try:
                v = float(value)
            except ValueError:
                fail(n, line, "bad value")
        else:
            v = float(value.replace("Inf", "inf"))
        if name != current:
            if name in done:
                fail(n, line, "samples of a family not together")
            if current is not None:
                done.add(current)
            current = name
        key = (name, labels(n, line, lab))
        if key in seen:
            fail(n, line, "series repeated")
        seen.add(key)
        t = types.get(name)
        if t is None:
            fail(n, line, "sample without TYPE")
        if t == "counter" and (not name.endswith("_total") or v < 0):
            fail(n, line, "counter not _total or negative")
        samples.append(line)
    for s in samples:
        print(s)


if __name__ == "__main__":
    main()
