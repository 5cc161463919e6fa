#!/usr/bin/env python3
"""The layers of daemon/ use only the layers below them (the `security` suite).

ARCHITECTURE.md, "Layout": core/ is pure (libc and math, no clock, no files), rules/ adds
libyaml, letter/ libharu, utf8proc and zlib, mail/ builds on letter/, store/ holds every SQL
statement, service/ the loop and the connections; cli/ and demo/ sit on top. This test reads
every C file under daemon/ and checks, for each `#include`:
  - a project header ("layer/name.h") is from the file's own layer or one it may use;
  - a system header is one its layer may use: libpq only in store/ and service/, libevent
    only in service/ and web/, libyaml only in rules/, libharu and utf8proc only in letter/,
    libcrypt only in web/;
and that core/ never reads the clock, the environment or a file.
Every finding is one TAP line naming FILE:LINE. A finding listed in PENDING is reported as
`# TODO` (known, not yet fixed) so that the list can only shrink.
Prints TAP.
"""
import os
import re
import sys

LAYERS = ["core", "rules", "letter", "mail", "store", "service", "web", "demo", "cli"]
# The project layers each layer may include (its own is always allowed).
MAY_USE = {
    "core": set(),
    "rules": {"core"},
    "letter": {"core", "rules"},
    "mail": {"core", "rules", "letter"},
    "store": {"core", "rules"},
    "service": {"core", "rules", "letter", "mail", "store"},
    "web": {"core", "rules", "letter", "store", "service"},
    "demo": {"core", "rules", "letter", "mail", "store", "service"},
    "cli": {"core", "rules", "letter", "mail", "store", "service", "web", "demo"},
}
# System headers that only some layers may include: header prefix -> layers.
RESTRICTED = {
    "libpq": {"store", "service"},
    "event2/": {"service", "web"},
    "yaml.h": {"rules"},
    "hpdf": {"letter"},
    "utf8proc.h": {"letter"},
    "zlib.h": {"letter"},
    "openssl/": {"letter"},
    "pthread.h": {"service", "web"},
    "crypt.h": {"web"},
}
# The only system headers core/ may include: computation, formatting into buffers.
CORE_HEADERS = {"ctype.h", "errno.h", "inttypes.h", "limits.h", "math.h", "stdarg.h",
                "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h"}
# Calls that would give core/ a clock, the environment or a file.
# gettext and friends read the environment and the catalogue files: core/ takes a
# struct translation instead (core/translation.h).
CORE_FORBIDDEN_CALLS = re.compile(
    r"\b(time|clock_gettime|gettimeofday|localtime|localtime_r|gmtime_r|getenv|fopen|open|"
    r"printf|fprintf|puts|rand|srand|setlocale|gettext|dgettext|ngettext|dngettext|"
    r"bindtextdomain|textdomain)\s*\(")

# Known findings still to fix: (path, included header or call) -> why it is still there.
PENDING = {
}

checks = []


def report(condition, description, todo=None):
    checks.append(condition)
    line = ("ok" if condition else "not ok") + " %d - %s" % (len(checks), description)
    if not condition and todo is not None:
        line += " # TODO " + todo
    print(line)


def strip_comments(text):
    """Blanks comments, keeps line numbers."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return text


def code_without_strings(line):
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', line)


def main():
    root = os.environ.get("DUNGHEN_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
    daemon = os.path.join(root, "daemon")
    files = 0
    for layer in sorted(os.listdir(daemon)):
        folder = os.path.join(daemon, layer)
        if not os.path.isdir(folder) or layer == "schema":
            continue
        report(layer in LAYERS, "daemon/%s/ is a known layer" % layer)
        if layer not in LAYERS:
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            files += 1
            path = "daemon/%s/%s" % (layer, name)
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = strip_comments(handle.read())
            check_file(path, layer, text)
    report(files > 50, "read %d C files under daemon/" % files)
    print("1..%d" % len(checks))
    # A TODO line does not fail the test (TAP): only findings not in PENDING do.
    return 1 if FAILED else 0


FAILED = []


def finding(path, line_number, what, key, description):
    todo = PENDING.get((path, key))
    report(False, "%s:%d: %s" % (path, line_number, description), todo)
    if todo is None:
        FAILED.append(what)


def check_file(path, layer, text):
    allowed = MAY_USE[layer] | {layer}
    found = 0
    for number, line in enumerate(text.split("\n"), 1):
        include = re.match(r'\s*#\s*include\s+([<"])([^>"]+)[>"]', line)
        if include:
            header = include.group(2)
            if include.group(1) == '"':
                used = header.split("/")[0] if "/" in header else None
                if used is not None and used not in allowed:
                    found += 1
                    finding(path, number, header, header,
                            "%s/ includes %s (%s/ may use %s)" %
                            (layer, header, layer, ", ".join(sorted(MAY_USE[layer])) or
                             "nothing but itself"))
                continue
            for prefix, layers in RESTRICTED.items():
                if header.startswith(prefix) and layer not in layers:
                    found += 1
                    finding(path, number, header, header,
                            "%s/ includes <%s>, which only %s/ may use" %
                            (layer, header, "/, ".join(sorted(layers))))
            if layer == "core" and header not in CORE_HEADERS:
                found += 1
                finding(path, number, header, header,
                        "core/ includes <%s>: the core is pure (libc computation only)" % header)
            continue
        if layer == "core":
            call = CORE_FORBIDDEN_CALLS.search(code_without_strings(line))
            if call and not re.search(r"\b(snprintf|vsnprintf)\s*\(", line[:call.start() + 1]):
                found += 1
                finding(path, number, call.group(1), call.group(1) + "()",
                        "core/ calls %s(): the core takes the clock, files and the environment "
                        "as arguments" % call.group(1))
    if found == 0:
        report(True, "%s uses only %s" % (path, ", ".join(sorted(allowed))))


if __name__ == "__main__":
    sys.exit(main())
