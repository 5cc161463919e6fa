#!/usr/bin/python3
"""`dunghen web` in a real browser: Debian's Chromium, headless, driven by chromedriver through
python3-selenium, against a private cluster (under with-cluster: $DUNGHEN_TEST_DB).

The database gets dossiers of two agencies received at different times (so that at --now some
are on track, some due soon, some past their deadline and rescheduled by a letter), passed by
`dunghen once`, which drafts the late ones' letters; `dunghen web` runs as the web role (the
security test's harness: tests/e2e/test_web_security.py). Then, as the provincial office:
sign in through the form; see the overview with its counts; open the list and a late dossier;
read its timeline; download its letter and compare the bytes with the database's; change the
report's period through its form. Screenshots of each page are saved as test artefacts in
BUILD/meson-logs/web-browser/, and the list's is read back (PNG decoded with zlib) to check
that an overdue row is drawn in the red of overdue. Skipped (TAP) when Chromium, chromedriver
or selenium is missing, unless $CI is set. Speaks TAP.
"""
import os
import shutil
import struct
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_web_security as harness  # noqa: E402  (the web process, users, psql helpers)

BUILD = os.environ.get("DUNGHEN_BUILD_ROOT", ".")
ARTEFACTS = os.path.join(BUILD, "meson-logs", "web-browser")
NOW = "2026-03-20T10:00:00+07:00"
RED = (0xc6, 0x28, 0x28)  # --red of web/html.c: overdue rows and badges
TINT = (0xff, 0xeb, 0xee)  # --tint-red: the background of an overdue row

check = harness.check
diagnostic = harness.diagnostic


def skip_all(reason):
    print("TAP version 13\n1..0 # SKIP %s" % reason, flush=True)
    return 0


# ---- the data ----

DOSSIERS = [
    # code, agency, applicant, received (local), procedure (5 working days)
    ("HS-001", "DLK-SNNMT", "Nguyễn Văn An", "2026-03-19 08:00"),
    ("HS-002", "DLK-SNNMT", "Trần Thị Bình", "2026-03-13 11:00"),
    ("HS-003", "DLK-SNNMT", "Lê Văn Cường", "2026-03-09 08:00"),
    ("HS-004", "DLK-TTPVHCC", "Phạm Thị Dung", "2026-03-18 14:00"),
    ("HS-005", "DLK-TTPVHCC", "Hoàng Văn Em", "2026-03-12 16:00"),
    ("HS-006", "DLK-TTPVHCC", "Võ Thị Phương", "2026-03-05 09:30"),
    ("HS-007", "DLK-TTPVHCC", "<script>alert('x')</script> Đỗ Văn Giang", "2026-03-02 10:00"),
]


def prepare(work):
    ok = harness.run([harness.BINARY, "migrate", "--db", harness.CONNINFO,
                      "--reference-schema"]).returncode == 0
    values = ", ".join(
        "('%s', '1.004884', '%s', '%s', 'phường Tân Lợi, tỉnh Đắk Lắk', 'Đăng ký lại khai sinh',"
        " 'truc_tiep', '%s+07', 'dang_xu_ly')" % (code, agency, name.replace("'", "''"), received)
        for code, agency, name, received in DOSSIERS)
    ok = ok and harness.psql("INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so,"
                             " dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) VALUES "
                             + values).returncode == 0
    ok = ok and harness.run([harness.BINARY, "once", "--db", harness.CONNINFO, "--rules",
                             harness.RULES, "--now", NOW, "--spool", os.path.join(work, "spool"),
                             "--letters", os.path.join(harness.SOURCE, "letters")]).returncode == 0
    ok = ok and harness.run(["psql", harness.CONNINFO, "-XAtq", "-v", "ON_ERROR_STOP=1", "-f",
                             os.path.join(harness.SOURCE, "contrib", "web-role.sql")]
                            ).returncode == 0
    hashed = harness.run([harness.BINARY, "web", "--hash-password"],
                         input=harness.PASSWORDS["tinh"] + "\n")
    ok = ok and hashed.returncode == 0
    with open(os.path.join(work, "users.yaml"), "w", encoding="utf-8") as stream:
        stream.write("users:\n  - name: tinh\n    display_name: Văn phòng UBND tỉnh\n"
                     "    agency: provincial_office\n    password: '%s'\n" % hashed.stdout.strip())
    return ok


# ---- PNG, read back with zlib alone ----

