#!/usr/bin/env bash
# Fails on a Catch test name that CTest would never run as written. catch_discover_tests passes
# each name to the test binary as a test spec and stores the list as a CMake list: a ';' splits
# the name into two tests that match nothing, a leading '-' makes it an option and a leading '~'
# a negation, a '"' or '\' changes the spec. Such a test is silently not run, so it cannot fail.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - <<'PY'
import pathlib, re, sys
case = re.compile(r'\bTEST_CASE\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
literal = re.compile(r'"((?:[^"\\]|\\.)*)"')
bad = 0
count = 0
for path in sorted(pathlib.Path("tests").rglob("*.cpp")):
    text = path.read_text(encoding="utf-8")
    for m in case.finditer(text):
        count += 1
        source = "".join(literal.findall(m.group(1)))
        name = re.sub(r'\\(.)', r'\1', source)  # the C++ escapes: \\ is one backslash
        why = []
        if ";" in name: why.append("';' splits it into two CTest tests")
        if name[:1] in "-~": why.append(f"a leading '{name[:1]}' is read as an option or a negation")
        if "\\" in name: why.append("a backslash escapes the next character of the test spec")
        if why:
            line = text.count("\n", 0, m.start()) + 1
            print(f"{path}:{line}: test name {name!r}: {'; '.join(why)}")
            bad += 1
if bad:
    sys.exit(1)
print(f"check-test-names: {count} test names, each runs in CTest as written")
PY
