/*
 * page_overview.c: GET /, per agency the open dossiers on track, due soon and overdue (and
 * rescheduled, overdue again, paused), the letters waiting to be signed and this month's on-time
 * share, the same figure as `dunghen report` for the month so far (store/report.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "rules/report_rules.h"
#include "rules/ruleset.h"
#include "store/report.h"
#include "store/web_view.h"
#include "web/html.h"
#include "web/page_common.h"
#include "web/page_render.h"

/* A count that links to the list of those dossiers, coloured as its state. */
static void count_cell(struct buffer *out, const char *agency, const char *state, int64_t count) {
  const char *class_name = page_state_class(state);
  buffer_add(out, "<td class=\"number\">");
  if (count == 0) {
    buffer_add(out, "0</td>");
    return;
  }
  buffer_add(out, "<a class=\"count");
  if (class_name[0] != '\0')
    buffer_add_format(out, " %s", class_name);
  buffer_add_format(out, "\" href=\"/dossiers?state=%s", state);
  if (agency != NULL) {
    buffer_add(out, "&amp;agency=");
    html_url_parameter(out, agency);
  }
  buffer_add(out, "\">");
  html_count(out, count);
  buffer_add(out, "</a></td>");
}

static const struct report_group *month_group(const struct report *month, const char *agency) {
  if (month == NULL || agency == NULL)
    return NULL;
  for (size_t index = 0; index < month->group_count; index++)
    if (strcmp(month->groups[index].key, agency) == 0)
      return &month->groups[index];
  return NULL;
}

static void share_cell(struct buffer *out, const struct report_group *group) {
  char text[REPORT_CELL_SIZE];
  buffer_add(out, "<td class=\"number\">");
  if (group == NULL) {
    buffer_add(out, "-");
  } else {
    report_cell_text(group, REPORT_COLUMN_SHARE, "-", text);
    html_text(out, text);
  }
  buffer_add(out, "</td>");
}

