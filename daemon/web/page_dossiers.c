/*
 * page_dossiers.c: GET /dossiers, the dossiers by working time left (soonest and most overdue
 * first), filtered by state, agency (the provincial office only), procedure and text (a code
 * prefix or part of the applicant's name), in keyset pages of PAGE_LIST_SIZE (store/web_view.h).
 *
 * The list shows no personal data (the applicant's name is on the dossier page, which is
 * audited), only codes, procedures, agencies, dates and the clock. The working time left is
 * counted by the calendar for the rows shown only.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/procedure.h"
#include "rules/ruleset.h"
#include "store/web_view.h"
#include "web/html.h"
#include "web/page_common.h"
#include "web/page_render.h"

/* The states the filter offers, in the order of a dossier's life. */
static const char *const filter_states[] = {
    "on_track", "due_soon",       "overdue",          "rescheduled",   "overdue_again", "paused",
    "flagged",  "finished_early", "finished_on_time", "finished_late", "closed",        NULL,
};

static bool known_state(const char *state) {
  if (strcmp(state, "open") == 0 || strcmp(state, "all") == 0)
    return true;
  for (size_t index = 0; filter_states[index] != NULL; index++)
    if (strcmp(filter_states[index], state) == 0)
      return true;
  return false;
}

void page_cursor_format(const struct web_view_list_row *row, struct buffer *out) {
  if (row->has_deadline)
    buffer_add_format(out, "%" PRId64 "_", row->deadline);
  else
    buffer_add(out, "none_");
  html_url_parameter(out, row->code);
}

bool page_cursor_parse(const char *text, struct web_view_cursor *cursor) {
  const char *separator = strchr(text, '_');
  if (separator == NULL || separator[1] == '\0')
    return false;
  memset(cursor, 0, sizeof *cursor);
  cursor->code = separator + 1;
  if (separator - text == 4 && strncmp(text, "none", 4) == 0) {
    cursor->none = true;
    return true;
  }
  const char *digit = text;
  if (*digit == '-')
    digit++;
  if (digit == separator || separator - text > 20)
    return false;
  for (; digit < separator; digit++)
    if (!isdigit((unsigned char)*digit))
      return false;
  errno = 0;
  cursor->deadline = strtoll(text, NULL, 10);
  return errno == 0;
}

static void option(struct buffer *out, const char *value, const char *label, const char *chosen) {
  buffer_add(out, "<option value=\"");
  html_attribute(out, value);
  buffer_add(out, "\"");
  if (chosen != NULL && strcmp(chosen, value) == 0)
    buffer_add(out, " selected");
  buffer_add(out, ">");
  html_text(out, label);
  buffer_add(out, "</option>\n");
}

static void render_filters(const struct web_request *request,
                           const struct page_list_filters *filters, struct buffer *out) {
  buffer_add(out, "<form class=\"filters\" method=\"get\" action=\"/dossiers\">\n"
                  "<label>Trạng thái<select name=\"state\">\n");
  option(out, "open", "Đang giải quyết (mọi trạng thái)", filters->state);
  option(out, "all", "Tất cả hồ sơ", filters->state);
  for (size_t index = 0; filter_states[index] != NULL; index++)
    option(out, filter_states[index], page_state_name(filter_states[index]), filters->state);
  buffer_add(out, "</select></label>\n");
  const struct ruleset *rules = request->rules;
  bool provincial = request->viewer == NULL || request->viewer->agency_code == NULL;
  if (provincial && rules != NULL && rules->agencies.count > 0) {
    buffer_add(out, "<label>Cơ quan<select name=\"agency\">\n");
    option(out, "", "Tất cả cơ quan", filters->agency != NULL ? filters->agency : "");
    for (size_t index = 0; index < rules->agencies.count; index++)
      option(out, rules->agencies.agencies[index].code, rules->agencies.agencies[index].name,
             filters->agency);
    buffer_add(out, "</select></label>\n");
  } else if (provincial) {
    buffer_add(out, "<label>Mã cơ quan<input name=\"agency\" value=\"");
    html_attribute(out, filters->agency);
    buffer_add(out, "\"></label>\n");
  }
  buffer_add(out, "<label>Thủ tục<select name=\"procedure\">\n");
  option(out, "", "Tất cả thủ tục", filters->procedure != NULL ? filters->procedure : "");
  if (rules != NULL) {
    const struct procedure_table *procedures = &rules->rules->procedures;
    for (size_t index = 0; index < procedures->count; index++) {
      char label[400];
      snprintf(label, sizeof label, "%s · %s", procedures->items[index].code,
               procedures->items[index].name);
      option(out, procedures->items[index].code, label, filters->procedure);
    }
  }
  buffer_add(out, "</select></label>\n<label>Mã hồ sơ hoặc tên người nộp"
                  "<input type=\"search\" name=\"q\" maxlength=\"100\" value=\"");
  html_attribute(out, filters->text);
  buffer_add(out, "\"></label>\n<button type=\"submit\">Lọc</button>\n</form>\n");
}

