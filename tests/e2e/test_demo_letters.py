#!/usr/bin/python3
"""Every letter of a demo run, read back as the official who must sign it would read it.

Runs `dunghen demo` (five weeks around Tết 2026, its default period and size), then reads each
PDF with `pdftotext -layout` and checks the rules of PRODUCT.md, "A letter an official can sign
as it is", each as one TAP check that counts its failures and names the first few letters:
  - the issue date (the date line under the motto) is a working day of the rules' calendar;
  - the new return date is strictly after the promised time and not before the issue date;
  - the wording fits the moment: issued before the promised day, the letter does not say that
    the deadline has passed; issued after it, it does not use the before-deadline wording (on
    the promised day itself, only the date is printed, so either is accepted);
  - the reason ends with a full stop, or there is none and a full line of dots is left;
  - the form fits the receipt date (2018 only for dossiers received before 1 July 2025);
  - no "thủ tục hành chính Thủ tục";
  - a reason about land ("đất") only in a letter about a procedure on land;
  - the signature block is not alone on its page;
  - qpdf --check passes.
Then the share of coherent letters (no rule broken) is printed, and must be 100%.

Usage: test_demo_letters.py [DIRECTORY]  checks the PDFs under DIRECTORY instead of running a
demo (for a run made by hand). Speaks TAP; needs DUNGHEN_BINARY and DUNGHEN_RULES.
"""
import concurrent.futures
import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata

SOURCE = os.environ["DUNGHEN_SOURCE_ROOT"]
BINARY = os.environ["DUNGHEN_BINARY"]
RULES = os.environ.get("DUNGHEN_RULES", os.path.join(SOURCE, "rules"))
LETTERS = os.path.join(SOURCE, "letters")
# The demo's own default run, pinned so that a change of defaults does not change this test:
# about 700 letters in well under two minutes on two cores.
DEMO_ARGUMENTS = ["--seed", "1", "--dossiers", "3000", "--days", "35", "--start", "2026-02-02"]
# How many failing letters each check names.
SHOWN = 5
# A full line of dots to write the reason in by hand: a body line (A4 less the 30 mm and
# 15-20 mm margins, about 16 cm) holds about 140 full stops at 13-14 pt; 60 is the least that
# still reads as a line to write on rather than an ellipsis (today's letters leave 30).
# U+2026 '…' is three dots in one character and counts as three.
MINIMUM_DOTS = 60
FORM_2025_SINCE = datetime.date(2025, 7, 1)
TITLE_2018 = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
TITLE_2025 = "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"

# The wording variants, looked for only between the promised time and "Lý do:" (where both
# forms say whether the deadline has passed; the reason itself is free text and not searched).
# After the deadline, the templates say "đến thời hạn nêu trên ... chưa trả được" (2025) or
# "Tuy nhiên đến nay, ... chưa trả" (2018). Before it, the result is expected to be late.
PASSED_WORDING = re.compile(
    r"đến thời hạn nêu trên|đến nay|đã quá (?:thời )?hạn|quá thời hạn|đã hết (?:thời )?hạn",
    re.IGNORECASE)
EXPECTED_WORDING = re.compile(
    r"dự kiến|không kịp|chưa đến (?:thời )?hạn|trước thời hạn|sẽ không|có thể không|"
    r"không thể trả|khả năng|nguy cơ",
    re.IGNORECASE)

DATE = r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
DATE_PATTERN = re.compile(DATE, re.IGNORECASE)
# "17 giờ 00, ngày 05 tháng 02 năm 2026" (optionally "17 giờ 00 phút").
TIME_PATTERN = re.compile(r"(\d{1,2})\s+giờ\s+(\d{1,2})(?:\s+phút)?\s*,?\s*" + DATE,
                          re.IGNORECASE)
PAGE_NUMBER = re.compile(r"[-–\s]*\d{1,3}[-–\s]*")
DOUBLED = re.compile(r"thủ tục hành chính\s+thủ tục", re.IGNORECASE)
DOTS = re.compile(r"[.…](?:\s*[.…])*")

count = 0
failed = 0


