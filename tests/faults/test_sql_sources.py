#!/usr/bin/env python3
"""The daemon's sources never build SQL from data, and never run a shell (the `security` suite).

Reads every C file under daemon/ and finds each call that sends SQL to the server (PQexec,
PQexecParams, PQsendQuery, PQsendQueryParams, PQprepare, PQsendPrepare, and the project's
sql_exec and sql_query). The SQL argument must be a string literal, or a name that the file
never fills with printf-style formatting (snprintf, sprintf, vsnprintf, asprintf, strcat,
evbuffer_add_printf, text_add*, buffer_add*, buffer_append): data travels as parameters
($1...). Every call is listed as a TAP diagnostic with its verdict. Then no process is started
through a shell: system() and popen() never appear, and the exec*() calls are the ones listed
below (fixed argument vectors). Prints TAP.
"""
import os
import re
import sys

SQL_CALLS = {  # function: index of the SQL argument
    "PQexec": 1, "PQsendQuery": 1, "PQexecParams": 1, "PQsendQueryParams": 1,
    "PQprepare": 2, "PQsendPrepare": 2, "sql_exec": 2, "sql_query": 2,
}
FORMATTERS = (r"(?:v?s?n?printf|asprintf|strcat|strcpy|evbuffer_add_printf|text_add\w*"
              r"|buffer_add\w*|buffer_append)")
# exec*() calls allowed, with the reason; anything else fails.
ALLOWED_EXEC = {
    ("daemon/demo/cluster.c", "execv"):
        "initdb/postgres of `dunghen demo`'s private cluster, a fixed argument vector",
    ("daemon/demo/cluster.c", "posix_spawnp"):
        "`pg_config --bindir`, to find the private cluster's programs: a fixed argument vector",
    ("daemon/service/sendmail.c", "execve"):
        "the configured sendmail: an absolute path and argv from the config, no shell",
}

checks = []


def ok(condition, description):
    checks.append(condition)
    print(("ok" if condition else "not ok") + " %d - %s" % (len(checks), description))


def diag(text):
    for line in text.splitlines():
        print("# " + line)


def strip_comments(text):
    """Blanks comments, keeps strings and line numbers."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text[i] in "\"'":
            quote, j = text[i], i + 1
            while j < n and text[j] != quote:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def arguments(text, start):
    """The top-level arguments of the call whose '(' is at `start`."""
    depth, i, current, result = 0, start, [], []
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            current.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                result.append("".join(current).strip())
                return result
        elif c == "," and depth == 1:
            result.append("".join(current).strip())
            current = []
            i += 1
            continue
        current.append(c)
        i += 1
    return result


def verdict(text, argument):
    if re.fullmatch(r'(\s*"(?:[^"\\]|\\.)*"\s*)+', argument):
        return "literal", True
    table = re.fullmatch(r"([A-Za-z_]\w*)(?:\[[^\[\]]*\])+", argument)
    if table is not None:
        # An element of a table of SQL texts: fine only if the table is constant all the way.
        declared = re.search(r"\bconst\s+char\s*\*\s*const\s+" + table.group(1) + r"\s*\[",
                             text)
        if declared is None:
            return "an element of `%s`, not a constant table" % table.group(1), False
        argument = table.group(1)
    name = re.fullmatch(r"[A-Za-z_]\w*(?:(?:->|\.)\w+)*", argument)
    if name is None:
        return "an expression", False
    base = re.split(r"->|\.", argument)[-1]
    formatted = re.search(FORMATTERS + r"\s*\(\s*&?\s*(?:\w+(?:->|\.))*" + re.escape(base) + r"\b",
                          text)
    if formatted:
        return "built with %s()" % formatted.group(0).split("(")[0].strip(), False
    return "constant `%s`" % argument, True


def main():
    here = os.path.join(os.path.dirname(__file__), "..", "..")
    root = os.environ.get("DUNGHEN_SOURCE_ROOT", here)
    sources = []
    for directory, _, files in os.walk(os.path.join(root, "daemon")):
        sources += [os.path.join(directory, f) for f in sorted(files) if f.endswith(".c")]
    calls, bad, shells, execs = 0, [], [], []
    call_pattern = re.compile(r"\b(" + "|".join(SQL_CALLS) + r")\s*\(")
    for path in sorted(sources):
        relative = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as handle:
            text = strip_comments(handle.read())
        for match in call_pattern.finditer(text):
            before = text[max(0, match.start() - 40):match.start()]
            if re.search(r"(enum status|PGresult \*|int)\s*$", before):
                continue  # the definition of sql_exec/sql_query itself
            args = arguments(text, match.end() - 1)
            index = SQL_CALLS[match.group(1)]
            if len(args) <= index:
                continue
            line = text.count("\n", 0, match.start()) + 1
            what, fine = verdict(text, args[index])
            calls += 1
            diag("%s:%d: %s: %s" % (relative, line, match.group(1), what))
            if not fine:
                bad.append("%s:%d: %s" % (relative, line, what))
        for match in re.finditer(r"\b(system|popen)\s*\(", text):
            shells.append("%s:%d: %s()" % (relative, text.count("\n", 0, match.start()) + 1,
                                           match.group(1)))
        for match in re.finditer(r"\b(exec[lv]p?e?|posix_spawnp?)\s*\(", text):
            key = (relative, match.group(1))
            line = text.count("\n", 0, match.start()) + 1
            if key in ALLOWED_EXEC:
                diag("%s:%d: %s(): %s" % (relative, line, match.group(1), ALLOWED_EXEC[key]))
            else:
                execs.append("%s:%d: %s()" % (relative, line, match.group(1)))
    ok(calls >= 10, "found the SQL calls of the daemon (%d)" % calls)
    for entry in bad:
        diag("formatted SQL: " + entry)
    ok(not bad, "no SQL text is built with printf-style formatting; data goes in parameters")
    for entry in shells:
        diag("shell: " + entry)
    ok(not shells, "no system() or popen(): no shell is ever invoked")
    for entry in execs:
        diag("exec: " + entry)
    ok(not execs, "the only exec*() calls are the listed fixed argument vectors")
    print("1..%d" % len(checks))
    return 0 if all(checks) else 1


sys.exit(main())
