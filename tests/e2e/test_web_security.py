#!/usr/bin/python3
"""`dunghen web`'s security, against a private cluster (under with-cluster: $DUNGHEN_TEST_DB).

The database is migrated with the reference schema, given dossiers of two agencies (one whose
applicant's name holds a <script> element) and passed by `dunghen once` at a fixed --now, which
drafts their letters. The web role of contrib/web-role.sql is created, and `dunghen web` runs
as that role with a users file of an official of each agency and the provincial office. Then:
every page redirects to sign-in without a session; the security headers are on every answer;
cross-site POSTs are refused; sign-in is locked after repeated failures (the right password
too) with the same answer for a user that does not exist; another agency's dossier and letter
answer 403; paths that climb out answer 404; the <script> name is shown escaped; a letter's
bytes are the database's; the audit table records each view and download with its user, and a
page whose audit row cannot be written is not shown; a cookie is refused after sign-out and,
by a second web process whose clock is past the session's end, after expiry; the web role cannot
write dunghen.letter_log; the trusted proxy header signs in only users of the file. Speaks TAP.
"""
import http.client
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

SOURCE = os.environ["DUNGHEN_SOURCE_ROOT"]
BINARY = os.environ["DUNGHEN_BINARY"]
RULES = os.environ.get("DUNGHEN_RULES", os.path.join(SOURCE, "rules"))
CONNINFO = os.environ["DUNGHEN_TEST_DB"]
WEB_CONNINFO = re.sub(r"\buser=\S+", "user=dunghen_web", CONNINFO)
NOW = "2026-03-20T10:00:00+07:00"
LIFETIME = 600
FAILURES = 3
AGENCY_A = "DLK-SNNMT"
AGENCY_B = "DLK-TTPVHCC"
SCRIPT_NAME = "<script>alert('x')</script> Nguyễn Văn Độc"
PASSWORDS = {"alice": "mật khẩu của Alice + 1", "bob": "bob's secret&=?", "carol": "carol-pw",
             "tinh": "tỉnh-pw"}

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


def run(arguments, **keywords):
    completed = subprocess.run(arguments, capture_output=True, text=True, **keywords)
    if completed.returncode != 0:
        diagnostic("%s: exit %d\n%s" % (" ".join(arguments[:2]), completed.returncode,
                                        completed.stderr))
    return completed


def psql(sql, conninfo=CONNINFO):
    return run(["psql", conninfo, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql])


def value(sql, conninfo=CONNINFO):
    completed = psql(sql, conninfo)
    return completed.stdout.strip() if completed.returncode == 0 else None


# ---- the web process ----

