#!/usr/bin/python3
"""The national view: `dunghen report` on a reporting database that reads two provinces.

Two private clusters stand for two provinces (run under two nested with-cluster: the outer
one's conninfo is $DUNGHEN_PROVINCE_A, the inner one's $DUNGHEN_TEST_DB). Each is migrated
with the reference schema, given a few dossiers (open and overdue, finished early, on time and
late, carried over), and passed by `dunghen once` at a fixed --now. A third database, on the
second cluster, is set up with contrib/national-view.sql (postgres_fdw) exactly as
docs/NATIONAL.md tells operators. Then `dunghen report --format json` there must equal the two
provinces' reports added cell by cell, for each grouping; the late dossiers without a letter
are listed under 'PROVINCE/CODE'. Speaks TAP.
"""
import json
import os
import subprocess
import sys
import tempfile

SOURCE = os.environ["DUNGHEN_SOURCE_ROOT"]
BINARY = os.environ["DUNGHEN_BINARY"]
RULES = os.environ.get("DUNGHEN_RULES", os.path.join(SOURCE, "rules"))
PROVINCES = {"a": os.environ["DUNGHEN_PROVINCE_A"], "b": os.environ["DUNGHEN_TEST_DB"]}
NOW = "2026-03-20T10:00:00+07:00"
PERIOD = ["--from", "2026-03-01", "--to", "2026-03-31"]

checks = 0
failures = 0


def check(condition, description):
    global checks, failures
    checks += 1
    if not condition:
        failures += 1
    print("%s %d - %s" % ("ok" if condition else "not ok", checks, description), flush=True)
    return condition


def diagnostic(text):
    for line in str(text).splitlines():
        print("# " + line, flush=True)


def run(arguments):
    completed = subprocess.run(arguments, capture_output=True, text=True)
    if completed.returncode != 0:
        diagnostic("%s: exit %d\n%s" % (" ".join(arguments[:2]), completed.returncode,
                                        completed.stderr))
    return completed


def psql(conninfo, sql):
    return run(["psql", conninfo, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql])


def field(conninfo, key):
    """A keyword's value in a conninfo of `key=value` words (the harness writes no quotes)."""
    for word in conninfo.split():
        name, _, value = word.partition("=")
        if name == key:
            return value
    return ""


