/*
 * The progress report as PDF (letter/report_pdf.h), read back with poppler and qpdf:
 *   - three agencies with Vietnamese names (one with no dossier) by agency: qpdf --check, only
 *     embedded fonts, A4 landscape, and in `pdftotext -layout` the letterhead, title, period,
 *     grouping, every group, the total row's figures in column order (share and score
 *     included), every late code, every note and the signer; the chart page rendered with
 *     pdftoppm must show each of the five bar colours over far more pixels than its legend
 *     swatch takes, so a chart that is not drawn fails;
 *   - the same by channel with no number and no late code: the blank number, the sentence
 *     saying there is none, and the optional columns "Khác" and "Chưa phân loại";
 *   - forty procedures with long names: the exact page count, the table's header repeated on
 *     each of its pages, every procedure in the table and in the charts, the chart legend on
 *     every chart page, the signature on the last page with the last note;
 *   - figures in the millions (the table's type shrinks, no figure wraps), a hostile label, a
 *     group without a label, and a report with no group;
 * and in every layout, from pdftotext -bbox, every word inside the margins and no word drawn
 * over another.
 * REPORT_PDF_KEEP=DIR keeps the PDFs there to look at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/civil.h"
#include "core/report.h"
#include "letter/report_pdf.h"
#include "pdf_text.h"
#include "rules/agencies.h"
#include "tap.h"

enum { MANY = 40 };

static char *copy(const char *text) {
  char *result = strdup(text);
  if (result == NULL)
    abort();
  return result;
}

static void add_group(struct report *report, const char *key, const char *label,
                      struct report_figures figures, const char *const *codes) {
  report->groups = realloc(report->groups, (report->group_count + 1) * sizeof *report->groups);
  if (report->groups == NULL)
    abort();
  struct report_group *group = &report->groups[report->group_count++];
  memset(group, 0, sizeof *group);
  group->key = copy(key);
  group->label = copy(label);
  group->figures = figures;
  size_t count = 0;
  while (codes != NULL && codes[count] != NULL)
    count++;
  group->late_without_letter.codes = count > 0 ? calloc(count, sizeof(char *)) : NULL;
  for (size_t i = 0; i < count; i++)
    group->late_without_letter.codes[i] = copy(codes[i]);
  group->late_without_letter.count = count;
}

static void finish(struct report *report) {
  struct error error;
  if (report_compute_total(report, &error) != STATUS_OK)
    abort();
}

static void check_balance(const struct report_group *group) {
  const struct report_figures *figures = &group->figures;
  tap_is_integer(report_received(figures),
                 report_done(figures) + report_in_progress(figures) + figures->withdrawn +
                     figures->unclassified,
                 "the crafted figures of %s add up", group->key);
}

static const char *const justice_codes[] = {"H55.01-261103-0007", "H55.01-261110-0012",
                                            "H55.01-261115-0031", "H55.01-261120-0044", NULL};
static const char *const environment_codes[] = {"H55.05-261002-0101", "H55.05-261105-0150",
                                                "H55.05-261118-0177", NULL};

/* Three agencies; figures chosen so that every column differs and rows add up. */
static void three_agencies(struct report *report, bool codes) {
  memset(report, 0, sizeof *report);
  report->period.from_day = civil_days_from_date(2026, 11, 1);
  report->period.to_day = civil_days_from_date(2026, 11, 30);
  report->grouping = REPORT_BY_AGENCY;
  struct report_figures justice = {
      .carried_over = 5,
      .received_online = 10,
      .received_direct = 8,
      .received_postal = 2,
      .done_early = 6,
      .done_on_time = 7,
      .done_late = 3,
      .progress_on_time = 4,
      .progress_overdue = 3,
      .withdrawn = 2,
      .letters = 2,
      .missed_new_date = 1,
  };
  struct report_figures environment = {
      .carried_over = 20,
      .received_online = 40,
      .received_direct = 30,
      .received_postal = 10,
      .done_early = 30,
      .done_on_time = 25,
      .done_late = 10,
      .progress_on_time = 20,
      .progress_overdue = 10,
      .withdrawn = 5,
      .letters = 8,
      .missed_new_date = 2,
  };
  struct report_figures nothing = {0};
  add_group(report, "DLK-STNMT", "Sở Tài nguyên và Môi trường tỉnh Đắk Lắk", environment,
            codes ? environment_codes : NULL);
  add_group(report, "DLK-STP", "Sở Tư pháp tỉnh Đắk Lắk", justice, codes ? justice_codes : NULL);
  add_group(report, "XA-EAKAO", "Ủy ban nhân dân xã Ea Kao", nothing, NULL);
  finish(report);
}

