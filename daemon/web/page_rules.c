/*
 * page_rules.c: GET /rules?year=, the rules the deadlines come from: the year's working-day
 * calendar as twelve month grids (days off on working weekdays and worked weekend days marked,
 * each with its reason and source in a title and in the list under the grids) and the
 * procedures with the durations of every version and their sources (rules/ruleset.h). Read
 * from the loaded rules only: no database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/civil.h"
#include "core/procedure.h"
#include "rules/ruleset.h"
#include "web/html.h"
#include "web/page_common.h"
#include "web/page_render.h"

static const char *const month_names[12] = {
    "Tháng 1", "Tháng 2", "Tháng 3", "Tháng 4",  "Tháng 5",  "Tháng 6",
    "Tháng 7", "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12",
};

/* The calendar's reasons read "reason — source" (rules/calendar_rules.c): the two apart. */
static void split_reason(const char *text, const char **reason_end, const char **source) {
  static const char separator[] = " — ";
  const char *found = strstr(text, separator);
  *reason_end = found != NULL ? found : text + strlen(text);
  *source = found != NULL ? found + sizeof separator - 1 : NULL;
}

/* A day that differs from the weekly pattern: off on a working weekday, or a worked rest day. */
static bool is_marked(const struct calendar *calendar, int64_t day) {
  return calendar_is_working_day(calendar, day) !=
         calendar_weekday_working(calendar, (int)civil_weekday(day));
}

static void render_month(const struct calendar *calendar, int year, int month, struct buffer *out) {
  int64_t first = civil_days_from_date(year, month, 1);
  int days = civil_days_in_month(year, month);
  buffer_add(out, "<section class=\"month\">\n<table>\n<caption>");
  buffer_add_format(out, "%s/%d", month_names[month - 1], year);
  buffer_add(out, "</caption>\n<thead><tr><th abbr=\"Thứ Hai\">T2</th><th abbr=\"Thứ Ba\">T3</th>"
                  "<th abbr=\"Thứ Tư\">T4</th><th abbr=\"Thứ Năm\">T5</th>"
                  "<th abbr=\"Thứ Sáu\">T6</th><th abbr=\"Thứ Bảy\">T7</th>"
                  "<th abbr=\"Chủ Nhật\">CN</th></tr></thead>\n<tbody>\n<tr>");
  int column = (int)civil_weekday(first); /* 0 = Monday */
  for (int blank = 0; blank < column; blank++)
    buffer_add(out, "<td></td>");
  for (int day_of_month = 1; day_of_month <= days; day_of_month++) {
    int64_t day = first + day_of_month - 1;
    bool working = calendar_is_working_day(calendar, day);
    bool marked = is_marked(calendar, day);
    const char *class_name = marked ? (working ? "worked" : "off") : working ? NULL : "weekend";
    buffer_add(out, "<td");
    if (class_name != NULL)
      buffer_add_format(out, " class=\"%s\"", class_name);
    const char *reason = marked ? calendar_reason(calendar, day) : NULL;
    if (reason != NULL) {
      buffer_add(out, " title=\"");
      html_attribute(out, reason);
      buffer_add(out, "\"");
    }
    buffer_add_format(out, ">%d</td>", day_of_month);
    if (++column == 7 && day_of_month < days) {
      buffer_add(out, "</tr>\n<tr>");
      column = 0;
    }
  }
  for (; column < 7 && column > 0; column++)
    buffer_add(out, "<td></td>");
  buffer_add(out, "</tr>\n</tbody>\n</table>\n</section>\n");
}

static void render_marked_days(const struct calendar *calendar, int year, struct buffer *out) {
  int64_t first = civil_days_from_date(year, 1, 1), last = civil_days_from_date(year, 12, 31);
  buffer_add(out, "<h2>Ngày nghỉ và ngày làm bù</h2>\n<table class=\"days\">\n<thead><tr>"
                  "<th>Ngày</th><th>Loại</th><th>Lý do</th><th>Căn cứ</th></tr></thead>\n"
                  "<tbody>\n");
  size_t count = 0;
  for (int64_t day = first; day <= last; day++) {
    if (!is_marked(calendar, day))
      continue;
    count++;
    char date[PAGE_DAY_SIZE];
    page_format_day(day, date);
    bool working = calendar_is_working_day(calendar, day);
    const char *reason = calendar_reason(calendar, day);
    const char *reason_end, *source;
    split_reason(reason != NULL ? reason : "", &reason_end, &source);
    buffer_add_format(out, "<tr><td>%s</td><td><span class=\"badge %s\">%s</span></td><td>", date,
                      working ? "neutral" : "overdue", working ? "Làm bù" : "Nghỉ");
    if (reason != NULL)
      html_text_length(out, reason, (size_t)(reason_end - reason));
    buffer_add(out, "</td><td>");
    html_text(out, source != NULL ? source : "");
    buffer_add(out, "</td></tr>\n");
  }
  buffer_add(out, "</tbody>\n</table>\n");
  if (count == 0)
    buffer_add(out, "<p>Năm này không có ngày nào khác lịch tuần.</p>\n");
}

/* "3 ngày làm việc", "16 giờ làm việc", "30 ngày" for a duration. */
static void duration_words(struct buffer *out, const struct duration *duration) {
  switch (duration->unit) {
  case UNIT_WORKING_HOURS:
    buffer_add_format(out, "%lld giờ làm việc", (long long)duration->amount);
    break;
  case UNIT_CALENDAR_DAYS:
    buffer_add_format(out, "%lld ngày", (long long)duration->amount);
    break;
  case UNIT_WORKING_DAYS:
  default:
    if (duration->amount == 0)
      buffer_add(out, "trong ngày");
    else
      buffer_add_format(out, "%lld ngày làm việc", (long long)duration->amount);
    break;
  }
}

