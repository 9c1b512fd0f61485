#!/usr/bin/env python3
"""Quick check of a translation against French, for translators (the Rust tests are the rule):
same message ids, same { $variables }, markup only in -html messages, same tags in -html messages.
Usage: python3 crates/server/locales/check.py LANG"""
import re, sys, pathlib

here = pathlib.Path(__file__).parent

def parse(path):
    msgs, cur = {}, None
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("#") or not line.strip():
            cur = None if not line.strip() else cur
            continue
        m = re.match(r"^([a-zA-Z][\w-]*) = ?(.*)$", line)
        if m:
            cur = m.group(1)
            msgs[cur] = m.group(2)
        elif line.startswith(" ") and cur:
            msgs[cur] += " " + line.strip()
        else:
            raise SystemExit(f"{path}: cannot read line: {line!r}")
    return msgs

lang = sys.argv[1]
bad = 0
for name in ["visitor.ftl", "visitor-script.ftl", "console.ftl", "console-script.ftl"]:
    fr_path, other_path = here / "fr" / name, here / lang / name
    if not fr_path.exists():
        continue
    if not other_path.exists():
        print(f"{lang}/{name}: missing"); bad += 1; continue
    fr, other = parse(fr_path), parse(other_path)
    for k in fr.keys() - other.keys():
        print(f"{lang}/{name}: missing {k}"); bad += 1
    for k in other.keys() - fr.keys():
        print(f"{lang}/{name}: unknown {k}"); bad += 1
    for k in fr.keys() & other.keys():
        v = lambda s: sorted(set(re.findall(r"\{ *\$(\w+) *\}", s)))
        if v(fr[k]) != v(other[k]):
            print(f"{lang}/{name}: {k} variables {v(other[k])} != {v(fr[k])}"); bad += 1
        tags = lambda s: sorted(re.findall(r"<(/?\w+)", s))
        if k.endswith("-html"):
            if tags(fr[k]) != tags(other[k]):
                print(f"{lang}/{name}: {k} tags {tags(other[k])} != {tags(fr[k])}"); bad += 1
        elif "<" in other[k] or "&" in other[k]:
            print(f"{lang}/{name}: {k} holds markup but is not -html"); bad += 1
        if not other[k].strip():
            print(f"{lang}/{name}: {k} is empty"); bad += 1
print("ok" if bad == 0 else f"{bad} problem(s)")
sys.exit(1 if bad else 0)
