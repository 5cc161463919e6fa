/*
 * report_format.c: a progress report as text, CSV and JSON (see report.h; the columns and keys
 * are documented in docs/REPORT.md).
 *
 * Text is for a terminal: columns are aligned by display width, counted in code points (the
 * Vietnamese letters are precomposed, one column each; combining marks take none). CSV follows
 * RFC 4180 (CRLF line ends, fields quoted when they hold a comma, quote or line break) under one
 * header row in Vietnamese. JSON is ARCHITECTURE.md's shape with the extensions of
 * docs/REPORT.md, shares to 4 decimals and scores to 2, null when undefined.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "core/report.h"
#include "core/text_column.h"

enum {
  LABEL_WIDTH = 48, /* the text table's label column at most */
  SHARE_TEXT_SIZE = 32,
};

/* ---- shared ---- */

static bool share_of(const struct report_figures *figures, double *share, double *score) {
  if (!report_on_time_share(figures, share))
    return false;
  *score = *share * 20.0;
  return true;
}

static void format_day(int64_t day, char *buffer, size_t size) {
  civil_format_date(day, buffer, size);
}

static const char *const grouping_heads[] = {
    [REPORT_BY_AGENCY] = "Cơ quan",
    [REPORT_BY_FIELD] = "Lĩnh vực",
    [REPORT_BY_PROCEDURE] = "Thủ tục",
    [REPORT_BY_CHANNEL] = "Kênh nộp",
};

/* The numeric columns of every format, in the 766 layout's order: Vietnamese head (the text
 * table splits it at '|' into two lines), and the value. */
enum column {
  COLUMN_CARRIED_OVER,
  COLUMN_IN_PERIOD,
  COLUMN_ONLINE,
  COLUMN_DIRECT,
  COLUMN_POSTAL,
  COLUMN_OTHER,
  COLUMN_DONE,
  COLUMN_EARLY,
  COLUMN_ON_TIME,
  COLUMN_LATE,
  COLUMN_PROGRESS,
  COLUMN_PROGRESS_ON_TIME,
  COLUMN_OVERDUE,
  COLUMN_WITHDRAWN,
  COLUMN_UNCLASSIFIED,
  COLUMN_SHARE,
  COLUMN_SCORE,
  COLUMN_LETTERS,
  COLUMN_WITHOUT_LETTER,
  COLUMN_MISSED,
  COLUMN_COUNT
};
_Static_assert((int)COLUMN_COUNT == (int)REPORT_COLUMN_COUNT, "report.h counts the columns");
_Static_assert((int)SHARE_TEXT_SIZE == (int)REPORT_CELL_SIZE, "report.h sizes a cell");
_Static_assert((int)COLUMN_SHARE == (int)REPORT_COLUMN_SHARE, "report.h names the share");

static const char *const column_heads[COLUMN_COUNT] = {
    [COLUMN_CARRIED_OVER] = "Tiếp nhận|kỳ trước",
    [COLUMN_IN_PERIOD] = "Tiếp nhận|trong kỳ",
    [COLUMN_ONLINE] = "Trực|tuyến",
    [COLUMN_DIRECT] = "Trực|tiếp",
    [COLUMN_POSTAL] = "Bưu|chính",
    [COLUMN_OTHER] = "Kênh|khác",
    [COLUMN_DONE] = "Đã giải|quyết",
    [COLUMN_EARLY] = "Trước|hạn",
    [COLUMN_ON_TIME] = "Đúng|hạn",
    [COLUMN_LATE] = "Trễ|hạn",
    [COLUMN_PROGRESS] = "Đang giải|quyết",
    [COLUMN_PROGRESS_ON_TIME] = "Trong|hạn",
    [COLUMN_OVERDUE] = "Quá|hạn",
    [COLUMN_WITHDRAWN] = "Rút,|từ chối",
    [COLUMN_UNCLASSIFIED] = "Chưa phân|loại",
    [COLUMN_SHARE] = "Tỷ lệ|đúng hạn",
    [COLUMN_SCORE] = "Điểm|tiến độ",
    [COLUMN_LETTERS] = "Phiếu|xin lỗi",
    [COLUMN_WITHOUT_LETTER] = "Trễ chưa|có phiếu",
    [COLUMN_MISSED] = "Trễ|hẹn lại",
};