def ok(condition, name, diagnostic=()):
    global count, failed
    count += 1
    if not condition:
        failed += 1
    print(("ok" if condition else "not ok") + " %d - %s" % (count, name))
    for line in diagnostic:
        print("#   " + line)
    sys.stdout.flush()
    return condition


def quiet(stderr):
    """poppler's harmless libharu noise, filtered."""
    return "\n".join(line for line in stderr.splitlines()
                     if "Invalid 'begincidrange' operator" not in line)


def normalise(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


class Calendar:
    """Working days from `dunghen calendar --year Y` (the exceptions) and the weekday."""

    def __init__(self):
        self.years = {}

    def exceptions(self, year):
        if year not in self.years:
            result = subprocess.run([BINARY, "calendar", "--year", str(year), "--rules", RULES],
                                    capture_output=True, text=True, check=True)
            days = {}
            for line in result.stdout.splitlines():
                fields = line.split("\t")
                days[datetime.date.fromisoformat(fields[0])] = fields[1] == "work"
            self.years[year] = days
        return self.years[year]

    def is_working(self, day):
        exception = self.exceptions(day.year).get(day)
        return exception if exception is not None else day.weekday() < 5


def signer_titles():
    """Every signer title line of rules/agencies.yaml (`title: X` or `title: [A, B]`)."""
    titles = set()
    with open(os.path.join(RULES, "agencies.yaml"), encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"\s*title:\s*(.+?)\s*$", line)
            if match:
                value = match.group(1).strip("[]")
                titles.update(part.strip().strip("\"'") for part in value.split(","))
    return sorted((title for title in titles if title), key=len, reverse=True)


def make_date(match, first):
    return datetime.date(int(match.group(first + 2)), int(match.group(first + 1)),
                         int(match.group(first)))


def make_time(match):
    day = make_date(match, 3)
    return datetime.datetime(day.year, day.month, day.day, int(match.group(1)),
                             int(match.group(2)))


def paragraphs(lines):
    """Body paragraphs from -layout lines: a paragraph starts after a blank line or on a line
    indented past the left margin (the first-line indent); the margin is the commonest indent."""
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    margin = max(set(indents), key=indents.count) if indents else 0
    found, current = [], []
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent > margin + 2:
            if current:
                found.append(normalise(" ".join(current)))
            current = []
        if line.strip():
            current.append(line)
    if current:
        found.append(normalise(" ".join(current)))
    return found


class Letter:
    """One PDF read back: its fields, or what could not be read."""

    def __init__(self, path, pages, checked):
        self.path = path
        self.name = os.path.basename(path)
        self.checked = checked  # qpdf --check output, or "" when it passed
        self.missing = []
        self.pages = []  # lines per page, page numbers and blank edges removed
        for page in pages:
            lines = [line.rstrip() for line in page.splitlines()]
            lines = [line for line in lines if not PAGE_NUMBER.fullmatch(line)]
            while lines and not lines[0].strip():
                lines.pop(0)
            while lines and not lines[-1].strip():
                lines.pop()
            if lines:
                self.pages.append(lines)
        every_line = [line for page in self.pages for line in page]
        self.text = normalise(" ".join(every_line))
        self.paragraphs = paragraphs(every_line)
        self.read_fields()

    def read_fields(self):
        text = self.text
        title_at = text.find("PHIẾU XIN LỖI")
        self.title = (TITLE_2018 if TITLE_2018 in text else
                      TITLE_2025 if TITLE_2025 in text else None)
        if title_at < 0 or self.title is None:
            self.missing.append("title")
            title_at = 0
        issue = DATE_PATTERN.search(text, 0, title_at) if title_at > 0 else None
        self.issued = make_date(issue, 1) if issue else None
        if issue is None:
            self.missing.append("date line")
        receipt = DATE_PATTERN.search(text, title_at)
        self.received = None
        if receipt and "tiếp nhận" in text[receipt.end():receipt.end() + 400]:
            self.received = make_date(receipt, 1)
        else:
            self.missing.append("receipt date")
        after = receipt.end() if receipt else title_at
        deadline_at = text.lower().find("thời hạn", after)
        promised = TIME_PATTERN.search(text, deadline_at) if deadline_at >= 0 else None
        self.promised = make_time(promised) if promised else None
        if promised is None:
            self.missing.append("promised time")
        times = list(TIME_PATTERN.finditer(text, promised.end())) if promised else []
        self.new = make_time(times[-1]) if times else None
        if promised is not None and not times:
            self.missing.append("new return time")
        self.wording = None
        if promised is not None:
            reason_at = text.find("Lý do:", promised.end())
            end = reason_at if reason_at >= 0 else times[-1].start() if times else len(text)
            segment = text[promised.end():end]
            self.wording = ("before" if EXPECTED_WORDING.search(segment) else
                            "after" if PASSED_WORDING.search(segment) else "neither")
        self.reason_paragraph = next((p for p in self.paragraphs if "Lý do:" in p), None)
        if self.reason_paragraph is None:
            self.missing.append("Lý do:")


def read_letter(path):
    result = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True)
    noise = quiet(result.stderr)
    checked = subprocess.run(["qpdf", "--check", path], capture_output=True, text=True)
    problem = "" if checked.returncode == 0 else (
        "exit %d: %s" % (checked.returncode, normalise(checked.stdout + checked.stderr))[:200])
    letter = Letter(path, result.stdout.split("\f"), problem)
    if result.returncode != 0 or noise:
        letter.missing.append("pdftotext: exit %d %s" % (result.returncode, normalise(noise)))
    return letter


