/*
 * page_report.c: GET /report?from=&to=&by=&format=, the period's progress figures exactly as
 * `dunghen report` gives them (store/report.h counts, rules/report_rules.h labels and totals):
 * an HTML table with the 766 layout's columns (core/report.h) and an inline SVG chart, a GET
 * form to change the period, and the CSV (core/report_format.c) and PDF (letter/report_pdf.h)
 * downloads. The period defaults to the current month so far; an agency's official sees only
 * that agency's figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/report.h"
#include "letter/report_pdf.h"
#include "rules/report_rules.h"
#include "rules/ruleset.h"
#include "store/report.h"
#include "web/html.h"
#include "web/page_common.h"
#include "web/page_render.h"

static void head_cell(struct buffer *out, const char *head) {
  buffer_add(out, "<th class=\"number\" scope=\"col\">");
  const char *split = strchr(head, '|');
  if (split == NULL) {
    html_text(out, head);
  } else {
    html_text_length(out, head, (size_t)(split - head));
    buffer_add(out, "<br>");
    html_text(out, split + 1);
  }
  buffer_add(out, "</th>");
}

static void group_row(struct buffer *out, const struct report_group *group, bool total) {
  buffer_add(out, total ? "<tr class=\"total\"><th scope=\"row\">" : "<tr><td>");
  html_text(out, total ? "" : group->key);
  buffer_add(out, total ? "</th><th scope=\"row\">" : "</td><td>");
  html_text(out, group->label);
  buffer_add(out, total ? "</th>" : "</td>");
  for (size_t column = 0; column < REPORT_COLUMN_COUNT; column++) {
    char text[REPORT_CELL_SIZE];
    report_cell_text(group, column, "-", text);
    buffer_add(out, "<td class=\"number\">");
    html_text(out, text);
    buffer_add(out, "</td>");
  }
  buffer_add(out, "</tr>\n");
}

static void download_link(struct buffer *out, const struct page_report_model *model,
                          const char *format, const char *label) {
  buffer_add(out, "<a href=\"/report?from=");
  html_url_parameter(out, model->from);
  buffer_add(out, "&amp;to=");
  html_url_parameter(out, model->to);
  buffer_add(out, "&amp;by=");
  html_url_parameter(out, model->by);
  buffer_add_format(out, "&amp;format=%s\">%s</a>", format, label);
}

static void render_form(const struct page_report_model *model, struct buffer *out) {
  static const char *const groupings[][2] = {
      {"agency", "Cơ quan"},
      {"field", "Lĩnh vực"},
      {"procedure", "Thủ tục"},
      {"channel", "Kênh nộp"},
  };
  buffer_add(out, "<form class=\"filters\" method=\"get\" action=\"/report\">\n"
                  "<label>Từ ngày<input type=\"date\" name=\"from\" required value=\"");
  html_attribute(out, model->from);
  buffer_add(out, "\"></label>\n<label>Đến ngày<input type=\"date\" name=\"to\" required value=\"");
  html_attribute(out, model->to);
  buffer_add(out, "\"></label>\n<label>Theo<select name=\"by\">\n");
  for (size_t index = 0; index < sizeof groupings / sizeof groupings[0]; index++)
    buffer_add_format(out, "<option value=\"%s\"%s>%s</option>\n", groupings[index][0],
                      strcmp(model->by, groupings[index][0]) == 0 ? " selected" : "",
                      groupings[index][1]);
  buffer_add(out, "</select></label>\n<button type=\"submit\">Xem báo cáo</button>\n</form>\n");
}

void page_report_render(const struct web_request *request, const struct page_report_model *model,
                        struct buffer *out) {
  const struct report *report = model->report;
  char from[PAGE_DAY_SIZE], to[PAGE_DAY_SIZE];
  page_format_day(report->period.from_day, from);
  page_format_day(report->period.to_day, to);
  buffer_add(out, "<h1>Báo cáo tiến độ giải quyết hồ sơ thủ tục hành chính</h1>\n");
  render_form(model, out);
  buffer_add(out, "<p>Kỳ báo cáo: từ ");
  html_text(out, from);
  buffer_add(out, " đến ");
  html_text(out, to);
  buffer_add(out, " (cả hai ngày)");
  if (report->agency != NULL) {
    buffer_add(out, ". Cơ quan: ");
    html_text(out, page_agency_name(request, report->agency));
  }
  buffer_add(out, ". Tải về: ");
  download_link(out, model, "csv", "CSV");
  buffer_add(out, " · ");
  download_link(out, model, "pdf", "PDF");
  buffer_add(out, "</p>\n<div class=\"table-scroll\"><table class=\"report\">\n<thead><tr>"
                  "<th scope=\"col\">Mã</th><th scope=\"col\">");
  html_text(out, report_grouping_head(report->grouping));
  buffer_add(out, "</th>");
  for (size_t column = 0; column < REPORT_COLUMN_COUNT; column++)
    head_cell(out, report_column_head(column));
  buffer_add(out, "</tr></thead>\n<tbody>\n");
  for (size_t index = 0; index < report->group_count; index++)
    group_row(out, &report->groups[index], false);
  buffer_add(out, "</tbody>\n<tfoot>\n");
  group_row(out, &report->total, true);
  buffer_add(out, "</tfoot>\n</table></div>\n");

  enum { CHART_BARS = 40 };
  struct html_chart_bar bars[CHART_BARS];
  size_t bar_count = report->group_count < CHART_BARS ? report->group_count : CHART_BARS;
  for (size_t index = 0; index < bar_count; index++) {
    const struct report_figures *figures = &report->groups[index].figures;
    bars[index] = (struct html_chart_bar){
        .label = report->groups[index].label,
        .values = {(double)(figures->done_early + figures->done_on_time),
                   (double)figures->progress_on_time, (double)figures->progress_overdue,
                   (double)figures->done_late},
    };
  }
  struct html_chart chart = {
      .title = "Hồ sơ đã và đang giải quyết trong kỳ",
      .series_names = {"Đã giải quyết trước hạn, đúng hạn", "Đang giải quyết trong hạn",
                       "Đang giải quyết quá hạn", "Đã giải quyết trễ hạn"},
      .series_classes = {"on-track", "neutral", "due-soon", "overdue"},
      .series_count = 4,
      .bars = bars,
      .bar_count = bar_count,
  };
  buffer_add(out, "<h2>Hồ sơ đã và đang giải quyết trong kỳ</h2>\n");
  if (bar_count == 0)
    buffer_add(out, "<p>Kỳ này không có hồ sơ nào.</p>\n");
  else
    html_bar_chart(out, &chart);
  if (report->group_count > CHART_BARS)
    buffer_add_format(out, "<p>Biểu đồ chỉ vẽ %d nhóm đầu; bảng trên có đủ.</p>\n", CHART_BARS);

  const struct report_codes *late = &report->total.late_without_letter;
  buffer_add_format(out, "<h2>Hồ sơ trễ hạn chưa có phiếu xin lỗi (%zu)</h2>\n", late->count);
  if (late->count == 0) {
    buffer_add(out, "<p>Không có.</p>\n");
  } else {
    buffer_add(out, "<ul class=\"codes\">\n");
    for (size_t index = 0; index < late->count; index++) {
      buffer_add(out, "<li><a href=\"/dossiers/");
      html_url_parameter(out, late->codes[index]);
      buffer_add(out, "\">");
      html_text(out, late->codes[index]);
      buffer_add(out, "</a></li>\n");
    }
    buffer_add(out, "</ul>\n");
  }
  buffer_add(out, "<h2>Ghi chú</h2>\n<ol class=\"notes\">\n");
  const char *const *notes = report_notes();
  for (size_t index = 0; notes[index] != NULL; index++) {
    buffer_add(out, "<li>");
    html_text(out, notes[index]);
    buffer_add(out, "</li>\n");
  }
  buffer_add(out, "</ol>\n");
}

/* ---- the handler ---- */