class Web:
    def __init__(self, work, name, extra_config="", now=NOW):
        self.config = os.path.join(work, name + ".yaml")
        self.log = os.path.join(work, name + ".log")
        with open(self.config, "w", encoding="utf-8") as stream:
            stream.write("log:\n  level: debug\n"
                         "web:\n  address: 127.0.0.1\n  port: 0\n  conninfo: '%s'\n"
                         "  users: %s\n  session_lifetime: %d\n  signin_failures: %d\n"
                         "  signin_window: 600\n%s"
                         % (WEB_CONNINFO, os.path.join(work, "users.yaml"), LIFETIME, FAILURES,
                            extra_config))
        self.process = subprocess.Popen(
            [BINARY, "web", "--config", self.config, "--rules", RULES, "--now", now],
            stdout=subprocess.DEVNULL, stderr=open(self.log, "w"))
        self.port = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            found = re.search(r"web: listening on 127\.0\.0\.1:(\d+)", self.text())
            if found:
                self.port = int(found.group(1))
                break
            time.sleep(0.05)

    def text(self):
        with open(self.log, encoding="utf-8", errors="replace") as stream:
            return stream.read()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return -1

    def request(self, method, path, cookie=None, body=None, headers=None):
        """(status, headers as a dict of lists, body bytes); `path` is sent as it is."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": "127.0.0.1:%d" % self.port}
        if cookie:
            sent["Cookie"] = "dunghen_session=" + cookie
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, text in sent.items():
            connection.putheader(name, text)
        encoded = body.encode() if body is not None else None
        if encoded is not None:
            connection.putheader("Content-Length", str(len(encoded)))
        connection.endheaders(encoded)
        response = connection.getresponse()
        answer = {}
        for name, text in response.getheaders():
            answer.setdefault(name.lower(), []).append(text)
        data = response.read()
        connection.close()
        return response.status, answer, data

    def get(self, path, cookie=None, headers=None):
        return self.request("GET", path, cookie, headers=headers)

    def sign_in(self, user, password, headers=None):
        form = urllib.parse.urlencode({"user": user, "password": password})
        return self.request("POST", "/sign-in", body=form, headers=headers)


def session_cookie(headers):
    for text in headers.get("set-cookie", []):
        found = re.match(r"dunghen_session=([0-9a-f]{64});", text)
        if found:
            return found.group(1), text
    return None, None


SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def has_security_headers(headers, personal=True):
    for name, expected in SECURITY_HEADERS.items():
        if headers.get(name) != [expected]:
            diagnostic("%s: %s" % (name, headers.get(name)))
            return False
    return not personal or headers.get("cache-control") == ["no-store"]


# ---- the data ----

def prepare(work):
    ok = run([BINARY, "migrate", "--db", CONNINFO, "--reference-schema"]).returncode == 0
    rows = [("W-A1", AGENCY_A, SCRIPT_NAME), ("W-A2", AGENCY_A, "Trần Thị Hoa"),
            ("W-B1", AGENCY_B, "Lê Văn Bình")]
    values = ", ".join(
        "('%s', '1.001193', '%s', '%s', 'phường Tân Lợi', 'thử', 'truc_tiep',"
        " '2026-02-20 09:00+07', 'dang_xu_ly')" % (code, agency, name.replace("'", "''"))
        for code, agency, name in rows)
    ok = ok and psql("INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so,"
                     " dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) VALUES "
                     + values).returncode == 0
    ok = ok and run([BINARY, "once", "--db", CONNINFO, "--rules", RULES, "--now", NOW,
                     "--spool", os.path.join(work, "spool"),
                     "--letters", os.path.join(SOURCE, "letters")]).returncode == 0
    ok = ok and run(["psql", CONNINFO, "-XAtq", "-v", "ON_ERROR_STOP=1", "-f",
                     os.path.join(SOURCE, "contrib", "web-role.sql")]).returncode == 0
    users = []
    for name, agency, display in [("alice", AGENCY_A, "Nguyễn Thị Alice"),
                                  ("bob", AGENCY_B, "Bob"), ("carol", AGENCY_A, "Carol"),
                                  ("tinh", "provincial_office", "Văn phòng tỉnh")]:
        hashed = run([BINARY, "web", "--hash-password"], input=PASSWORDS[name] + "\n")
        ok = ok and hashed.returncode == 0 and hashed.stdout.startswith("$y$")
        users.append("  - name: %s\n    display_name: %s\n    agency: %s\n    password: '%s'\n"
                     % (name, display, agency, hashed.stdout.strip()))
    users.append("  - name: sso.only\n    display_name: SSO\n    agency: %s\n" % AGENCY_B)
    with open(os.path.join(work, "users.yaml"), "w", encoding="utf-8") as stream:
        stream.write("users:\n" + "".join(users))
    return ok


def letter_of(code):
    row = value("SELECT id || ' ' || version FROM dunghen.letter_log WHERE dossier_code = '%s'"
                % code)
    return tuple(int(part) for part in row.split()) if row else None


# ---- the checks ----

PAGES = ["/", "/dossiers", "/dossiers?state=overdue", "/dossiers/W-A1", "/letters/1/1.pdf",
         "/report", "/rules", "/no-such-page", "/sign-out"]


def without_session(web):
    for path in PAGES:
        status, headers, _ = web.get(path)
        check(status == 303 and headers.get("location") == ["/sign-in"]
              and has_security_headers(headers),
              "GET %s without a session: 303 to /sign-in, with the security headers" % path)
    status, headers, _ = web.get("/", cookie="0" * 64)
    check(status == 303, "a made-up session token: 303 to /sign-in")
    status, headers, body = web.get("/sign-in")
    check(status == 200 and b'<form class="sign-in" method="post" action="/sign-in">' in body
          and b"<script" not in body and has_security_headers(headers),
          "GET /sign-in: the form, no script, the security headers")
    status, headers, body = web.get("/style.css")
    check(status == 200 and headers.get("content-type") == ["text/css; charset=utf-8"]
          and len(body) > 100 and has_security_headers(headers, personal=False),
          "GET /style.css without a session: the stylesheet")
    status, headers, _ = web.request("PUT", "/")
    check(status == 405 and has_security_headers(headers), "PUT /: 405 with the headers")


def lockout(web):
    status, _, refused = web.sign_in("carol", "wrong")
    check(status == 401 and "Tên đăng nhập hoặc mật khẩu không đúng".encode() in refused,
          "a wrong password: 401, 'user name or password wrong'")
    status, _, unknown = web.sign_in("nobody", "wrong")
    check(status == 401 and "Tên đăng nhập hoặc mật khẩu không đúng".encode() in unknown,
          "a user that does not exist: the same 401 and message")
    for attempt in range(FAILURES - 1):
        web.sign_in("carol", "wrong again")
    status, headers, body = web.sign_in("carol", PASSWORDS["carol"])
    check(status == 429 and session_cookie(headers)[0] is None
          and "tạm thời bị khóa".encode() in body,
          "after %d failures the right password is refused: 429, locked, no cookie" % FAILURES)
    for attempt in range(FAILURES):
        web.sign_in("nobody", "wrong")
    status, _, body = web.sign_in("nobody", "anything")
    check(status == 429 and "tạm thời bị khóa".encode() in body,
          "a user that does not exist is locked the same way")
    check(value("SELECT count(*) FROM dunghen.web_signin_failure WHERE user_name = 'carol'")
          == str(FAILURES), "the failures are in dunghen.web_signin_failure")
    status, headers, _ = web.sign_in("alice", PASSWORDS["alice"],
                                     headers={"Origin": "http://evil.example"})
    check(status == 403 and session_cookie(headers)[0] is None,
          "a sign-in POST from another origin: 403, no cookie")
    status, headers, _ = web.sign_in("alice", PASSWORDS["alice"],
                                     headers={"Sec-Fetch-Site": "cross-site"})
    check(status == 403, "a POST marked Sec-Fetch-Site: cross-site: 403")


def sign_in(web, user):
    origin = {"Origin": "http://127.0.0.1:%d" % web.port}
    status, headers, _ = web.sign_in(user, PASSWORDS[user], headers=origin)
    token, text = session_cookie(headers)
    check(status == 303 and headers.get("location") == ["/"] and token is not None
          and all(part in text for part in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/",
                                            "Max-Age=%d" % LIFETIME)),
          "%s signs in: 303 to /, a cookie HttpOnly, Secure, SameSite=Strict, Path=/, "
          "Max-Age=%d" % (user, LIFETIME))
    stored = value("SELECT count(*) FROM dunghen.web_session WHERE user_name = '%s'"
                   " AND token_sha256 = encode(sha256('%s'), 'hex')" % (user, token or ""))
    check(stored == "1", "%s's session is stored as the sha256 of its token" % user)
    return token


def access(web, alice, bob, tinh):
    status, headers, body = web.get("/", cookie=alice)
    check(status == 200 and has_security_headers(headers), "alice sees the overview")
    status, headers, body = web.get("/dossiers/W-B1", cookie=alice)
    check(status == 403 and b"L\xc3\xaa V\xc4\x83n B\xc3\xacnh" not in body
          and has_security_headers(headers),
          "alice (%s) opens a dossier of %s: 403, no personal data" % (AGENCY_A, AGENCY_B))
    letter_b = letter_of("W-B1")
    check(letter_b is not None, "W-B1 has a letter")
    if letter_b:
        status, headers, body = web.get("/letters/%d/%d.pdf" % letter_b, cookie=alice)
        check(status == 403 and not body.startswith(b"%PDF"),
              "alice downloads the letter of %s: 403" % AGENCY_B)
    status, headers, body = web.get("/dossiers/W-A1", cookie=alice)
    check(status == 200, "alice opens her agency's dossier W-A1")
    check(b"<script>alert" not in body and b"&lt;script&gt;alert(" in body,
          "the applicant's <script> name is shown escaped")
    letter_a = letter_of("W-A1")
    if check(letter_a is not None, "W-A1 has a letter"):
        status, headers, body = web.get("/letters/%d/%d.pdf" % letter_a, cookie=alice)
        stored = value("SELECT encode(pdf, 'hex') FROM dunghen.letter_pdf"
                       " WHERE letter_id = %d AND version = %d" % letter_a)
        check(status == 200 and headers.get("content-type") == ["application/pdf"]
              and stored is not None and body == bytes.fromhex(stored)
              and any(text.startswith("attachment") for text in
                      headers.get("content-disposition", [])),
              "alice downloads W-A1's letter: the bytes of dunghen.letter_pdf, as an "
              "attachment")
    status, _, _ = web.get("/dossiers/W-B1", cookie=tinh)
    check(status == 200, "the provincial office opens a dossier of any agency")
    status, _, _ = web.get("/dossiers/W-B1", cookie=bob)
    check(status == 200, "bob opens his agency's dossier")
    rows = value("SELECT string_agg(user_name || ':' || coalesce(agency_code, '-') || ':' ||"
                 " coalesce(dossier_code, '-') || ':' || coalesce(letter_id::text, '-') || ':'"
                 " || coalesce(letter_version::text, '-') || ':' || address, ' ' ORDER BY id)"
                 " FROM dunghen.web_audit")
    expected = ["alice:%s:W-A1:-:-:127.0.0.1" % AGENCY_A]
    if letter_a:
        expected.append("alice:%s:%s:%d:%d:127.0.0.1" % ((AGENCY_A, "W-A1") + letter_a))
    expected += ["tinh:-:W-B1:-:-:127.0.0.1", "bob:%s:W-B1:-:-:127.0.0.1" % AGENCY_B]
    if not check(rows is not None and rows.split() == expected,
                 "dunghen.web_audit holds each view and download with its user, and nothing for "
                 "the refused ones"):
        diagnostic("got %s\nexpected %s" % (rows, " ".join(expected)))
    return letter_a


def climbing(web, alice):
    for path in ["/letters/../../etc/passwd", "/letters/1/x.pdf", "/letters/%2e%2e/%2e%2e/etc/passwd",
                 "/letters/1/1.pdf/../../../etc/passwd", "/letters/0/1.pdf", "/letters/1/1.pdf%00",
                 "/letters/-1/1.pdf", "/letters/1/1", "/letters/", "/dossiers/..%2F..%2Fetc%2Fpasswd",
                 "/dossiers/%2e%2e", "/dossiers/", "/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"]:
        status, headers, body = web.get(path, cookie=alice)
        check(status == 404 and b"root:" not in body and has_security_headers(headers),
              "GET %s: 404" % path)


def audit_failure(web, alice):
    psql("REVOKE INSERT ON dunghen.web_audit FROM dunghen_web")
    status, _, body = web.get("/dossiers/W-A1", cookie=alice)
    check(status == 500 and b"&lt;script&gt;" not in body and "Độc".encode() not in body,
          "when the audit row cannot be written the dossier page is 500, without its data")
    psql("GRANT INSERT ON dunghen.web_audit TO dunghen_web")
    status, _, _ = web.get("/dossiers/W-A1", cookie=alice)
    check(status == 200, "with the grant back the page is shown again")


def role(web):
    denied = subprocess.run(["psql", WEB_CONNINFO, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                             "UPDATE dunghen.letter_log SET state = state"],
                            capture_output=True, text=True)
    check(denied.returncode != 0 and "permission denied" in denied.stderr,
          "the web role cannot write dunghen.letter_log")
    denied = subprocess.run(["psql", WEB_CONNINFO, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                             "DELETE FROM dunghen.letter_pdf"], capture_output=True, text=True)
    check(denied.returncode != 0 and "permission denied" in denied.stderr,
          "nor delete a letter's bytes")
    check(value("SELECT count(*) FROM pg_stat_activity WHERE usename = 'dunghen_web'"
                " AND application_name = 'dunghen-web'") == "1",
          "dunghen web is connected as dunghen_web")


def expiry_and_sign_out(web, work, alice, bob):
    later = Web(work, "later", now="2026-03-20T10:%02d:00+07:00" % (LIFETIME // 60 + 1))
    if check(later.port is not None, "a second web process starts, its clock past the sessions'"
             " end"):
        status, headers, _ = later.get("/", cookie=alice)
        check(status == 303 and headers.get("location") == ["/sign-in"],
              "there, alice's cookie has expired: 303 to /sign-in")
    later.stop()
    same = Web(work, "same")
    if check(same.port is not None, "a third web process starts, its clock with the first's"):
        status, _, _ = same.get("/", cookie=bob)
        check(status == 200, "a session made by one web process is valid in another")
    status, headers, _ = web.request("POST", "/sign-out", cookie=alice, body="",
                                     headers={"Origin": "http://127.0.0.1:%d" % web.port})
    token, text = session_cookie(headers)
    check(status == 303 and headers.get("location") == ["/sign-in"]
          and any("Max-Age=0" in cookie for cookie in headers.get("set-cookie", [])),
          "alice signs out: 303 to /sign-in, the cookie cleared")
    status, _, _ = web.get("/", cookie=alice)
    check(status == 303, "alice's old cookie is refused after sign-out")
    if same.port is not None:
        status, _, _ = same.get("/", cookie=alice)
        check(status == 303, "... by the other web process too")
    same.stop()
    check(value("SELECT count(*) FROM dunghen.web_session WHERE user_name = 'alice'") == "0",
          "the session row is gone")


def trusted_header(work):
    web = Web(work, "proxy", "  trusted_header: X-Remote-User\n")
    if not check(web.port is not None, "a web process with trusted_header starts"):
        return
    status, _, _ = web.get("/", headers={"X-Remote-User": "sso.only"})
    check(status == 200, "the proxy's X-Remote-User of a listed user signs in without a password")
    status, _, _ = web.get("/", headers={"X-Remote-User": "mallory"})
    check(status == 403, "a header naming no user of the file: 403")
    status, _, _ = web.get("/")
    check(status == 303, "without the header: 303 to /sign-in")
    web.stop()


def wait_log(web, needle, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in web.text():
            return True
        time.sleep(0.05)
    return False


def reload_users(web, work, bob):
    path = os.path.join(work, "users.yaml")
    with open(path, encoding="utf-8") as stream:
        users = stream.read()
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("users: []\n")
    web.process.send_signal(signal.SIGHUP)
    check(wait_log(web, "web: the users file was not reloaded: %s:1:8: 'users' lists nobody"
                   % path), "SIGHUP with a broken users file: refused, FILE:LINE:COLUMN logged")
    status, _, _ = web.get("/", cookie=bob)
    check(status == 200, "the old users stay: bob is still signed in")
    kept = re.sub(r"  - name: bob\n(    .*\n)*", "", users)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(kept)
    web.process.send_signal(signal.SIGHUP)
    check(wait_log(web, "web: reloaded 4 users"), "SIGHUP reloads the users file (bob removed)")
    status, _, _ = web.get("/", cookie=bob)
    check(status == 303, "a user removed from the file is signed out at the next request")


def main():
    print("TAP version 13", flush=True)
    work = tempfile.mkdtemp(prefix="dunghen-web-security-")
    if not check(prepare(work), "migrated, dossiers of two agencies passed by dunghen once, "
                 "the web role created, the users file written"):
        print("1..%d" % checks)
        return 1
    web = Web(work, "web")
    if not check(web.port is not None, "dunghen web starts as dunghen_web and listens"):
        diagnostic(web.text())
        print("1..%d" % checks)
        return 1
    without_session(web)
    lockout(web)
    alice = sign_in(web, "alice")
    bob = sign_in(web, "bob")
    tinh = sign_in(web, "tinh")
    access(web, alice, bob, tinh)
    climbing(web, alice)
    audit_failure(web, alice)
    role(web)
    expiry_and_sign_out(web, work, alice, bob)
    trusted_header(work)
    reload_users(web, work, bob)
    check(web.stop() == 0, "dunghen web stops on SIGTERM with status 0")
    if failures:
        diagnostic(web.text()[-4000:])
    print("1..%d" % checks)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