/* The value of a count column; false for the share and score. */
static bool column_count(const struct report_group *group, enum column column, int64_t *value) {
  const struct report_figures *figures = &group->figures;
  switch (column) {
  case COLUMN_CARRIED_OVER:
    *value = figures->carried_over;
    return true;
  case COLUMN_IN_PERIOD:
    *value = report_in_period(figures);
    return true;
  case COLUMN_ONLINE:
    *value = figures->received_online;
    return true;
  case COLUMN_DIRECT:
    *value = figures->received_direct;
    return true;
  case COLUMN_POSTAL:
    *value = figures->received_postal;
    return true;
  case COLUMN_OTHER:
    *value = figures->received_other;
    return true;
  case COLUMN_DONE:
    *value = report_done(figures);
    return true;
  case COLUMN_EARLY:
    *value = figures->done_early;
    return true;
  case COLUMN_ON_TIME:
    *value = figures->done_on_time;
    return true;
  case COLUMN_LATE:
    *value = figures->done_late;
    return true;
  case COLUMN_PROGRESS:
    *value = report_in_progress(figures);
    return true;
  case COLUMN_PROGRESS_ON_TIME:
    *value = figures->progress_on_time;
    return true;
  case COLUMN_OVERDUE:
    *value = figures->progress_overdue;
    return true;
  case COLUMN_WITHDRAWN:
    *value = figures->withdrawn;
    return true;
  case COLUMN_UNCLASSIFIED:
    *value = figures->unclassified;
    return true;
  case COLUMN_LETTERS:
    *value = figures->letters;
    return true;
  case COLUMN_WITHOUT_LETTER:
    *value = (int64_t)group->late_without_letter.count;
    return true;
  case COLUMN_MISSED:
    *value = figures->missed_new_date;
    return true;
  case COLUMN_SHARE:
  case COLUMN_SCORE:
  case COLUMN_COUNT:
  default:
    return false;
  }
}

/* A cell as text: counts in decimal; the share and score with `decimal` as the separator
 * ("42,86%" and "8,57" for a reader, "0.4286" and "8.57" for a program), `undefined` when the
 * row has nothing to judge. */
static void column_text(const struct report_group *group, enum column column, bool for_reader,
                        const char *undefined, char text[SHARE_TEXT_SIZE]) {
  int64_t count;
  if (column_count(group, column, &count)) {
    snprintf(text, SHARE_TEXT_SIZE, "%" PRId64, count);
    return;
  }
  double share, score;
  if (!share_of(&group->figures, &share, &score)) {
    snprintf(text, SHARE_TEXT_SIZE, "%s", undefined);
    return;
  }
  if (column == COLUMN_SHARE)
    snprintf(text, SHARE_TEXT_SIZE, for_reader ? "%.2f%%" : "%.4f",
             for_reader ? share * 100.0 : share);
  else
    snprintf(text, SHARE_TEXT_SIZE, "%.2f", score);
  if (for_reader) {
    char *point = strchr(text, '.');
    if (point != NULL)
      *point = ',';
  }
}

const char *report_column_head(size_t column) {
  return column < COLUMN_COUNT ? column_heads[column] : "";
}

void report_cell_text(const struct report_group *group, size_t column, const char *undefined,
                      char text[REPORT_CELL_SIZE]) {
  if (column >= COLUMN_COUNT) {
    text[0] = '\0';
    return;
  }
  column_text(group, (enum column)column, true, undefined, text);
}

const char *report_grouping_head(enum report_grouping grouping) {
  return grouping_heads[grouping];
}

/* ---- text ---- */