static void render_version(const struct procedure *procedure,
                           const struct procedure_version *version, bool first,
                           struct buffer *out) {
  buffer_add(out, "<tr>");
  if (first) {
    buffer_add_format(out, "<td rowspan=\"%zu\">", procedure->version_count);
    html_text(out, procedure->code);
    buffer_add_format(out, "</td><td rowspan=\"%zu\">", procedure->version_count);
    html_text(out, procedure->name);
    buffer_add_format(out, "</td><td rowspan=\"%zu\">", procedure->version_count);
    html_text(out, procedure->field);
    buffer_add(out, "</td>");
  }
  buffer_add(out, "<td>");
  char day[PAGE_DAY_SIZE];
  if (version->valid_from != INT64_MIN) {
    page_format_day(version->valid_from, day);
    buffer_add_format(out, "từ %s", day);
  }
  if (version->valid_until != INT64_MAX) {
    page_format_day(version->valid_until - 1, day);
    buffer_add_format(out, "%sđến %s", version->valid_from != INT64_MIN ? " " : "", day);
  }
  if (version->valid_from == INT64_MIN && version->valid_until == INT64_MAX)
    buffer_add(out, "mọi ngày");
  buffer_add(out, "</td>");
  for (int channel = 0; channel < CHANNEL_COUNT; channel++) {
    buffer_add(out, "<td class=\"when\">");
    duration_words(out, &version->durations[channel]);
    buffer_add(out, "</td>");
  }
  buffer_add(out, "<td class=\"how\">");
  buffer_add(out, version->counting == COUNTING_DAYS ? "theo ngày" : "theo giờ làm việc");
  if (version->cutoff != NO_CUTOFF)
    buffer_add_format(out, "; nhận sau %02d:%02d tính từ ngày làm việc sau", version->cutoff / 3600,
                      version->cutoff / 60 % 60);
  buffer_add(out, version->supplement == SUPPLEMENT_RESTART ? "; bổ sung hồ sơ: tính lại từ đầu"
                                                            : "; bổ sung hồ sơ: dừng tính");
  buffer_add(out, "</td><td>");
  html_text(out, version->source);
  if (version->confidence != NULL) {
    buffer_add(out, " <small>(chưa đối chiếu đủ hai nguồn: ");
    html_text(out, version->confidence);
    buffer_add(out, ")</small>");
  }
  buffer_add(out, "</td></tr>\n");
}

void page_rules_render(const struct web_request *request, int year, struct buffer *out) {
  const struct calendar *calendar = request->rules->rules->calendar;
  buffer_add_format(out, "<h1>Quy tắc tính thời hạn năm %d</h1>\n", year);
  buffer_add_format(out,
                    "<nav class=\"pages\" aria-label=\"Năm\"><a href=\"/rules?year=%d\">« Năm %d"
                    "</a><a href=\"/rules?year=%d\">Năm %d »</a></nav>\n",
                    year - 1, year - 1, year + 1, year + 1);
  buffer_add(out, "<h2>Lịch làm việc</h2>\n<ul class=\"legend\"><li><span class=\"off\">"
                  "</span>Ngày nghỉ (lễ, Tết, nghỉ bù, hoán đổi)</li><li><span class=\"worked\">"
                  "</span>Thứ Bảy, Chủ Nhật làm bù</li></ul>\n<div class=\"months\">\n");
  for (int month = 1; month <= 12; month++)
    render_month(calendar, year, month, out);
  buffer_add(out, "</div>\n");
  render_marked_days(calendar, year, out);

  const struct procedure_table *procedures = &request->rules->rules->procedures;
  buffer_add_format(out, "<h2>Thủ tục và thời hạn giải quyết (%zu thủ tục)</h2>\n",
                    procedures->count);
  buffer_add(out, "<div class=\"table-scroll\"><table class=\"procedures\">\n<thead><tr>"
                  "<th>Mã</th><th>Tên thủ tục</th><th>Lĩnh vực</th><th>Hiệu lực</th>"
                  "<th>Trực tiếp</th><th>Trực tuyến</th><th>Bưu chính</th><th>Cách tính</th>"
                  "<th>Căn cứ</th></tr></thead>\n<tbody>\n");
  for (size_t index = 0; index < procedures->count; index++) {
    const struct procedure *procedure = &procedures->items[index];
    for (size_t version = 0; version < procedure->version_count; version++)
      render_version(procedure, &procedure->versions[version], version == 0, out);
  }
  buffer_add(out, "</tbody>\n</table></div>\n");
}

enum status web_page_rules(const struct web_request *request, struct web_response *response,
                           struct error *error) {
  int year = civil_date_from_days(civil_local_day(request->now)).year;
  const char *text = web_parameter(request, "year");
  if (text != NULL && text[0] != '\0') {
    char *end = NULL;
    long value = strtol(text, &end, 10);
    if (*end != '\0' || strlen(text) != 4 || value < CALENDAR_FIRST_YEAR ||
        value > CALENDAR_LAST_YEAR) {
      char message[160];
      snprintf(message, sizeof message, "Năm phải là một số từ %d đến %d.", CALENDAR_FIRST_YEAR,
               CALENDAR_LAST_YEAR);
      return page_refuse(request, response, 400, message, error);
    }
    year = (int)value;
  }
  if (request->rules == NULL)
    return error_set(error, STATUS_RUNTIME, "the rules page needs the rules");
  char title[32];
  snprintf(title, sizeof title, "Quy tắc %d", year);
  page_begin(request, response, title, HTML_SECTION_RULES);
  page_rules_render(request, year, &response->body);
  return page_end(response, error);
}
