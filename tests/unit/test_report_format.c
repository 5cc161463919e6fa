/*
 * The progress report's renderings (core/report_format.c): the text table aligned by display
 * width with Vietnamese labels (precomposed and decomposed), CSV quoted as RFC 4180 says, and
 * the JSON shape with a null share where nothing was judged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/report.h"
#include "tap.h"

static char *copy(const char *text) {
  char *result = malloc(strlen(text) + 1);
  if (result != NULL)
    strcpy(result, text);
  return result;
}

static void add_group(struct report *report, const char *key, const char *label,
                      struct report_figures figures, const char *const *codes) {
  struct report_group *groups =
      realloc(report->groups, (report->group_count + 1) * sizeof *report->groups);
  if (groups == NULL)
    return;
  report->groups = groups;
  struct report_group *group = &groups[report->group_count++];
  memset(group, 0, sizeof *group);
  group->key = copy(key);
  group->label = copy(label);
  group->figures = figures;
  size_t count = 0;
  while (codes != NULL && codes[count] != NULL)
    count++;
  group->late_without_letter.codes = calloc(count + 1, sizeof(char *));
  for (size_t i = 0; i < count; i++)
    group->late_without_letter.codes[i] = copy(codes[i]);
  group->late_without_letter.count = count;
}

/* Two agencies (one named with decomposed accents, one with a comma and a quote in its name)
 * and one with nothing judged (a flagged dossier only). */
static void sample(struct report *report) {
  memset(report, 0, sizeof *report);
  report->period.from_day = civil_days_from_date(2025, 3, 1);
  report->period.to_day = civil_days_from_date(2025, 3, 31);
  report->grouping = REPORT_BY_AGENCY;
  static const char *const late[] = {"HS-1", "HS-2", NULL};
  add_group(report, "DLK-SNNMT", "Sở Nông nghiệp và Môi trường",
            (struct report_figures){.carried_over = 12,
                                    .received_online = 30,
                                    .received_direct = 100,
                                    .received_postal = 3,
                                    .done_early = 60,
                                    .done_on_time = 40,
                                    .done_late = 10,
                                    .progress_on_time = 30,
                                    .progress_overdue = 5,
                                    .letters = 7,
                                    .missed_new_date = 1},
            late);
  /* "Xã Ea Kar" with the accent of "Xã" decomposed (a + U+0303), and a comma and a quote. */
  add_group(report, "DLK-XA", "Xa\xcc\x83 Ea Kar, \"mo\xcc\x9bi\"",
            (struct report_figures){.received_direct = 1, .done_on_time = 1}, NULL);
  add_group(report, "ZZ", "Hồ sơ lỗi",
            (struct report_figures){.received_other = 1, .unclassified = 1}, NULL);
  struct error error;
  if (report_compute_total(report, &error) != STATUS_OK)
    tap_diagnostic("%s", error.message);
}

/* Display columns of a line: code points, combining marks (U+0300..U+036F) excepted. */
static size_t columns(const char *line, size_t length) {
  size_t width = 0;
  for (size_t i = 0; i < length; i++) {
    unsigned char byte = (unsigned char)line[i];
    if ((byte & 0xC0) == 0x80)
      continue;
    if (byte == 0xCC || (byte == 0xCD && (unsigned char)line[i + 1] <= 0xAF))
      continue;
    width++;
  }
  return width;
}

static void test_text(const struct report *report) {
  struct buffer out = {0};
  report_format_text(report, &out);
  tap_ok(!out.failed && out.data != NULL, "the text renders");
  if (out.data == NULL)
    return;
  tap_diagnostic("text:\n%s", out.data);
  tap_contains(out.data,
               "BÁO CÁO TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH\nKỳ báo cáo: 2025-03-01 đến "
               "2025-03-31\nTheo: Cơ quan\n",
               "the title, the period and the grouping head the text");
  /* Every line of the table, from the head to the total, is as wide as the rule. */
  const char *head = strstr(out.data, "\nMã");
  const char *end = strstr(out.data, "\n\nHồ sơ trễ hạn");
  tap_ok(head != NULL && end != NULL, "the table is there");
  if (head == NULL || end == NULL) {
    buffer_free(&out);
    return;
  }
  size_t width = 0, lines = 0;
  bool aligned = true;
  for (const char *line = head + 1; line < end;) {
    const char *next = strchr(line, '\n');
    size_t length = (size_t)(next - line);
    /* Trailing spaces are part of the width: cells are padded. */
    size_t here = columns(line, length);
    if (width == 0)
      width = here;
    if (here != width) {
      tap_diagnostic("line of %zu columns, not %zu: %.*s", here, width, (int)length, line);
      aligned = false;
    }
    lines++;
    line = next + 1;
  }
  tap_is_integer((long long)lines, 2 + 1 + 3 + 1 + 1, "two head lines, rules, three rows, total");
  tap_ok(aligned, "every line of the table takes %zu columns, decomposed accents included", width);
  tap_contains(out.data, "\nDLK-SNNMT  Sở Nông nghiệp và Môi trường  ",
               "the label follows the key, padded by display width");
  tap_contains(out.data, "  89,66%    17,93  ",
               "the share is a percentage and the score out of 20, with decimal commas");
  tap_contains(out.data, "Hồ sơ trễ hạn chưa có phiếu xin lỗi (2): HS-1, HS-2\n",
               "the late dossiers without a letter are listed, sorted");
  tap_contains(out.data, "\nGhi chú:\n1. Kỳ báo cáo tính từ 00:00", "the notes close it");
  buffer_free(&out);
}

