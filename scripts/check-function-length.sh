#!/usr/bin/env bash
# Lists every function in lib/, daemon/ and sql/ longer than 80 lines whose head does not say why it
# is kept whole, and fails when there is one. The reason is a comment right above the definition
# (above its DROP FUNCTION lines, for SQL) holding "Kept whole:" and the reason. A long function is
# usually several steps that want names of their own; the marker makes the other case visible.
#
# C++ is read as clang-format leaves it, without a compiler: comments, strings and preprocessor
# lines are blanked, then a brace block at namespace or class level whose header ends like a
# function signature (a ')' and its qualifiers, or a constructor's initialiser list) is a
# function, from the first line of its signature to its closing brace. Lambdas and local classes
# count towards the function they sit in; data tables (a brace after '=') are not functions.
# SQL: CREATE [OR REPLACE] FUNCTION|PROCEDURE to the ';' that ends the statement.
#   scripts/check-function-length.sh [--all] [--max N] [PATH...]
# --all lists the long functions that do state a reason as well (marked "kept whole").
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - "$@" <<'PY'
import pathlib, re, sys

args = sys.argv[1:]
show_all = "--all" in args
args = [a for a in args if a != "--all"]
limit = 80
if "--max" in args:
    i = args.index("--max")
    limit = int(args[i + 1])
    del args[i:i + 2]
roots = args or ["lib", "daemon", "sql"]
MARKER = "Kept whole:"
# Long functions whose head cannot take the marker yet, each with the reason it is kept whole.
# sql/R__010_normalise.sql is hashed into the normalisation rules' version: any edit, a comment
# too, is a rules change that re-normalises every stored row at the next deploy
# (docs/architecture.md, "Rules and releases"), so its marker waits for the next real rules change.
PENDING = {
    ("sql/R__010_normalise.sql", "fuel.normalise"):
        "one row function on purpose: the common shapes are read inline, and a call per column "
        "would add a plpgsql call (and a SET clause) per field of every row",
}