static size_t text_width(const char *text) {
  return text_column_width(text, strlen(text));
}

/* The label as the table shows it: cut to LABEL_WIDTH columns with an ellipsis. */
static void short_label(const char *label, char *out, size_t size) {
  if (text_width(label) <= LABEL_WIDTH) {
    snprintf(out, size, "%s", label);
    return;
  }
  size_t keep = text_column_fitting_bytes(label, LABEL_WIDTH - 1);
  snprintf(out, size, "%.*s…", (int)keep, label);
}

struct text_layout {
  size_t key_width, label_width;
  size_t widths[COLUMN_COUNT];
};

static void head_line(const char *head, int line, const char **start, size_t *length) {
  const char *bar = strchr(head, '|');
  if (line == 0) {
    *start = head;
    *length = bar != NULL ? (size_t)(bar - head) : strlen(head);
  } else {
    *start = bar != NULL ? bar + 1 : "";
    *length = strlen(*start);
  }
}

static void measure_group(const struct report_group *group, struct text_layout *layout) {
  char label[LABEL_WIDTH * 4 + 8];
  short_label(group->label, label, sizeof label);
  if (text_width(group->key) > layout->key_width)
    layout->key_width = text_width(group->key);
  if (text_width(label) > layout->label_width)
    layout->label_width = text_width(label);
  for (int column = 0; column < COLUMN_COUNT; column++) {
    char text[SHARE_TEXT_SIZE];
    column_text(group, (enum column)column, true, "-", text);
    if (text_width(text) > layout->widths[column])
      layout->widths[column] = text_width(text);
  }
}

static void text_row(struct buffer *out, const struct text_layout *layout,
                     const struct report_group *group) {
  char label[LABEL_WIDTH * 4 + 8];
  short_label(group->label, label, sizeof label);
  text_column_add(out, group->key, strlen(group->key), layout->key_width, false);
  buffer_add(out, "  ");
  text_column_add(out, label, strlen(label), layout->label_width, false);
  for (int column = 0; column < COLUMN_COUNT; column++) {
    char text[SHARE_TEXT_SIZE];
    column_text(group, (enum column)column, true, "-", text);
    buffer_add(out, "  ");
    text_column_add(out, text, strlen(text), layout->widths[column], true);
  }
  buffer_add(out, "\n");
}

static void text_rule(struct buffer *out, const struct text_layout *layout) {
  size_t width = layout->key_width + 2 + layout->label_width;
  for (int column = 0; column < COLUMN_COUNT; column++)
    width += 2 + layout->widths[column];
  for (size_t i = 0; i < width; i++)
    buffer_add(out, "-");
  buffer_add(out, "\n");
}

static void text_codes(struct buffer *out, const struct report_codes *codes) {
  for (size_t i = 0; i < codes->count; i++) {
    buffer_add(out, i == 0 ? "" : ", ");
    buffer_add(out, codes->codes[i]);
  }
}

static void format_period(const struct report *report, struct buffer *out, const char *separator) {
  char from[16], to[16];
  format_day(report->period.from_day, from, sizeof from);
  format_day(report->period.to_day, to, sizeof to);
  buffer_add_format(out, "%s%s%s", from, separator, to);
}