/* The query string of the current filters, for the next page's link. */
static void filters_query(const struct page_list_filters *filters, struct buffer *out) {
  buffer_add(out, "state=");
  html_url_parameter(out, filters->state != NULL ? filters->state : "open");
  const char *names[] = {"agency", "procedure", "q"};
  const char *values[] = {filters->agency, filters->procedure, filters->text};
  for (size_t index = 0; index < 3; index++) {
    if (values[index] == NULL)
      continue;
    buffer_add_format(out, "&amp;%s=", names[index]);
    html_url_parameter(out, values[index]);
  }
}

static bool is_open(const char *state) {
  for (size_t index = 0; index < 6; index++)
    if (strcmp(filter_states[index], state) == 0)
      return true;
  return false;
}

static void render_row(const struct web_request *request, const struct web_view_list_row *row,
                       struct buffer *out) {
  const char *class_name = page_state_class(row->state);
  buffer_add(out, "<tr");
  if (class_name[0] != '\0')
    buffer_add_format(out, " class=\"%s\"", class_name);
  buffer_add(out, "><td><a href=\"/dossiers/");
  html_url_parameter(out, row->code);
  buffer_add(out, "\">");
  html_text(out, row->code);
  buffer_add(out, "</a></td><td>");
  const struct procedure *procedure =
      request->rules != NULL && row->procedure_code != NULL
          ? procedures_find(&request->rules->rules->procedures, row->procedure_code)
          : NULL;
  if (procedure != NULL) {
    buffer_add(out, "<abbr title=\"");
    html_attribute(out, procedure->name);
    buffer_add(out, "\">");
    html_text(out, row->procedure_code);
    buffer_add(out, "</abbr>");
  } else {
    html_text(out, row->procedure_code);
  }
  buffer_add(out, "</td><td>");
  html_text(out, page_agency_name(request, row->agency_code));
  buffer_add(out, "</td><td class=\"when\">");
  char text[PAGE_INSTANT_SIZE];
  if (row->has_received) {
    page_format_instant(row->received_at, text);
    html_text(out, text);
  }
  buffer_add(out, "</td><td class=\"when\">");
  if (row->has_deadline) {
    page_format_instant(row->deadline, text);
    html_text(out, text);
    if (row->episode == 2)
      buffer_add(out, " <small>(ngày hẹn mới)</small>");
  }
  buffer_add(out, "</td><td>");
  if (row->state != NULL && strcmp(row->state, "paused") == 0)
    buffer_add(out, "dừng tính thời gian");
  else if (row->has_deadline && row->state != NULL && is_open(row->state) && request->rules != NULL)
    page_working_time(out, request->rules->rules->calendar, request->now, row->deadline);
  else
    buffer_add(out, "—");
  buffer_add(out, "</td><td><span class=\"badge");
  buffer_add_format(out, " %s", class_name[0] != '\0' ? class_name : "neutral");
  buffer_add(out, "\">");
  html_text(out, page_state_name(row->state));
  buffer_add(out, "</span></td></tr>\n");
}