def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as stream:
        data = stream.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    position, idat, width, height, kind = 8, b"", 0, 0, 0
    while position < len(data):
        length, name = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        if name == b"IHDR":
            width, height, depth, kind = struct.unpack(">IIBB", chunk[:10])
            if depth != 8 or kind not in (2, 6):
                raise ValueError("unexpected PNG depth %d colour type %d" % (depth, kind))
        elif name == b"IDAT":
            idat += chunk
        position += 12 + length
    channels = 4 if kind == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        method, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for index in range(stride):
            left = line[index - channels] if index >= channels else 0
            up = previous[index]
            corner = previous[index - channels] if index >= channels else 0
            if method == 1:
                line[index] = (line[index] + left) & 255
            elif method == 2:
                line[index] = (line[index] + up) & 255
            elif method == 3:
                line[index] = (line[index] + (left + up) // 2) & 255
            elif method == 4:
                estimate = left + up - corner
                distances = (abs(estimate - left), abs(estimate - up), abs(estimate - corner))
                predictor = (left, up, corner)[distances.index(min(distances))]
                line[index] = (line[index] + predictor) & 255
        rows.append([tuple(line[index:index + 3]) for index in range(0, stride, channels)])
        previous = line
    return width, height, rows


def near(colour, expected, tolerance=6):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


# ---- the browser ----

def browser(downloads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--force-device-scale-factor=1", "--lang=vi",
                     "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd("Page.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": downloads})
    return driver


def screenshot(driver, name):
    path = os.path.join(ARTEFACTS, name)
    # The whole page, not only the window: an official prints whole pages.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(1000, min(int(height) + 40, 6000)))
    driver.save_screenshot(path)
    return path


def wait_until(condition, seconds=10):
    """Polls `condition` (a click starts a navigation; selenium does not wait for it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def text_of(driver, selector):
    from selenium.webdriver.common.by import By
    return "\n".join(element.text for element in driver.find_elements(By.CSS_SELECTOR, selector))


def journey(driver, web):
    from selenium.webdriver.common.by import By
    base = "http://127.0.0.1:%d" % web.port

    driver.get(base + "/")
    check(driver.current_url == base + "/sign-in", "without a session the browser lands on "
          "/sign-in")
    driver.find_element(By.NAME, "user").send_keys("tinh")
    driver.find_element(By.NAME, "password").send_keys(harness.PASSWORDS["tinh"])
    screenshot(driver, "01-sign-in.png")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    check(wait_until(lambda: driver.current_url == base + "/"), "signing in through the form leads to the overview")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Tổng quan", "the overview's heading")
    overview = text_of(driver, "table.overview")
    check("Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk" in overview
          and "Tổng cộng" in overview, "the overview lists the agencies by name, with a total")
    counts = driver.find_elements(By.CSS_SELECTOR, "a.count.overdue")
    check(len(counts) >= 1, "late dossiers are counted in red (%d links)" % len(counts))
    screenshot(driver, "02-overview.png")

    driver.find_element(By.LINK_TEXT, "Hồ sơ").click()
    wait_until(lambda: driver.current_url.endswith("/dossiers"))
    rows = driver.find_elements(By.CSS_SELECTOR, "table.dossiers tbody tr")
    classes = [row.get_attribute("class") for row in rows]
    codes = [row.find_element(By.CSS_SELECTOR, "td a").text for row in rows]
    check(len(rows) == len(DOSSIERS), "the list shows the %d dossiers (%s)"
          % (len(DOSSIERS), " ".join(codes)))
    # By the deadline that runs now: HS-002 is due at 11:00 today, HS-004 and HS-001 in 3 days;
    # the four late ones were rescheduled by their letters, all drafted now, to the same new
    # date 5 working days on (then by code).
    check(codes == ["HS-002", "HS-004", "HS-001", "HS-003", "HS-005", "HS-006", "HS-007"],
          "sorted by working time left to the deadline that runs now, then by code")
    check("overdue" in classes and "on-track" in classes,
          "rows of overdue and on-track dossiers are marked (%s)" % " ".join(classes))
    path = screenshot(driver, "03-dossiers.png")
    overdue_row = rows[classes.index("overdue")]
    width, height, pixels = png_pixels(path)
    first_cell = overdue_row.find_element(By.CSS_SELECTOR, "td")
    x, y = first_cell.location["x"], first_cell.location["y"]
    cell_height = first_cell.size["height"]
    stripe = [pixels[int(y + cell_height // 2)][int(x + offset)] for offset in range(1, 5)]
    tint = pixels[int(y + cell_height // 2)][int(x + first_cell.size["width"] - 3)]
    check(all(near(colour, RED) for colour in stripe),
          "the overdue row's stripe is drawn red #c62828 in the screenshot (%s)" % (stripe,))
    check(near(tint, TINT), "and its cells are tinted red #ffebee (%s)" % (tint,))
    badge = overdue_row.find_element(By.CSS_SELECTOR, ".badge")
    bx, by = badge.location["x"], badge.location["y"]
    badge_pixels = [pixels[int(by + 2)][int(bx + offset)] for offset in range(2, 6)]
    check(all(near(colour, RED) for colour in badge_pixels),
          "its state badge is red (%s)" % (badge_pixels,))

    driver.find_element(By.LINK_TEXT, "HS-006").click()
    wait_until(lambda: driver.current_url.endswith("/dossiers/HS-006"))
    check(driver.find_element(By.TAG_NAME, "h1").text == "Hồ sơ HS-006", "a late dossier opens")
    facts = text_of(driver, "dl.facts")
    check("Võ Thị Phương" in facts and "Thủ tục đăng ký lại khai sinh" in facts,
          "its facts: the applicant and the procedure by name")
    timeline = driver.find_elements(By.CSS_SELECTOR, "ol.timeline li")
    lines = [line.text for line in timeline]
    check(len(lines) >= 4 and lines[0].startswith("quy định: thủ tục 1.004884")
          and any(line.startswith("kết quả:") for line in lines),
          "its timeline reads the derivation in Vietnamese (%d steps)" % len(lines))
    diagnostic("\n".join(lines))
    links = driver.find_elements(By.CSS_SELECTOR, "a[href^='/letters/']")
    check(len(links) >= 1, "its letter is offered for download")
    screenshot(driver, "04-dossier.png")
    if links:
        href = links[0].get_attribute("href")
        letter_id, version = href.rsplit("/", 2)[-2], href.rsplit("/", 1)[-1].split(".")[0]
        downloads = driver.downloads
        links[0].click()
        deadline = time.monotonic() + 20
        files = []
        while time.monotonic() < deadline:
            files = [name for name in os.listdir(downloads) if name.endswith(".pdf")]
            if files:
                break
            time.sleep(0.2)
        check(len(files) == 1, "the browser saves the letter (%s)" % files)
        if files:
            with open(os.path.join(downloads, files[0]), "rb") as stream:
                downloaded = stream.read()
            stored = harness.value("SELECT encode(pdf, 'hex') FROM dunghen.letter_pdf WHERE"
                                   " letter_id = %s AND version = %s" % (letter_id, version))
            check(stored is not None and downloaded.hex() == stored and len(downloaded) > 1000,
                  "the downloaded letter is byte for byte the database's (%d bytes)"
                  % len(downloaded))

    driver.find_element(By.LINK_TEXT, "Báo cáo").click()
    wait_until(lambda: driver.current_url.endswith("/report"))
    check("Kỳ báo cáo: từ 01/03/2026 đến 20/03/2026" in driver.page_source,
          "the report defaults to this month so far")
    driver.execute_script("document.querySelector('input[name=from]').value = '2026-02-01';"
                          "document.querySelector('input[name=to]').value = '2026-02-28';")
    driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait_until(lambda: "from=2026-02-01" in driver.current_url)
    check("from=2026-02-01" in driver.current_url and "to=2026-02-28" in driver.current_url,
          "the form changes the period in the address (%s)" % driver.current_url)
    check("Kỳ báo cáo: từ 01/02/2026 đến 28/02/2026" in driver.page_source,
          "and the report is February's")
    screenshot(driver, "05-report.png")
    driver.execute_script("document.querySelector('input[name=from]').value = '2026-03-01';"
                          "document.querySelector('input[name=to]').value = '2026-03-20';")
    driver.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    wait_until(lambda: "from=2026-03-01" in driver.current_url)
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart rect")) >= 1,
          "March's report draws its chart")
    screenshot(driver, "06-report-march.png")

    driver.find_element(By.LINK_TEXT, "Quy tắc").click()
    wait_until(lambda: driver.current_url.endswith("/rules"))
    check(len(driver.find_elements(By.CSS_SELECTOR, "section.month")) == 12,
          "the rules page draws twelve months")
    screenshot(driver, "07-rules.png")
    driver.find_element(By.CSS_SELECTOR, ".viewer form button").click()
    check(wait_until(lambda: driver.current_url == base + "/sign-in"), "signing out leads back to /sign-in")


def main():
    missing = [name for name in ("chromium", "chromedriver") if shutil.which(name) is None]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("python3-selenium")
    if missing and not os.environ.get("CI"):
        return skip_all("%s not installed (tools/dev deps installs them)" % ", ".join(missing))
    print("TAP version 13", flush=True)
    if not check(not missing, "chromium, chromedriver and selenium are installed (%s)"
                 % ", ".join(missing)):
        print("1..%d" % harness.checks)
        return 1
    os.makedirs(ARTEFACTS, exist_ok=True)
    work = tempfile.mkdtemp(prefix="dunghen-web-browser-")
    if not check(prepare(work), "dossiers of two agencies passed by dunghen once, the web role,"
                 " the users file"):
        print("1..%d" % harness.checks)
        return 1
    web = harness.Web(work, "web", now=NOW)
    if not check(web.port is not None, "dunghen web listens"):
        diagnostic(web.text())
        print("1..%d" % harness.checks)
        return 1
    downloads = os.path.join(work, "downloads")
    os.makedirs(downloads)
    driver = None
    try:
        driver = browser(downloads)
        driver.downloads = downloads
        journey(driver, web)
    except Exception as failure:  # a missing element is a failed check, not a crash
        check(False, "the journey runs to its end (%s: %s)" % (type(failure).__name__,
                                                                str(failure).splitlines()[0]
                                                                if str(failure) else ""))
        if driver is not None:
            screenshot(driver, "99-failure.png")
    finally:
        if driver is not None:
            driver.quit()
    check(web.stop() == 0, "dunghen web stops")
    diagnostic("screenshots: %s" % ARTEFACTS)
    if harness.failures:
        diagnostic(web.text()[-3000:])
    print("1..%d" % harness.checks)
    return 1 if harness.failures else 0


if __name__ == "__main__":
    sys.exit(main())