def blank_cpp(text):
    """The text with comments, string and character literals and preprocessor lines turned into
    spaces, newlines kept, so that braces and parentheses are code only."""
    out = list(text)
    i, n = 0, len(text)

    def clear(a, b):
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":
            j = i
            while j < n and (text[j] != "\n" or text[j - 1] == "\\"):
                j += 1
            clear(i, j)
            i = j
            continue
        if c == "\n":
            at_line_start = True
            i += 1
            continue
        if not c.isspace():
            at_line_start = False
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            clear(i, j)
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            clear(i, j)
            i = j
        elif c == '"' and text[i - 1:i] == "R" and (
                not re.match(r"\w", text[i - 2:i - 1]) or re.search(r"(?<!\w)(u8|u|U|L)R$", text[:i])):
            m = re.match(r'"([^()\\ ]{0,16})\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i) if m else -1
            j = n if end < 0 else end + len(m.group(1)) + 2
            clear(i, j)
            i = j
        elif c == '"' or (c == "'" and not (i > 0 and text[i - 1].isalnum() and text[i + 1:i + 2].isalnum()
                                            and text[i - 1].isdigit())):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            clear(i, j + 1)
            i = j + 1
        else:
            i += 1
    return "".join(out)


SIGNATURE_END = re.compile(
    r"\)\s*(?:const\b|noexcept\b(?:\s*\([^()]*\))?|override\b|final\b|mutable\b|&&?|"
    r"->\s*[\w:<>,\s*&]+)*\s*$")
CTOR_INIT = re.compile(r"\)\s*(?:noexcept\b\s*)?:(?!:)")
SCOPE = re.compile(r"\b(namespace|class|struct|union|extern)\b")


def cpp_functions(path):
    text = path.read_text(encoding="utf-8")
    code = blank_cpp(text)
    line_of = lambda pos: code.count("\n", 0, pos) + 1
    stack = []  # (kind, open position, signature start); kind: scope, func, init, other
    stmt_start = 0
    found = []
    for pos, c in enumerate(code):
        if c == ";" and all(k == "scope" for k, *_ in stack):
            stmt_start = pos + 1
        elif c == "{":
            if stack and stack[-1][0] != "scope":
                stack.append(("other", pos, None))
                continue
            header = code[stmt_start:pos]
            stripped = header.strip()
            start = stmt_start + len(header) - len(header.lstrip())
            if CTOR_INIT.search(stripped) and not SIGNATURE_END.search(stripped):
                kind = "init"  # a braced member initialiser: the body comes after it
            elif "=" in stripped.split("(")[0] or "(" not in stripped:
                kind = "scope" if SCOPE.search(stripped) and "=" not in stripped else "other"
            elif SIGNATURE_END.search(stripped) or CTOR_INIT.search(stripped):
                kind = "func"
            else:
                kind = "other"
            stack.append((kind, pos, start))
        elif c == "}" and stack:
            kind, _, start = stack.pop()
            if stack and stack[-1][0] != "scope":
                continue
            if kind == "init":
                continue
            if kind == "func":
                found.append((start, pos))
            stmt_start = pos + 1
    lines = text.split("\n")
    for start, end in found:
        first, last = line_of(start), line_of(end)
        name = re.sub(r"\s+", " ", code[start:code.find("(", start)].strip()).split(" ")[-1]
        yield name, first, last, head_comment(lines, first, "//")


def head_comment(lines, first, prefix, skip=()):
    """The comment lines right above line `first` (1-based), joined."""
    k = first - 2
    while k >= 0 and any(lines[k].lstrip().startswith(s) for s in skip):
        k -= 1
    comment = []
    while k >= 0 and lines[k].lstrip().startswith(prefix):
        comment.append(lines[k].strip())
        k -= 1
    return " ".join(reversed(comment))


CREATE = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\s+([\w.]+)", re.I | re.M)


def sql_functions(path):
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    for m in CREATE.finditer(text):
        i, n, depth, atomic = m.start(), len(text), 0, False
        while i < n:
            if text.startswith("--", i):
                i = text.find("\n", i)
                i = n if i < 0 else i
                continue
            c = text[i]
            if c == "'":
                j = i + 1
                while j < n and not (text[j] == "'" and text[j + 1:j + 2] != "'"):
                    j += 2 if text[j] == "'" else 1
                i = j + 1
                continue
            d = re.match(r"\$(\w*)\$", text[i:])
            if d:
                close = text.find(d.group(0), i + len(d.group(0)))
                i = n if close < 0 else close + len(d.group(0))
                continue
            if re.match(r"BEGIN\s+ATOMIC\b", text[i:i + 20], re.I):
                atomic = True
            if atomic and re.match(r"^END\s*;", text[i:i + 8], re.I) and text[i - 1] == "\n":
                i = text.find(";", i)
                break
            depth += c == "("
            depth -= c == ")"
            if c == ";" and depth == 0 and not atomic:
                break
            i += 1
        first = text.count("\n", 0, m.start()) + 1 + (text[m.start()] == "\n")
        last = text.count("\n", 0, i) + 1
        yield m.group(1), first, last, head_comment(lines, first, "--", skip=("DROP FUNCTION",))


def files():
    for root in roots:
        p = pathlib.Path(root)
        for f in sorted([p] if p.is_file() else p.rglob("*")):
            if f.suffix in (".cpp", ".hpp", ".sql"):
                yield f


long_ones = 0
justified = 0
for f in files():
    reader = sql_functions if f.suffix == ".sql" else cpp_functions
    for name, first, last, head in reader(f):
        length = last - first + 1
        if length <= limit:
            continue
        pending = PENDING.get((str(f), name))
        if MARKER in head or pending:
            justified += 1
            if show_all or pending:
                why = f": {pending} (reason kept here until its file can take it)" if pending else ""
                print(f"{f}:{first}: {name}: {length} lines (kept whole){why}")
            continue
        long_ones += 1
        print(f"{f}:{first}: {name}: {length} lines, and no \"{MARKER}\" reason at its head")
if long_ones:
    print(f"check-function-length: {long_ones} function(s) over {limit} lines without a reason",
          file=sys.stderr)
    sys.exit(1)
print(f"check-function-length: no function over {limit} lines without a reason "
      f"({justified} kept whole, each saying why)")
PY