void page_overview_render(const struct web_request *request,
                          const struct page_overview_model *model, struct buffer *out) {
  char now[PAGE_INSTANT_SIZE];
  page_format_instant(request->now, now);
  buffer_add(out, "<h1>Tổng quan</h1>\n<p>Hồ sơ đang giải quyết, số liệu lúc ");
  html_text(out, now);
  buffer_add(out, ". Tỷ lệ đúng hạn tính từ đầu tháng đến nay, như báo cáo tiến độ.</p>\n");
  const struct web_view_counts *counts = model->counts;
  if (counts->count == 0) {
    buffer_add(out, "<p class=\"notice\">Chưa có hồ sơ nào đang giải quyết.</p>\n");
    return;
  }
  buffer_add(out, "<table class=\"overview\">\n<thead><tr><th>Cơ quan</th>"
                  "<th class=\"number\">Trong hạn</th><th class=\"number\">Sắp đến hạn</th>"
                  "<th class=\"number\">Quá hạn</th><th class=\"number\">Đã hẹn lại</th>"
                  "<th class=\"number\">Trễ hẹn lại</th><th class=\"number\">Tạm dừng</th>"
                  "<th class=\"number\">Chưa phân loại</th>"
                  "<th class=\"number\">Phiếu xin lỗi chờ ký</th>"
                  "<th class=\"number\">Tỷ lệ đúng hạn tháng này</th></tr></thead>\n<tbody>\n");
  struct web_view_agency_counts total = {0};
  for (size_t index = 0; index < counts->count; index++) {
    const struct web_view_agency_counts *row = &counts->agencies[index];
    buffer_add(out, "<tr><th scope=\"row\">");
    html_text(out, page_agency_name(request, row->agency_code));
    buffer_add(out, "</th>");
    count_cell(out, row->agency_code, "on_track", row->on_track);
    count_cell(out, row->agency_code, "due_soon", row->due_soon);
    count_cell(out, row->agency_code, "overdue", row->overdue);
    count_cell(out, row->agency_code, "rescheduled", row->rescheduled);
    count_cell(out, row->agency_code, "overdue_again", row->overdue_again);
    count_cell(out, row->agency_code, "paused", row->paused);
    count_cell(out, row->agency_code, "flagged", row->flagged);
    buffer_add(out, "<td class=\"number\">");
    html_count(out, row->letters_waiting);
    buffer_add(out, "</td>");
    share_cell(out, month_group(model->month, row->agency_code));
    buffer_add(out, "</tr>\n");
    total.on_track += row->on_track;
    total.due_soon += row->due_soon;
    total.overdue += row->overdue;
    total.rescheduled += row->rescheduled;
    total.overdue_again += row->overdue_again;
    total.paused += row->paused;
    total.flagged += row->flagged;
    total.letters_waiting += row->letters_waiting;
  }
  buffer_add(out, "</tbody>\n");
  if (counts->count > 1) {
    buffer_add(out, "<tfoot><tr><th scope=\"row\">Tổng cộng</th>");
    count_cell(out, NULL, "on_track", total.on_track);
    count_cell(out, NULL, "due_soon", total.due_soon);
    count_cell(out, NULL, "overdue", total.overdue);
    count_cell(out, NULL, "rescheduled", total.rescheduled);
    count_cell(out, NULL, "overdue_again", total.overdue_again);
    count_cell(out, NULL, "paused", total.paused);
    count_cell(out, NULL, "flagged", total.flagged);
    buffer_add(out, "<td class=\"number\">");
    html_count(out, total.letters_waiting);
    buffer_add(out, "</td>");
    share_cell(out, model->month != NULL ? &model->month->total : NULL);
    buffer_add(out, "</tr></tfoot>\n");
  }
  buffer_add(out, "</table>\n");

  /* The same counts as bars: an agency with many overdue dossiers stands out at a glance. */
  struct html_chart_bar bars[32];
  size_t bar_count = counts->count < 32 ? counts->count : 32;
  for (size_t index = 0; index < bar_count; index++) {
    const struct web_view_agency_counts *row = &counts->agencies[index];
    bars[index] = (struct html_chart_bar){
        .label = page_agency_name(request, row->agency_code),
        .values = {(double)row->on_track, (double)row->due_soon,
                   (double)(row->overdue + row->rescheduled + row->overdue_again)},
    };
  }
  struct html_chart chart = {
      .title = "Hồ sơ đang giải quyết theo cơ quan",
      .series_names = {"Trong hạn", "Sắp đến hạn", "Quá hạn (kể cả đã hẹn lại, trễ hẹn lại)"},
      .series_classes = {"on-track", "due-soon", "overdue"},
      .series_count = 3,
      .bars = bars,
      .bar_count = bar_count,
  };
  buffer_add(out, "<h2>Hồ sơ đang giải quyết theo cơ quan</h2>\n");
  html_bar_chart(out, &chart);
}

/* This month so far, by agency, as `dunghen report --from FIRST --to TODAY` counts it. */
static enum status read_month(const struct web_request *request, struct report *month,
                              struct error *error) {
  int64_t today = civil_local_day(request->now);
  struct civil_date date = civil_date_from_days(today);
  struct report_query query = {
      .period = {.from_day = civil_days_from_date(date.year, date.month, 1), .to_day = today},
      .grouping = REPORT_BY_AGENCY,
      .agency = request->viewer != NULL ? request->viewer->agency_code : NULL,
  };
  enum status status = report_read(request->connection, &query, month, error);
  if (status == STATUS_OK && request->rules != NULL)
    status = report_apply_rules(month, &request->rules->rules->procedures,
                                &request->rules->agencies, error);
  return status;
}

enum status web_page_overview(const struct web_request *request, struct web_response *response,
                              struct error *error) {
  const char *agency = request->viewer != NULL ? request->viewer->agency_code : NULL;
  struct web_view_counts counts;
  enum status status = web_view_read_counts(request->connection, agency, &counts, error);
  if (status != STATUS_OK)
    return status;
  struct report month = {0};
  status = read_month(request, &month, error);
  if (status == STATUS_OK) {
    struct page_overview_model model = {.counts = &counts, .month = &month};
    page_begin(request, response, "Tổng quan", HTML_SECTION_OVERVIEW);
    page_overview_render(request, &model, &response->body);
    status = page_end(response, error);
  }
  report_free(&month);
  web_view_counts_free(&counts);
  return status;
}