void report_format_text(const struct report *report, struct buffer *out) {
  buffer_add(out, "BÁO CÁO TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH\n");
  buffer_add(out, "Kỳ báo cáo: ");
  format_period(report, out, " đến ");
  buffer_add_format(out, "\nTheo: %s\n", grouping_heads[report->grouping]);
  if (report->agency != NULL)
    buffer_add_format(out, "Cơ quan: %s\n", report->agency);
  buffer_add(out, "\n");
  struct text_layout layout = {.key_width = text_width("Mã"),
                               .label_width = text_width(grouping_heads[report->grouping])};
  for (int column = 0; column < COLUMN_COUNT; column++) {
    const char *start;
    size_t length;
    for (int line = 0; line < 2; line++) {
      head_line(column_heads[column], line, &start, &length);
      if (text_column_width(start, length) > layout.widths[column])
        layout.widths[column] = text_column_width(start, length);
    }
  }
  for (size_t i = 0; i < report->group_count; i++)
    measure_group(&report->groups[i], &layout);
  measure_group(&report->total, &layout);
  for (int line = 0; line < 2; line++) {
    const char *key_head = line == 0 ? "Mã" : "";
    const char *label_head = line == 0 ? grouping_heads[report->grouping] : "";
    text_column_add(out, key_head, strlen(key_head), layout.key_width, false);
    buffer_add(out, "  ");
    text_column_add(out, label_head, strlen(label_head), layout.label_width, false);
    for (int column = 0; column < COLUMN_COUNT; column++) {
      const char *start;
      size_t length;
      head_line(column_heads[column], line, &start, &length);
      buffer_add(out, "  ");
      text_column_add(out, start, length, layout.widths[column], true);
    }
    buffer_add(out, "\n");
  }
  text_rule(out, &layout);
  for (size_t i = 0; i < report->group_count; i++)
    text_row(out, &layout, &report->groups[i]);
  text_rule(out, &layout);
  text_row(out, &layout, &report->total);
  buffer_add_format(out, "\nHồ sơ trễ hạn chưa có phiếu xin lỗi (%zu): ",
                    report->total.late_without_letter.count);
  if (report->total.late_without_letter.count == 0)
    buffer_add(out, "không có");
  text_codes(out, &report->total.late_without_letter);
  buffer_add(out, "\n\nGhi chú:\n");
  const char *const *notes = report_notes();
  for (size_t i = 0; notes[i] != NULL; i++)
    buffer_add_format(out, "%zu. %s\n", i + 1, notes[i]);
}

/* ---- CSV ---- */

static void csv_field(struct buffer *out, const char *text) {
  if (strpbrk(text, ",\"\r\n") == NULL) {
    buffer_add(out, text);
    return;
  }
  buffer_add(out, "\"");
  for (const char *cursor = text; *cursor != '\0'; cursor++) {
    if (*cursor == '"')
      buffer_add(out, "\"");
    buffer_append(out, cursor, 1);
  }
  buffer_add(out, "\"");
}

static void csv_row(struct buffer *out, const struct report_group *group) {
  csv_field(out, group->key);
  buffer_add(out, ",");
  csv_field(out, group->label);
  for (int column = 0; column < COLUMN_COUNT; column++) {
    char text[SHARE_TEXT_SIZE];
    column_text(group, (enum column)column, false, "", text);
    buffer_add(out, ",");
    buffer_add(out, text);
  }
  struct buffer codes = {0};
  for (size_t i = 0; i < group->late_without_letter.count; i++) {
    buffer_add(&codes, i == 0 ? "" : " ");
    buffer_add(&codes, group->late_without_letter.codes[i]);
  }
  buffer_add(out, ",");
  csv_field(out, codes.data != NULL ? codes.data : "");
  if (codes.failed)
    out->failed = true;
  buffer_free(&codes);
  buffer_add(out, "\r\n");
}

void report_format_csv(const struct report *report, struct buffer *out) {
  buffer_add(out, "Mã,");
  csv_field(out, grouping_heads[report->grouping]);
  for (int column = 0; column < COLUMN_COUNT; column++) {
    char head[64];
    const char *bar = strchr(column_heads[column], '|');
    snprintf(head, sizeof head, "%.*s %s", (int)(bar - column_heads[column]), column_heads[column],
             bar + 1);
    buffer_add(out, ",");
    csv_field(out, head);
  }
  buffer_add(out, ",Mã hồ sơ trễ hạn chưa có phiếu xin lỗi\r\n");
  for (size_t i = 0; i < report->group_count; i++)
    csv_row(out, &report->groups[i]);
  csv_row(out, &report->total);
}

/* ---- JSON ---- */