static void many_procedures(struct report *report) {
  memset(report, 0, sizeof *report);
  report->period.from_day = civil_days_from_date(2026, 10, 1);
  report->period.to_day = civil_days_from_date(2026, 12, 31);
  report->grouping = REPORT_BY_PROCEDURE;
  for (int i = 0; i < MANY; i++) {
    char key[32], label[256], code[64];
    snprintf(key, sizeof key, "1.%06d", 1000 + i);
    snprintf(label, sizeof label,
             "Thủ tục số %02d: cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài "
             "sản khác gắn liền với đất%s",
             i + 1, i % 3 == 0 ? " cho hộ gia đình, cá nhân đang sử dụng đất ổn định" : "");
    int scale = 1 + i % 7;
    struct report_figures figures = {
        .carried_over = 3 * scale,
        .received_online = 11 * scale + i,
        .received_direct = 5 * scale,
        .received_postal = scale,
        .done_early = 6 * scale,
        .done_on_time = 5 * scale + i,
        .done_late = 2 * scale,
        .progress_on_time = 4 * scale,
        .progress_overdue = scale,
        .withdrawn = scale,
        .letters = scale,
        .missed_new_date = i % 2,
    };
    snprintf(code, sizeof code, "H55.%02d-261120-%04d", i, 500 + i);
    const char *codes[] = {code, NULL};
    add_group(report, key, label, figures, i % 4 == 0 ? codes : NULL);
  }
  finish(report);
}

struct rendered {
  struct letter_output output; /* only pdf and size, for pdf_text() */
  char path[64];
};

static bool render(const struct report *report, const struct agency *issuer, long number,
                   const char *name, struct rendered *rendered) {
  struct report_pdf_input input = {report, issuer, number, civil_days_from_date(2026, 12, 1)};
  struct error error;
  memset(rendered, 0, sizeof *rendered);
  if (!tap_ok(report_pdf_render(&input, NULL, &rendered->output.pdf, &rendered->output.size,
                                &error) == STATUS_OK,
              "%s: rendered", name)) {
    tap_diagnostic("%s", error.message);
    return false;
  }
  snprintf(rendered->path, sizeof rendered->path, "/tmp/dunghen-report-XXXXXX");
  int descriptor = mkstemp(rendered->path);
  FILE *file = descriptor >= 0 ? fdopen(descriptor, "wb") : NULL;
  if (file == NULL)
    return false;
  fwrite(rendered->output.pdf, 1, rendered->output.size, file);
  fclose(file);
  const char *keep = getenv("REPORT_PDF_KEEP");
  if (keep != NULL) {
    char command[512];
    snprintf(command, sizeof command, "cp '%s' '%s/%s.pdf'", rendered->path, keep, name);
    if (system(command) != 0)
      tap_diagnostic("could not keep %s", name);
  }
  return true;
}

static void rendered_free(struct rendered *rendered) {
  if (rendered->path[0] != '\0')
    remove(rendered->path);
  free(rendered->output.pdf);
}

/* The standard output of a shell command (poppler's libharu noise dropped); a new string. */
static char *run(const char *tool, const char *path, const char *after) {
  char command[1024];
  snprintf(command, sizeof command, "%s '%s' %s", tool, path, after);
  FILE *pipe = popen(command, "r");
  size_t used = 0, capacity = 65536;
  char *text = malloc(capacity);
  while (pipe != NULL && text != NULL) {
    if (used + 4096 > capacity) {
      capacity *= 2;
      char *grown = realloc(text, capacity);
      if (grown == NULL)
        break;
      text = grown;
    }
    size_t got = fread(text + used, 1, capacity - used - 1, pipe);
    if (got == 0)
      break;
    used += got;
  }
  if (pipe != NULL)
    pclose(pipe);
  if (text != NULL)
    text[used] = '\0';
  return text;
}

static int page_count(const struct rendered *rendered) {
  char *info = run("pdfinfo", rendered->path, "2>/dev/null");
  const char *pages = strstr(info, "Pages:");
  int count = pages != NULL ? atoi(pages + 6) : -1;
  free(info);
  return count;
}

