#!/usr/bin/python3
"""The `pdf` suite, through `dunghen letter`: the sample letter and hostile inputs, checked with
poppler (pdftotext, pdffonts, pdfinfo) and qpdf. Prints TAP.

Checks: every field in order; fonts embedded with Unicode maps; qpdf --check; A4; from
pdftotext -bbox, all text inside the Decree 30/2020 margins (left 30 mm, right 15 mm, top and
bottom 20 mm) except the page numbers of later pages, which sit in the top margin; NFD, long,
emoji/CJK/RTL/control and empty fields; template and input errors with their exact messages.
"""
import base64
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

SOURCE = os.environ["DUNGHEN_SOURCE_ROOT"]
BINARY = os.environ["DUNGHEN_BINARY"]
RULES = os.environ.get("DUNGHEN_RULES", os.path.join(SOURCE, "rules"))
LETTERS = os.path.join(SOURCE, "letters")
MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM
TOLERANCE = 0.5

count = 0
failed = 0


def ok(condition, name, diagnostic=None):
    global count, failed
    count += 1
    if not condition:
        failed += 1
    print(("ok" if condition else "not ok") + " %d - %s" % (count, name))
    if not condition and diagnostic:
        for line in str(diagnostic).splitlines()[:15]:
            print("#   " + line)


def quiet(stderr):
    """poppler's harmless libharu noise, filtered."""
    return "\n".join(line for line in stderr.splitlines()
                     if "Invalid 'begincidrange' operator" not in line)


def tool(*arguments):
    result = subprocess.run(list(arguments), capture_output=True, text=True)
    return result.returncode, result.stdout, quiet(result.stderr)


def render(directory, name, text, letters=LETTERS, extra=()):
    path = os.path.join(directory, name + ".yaml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    pdf = os.path.join(directory, name + ".pdf")
    result = subprocess.run([BINARY, "letter", "--input", path, "--out", pdf, "--rules", RULES,
                             "--letters", letters] + list(extra), capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr, pdf, path


def words(pdf):
    """(page, xMin, yMin, xMax, yMax, word) from pdftotext -bbox; y grows downwards."""
    _, out, _ = tool("pdftotext", "-bbox", pdf, "-")
    page = 0
    found = []
    for line in out.splitlines():
        if line.strip().startswith("<page "):
            page += 1
        match = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                          r'(.*)</word>', line)
        if match:
            found.append((page,) + tuple(float(match.group(i)) for i in range(1, 5)) +
                         (match.group(5),))
    return found


def check_margins(pdf, what):
    outside = []
    numbers = []
    for page, x0, y0, x1, y1, word in words(pdf):
        if page > 1 and y1 <= 20 * MM + TOLERANCE and word == str(page):
            numbers.append(page)
            continue
        if (x0 < 30 * MM - TOLERANCE or x1 > PAGE_WIDTH - 15 * MM + TOLERANCE or
                y0 < 20 * MM - TOLERANCE or y1 > PAGE_HEIGHT - 20 * MM + TOLERANCE):
            outside.append((page, round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1), word))
    ok(not outside, "%s: all text inside the margins" % what, outside[:5])
    return numbers


def text_of(pdf):
    _, out, _ = tool("pdftotext", "-raw", pdf, "-")
    return re.sub(r"\s+", " ", out)


def in_order(text, fields):
    at = 0
    for field in fields:
        found = text.find(field, at)
        if found < 0:
            return "missing or out of order: %r (after position %d)" % (field, at)
        at = found + len(field)
    return None


def pages_of(pdf):
    _, out, _ = tool("pdfinfo", pdf)
    match = re.search(r"Pages:\s+(\d+)", out)
    return int(match.group(1)) if match else 0


SAMPLE = open(os.path.join(LETTERS, "sample-letter.yaml"), encoding="utf-8").read()