static void test_csv(const struct report *report) {
  struct buffer out = {0};
  report_format_csv(report, &out);
  tap_ok(!out.failed && out.data != NULL, "the CSV renders");
  if (out.data == NULL)
    return;
  tap_is_string(
      strstr(out.data, "\r\n") != NULL ? (out.data[strcspn(out.data, "\r")] = '\0', out.data) : "",
      "Mã,Cơ quan,Tiếp nhận kỳ trước,Tiếp nhận trong kỳ,Trực tuyến,Trực tiếp,Bưu chính,"
      "Kênh khác,Đã giải quyết,Trước hạn,Đúng hạn,Trễ hạn,Đang giải quyết,Trong hạn,"
      "Quá hạn,\"Rút, từ chối\",Chưa phân loại,Tỷ lệ đúng hạn,Điểm tiến độ,"
      "Phiếu xin lỗi,Trễ chưa có phiếu,Trễ hẹn lại,"
      "Mã hồ sơ trễ hạn chưa có phiếu xin lỗi",
      "one header row in Vietnamese, a head with a comma quoted");
  const char *rows = out.data + strlen(out.data) + 2;
  tap_is_string(rows,
                "DLK-SNNMT,Sở Nông nghiệp và Môi trường,12,133,30,100,3,0,110,60,40,10,35,30,5,0,"
                "0,0.8966,17.93,7,2,1,HS-1 HS-2\r\n"
                "DLK-XA,\"Xa\xcc\x83 Ea Kar, \"\"mo\xcc\x9bi\"\"\",0,1,0,1,0,0,1,0,1,0,0,0,0,0,0,"
                "1.0000,20.00,0,0,0,\r\n"
                "ZZ,Hồ sơ lỗi,0,1,0,0,0,1,0,0,0,0,0,0,0,0,1,,,0,0,0,\r\n"
                "total,Tổng cộng,12,135,30,101,3,1,111,60,41,10,35,30,5,0,1,0.8973,17.95,7,2,1,"
                "HS-1 HS-2\r\n",
                "rows end in CRLF, quotes are doubled inside quoted fields, an undefined share is"
                " empty");
  buffer_free(&out);
}

static void test_json(struct report *report) {
  struct buffer out = {0};
  free(report->agency);
  report->agency = copy("DLK-\"X\"\\\n");
  report_format_json(report, &out);
  tap_ok(!out.failed && out.data != NULL, "the JSON renders");
  if (out.data == NULL)
    return;
  tap_contains(out.data,
               "{\"from\":\"2025-03-01\",\"to\":\"2025-03-31\",\"by\":\"agency\","
               "\"agency\":\"DLK-\\\"X\\\"\\\\\\n\",\"groups\":[{\"key\":\"DLK-SNNMT\","
               "\"label\":\"Sở Nông nghiệp và Môi trường\",\"received\":{\"carried_over\":12,"
               "\"in_period\":133,\"online\":30,\"direct\":100,\"postal\":3,\"other\":0},"
               "\"done\":{\"total\":110,\"early\":60,\"on_time\":40,\"late\":10},"
               "\"in_progress\":{\"total\":35,\"on_time\":30,\"overdue\":5},\"withdrawn\":0,"
               "\"unclassified\":0,\"on_time_share\":0.8966,\"score\":17.93,\"letters\":7,"
               "\"late_without_letter\":[\"HS-1\",\"HS-2\"],\"missed_new_date\":1},",
               "the contract's shape, strings escaped, the share to 4 decimals and the score to 2");
  tap_contains(out.data,
               "{\"key\":\"ZZ\",\"label\":\"Hồ sơ lỗi\",\"received\":{\"carried_over\":0,"
               "\"in_period\":1,\"online\":0,\"direct\":0,\"postal\":0,\"other\":1},"
               "\"done\":{\"total\":0,\"early\":0,\"on_time\":0,\"late\":0},"
               "\"in_progress\":{\"total\":0,\"on_time\":0,\"overdue\":0},\"withdrawn\":0,"
               "\"unclassified\":1,\"on_time_share\":null,\"score\":null,\"letters\":0,"
               "\"late_without_letter\":[],\"missed_new_date\":0}],\"total\":{\"key\":\"total\","
               "\"label\":\"Tổng cộng\",",
               "a row with nothing judged has a null share and score");
  tap_contains(out.data, "\"label\":\"Xa\xcc\x83 Ea Kar, \\\"mo\xcc\x9bi\\\"\"",
               "quotes in a label are escaped, UTF-8 passes as it is");
  tap_contains(out.data, "},\"notes\":[\"Kỳ báo cáo tính từ 00:00", "the notes follow the total");
  size_t length = strlen(out.data);
  tap_ok(length > 4 && strcmp(out.data + length - 4, "\"]}\n") == 0,
         "the document ends after the notes, with a newline");
  buffer_free(&out);
}

int main(void) {
  struct report report;
  sample(&report);
  double share = 0;
  tap_ok(report_on_time_share(&report.total.figures, &share) && share > 0.8972 && share < 0.8973,
         "the total's share is (60 + 41 + 30) / (111 + 35) = 0.89726");
  test_text(&report);
  test_csv(&report);
  test_json(&report);
  report_free(&report);
  return tap_finish();
}