/* The common checks: qpdf, fonts, page size. */
static void check_file(const struct rendered *rendered, const char *name) {
  char *check = run("qpdf --check", rendered->path, "2>&1; echo \"exit $?\"");
  tap_ok(strstr(check, "No syntax or stream encoding errors found") != NULL &&
             strstr(check, "exit 0") != NULL,
         "%s: qpdf --check is clean", name);
  free(check);
  char *fonts = run("pdffonts", rendered->path, "2>/dev/null");
  /* name, type, encoding, emb, sub, uni, object, generation: every face embedded with a map */
  int faces = 0, bad = 0;
  for (char *line = strtok(fonts, "\n"); line != NULL; line = strtok(NULL, "\n")) {
    if (strncmp(line, "name", 4) == 0 || strncmp(line, "----", 4) == 0)
      continue;
    faces++;
    bad += strstr(line, "yes yes yes") == NULL;
  }
  tap_ok(faces >= 1 && bad == 0, "%s: %d fonts, all embedded with Unicode maps", name, faces);
  free(fonts);
  char *info = run("pdfinfo", rendered->path, "2>/dev/null");
  tap_contains(info, "841.89 x 595.276 pts (A4)", "%s: A4 landscape", name);
  free(info);
}

struct word_box {
  double x_min, y_min, x_max, y_max;
};

/* Every word of every page inside the margins (the page number of later pages sits in the top
 * margin, so only left, right and bottom count), and no two words of a page overlapping by
 * more than half a point either way: nothing drawn over anything else. */
static void check_bounds(const struct rendered *rendered, const char *name) {
  char *boxes = pdf_text(&rendered->output, 0, "-bbox");
  int outside = 0, words = 0, overlaps = 0;
  struct word_box *page = NULL;
  size_t count = 0, capacity = 0;
  for (const char *at = boxes; (at = strstr(at, "<")) != NULL; at++) {
    if (strncmp(at, "<page ", 6) == 0) {
      count = 0;
      continue;
    }
    struct word_box box;
    if (sscanf(at, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &box.x_min,
               &box.y_min, &box.x_max, &box.y_max) != 4)
      continue;
    words++;
    outside += box.x_min < 20 * 72 / 25.4 - 0.5 || box.x_max > (297 - 15) * 72 / 25.4 + 0.5 ||
               box.y_min < 0 || box.y_max > 595.28 - 15 * 72 / 25.4 + 0.5;
    for (size_t i = 0; i < count; i++) {
      double wide = (box.x_max < page[i].x_max ? box.x_max : page[i].x_max) -
                    (box.x_min > page[i].x_min ? box.x_min : page[i].x_min);
      double high = (box.y_max < page[i].y_max ? box.y_max : page[i].y_max) -
                    (box.y_min > page[i].y_min ? box.y_min : page[i].y_min);
      if (wide > 0.5 && high > 0.5 && overlaps++ < 3)
        tap_diagnostic("%s: words overlap at (%.1f, %.1f)", name, box.x_min, box.y_min);
    }
    if (count == capacity) {
      capacity = capacity == 0 ? 256 : capacity * 2;
      page = realloc(page, capacity * sizeof *page);
      if (page == NULL)
        abort();
    }
    page[count++] = box;
  }
  tap_ok(words > 100 && outside == 0, "%s: %d words, %d outside the margins", name, words, outside);
  tap_is_integer(overlaps, 0, "%s: no word drawn over another", name);
  free(page);
  free(boxes);
}

/* The tokens after `label` on the line where only figures follow it, joined by one space. */
static void row_after(const char *text, const char *label, char *out, size_t size) {
  out[0] = '\0';
  for (const char *at = strstr(text, label); at != NULL; at = strstr(at + 1, label)) {
    const char *end = strchr(at, '\n');
    size_t length = end != NULL ? (size_t)(end - at) : strlen(at);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)(length - strlen(label)), at + strlen(label));
    bool figures = true;
    for (const char *c = line; *c != '\0'; c++)
      figures = figures && strchr("0123456789.,- ", *c) != NULL;
    if (!figures)
      continue;
    size_t used = 0;
    for (char *token = strtok(line, " "); token != NULL && used + 2 < size;
         token = strtok(NULL, " "))
      used += (size_t)snprintf(out + used, size - used, "%s%s", used > 0 ? " " : "", token);
    return;
  }
}