static bool parse_day(const char *text, int64_t *day) {
  struct civil_date date;
  if (text == NULL || strlen(text) != 10 || civil_parse_date(text, &date, NULL) != STATUS_OK)
    return false;
  *day = civil_days_from_date(date.year, date.month, date.day);
  return true;
}

static enum status render_download(const struct web_request *request, const struct report *report,
                                   const char *format, struct web_response *response,
                                   const char *from, const char *to, struct error *error) {
  buffer_reset(&response->body);
  response->status = 200;
  if (strcmp(format, "csv") == 0) {
    response->content_type = "text/csv; charset=utf-8";
    report_format_csv(report, &response->body);
    snprintf(response->filename, sizeof response->filename, "bao-cao-%s-%s.csv", from, to);
  } else {
    const struct agency *issuer = NULL;
    const struct agency_table *agencies = &request->rules->agencies;
    if (report->agency != NULL)
      issuer = agencies_find(agencies, report->agency);
    if (issuer == NULL && agencies->count > 0)
      issuer = &agencies->agencies[0];
    if (issuer == NULL)
      return page_refuse(request, response, 404,
                         "Không có cơ quan nào trong agencies.yaml để đứng tên báo cáo PDF.",
                         error);
    struct report_pdf_input input = {
        .report = report, .issuer = issuer, .day = civil_local_day(request->now)};
    unsigned char *data = NULL;
    size_t size = 0;
    enum status status = report_pdf_render(&input, NULL, &data, &size, error);
    if (status != STATUS_OK)
      return error_prefix(error, "the report's PDF");
    buffer_append(&response->body, data, size);
    free(data);
    response->content_type = "application/pdf";
    snprintf(response->filename, sizeof response->filename, "bao-cao-%s-%s.pdf", from, to);
  }
  if (response->body.failed)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report");
  return STATUS_OK;
}