def day_text(day):
    return day.strftime("%d/%m/%Y") + " (%s)" % day.strftime("%a")


# Each rule: a name and a function of the letter and the calendar that returns None when the
# letter keeps the rule, else what is wrong. None fields were already counted as unreadable.
def rule_readable(letter, calendar):
    return "cannot read: " + ", ".join(letter.missing) if letter.missing else None


def rule_issue_day(letter, calendar):
    if letter.issued and not calendar.is_working(letter.issued):
        return "dated %s, a day off" % day_text(letter.issued)
    return None


def rule_new_date(letter, calendar):
    if letter.promised is None or letter.new is None:
        return None
    if letter.new <= letter.promised:
        return "new date %s not after the promised %s" % (letter.new, letter.promised)
    if letter.issued and letter.new.date() < letter.issued:
        return "new date %s before the issue date %s" % (letter.new, letter.issued)
    return None


def rule_wording(letter, calendar):
    if letter.issued is None or letter.promised is None:
        return None
    promised_day = letter.promised.date()
    if letter.wording == "neither":
        return "says neither that the deadline passed nor that the result will be late"
    if letter.issued < promised_day and letter.wording == "after":
        return "dated %s, says the deadline %s has passed" % (letter.issued, letter.promised)
    if letter.issued > promised_day and letter.wording == "before":
        return "dated %s, speaks of the deadline %s as still ahead" % (letter.issued,
                                                                      letter.promised)
    return None


def rule_reason(letter, calendar):
    if letter.reason_paragraph is None:
        return None
    reason = letter.reason_paragraph.split("Lý do:", 1)[1].strip()
    if DOTS.sub("", reason).strip() == "":
        dots = max((run.count(".") + 3 * run.count("…") for run in DOTS.findall(reason)),
                   default=0)
        if dots < MINIMUM_DOTS:
            return "no reason and only %d dots to write it in" % dots
        return None
    if not reason.endswith(".") or re.search(r"[.…]\s*[.…]$", reason):
        return "reason does not end with one full stop: '…%s'" % reason[-40:]
    return None


PROCEDURE_NAME = re.compile(r"thủ tục hành chính\s+(.*?)\s+của ông/bà", re.S)


def rule_reason_fits(letter, calendar):
    if letter.reason_paragraph is None:
        return None
    reason = letter.reason_paragraph.split("Lý do:", 1)[1]
    match = PROCEDURE_NAME.search(letter.text)
    if "đất" not in reason or match is None:
        return None
    name = " ".join(match.group(1).split())
    return None if "đất" in name else "a land reason for '%s'" % name[:60]


def rule_form(letter, calendar):
    if letter.received is None or letter.title is None:
        return None
    expected = TITLE_2018 if letter.received < FORM_2025_SINCE else TITLE_2025
    if letter.title != expected:
        return "received %s, titled %s" % (letter.received, letter.title)
    return None