/* Pixels of page `page` at 60 dpi within 10 of `colour` (0..255) on every channel. */
static long colour_pixels(const struct rendered *rendered, int page, const int colour[3]) {
  char command[1024];
  snprintf(command, sizeof command, "pdftoppm -r 60 -f %d -l %d '%s' 2>/dev/null", page, page,
           rendered->path);
  FILE *pipe = popen(command, "r");
  if (pipe == NULL)
    return -1;
  int width = 0, height = 0, maximum = 0;
  if (fscanf(pipe, "P6 %d %d %d", &width, &height, &maximum) != 3 || maximum != 255) {
    pclose(pipe);
    return -1;
  }
  fgetc(pipe);
  long found = 0;
  unsigned char pixel[3];
  for (long i = 0; i < (long)width * height && fread(pixel, 1, 3, pipe) == 3; i++) {
    bool near = true;
    for (int c = 0; c < 3; c++)
      near = near && abs(pixel[c] - colour[c]) <= 10;
    found += near;
  }
  pclose(pipe);
  return found;
}

/* The 1-based page whose text holds `needle`, or 0. */
static int page_with(const struct rendered *rendered, int pages, const char *needle) {
  for (int page = 1; page <= pages; page++) {
    char *text = pdf_text(&rendered->output, page, "-layout");
    bool found = strstr(text, needle) != NULL;
    free(text);
    if (found)
      return page;
  }
  return 0;
}