void page_dossiers_render(const struct web_request *request,
                          const struct page_list_filters *filters, const struct web_view_list *list,
                          struct buffer *out) {
  buffer_add(out, "<h1>Hồ sơ</h1>\n");
  render_filters(request, filters, out);
  buffer_add(out, "<p>Sắp xếp theo thời gian làm việc còn lại đến hạn đang tính (với hồ sơ đã hẹn "
                  "lại: đến ngày hẹn mới), ít nhất ở trên cùng.</p>\n");
  if (list->count == 0) {
    buffer_add(out, filters->paged ? "<p class=\"notice\">Không còn hồ sơ nào.</p>\n"
                                   : "<p class=\"notice\">Không có hồ sơ nào phù hợp.</p>\n");
  } else {
    buffer_add(out,
               "<table class=\"dossiers\">\n<thead><tr><th>Mã hồ sơ</th><th>Thủ tục</th>"
               "<th>Cơ quan</th><th>Tiếp nhận</th><th>Hạn giải quyết</th>"
               "<th>Thời gian làm việc còn lại</th><th>Trạng thái</th></tr></thead>\n<tbody>\n");
    for (size_t index = 0; index < list->count; index++)
      render_row(request, &list->rows[index], out);
    buffer_add(out, "</tbody>\n</table>\n");
  }
  buffer_add(out, "<nav class=\"pages\" aria-label=\"Trang\">");
  if (filters->paged) {
    buffer_add(out, "<a href=\"/dossiers?");
    filters_query(filters, out);
    buffer_add(out, "\">« Trang đầu</a>");
  }
  if (list->has_more && list->count > 0) {
    buffer_add(out, "<a rel=\"next\" href=\"/dossiers?");
    filters_query(filters, out);
    buffer_add(out, "&amp;after=");
    page_cursor_format(&list->rows[list->count - 1], out);
    buffer_add(out, "\">Trang sau »</a>");
  }
  buffer_add(out, "</nav>\n");
}

/* A parameter's value, NULL when absent or empty (an empty select means "all"). */
static const char *given(const struct web_request *request, const char *name) {
  const char *value = web_parameter(request, name);
  return value != NULL && value[0] != '\0' ? value : NULL;
}

enum status web_page_dossiers(const struct web_request *request, struct web_response *response,
                              struct error *error) {
  /* A code pasted with the spaces around it is still the code. */
  char text[PAGE_TEXT_MAX + 1] = "";
  const char *asked = given(request, "q");
  if (asked != NULL && strlen(asked) > PAGE_TEXT_MAX)
    return page_refuse(request, response, 400, "Nội dung tìm kiếm quá dài (tối đa 100 ký tự).",
                       error);
  if (asked != NULL) {
    asked += strspn(asked, " \t");
    size_t length = strlen(asked);
    while (length > 0 && (asked[length - 1] == ' ' || asked[length - 1] == '\t'))
      length--;
    memcpy(text, asked, length);
    text[length] = '\0';
  }
  struct page_list_filters filters = {
      .state = given(request, "state"),
      .agency = given(request, "agency"),
      .procedure = given(request, "procedure"),
      .text = text[0] != '\0' ? text : NULL,
  };
  if (filters.state == NULL)
    filters.state = "open";
  if (!known_state(filters.state))
    return page_refuse(request, response, 400, "Trạng thái không hợp lệ.", error);
  if (filters.procedure != NULL && strlen(filters.procedure) > PAGE_TEXT_MAX)
    return page_refuse(request, response, 400, "Mã thủ tục quá dài.", error);
  const char *own = request->viewer != NULL ? request->viewer->agency_code : NULL;
  if (own != NULL && filters.agency != NULL && strcmp(filters.agency, own) != 0)
    return page_refuse(request, response, 403, "Tài khoản này chỉ xem được hồ sơ của cơ quan mình.",
                       error);
  struct web_view_cursor cursor;
  const char *after = given(request, "after");
  if (after != NULL && !page_cursor_parse(after, &cursor))
    return page_refuse(request, response, 400, "Tham số trang (after) không hợp lệ.", error);
  filters.paged = after != NULL;
  struct web_view_list_query query = {
      .state = strcmp(filters.state, "all") == 0 ? NULL : filters.state,
      .agency = own != NULL ? own : filters.agency,
      .procedure = filters.procedure,
      .text = filters.text,
      .after = after != NULL ? &cursor : NULL,
      .limit = PAGE_LIST_SIZE,
  };
  struct web_view_list list;
  enum status status = web_view_read_list(request->connection, &query, &list, error);
  if (status != STATUS_OK)
    return status;
  page_begin(request, response, "Hồ sơ", HTML_SECTION_DOSSIERS);
  page_dossiers_render(request, &filters, &list, &response->body);
  status = page_end(response, error);
  web_view_list_free(&list);
  return status;
}