# The dossiers of one province: (code suffix, agency, procedure, received, status, finished).
# Procedures are the shipped rules' (1.001193 birth registration: short; 1.000894 marriage).
def dossiers(province):
    agencies = ["DLK-TTPVHCC", "DLK-SNNMT"] if province == "a" else ["DLK-SNNMT", "DLK-XA-EAKAR"]
    rows = []
    for number in range(1, 13 if province == "a" else 9):
        agency = agencies[number % 2]
        procedure = "1.001193" if number % 3 else "1.000894"
        received = ["2026-02-20 09:00+07", "2026-03-02 09:00+07", "2026-03-09 15:30+07",
                    "2026-03-16 08:00+07"][number % 4]
        # open; finished late; finished two hours after receipt (early); open
        status, finished = [("dang_xu_ly", None), ("da_tra_ket_qua", "2026-03-18 10:00+07"),
                            ("da_co_ket_qua", received.replace(received[11:13], "%02d" % (
                                int(received[11:13]) + 2), 1)),
                            ("dang_xu_ly", None)][(number // 2) % 4]
        rows.append(("HS-%03d" % number, agency, procedure, received, status, finished))
    # The same code in both provinces: two dossiers, never one.
    rows.append(("HS-SAME", agencies[0], "1.001193", "2026-03-02 09:00+07", "dang_xu_ly", None))
    return rows


def prepare(province, conninfo, spool):
    ok = run([BINARY, "migrate", "--db", conninfo, "--reference-schema"]).returncode == 0
    values = ", ".join(
        "('%s', '%s', '%s', 'Nguyễn Văn %d', 'phường %s', 'thử', '%s', '%s', '%s', %s)"
        % (code, procedure, agency, index, province,
           ["truc_tiep", "truc_tuyen", "buu_chinh"][index % 3], received, status,
           "'%s'" % finished if finished else "NULL")
        for index, (code, agency, procedure, received, status, finished)
        in enumerate(dossiers(province)))
    ok = ok and psql(conninfo, "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, "
                     "chu_ho_so, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai, "
                     "ngay_hoan_thanh) VALUES " + values).returncode == 0
    ok = ok and run([BINARY, "once", "--db", conninfo, "--rules", RULES, "--now", NOW,
                     "--spool", spool, "--letters", os.path.join(SOURCE, "letters")]
                    ).returncode == 0
    return ok


def report(conninfo, grouping):
    completed = run([BINARY, "report", *PERIOD, "--by", grouping, "--format", "json",
                     "--db", conninfo, "--rules", RULES])
    return json.loads(completed.stdout) if completed.returncode == 0 else None


def add(total, part, prefix):
    """Adds `part`'s counts into `total` (a group or the total), key by key; lists of codes are
    joined, qualified by their province as the views qualify them."""
    for key, value in part.items():
        if key in ("key", "on_time_share", "score"):
            continue
        if isinstance(value, dict):
            add(total.setdefault(key, {}), value, prefix)
        elif isinstance(value, list):
            total.setdefault(key, []).extend(prefix + "/" + code for code in value)
        elif isinstance(value, str):
            total.setdefault(key, value)  # a label: the rules' name of the key, the same
        else:
            total[key] = total.get(key, 0) + value


def summed(reports):
    groups = {}
    total = {}
    for province, document in reports.items():
        for group in document["groups"]:
            add(groups.setdefault(group["key"], {}), group, province)
        add(total, document["total"], province)
    return groups, total


def counts_only(document):
    """A group or total without the ratios, lists sorted (the report does not sort codes)."""
    result = {}
    for key, value in document.items():
        if key in ("key", "on_time_share", "score"):
            continue
        if isinstance(value, dict):
            result[key] = counts_only(value)
        elif isinstance(value, list):
            result[key] = sorted(value)
        else:
            result[key] = value
    return result


def main():
    print("TAP version 13", flush=True)
    work = tempfile.mkdtemp(prefix="dunghen-national-")
    for province, conninfo in PROVINCES.items():
        check(prepare(province, conninfo, os.path.join(work, "spool-" + province)),
              "province %s: migrated, dossiers added, passed by dunghen once --now %s"
              % (province, NOW))
    reporting = PROVINCES["b"].replace("dbname=dunghen_test", "dbname=reporting")
    check(psql(PROVINCES["b"], "CREATE DATABASE reporting").returncode == 0
          and run(["psql", reporting, "-XAtq", "-v", "ON_ERROR_STOP=1", "-f",
                   os.path.join(SOURCE, "contrib", "national-view.sql")]).returncode == 0,
          "the reporting database: contrib/national-view.sql runs")
    for province, conninfo in PROVINCES.items():
        check(psql(reporting, "SELECT national.add_province('%s', '%s', '%s', '%s', '%s')"
                   % (province, field(conninfo, "host"), field(conninfo, "port") or "5432",
                      field(conninfo, "dbname"), field(conninfo, "user") or "postgres")
                   ).returncode == 0,
              "the reporting database reads province %s through postgres_fdw" % province)
    for grouping in ("agency", "procedure", "channel"):
        reports = {province: report(conninfo, grouping)
                   for province, conninfo in PROVINCES.items()}
        national = report(reporting, grouping)
        if not check(national is not None and None not in reports.values(),
                     "by %s: dunghen report runs in each province and on the reporting "
                     "database" % grouping):
            continue
        groups, total = summed(reports)
        check(sorted(g["key"] for g in national["groups"]) == sorted(groups),
              "by %s: the groups are the union of the provinces' (%s)"
              % (grouping, ", ".join(sorted(groups))))
        for group in national["groups"]:
            expected = counts_only(groups.get(group["key"], {}))
            got = counts_only(group)
            if not check(got == expected, "by %s, %s: every cell is the sum of the provinces'"
                         % (grouping, group["key"])):
                diagnostic("got %s\nexpected %s" % (json.dumps(got), json.dumps(expected)))
        got = counts_only(national["total"])
        if grouping == "agency":
            diagnostic("national total: %s" % json.dumps(got))
            check(got["letters"] > 0 and got["done"]["late"] + got["in_progress"]["overdue"] > 0
                  and got["done"]["on_time"] + got["done"]["early"] > 0
                  and got["received"]["carried_over"] > 0 and got["late_without_letter"],
                  "the data reach every kind of cell: letters, late, on time, carried over, "
                  "late without a letter")
        if not check(got == counts_only(total), "by %s: the total is the sum of the provinces' "
                     "totals (%d received in the period)"
                     % (grouping, got["received"]["in_period"])):
            diagnostic("got %s\nexpected %s" % (json.dumps(got),
                                                 json.dumps(counts_only(total))))
    same = psql(reporting, "SELECT count(*) FROM dunghen.clock WHERE code LIKE '%/HS-SAME'")
    check(same.stdout.strip() == "2", "the same dossier code in two provinces stays two dossiers")
    check(psql(reporting, "SELECT national.rebuild()").returncode == 0
          and psql(reporting, "SELECT count(*) FROM dunghen.letter_log").stdout.strip() != "0",
          "national.rebuild() imports the provinces again (as after a migration)")
    lagging = psql(PROVINCES["a"], "DELETE FROM dunghen.schema_version WHERE version = "
                   "(SELECT max(version) FROM dunghen.schema_version)")
    refused = run([BINARY, "report", *PERIOD, "--format", "json", "--db", reporting,
                   "--rules", RULES])
    check(lagging.returncode == 0 and refused.returncode == 1
          and "the database schema is at version" in refused.stderr,
          "a province not migrated to this version: the national report refuses to run (%s)"
          % refused.stderr.strip())
    subprocess.run(["rm", "-rf", work])
    print("1..%d" % checks, flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