def with_dossier(**fields):
    """The sample with some dossier fields replaced (double-quoted YAML, escapes allowed)."""
    text = SAMPLE
    for key, value in fields.items():
        pattern = re.compile(r"^  %s:.*?(?=^  \w|^\w)" % key, re.M | re.S)
        text = pattern.sub(lambda _, key=key, value=value: "  %s: %s\n" % (key, value), text)
    return text


def quoted(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_fonts(pdf, expected, what):
    code, out, _ = tool("pdffonts", pdf)
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    ok(len(rows) == len(expected), "%s (%d fonts)" % (what, len(expected)), out)
    ok(rows and all("CID" in row and "TrueType" in row and row[-5:-2] == ["yes", "yes", "yes"]
                    for row in rows), "%s: each face embedded, subset, with a Unicode map" % what,
       out)
    names = sorted(re.sub(r"^[A-Z]{6}\+|,.*$", "", row[0]) for row in rows)
    ok(names == expected, "%s: the faces are Liberation Serif" % what, names)


def pdf_objects(pdf):
    """Every object of the PDF, streams decoded, from qpdf's JSON."""
    result = subprocess.run(["qpdf", "--json=2", "--json-stream-data=inline",
                             "--decode-level=generalized", pdf], capture_output=True, text=True)
    objects = json.loads(result.stdout)["qpdf"][1]
    for value in objects.values():
        if "stream" in value:
            value["stream"]["data"] = base64.b64decode(value["stream"].get("data", ""))
    return objects


def drawn_codes(objects):
    """The 2-byte codes each font draws, from the pages' content streams: {font ref: set}."""
    drawn = {}
    for value in objects.values():
        page = value.get("value")
        if not isinstance(page, dict) or page.get("/Type") != "/Page":
            continue
        fonts = page["/Resources"]["/Font"]
        content = objects["obj:" + page["/Contents"]]["stream"]["data"].decode("latin-1")
        current = None
        for match in re.finditer(r"/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]*)> Tj", content):
            if match.group(1):
                current = fonts["/" + match.group(1)]
            else:
                codes = drawn.setdefault(current, set())
                codes.update(int(match.group(2)[i:i + 4], 16)
                             for i in range(0, len(match.group(2)), 4))
    return drawn


def to_unicode_map(cmap):
    mapping = {}
    for low, high, target in re.findall(r"<([0-9A-F]{4})> <([0-9A-F]{4})> <([0-9A-F]{4})>", cmap):
        for code in range(int(low, 16), int(high, 16) + 1):
            mapping[code] = chr(int(target, 16) + code - int(low, 16))
    return mapping


def widths_of(w_array):
    widths, index = {}, 0
    while index < len(w_array):
        first, values = w_array[index], w_array[index + 1]
        widths.update((first + offset, width) for offset, width in enumerate(values))
        index += 2
    return widths


def check_font_objects(pdf, what):
    """Each embedded face against the drawn text and its own font file: the ToUnicode map gives
    every drawn code its character, the CIDToGIDMap the font's glyph for that character, W the
    font's advance width, and the subset keeps an outline (and every part of a composite) for
    every drawn glyph."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        print("ok %d - # SKIP %s: font objects (python3-fonttools missing)" % (count + 1, what))
        globals()["count"] += 1
        return
    objects = pdf_objects(pdf)
    problems = []
    drawn = drawn_codes(objects)
    for reference, codes in sorted(drawn.items()):
        font = objects["obj:" + reference]["value"]
        name = font["/BaseFont"]
        if font["/Subtype"] != "/Type0" or font["/Encoding"] != "/Identity-H":
            problems.append("%s: not Type0 Identity-H" % name)
            continue
        to_unicode = to_unicode_map(
            objects["obj:" + font["/ToUnicode"]]["stream"]["data"].decode("latin-1"))
        cid_font = objects["obj:" + font["/DescendantFonts"][0]]["value"]
        system = cid_font["/CIDSystemInfo"]
        if cid_font["/Subtype"] != "/CIDFontType2" or system["/Registry"] != "u:Adobe":
            problems.append("%s: descendant %s" % (name, cid_font))
        glyph_map = objects["obj:" + cid_font["/CIDToGIDMap"]]["stream"]["data"]
        descriptor = objects["obj:" + cid_font["/FontDescriptor"]]["value"]
        font_file = objects["obj:" + descriptor["/FontFile2"]]["stream"]
        if font_file["dict"].get("/Length1") != len(font_file["data"]):
            problems.append("%s: Length1 %s for %d bytes" %
                            (name, font_file["dict"].get("/Length1"), len(font_file["data"])))
        embedded = TTFont(io.BytesIO(font_file["data"]))
        cmap, glyf = embedded.getBestCmap(), embedded["glyf"]
        units = embedded["head"].unitsPerEm
        widths = widths_of(cid_font.get("/W", []))
        for code in sorted(codes):
            character = chr(code)
            glyph_name = cmap.get(code)
            if to_unicode.get(code) != character:
                problems.append("%s U+%04X: ToUnicode gives %r" % (name, code, to_unicode.get(code)))
            if glyph_name is None:
                problems.append("%s U+%04X: not in the embedded font's cmap" % (name, code))
                continue
            glyph = embedded.getGlyphID(glyph_name)
            mapped = int.from_bytes(glyph_map[2 * code:2 * code + 2], "big")
            if mapped != glyph:
                problems.append("%s U+%04X: CIDToGIDMap %d, font glyph %d" %
                                (name, code, mapped, glyph))
            width = embedded["hmtx"][glyph_name][0] * 1000 // units
            if widths.get(code, cid_font["/DW"]) != width:
                problems.append("%s U+%04X: W %s, font width %d" %
                                (name, code, widths.get(code, cid_font["/DW"]), width))
            parts = [glyph_name]
            if glyf[glyph_name].isComposite():
                parts += glyf[glyph_name].getComponentNames(glyf)
            if not unicodedata.category(character).startswith("Z"):
                problems += ["%s U+%04X: glyph %s has no outline in the subset" % (name, code, part)
                             for part in parts if glyf[part].numberOfContours == 0]
    ok(len(drawn) > 0 and not problems,
       "%s: font objects of %d face(s) match the drawn text and the font files" %
       (what, len(drawn)), "\n".join(problems))


def slanted_words(pdf):
    """Text runs drawn with the slanted text matrix of an oblique (synthetic italic) face."""
    result = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", pdf, "-"],
                            capture_output=True)
    return len(re.findall(rb"^1 0 0\.2126 1 ", result.stdout, re.M))


def test_true_italic(directory):
    code, out, err, pdf, _ = render(directory, "true-italic", SAMPLE, extra=["--true-italic"])
    ok(code == 0 and err == "", "--true-italic renders the sample", err)
    check_fonts(pdf, ["LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-BoldItalic",
                      "LiberationSerif-Italic"], "--true-italic: four faces embedded")
    ok(slanted_words(pdf) == 0, "--true-italic: no text is slanted by the text matrix")
    check_font_objects(pdf, "--true-italic")
    true_size = os.path.getsize(pdf)
    _, _, _, default_pdf, _ = render(directory, "slanted", SAMPLE)
    ok(slanted_words(default_pdf) > 0, "default: the italic lines are slanted by the text matrix")
    ok(text_of(pdf) == text_of(default_pdf), "both choices print the same text")
    ok(os.path.getsize(default_pdf) <= 32 * 1024 and os.path.getsize(default_pdf) < true_size,
       "default at most 32 KB (%d bytes); true italic larger (%d bytes)" %
       (os.path.getsize(default_pdf), true_size))
    check_margins(pdf, "--true-italic")


def test_keep_together(directory):
    """Justified lines never separate a number from its unit: a long reason full of dates and
    times, shifted by a few characters at a time, never ends a line with `ngày`, `tháng`, `năm`
    or `giờ`, and never starts one with `giờ` or `phút`."""
    phrase = "Cuộc họp ngày 03 tháng 02 năm 2026 lúc 09 giờ 30 chưa có kết luận; "
    bad = []
    lines_seen = 0
    for shift in range(0, 40):
        reason = "x" * (shift + 1) + " " + phrase * 6
        code, _, err, pdf, _ = render(directory, "together%d" % shift,
                                      with_dossier(reason=quoted(reason)))
        if code != 0:
            bad.append(err)
            continue
        _, out, _ = tool("pdftotext", "-layout", pdf, "-")
        for line in out.splitlines():
            text = line.strip()
            lines_seen += 1
            if re.search(r"(^|\s)(ngày|tháng|năm|giờ)$", text) or re.match(r"(giờ|phút)\b", text):
                bad.append(text[-50:])
    ok(lines_seen > 100 and not bad,
       "no line ends with a date or time unit, none starts with `giờ` (%d lines)" % lines_seen,
       bad[:5])


def test_recipients_hang(directory):
    """A `Nơi nhận` line that runs over continues under its text, not under the dash."""
    letters = os.path.join(directory, "long-recipients")
    os.makedirs(letters, exist_ok=True)
    for name in ("form-2025.yaml", "form-2018.yaml"):
        text = open(os.path.join(LETTERS, name), encoding="utf-8").read()
        text = text.replace('  - "- Như trên;"',
                            '  - "- Như trên;"\n  - "- Ủy ban nhân dân tỉnh Đắk Lắk và Văn phòng '
                            'Ủy ban nhân dân tỉnh (để báo cáo);"', 1)
        with open(os.path.join(letters, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    code, _, err, pdf, _ = render(directory, "recipients", SAMPLE, letters=letters)
    ok(code == 0, "a long recipient line renders", err)
    found = words(pdf)
    item = next((i for i in range(len(found) - 1)
                 if found[i][5] == "-" and found[i + 1][5] == "Ủy"), None)
    run_over = None
    if item is not None:
        run_over = next((w for w in found[item + 2:] if w[2] > found[item][2] + 1), None)
    ok(run_over is not None and abs(run_over[1] - found[item + 1][1]) < 0.5 and
       run_over[1] > found[item][1] + 2,
       "the run-over line starts under the text, not under the dash",
       (found[item:item + 2] if item is not None else None, run_over))


def test_sample(directory):
    code, out, err, pdf, _ = render(directory, "sample", SAMPLE)
    ok(code == 0, "the sample letter renders", err)
    ok(out.strip() == "%s: 1 page(s), %d bytes, number 07/PXL-TTPVHCC" %
       (pdf, os.path.getsize(pdf)), "one summary line on stdout", out)
    ok(err == "", "no warnings for the sample", err)
    code, out, err = tool("qpdf", "--check", pdf)
    ok(code == 0 and "No syntax or stream encoding errors" in out, "qpdf --check passes",
       out + err)
    code, out, _ = tool("pdfinfo", pdf)
    ok(re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", out) is not None, "A4 portrait",
       out)
    ok(pages_of(pdf) == 1, "one page")
    check_fonts(pdf, ["LiberationSerif", "LiberationSerif-Bold"],
                "default: two faces embedded, italics slanted from them")
    check_font_objects(pdf, "sample")
    result = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True)
    ok(result.stderr == "", "poppler reads the ToUnicode maps without a warning", result.stderr)
    text = text_of(pdf)
    problem = in_order(text, [
        "UBND TỈNH ĐẮK LẮK", "TRUNG TÂM PHỤC VỤ", "HÀNH CHÍNH CÔNG TỈNH", "Số: 07/PXL-TTPVHCC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
        "Đắk Lắk, ngày 05 tháng 02 năm 2026",
        "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
        "Kính gửi: Nguyễn Thị Thu Hương", "Ngày 15 tháng 01 năm 2026",
        "Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk", "Cấp Giấy chứng nhận quyền sử dụng đất",
        "Nguyễn Thị Thu Hương", "066185001234", "Thôn 3, xã Ea Kar, tỉnh Đắk Lắk",
        "H23.10-260115-0042", "16 giờ 00, ngày 04 tháng 02 năm 2026", "Lý do: Hồ sơ cần xác minh",
        "xin lỗi", "16 giờ 00, ngày 11 tháng 02 năm 2026", "sự chậm trễ này./.",
        "GIÁM ĐỐC", "Nguyễn Văn Minh", "Nơi nhận:", "- Như trên;", "- Lưu: VT, TTPVHCC."])
    ok(problem is None, "pdftotext: every field, in order", problem)
    check_margins(pdf, "sample")
    with open(pdf, "rb") as handle:
        first = handle.read()
    render(directory, "sample", SAMPLE)
    with open(pdf, "rb") as handle:
        ok(handle.read() == first, "rendering is deterministic (same input, same bytes)")


def test_2018(directory):
    """The 2018 form, for a dossier received before 1 July 2025 (only those may use it)."""
    old = SAMPLE.replace("number: 7", "number: 12\nform: 2018")
    old = re.sub(r"received_at: .*", "received_at: 2025-06-20T09:12", old)
    old = re.sub(r"promised_at: .*", "promised_at: 2025-07-10T16:00", old)
    code, _, err, pdf, _ = render(directory, "form2018", old)
    ok(code == 0, "the 2018 form renders", err)
    text = text_of(pdf)
    problem = in_order(text, ["Số: 12/PXL-TTPVHCC", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                              "Mã số hồ sơ: H23.10-260115-0042", "./."])
    ok(problem is None, "2018 form: its title and wording", problem)
    ok("ĐỀ NGHỊ GIA HẠN" not in text, "2018 form: not the 2025 title")


def test_hostile(directory):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Thu Hương")
    code, _, err, pdf, _ = render(directory, "nfd", with_dossier(applicant_name=quoted(nfd)))
    ok(code == 0 and nfd != "Nguyễn Thị Thu Hương", "an NFD name renders", err)
    ok("Kính gửi: Nguyễn Thị Thu Hương" in text_of(pdf), "the NFD name prints precomposed (NFC)")

    address = ("Số 1234, đường Nguyễn Tất Thành, tổ dân phố 5, phường Buôn Ma Thuột, tỉnh Đắk Lắk; "
               * 30)[:1000] + "X" * 1000
    code, _, err, pdf, _ = render(directory, "address", with_dossier(
        applicant_address=quoted(address)))
    ok(code == 0 and len(address) == 2000, "a 2,000-character address renders", err)
    joined = "".join(w[5] for w in words(pdf) if not (w[0] > 1 and w[4] <= 20 * MM))
    ok(re.sub(r"\s", "", address) in joined,
       "the whole address prints, broken where needed (page numbers aside)",
       joined[joined.find("Số1234"):][:300])
    check_margins(pdf, "2,000-character address")

    reason = ("Hồ sơ phải lấy ý kiến của cơ quan phối hợp và xác minh thực địa; " * 80)[:5000]
    code, _, err, pdf, _ = render(directory, "reason", with_dossier(reason=quoted(reason)))
    ok(code == 0 and len(reason) == 5000, "a 5,000-character reason renders", err)
    pages = pages_of(pdf)
    ok(pages >= 2, "a long reason takes a second page (%d pages)" % pages)
    numbers = check_margins(pdf, "5,000-character reason")
    ok(numbers == list(range(2, pages + 1)),
       "pages after the first carry their number in the top margin", numbers)
    page_one = [w for w in words(pdf) if w[0] == 1 and w[4] <= 20 * MM + TOLERANCE]
    ok(not page_one, "the first page has no number", page_one)
    centred = [w for w in words(pdf) if w[0] == 2 and w[5] == "2" and w[4] <= 20 * MM]
    ok(len(centred) == 1 and abs((centred[0][1] + centred[0][3]) / 2 - PAGE_WIDTH / 2) < 1,
       "the page number is centred", centred)
    ok("Nguyễn Văn Minh" in text_of(pdf), "the signature follows the long reason")

    strange = "Lê 😀 中文 שלום \x01 end"
    code, _, err, pdf, _ = render(directory, "strange", with_dossier(
        applicant_name='"L\\u00EA \\U0001F600 \\u4E2D\\u6587 '
                       '\\u05E9\\u05DC\\u05D5\\u05DD \\x01 end"'))
    ok(code == 0, "emoji, CJK, right-to-left and a control character render", err)
    ok("Kính gửi: Lê □ □□ □□□□ □ end" in text_of(pdf), "each is printed as □, never blank",
       text_of(pdf)[:400])
    ok("applicant_name: 0 invalid UTF-8 sequence(s), 1 control character(s), 7 character(s) "
       "outside the font (first U+1F600) printed as □" in err, "the replacement is reported", err)
    ok(strange not in err and "中" not in err, "the report does not echo the text", err)

    code, _, err, pdf, _ = render(directory, "empty", with_dossier(applicant_id='""',
                                                                  applicant_address="null"))
    ok(code == 0, "empty fields render", err)
    ok("doanh nghiệp: .............................., địa chỉ: .............................."
       in text_of(pdf), "empty fields print as dotted lines to fill in", text_of(pdf)[:600])
    ok("applicant_id: empty; printed as a dotted line to fill in by hand" in err and
       "applicant_address: empty" in err, "empty fields are reported", err)


def test_errors(directory):
    missing = with_dossier().replace('  applicant_id: "066185001234"\n', "")
    code, _, err, _, path = render(directory, "missing", missing)
    template = os.path.join(LETTERS, "form-2025.yaml")
    line_number, column = next((i + 1, len(line[:line.index("{applicant_id}")]) + 1)
                               for i, line in enumerate(open(template, encoding="utf-8"))
                               if "{applicant_id}" in line and not line.startswith("#"))
    expected = ("dunghen letter: %s: the dossier lacks a value the template needs: %s:%d:%d: no "
                "value for placeholder {applicant_id}\n" % (path, template, line_number, column))
    ok(code == 2 and err == expected, "a missing value: exit 2 and the exact message",
       "%d %r\nexpected %r" % (code, err, expected))

    broken = os.path.join(directory, "broken-letters")
    os.makedirs(broken, exist_ok=True)
    for name in ("form-2025.yaml", "form-2018.yaml"):
        text = open(os.path.join(LETTERS, name), encoding="utf-8").read()
        if name == "form-2025.yaml":
            text = text.replace("Kính gửi: {applicant_name}", "Kính gửi: {applicant_nam}")
        with open(os.path.join(broken, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    lines = open(os.path.join(broken, "form-2025.yaml"), encoding="utf-8").read().splitlines()
    line_number = next(i + 1 for i, line in enumerate(lines) if "{applicant_nam}" in line)
    column = lines[line_number - 1].index("{applicant_nam}") + 1
    code, _, err, _, _ = render(directory, "unknown", SAMPLE, letters=broken)
    expected = ("dunghen letter: %s/form-2025.yaml:%d:%d: unknown placeholder {applicant_nam} "
                "(did you mean {applicant_name}?)\n" % (broken, line_number, column))
    ok(code == 2 and err == expected, "an unknown placeholder: exit 2 and the exact message",
       "%d %r\nexpected %r" % (code, err, expected))

    code, _, err, _, path = render(directory, "agency", SAMPLE.replace("agency: DLK-TTPVHCC",
                                                                       "agency: NOWHERE"))
    line_number = next(i + 1 for i, line in enumerate(SAMPLE.splitlines())
                       if line.startswith("agency:"))
    expected = ("dunghen letter: %s:%d:9: unknown agency 'NOWHERE' (not in %s/agencies.yaml)\n" %
                (path, line_number, RULES))
    ok(code == 2 and err == expected, "an unknown agency: exit 2 and the exact message",
       "%d %r\nexpected %r" % (code, err, expected))


def main():
    with tempfile.TemporaryDirectory(prefix="dunghen-pdf-") as directory:
        test_sample(directory)
        test_true_italic(directory)
        test_keep_together(directory)
        test_recipients_hang(directory)
        test_2018(directory)
        test_hostile(directory)
        test_errors(directory)
    print("1..%d" % count)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