def rule_procedure_name(letter, calendar):
    match = DOUBLED.search(letter.text)
    return "says '%s'" % match.group(0) if match else None


def rule_signature(letter, calendar, titles=None):
    titles = titles or SIGNER_TITLES
    columns = [re.compile(r"(?:^|\s{2})" + re.escape(title) + r"(?:\s{2}|$)") for title in titles]
    signed = None
    for number, lines in enumerate(letter.pages, 1):
        for index, line in enumerate(lines):
            if any(column.search(line.strip()) for column in columns):
                signed = (number, lines[:index])
                break
    if signed is None:
        return "no signer's title found"
    number, before = signed
    body = [line for line in before
            if line.strip() and not re.match(r"\s*(?:Nơi nhận|- )", line)]
    if len(body) < 2:
        return "signature on page %d with %d body line(s) before it" % (number, len(body))
    return None


def rule_qpdf(letter, calendar):
    return letter.checked or None


SIGNER_TITLES = signer_titles()
RULES_CHECKED = [
    ("every letter reads (date line, title, receipt, promised and new times, 'Lý do:')",
     rule_readable),
    ("the issue date is a working day", rule_issue_day),
    ("the new return date is after the promised time and not before the issue date",
     rule_new_date),
    ("the wording fits the moment (deadline passed or still ahead)", rule_wording),
    ("the reason ends with a full stop, or there is a full line of dots (>= %d)" % MINIMUM_DOTS,
     rule_reason),
    ("a reason about land only for a procedure on land", rule_reason_fits),
    ("the form fits the receipt date (2018 only before 2025-07-01)", rule_form),
    ("no doubled 'thủ tục hành chính Thủ tục'", rule_procedure_name),
    ("the signature block has at least two body lines on its page", rule_signature),
    ("qpdf --check passes", rule_qpdf),
]


def run_demo(work):
    """The demo into WORK/out; returns the letters directory, or None after a failed check."""
    out = os.path.join(work, "out")
    command = [BINARY, "demo", "--out", out, "--rules", RULES, "--letters", LETTERS]
    result = subprocess.run(command + DEMO_ARGUMENTS, capture_output=True, text=True)
    summary = result.stdout.splitlines()
    if not ok(result.returncode == 0, "the demo exits 0",
              ["exit %d" % result.returncode] + (summary + result.stderr.splitlines())[-15:]):
        return None
    rendered = next((line for line in summary if line.startswith("Apology letters rendered")),
                    "no 'Apology letters rendered' line")
    print("# demo: " + rendered.rstrip(","))
    return os.path.join(out, "letters")


def check_letters(directory):
    paths = sorted(os.path.join(root, name) for root, _, names in os.walk(directory)
                   for name in names if name.endswith(".pdf"))
    if not ok(len(paths) > 0, "the demo drafted letters (%d PDFs)" % len(paths)):
        return
    calendar = Calendar()
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        letters = list(pool.map(read_letter, paths))
    incoherent = set()
    for name, rule in RULES_CHECKED:
        failures = []
        for letter in letters:
            problem = rule(letter, calendar)
            if problem:
                failures.append("%s: %s" % (os.path.relpath(letter.path, directory), problem))
                incoherent.add(letter.path)
        ok(not failures, "%s: %d of %d letters fail" % (name, len(failures), len(letters)),
           failures[:SHOWN] + (["... and %d more" % (len(failures) - SHOWN)]
                               if len(failures) > SHOWN else []))
    neither = sum(1 for letter in letters if letter.wording == "neither")
    if neither:
        print("# %d letters say neither that the deadline passed nor that it is ahead" % neither)
    coherent = len(letters) - len(incoherent)
    share = "coherent letters: %d/%d (%.1f%%)" % (coherent, len(letters),
                                                   100.0 * coherent / len(letters))
    print("# " + share)
    ok(coherent == len(letters), share)


def main():
    if len(sys.argv) > 1:
        check_letters(sys.argv[1])
    else:
        work = tempfile.mkdtemp(prefix="dunghen-demo-letters-")
        # meson ends a test that runs out of time with SIGTERM: clean up on the way out.
        signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(1))
        try:
            directory = run_demo(work)
            if directory is not None:
                check_letters(directory)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("1..%d" % count)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