static void json_string(struct buffer *out, const char *text) {
  buffer_add(out, "\"");
  for (const unsigned char *cursor = (const unsigned char *)text; *cursor != '\0'; cursor++) {
    switch (*cursor) {
    case '"':
      buffer_add(out, "\\\"");
      break;
    case '\\':
      buffer_add(out, "\\\\");
      break;
    case '\n':
      buffer_add(out, "\\n");
      break;
    case '\r':
      buffer_add(out, "\\r");
      break;
    case '\t':
      buffer_add(out, "\\t");
      break;
    default:
      if (*cursor < 0x20 || *cursor == 0x7F)
        buffer_add_format(out, "\\u%04x", *cursor);
      else
        buffer_append(out, cursor, 1);
    }
  }
  buffer_add(out, "\"");
}

static void json_group(struct buffer *out, const struct report_group *group) {
  const struct report_figures *figures = &group->figures;
  buffer_add(out, "{\"key\":");
  json_string(out, group->key);
  buffer_add(out, ",\"label\":");
  json_string(out, group->label);
  buffer_add_format(out,
                    ",\"received\":{\"carried_over\":%" PRId64 ",\"in_period\":%" PRId64
                    ",\"online\":%" PRId64 ",\"direct\":%" PRId64 ",\"postal\":%" PRId64
                    ",\"other\":%" PRId64 "}",
                    figures->carried_over, report_in_period(figures), figures->received_online,
                    figures->received_direct, figures->received_postal, figures->received_other);
  buffer_add_format(out,
                    ",\"done\":{\"total\":%" PRId64 ",\"early\":%" PRId64 ",\"on_time\":%" PRId64
                    ",\"late\":%" PRId64 "}",
                    report_done(figures), figures->done_early, figures->done_on_time,
                    figures->done_late);
  buffer_add_format(
      out,
      ",\"in_progress\":{\"total\":%" PRId64 ",\"on_time\":%" PRId64 ",\"overdue\":%" PRId64 "}",
      report_in_progress(figures), figures->progress_on_time, figures->progress_overdue);
  buffer_add_format(out, ",\"withdrawn\":%" PRId64 ",\"unclassified\":%" PRId64, figures->withdrawn,
                    figures->unclassified);
  double share, score;
  if (share_of(figures, &share, &score))
    buffer_add_format(out, ",\"on_time_share\":%.4f,\"score\":%.2f", share, score);
  else
    buffer_add(out, ",\"on_time_share\":null,\"score\":null");
  buffer_add_format(out, ",\"letters\":%" PRId64 ",\"late_without_letter\":[", figures->letters);
  for (size_t i = 0; i < group->late_without_letter.count; i++) {
    if (i > 0)
      buffer_add(out, ",");
    json_string(out, group->late_without_letter.codes[i]);
  }
  buffer_add_format(out, "],\"missed_new_date\":%" PRId64 "}", figures->missed_new_date);
}

void report_format_json(const struct report *report, struct buffer *out) {
  char from[16], to[16];
  format_day(report->period.from_day, from, sizeof from);
  format_day(report->period.to_day, to, sizeof to);
  buffer_add_format(out, "{\"from\":\"%s\",\"to\":\"%s\",\"by\":\"%s\",\"agency\":", from, to,
                    report_grouping_name(report->grouping));
  if (report->agency != NULL)
    json_string(out, report->agency);
  else
    buffer_add(out, "null");
  buffer_add(out, ",\"groups\":[");
  for (size_t i = 0; i < report->group_count; i++) {
    if (i > 0)
      buffer_add(out, ",");
    json_group(out, &report->groups[i]);
  }
  buffer_add(out, "],\"total\":");
  json_group(out, &report->total);
  buffer_add(out, ",\"notes\":[");
  const char *const *notes = report_notes();
  for (size_t i = 0; notes[i] != NULL; i++) {
    if (i > 0)
      buffer_add(out, ",");
    json_string(out, notes[i]);
  }
  buffer_add(out, "]}\n");
}