enum status web_page_report(const struct web_request *request, struct web_response *response,
                            struct error *error) {
  char default_from[16], default_to[16];
  int64_t today = civil_local_day(request->now);
  struct civil_date date = civil_date_from_days(today);
  civil_format_date(civil_days_from_date(date.year, date.month, 1), default_from,
                    sizeof default_from);
  civil_format_date(today, default_to, sizeof default_to);
  const char *from = web_parameter(request, "from");
  const char *to = web_parameter(request, "to");
  const char *by = web_parameter(request, "by");
  const char *format = web_parameter(request, "format");
  struct page_report_model model = {
      .from = from != NULL && from[0] != '\0' ? from : default_from,
      .to = to != NULL && to[0] != '\0' ? to : default_to,
      .by = by != NULL && by[0] != '\0' ? by : "agency",
  };
  struct report_query query = {.agency =
                                   request->viewer != NULL ? request->viewer->agency_code : NULL};
  if (!parse_day(model.from, &query.period.from_day))
    return page_refuse(request, response, 400, "Ngày bắt đầu phải có dạng NNNN-TT-NN.", error);
  if (!parse_day(model.to, &query.period.to_day))
    return page_refuse(request, response, 400, "Ngày kết thúc phải có dạng NNNN-TT-NN.", error);
  if (query.period.from_day > query.period.to_day)
    return page_refuse(request, response, 400, "Kỳ báo cáo trống: ngày bắt đầu sau ngày kết thúc.",
                       error);
  if (report_grouping_parse(model.by, &query.grouping, NULL) != STATUS_OK)
    return page_refuse(request, response, 400,
                       "Cách nhóm (by) là agency, field, procedure hoặc channel.", error);
  if (format != NULL && format[0] != '\0' && strcmp(format, "html") != 0 &&
      strcmp(format, "csv") != 0 && strcmp(format, "pdf") != 0)
    return page_refuse(request, response, 400, "Định dạng (format) là html, csv hoặc pdf.", error);
  if (request->rules == NULL)
    return error_set(error, STATUS_RUNTIME, "the report needs the rules");
  struct report report = {0};
  enum status status = report_read(request->connection, &query, &report, error);
  if (status == STATUS_OK)
    status = report_apply_rules(&report, &request->rules->rules->procedures,
                                &request->rules->agencies, error);
  if (status == STATUS_OK) {
    if (format != NULL && (strcmp(format, "csv") == 0 || strcmp(format, "pdf") == 0)) {
      status = render_download(request, &report, format, response, model.from, model.to, error);
    } else {
      model.report = &report;
      page_begin(request, response, "Báo cáo", HTML_SECTION_REPORT);
      page_report_render(request, &model, &response->body);
      status = page_end(response, error);
    }
  }
  report_free(&report);
  return status;
}