static void check_three(const struct agency *issuer) {
  struct report report;
  three_agencies(&report, true);
  for (size_t i = 0; i < report.group_count; i++)
    check_balance(&report.groups[i]);
  struct rendered rendered;
  if (render(&report, issuer, 7, "agencies", &rendered)) {
    check_file(&rendered, "agencies");
    check_bounds(&rendered, "agencies");
    char *text = pdf_text(&rendered.output, 0, "-layout");
    const char *expected[] = {
        "UBND TỈNH ĐẮK LẮK",
        "TRUNG TÂM PHỤC VỤ",
        "HÀNH CHÍNH CÔNG TỈNH",
        "Số: 07/BC-TTPVHCC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Đắk Lắk, ngày 01 tháng 12 năm 2026",
        "BÁO CÁO TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH",
        "Kỳ báo cáo: từ ngày 01/11/2026 đến ngày 30/11/2026",
        "(Tổng hợp theo cơ quan, đơn vị)",
        "Sở Tài nguyên và Môi trường tỉnh Đắk Lắk",
        "Sở Tư pháp tỉnh Đắk Lắk",
        "Ủy ban nhân dân xã Ea Kao",
        "STT",
        "Số hồ sơ tiếp nhận",
        "Trong kỳ",
        "Trực",
        "Bưu",
        "Rút/từ",
        "Điểm",
        "Tổng cộng",
        "Có 7 hồ sơ trễ hạn chưa có phiếu xin lỗi:",
        "GIÁM ĐỐC",
        "(Ký, ghi rõ họ tên)",
        "Nguyễn Văn Minh",
        "Nơi nhận:",
        "- Lưu: VT, TTPVHCC.",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
      tap_contains(text, expected[i], "agencies: the text has \"%s\"", expected[i]);
    for (size_t i = 0; justice_codes[i] != NULL; i++)
      tap_contains(text, justice_codes[i], "agencies: late code %s listed", justice_codes[i]);
    for (size_t i = 0; environment_codes[i] != NULL; i++)
      tap_contains(text, environment_codes[i], "agencies: late code %s listed",
                   environment_codes[i]);
    tap_ok(strstr(text, "Khác") == NULL && strstr(text, "Chưa") == NULL,
           "agencies: no empty optional column");
    char row[512];
    row_after(text, "Tổng cộng", row, sizeof row);
    /* received 125 = 25 + 50 + 38 + 12; done 81 = 36 + 32 + 13; in progress 37 = 24 + 13;
       withdrawn 7; share 92/118 = 77,97 %, score 15,59; letters 10; without 7; missed 3 */
    tap_is_string(row, "125 25 50 38 12 81 36 32 13 37 24 13 7 77,97 15,59 10 7 3",
                  "agencies: the total row, column by column");
    row_after(text, "Sở Tư pháp tỉnh Đắk Lắk", row, sizeof row);
    tap_is_string(row, "25 5 10 8 2 16 6 7 3 7 4 3 2 73,91 14,78 2 4 1",
                  "agencies: a group's row, column by column");
    row_after(text, "Ủy ban nhân dân xã Ea Kao", row, sizeof row);
    tap_is_string(row, "0 0 0 0 0 0 0 0 0 0 0 0 0 - - 0 0 0",
                  "agencies: an empty group's share and score are '-'");
    /* Each note, by its first words (a note runs over lines). */
    const char *const *notes = report_notes();
    for (size_t i = 0; notes[i] != NULL; i++) {
      char start[40];
      snprintf(start, sizeof start, "%zu. %.*s", i + 1, 24, notes[i]);
      size_t cut = strlen(start);
      while (cut > 0 && (start[cut - 1] & 0xC0) == 0x80)
        cut--; /* not in the middle of a character */
      if (cut > 0 && (unsigned char)start[cut - 1] >= 0xC0)
        cut--;
      start[cut] = '\0';
      tap_contains(text, start, "agencies: note %zu printed", i + 1);
    }
    free(text);
    int pages = page_count(&rendered);
    int chart = page_with(&rendered, pages, "II. BIỂU ĐỒ");
    tap_ok(chart > 0, "agencies: the charts are on page %d of %d", chart, pages);
    static const int colours[5][3] = {
        {217, 242, 217}, {140, 204, 140}, {230, 92, 77}, {194, 219, 245}, {237, 115, 38}};
    static const char *const names[5] = {"done early", "done on time", "done late",
                                         "in progress on time", "overdue"};
    for (int i = 0; i < 5; i++) {
      long pixels = colour_pixels(&rendered, chart, colours[i]);
      tap_ok(pixels > 150, "agencies: the %s bars are drawn (%ld pixels of their colour)", names[i],
             pixels);
    }
    rendered_free(&rendered);
  }
  report_free(&report);
}

static void check_channels(const struct agency *issuer) {
  struct report report;
  three_agencies(&report, false);
  report.grouping = REPORT_BY_CHANNEL;
  report.agency = copy("DLK-STP");
  report.groups[0].figures.received_other = 4;
  report.groups[0].figures.unclassified = 4;
  finish(&report);
  struct rendered rendered;
  if (render(&report, issuer, 0, "channels", &rendered)) {
    check_file(&rendered, "channels");
    check_bounds(&rendered, "channels");
    char *text = pdf_text(&rendered.output, 0, "-layout");
    const char *expected[] = {
        "/BC-TTPVHCC",    "(Tổng hợp theo kênh tiếp nhận; chỉ gồm hồ sơ của đơn vị DLK-STP)",
        "Kênh tiếp nhận", "Khác",
        "Chưa",           "Trong kỳ không có hồ sơ trễ hạn nào chưa có phiếu xin lỗi.",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
      tap_contains(text, expected[i], "channels: the text has \"%s\"", expected[i]);
    tap_ok(strstr(text, "Số: 0") == NULL, "channels: number 0 prints as a blank");
    char row[512];
    row_after(text, "Tổng cộng", row, sizeof row);
    tap_is_string(row, "129 25 50 38 12 4 81 36 32 13 37 24 13 7 4 77,97 15,59 10 0 3",
                  "channels: the total row with the optional columns");
    free(text);
    rendered_free(&rendered);
  }
  report_free(&report);
}

static void check_many(const struct agency *issuer) {
  struct report report;
  many_procedures(&report);
  struct rendered rendered;
  if (render(&report, issuer, 12, "procedures", &rendered)) {
    check_file(&rendered, "procedures");
    check_bounds(&rendered, "procedures");
    int pages = page_count(&rendered);
    tap_is_integer(pages, 9, "procedures: 40 procedures take 9 pages");
    char *text = pdf_text(&rendered.output, 0, "-layout");
    int missing_table = 0, missing_chart = 0;
    for (size_t i = 0; i < report.group_count; i++) {
      char start[32];
      snprintf(start, sizeof start, "Thủ tục số %02zu:", i + 1);
      const char *first = strstr(text, start);
      missing_table += first == NULL;
      missing_chart += first == NULL || strstr(first + 1, start) == NULL;
    }
    tap_ok(missing_table == 0 && missing_chart == 0,
           "procedures: every procedure in the table and the charts (%d, %d missing)",
           missing_table, missing_chart);
    free(text);
    int table_pages = 0, chart_pages = 0, legends = 0;
    int first_chart = page_with(&rendered, pages, "II. BIỂU ĐỒ");
    for (int page = 1; page <= pages; page++) {
      char *page_text = pdf_text(&rendered.output, page, "-layout");
      bool chart = strstr(page_text, "II. BIỂU ĐỒ") != NULL;
      table_pages += page < first_chart && strstr(page_text, "Số hồ sơ tiếp nhận") != NULL &&
                     strstr(page_text, "(20)") != NULL;
      chart_pages += chart;
      legends += chart && strstr(page_text, "Đã giải quyết:") != NULL &&
                 strstr(page_text, "Quá hạn") != NULL;
      if (page == pages) {
        tap_contains(page_text, "Nguyễn Văn Minh", "procedures: the signer on the last page");
        tap_contains(page_text, "11. Trễ hẹn lại",
                     "procedures: the last note goes with the signature");
      }
      free(page_text);
    }
    tap_ok(first_chart > 1 && table_pages == first_chart - 1,
           "procedures: the header repeated on each of the table's %d pages", table_pages);
    tap_ok(chart_pages >= 2 && legends == chart_pages,
           "procedures: the charts run over %d pages, each with its legend", chart_pages);
    rendered_free(&rendered);
  }
  report_free(&report);
}

/* Figures in the millions, a label with an emoji, decomposed (NFD) letters and a control
 * character, a group without a label, and a report with no group at all. */
static void check_extremes(const struct agency *issuer) {
  struct report report;
  memset(&report, 0, sizeof report);
  report.period.from_day = civil_days_from_date(2026, 1, 1);
  report.period.to_day = civil_days_from_date(2026, 12, 31);
  struct report_figures large = {
      .carried_over = 1234567,
      .received_online = 2345678,
      .received_direct = 345678,
      .received_postal = 45678,
      .done_early = 1000000,
      .done_on_time = 1500000,
      .done_late = 470000,
      .progress_on_time = 500000,
      .progress_overdue = 400000,
      .withdrawn = 101601,
      .letters = 123456,
      .missed_new_date = 23456,
  };
  add_group(&report, "A", "Trung t\u00e2m \xf0\x9f\x98\x80 Pha\xcc\x80 \x01 L\u1eafk", large, NULL);
  add_group(&report, "B", "B", large, NULL);
  free(report.groups[1].label);
  report.groups[1].label = NULL;
  finish(&report);
  check_balance(&report.groups[0]);
  struct rendered rendered;
  if (render(&report, issuer, 3, "millions", &rendered)) {
    check_file(&rendered, "millions");
    check_bounds(&rendered, "millions");
    char *text = pdf_text(&rendered.output, 0, "-layout");
    char row[512];
    row_after(text, "Tổng cộng", row, sizeof row);
    tap_is_string(row,
                  "7.943.202 2.469.134 4.691.356 691.356 91.356 5.940.000 2.000.000 3.000.000 "
                  "940.000 1.800.000 1.000.000 800.000 203.202 77,52 15,50 246.912 0 46.912",
                  "millions: the total row, column by column");
    tap_contains(text, "Trung tâm \u25a1 Phà \u25a1 Lắk",
                 "millions: the label cleaned (emoji and control as \u25a1, NFD composed)");
    free(text);
    rendered_free(&rendered);
  }
  report_free(&report);
  memset(&report, 0, sizeof report);
  report.period.from_day = report.period.to_day = civil_days_from_date(2026, 11, 30);
  finish(&report);
  if (render(&report, issuer, 4, "empty", &rendered)) {
    check_file(&rendered, "empty");
    char *text = pdf_text(&rendered.output, 0, "-layout");
    char row[512];
    row_after(text, "Tổng cộng", row, sizeof row);
    tap_is_string(row, "0 0 0 0 0 0 0 0 0 0 0 0 0 - - 0 0 0", "empty: the total row");
    tap_contains(text, "Kỳ báo cáo: từ ngày 30/11/2026 đến ngày 30/11/2026",
                 "empty: a one-day period");
    free(text);
    rendered_free(&rendered);
  }
  report_free(&report);
}

int main(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/agencies.yaml", getenv("DUNGHEN_RULES"));
  struct agency_table agencies;
  struct error error;
  if (agencies_load(path, &agencies, &error) != STATUS_OK) {
    tap_ok(false, "agencies load: %s", error.message);
    return tap_finish();
  }
  const struct agency *issuer = agencies_find(&agencies, "DLK-TTPVHCC");
  tap_ok(issuer != NULL, "the issuer DLK-TTPVHCC is in the rules");
  if (issuer != NULL) {
    check_three(issuer);
    check_channels(issuer);
    check_many(issuer);
    check_extremes(issuer);
    struct report_pdf_input input = {NULL, issuer, 1, 0};
    unsigned char *data;
    size_t size;
    tap_is_integer(report_pdf_render(&input, NULL, &data, &size, &error), STATUS_INVALID,
                   "no report: invalid input");
  }
  agencies_free(&agencies);
  return tap_finish();
}
