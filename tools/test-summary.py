#!/usr/bin/env python3
"""Totals of a `meson test` run, counted per TAP case, from meson's testlog.json.

Prints one line per failed program and, last, `N passed, N failed, N skipped`. A program that
failed without a `not ok` line (a crash, a timeout, a bad plan) counts as one failure more, so
the totals never hide a broken test. Exit status 1 when anything failed.
"""
import json
import re
import sys

log_path = sys.argv[1]
passed = failed = skipped = 0
broken = []
with open(log_path, encoding="utf-8", errors="replace") as log:
    for line in log:
        record = json.loads(line)
        output = record.get("stdout") or ""
        cases_failed = 0
        for case in output.splitlines():
            if re.match(r"^ok\b", case):
                if re.search(r"#\s*SKIP", case, re.IGNORECASE):
                    skipped += 1
                else:
                    passed += 1
            elif re.match(r"^not ok\b", case):
                if re.search(r"#\s*TODO", case, re.IGNORECASE):
                    skipped += 1
                else:
                    cases_failed += 1
            elif re.match(r"^1\.\.0\b", case):
                skipped += 1
        if record.get("result") not in ("OK", "SKIP", "EXPECTEDFAIL") and cases_failed == 0:
            cases_failed = 1
        if cases_failed:
            broken.append(f"{record['name']}: {record.get('result')}")
        failed += cases_failed
for name in broken:
    print(f"FAILED: {name}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
