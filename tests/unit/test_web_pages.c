/*
 * The pages' renderings (web/page_render.h) from models built by hand, without a database:
 * every text field of a dossier, a list row, the overview and the report holding `<script>`
 * comes out escaped and never raw; a list row's exact markup with its colour class per state;
 * the working time left in working days and hours of the calendar; the keyset cursor's format
 * and its strict parser; the rules page's month grid.
 */
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/explanation.h"
#include "rules/ruleset.h"
#include "tap.h"
#include "test_calendar.h"
#include "web/html.h"
#include "web/page_common.h"
#include "web/page_render.h"

#define SCRIPT "<script>x</script>"

static void check_no_script(const char *text, const char *label) {
  tap_ok(text != NULL && strstr(text, "<script") == NULL, "%s: no raw <script>", label);
  tap_contains(text, "&lt;script&gt;", "%s: the value is escaped", label);
}

static struct web_request request_with(const struct ruleset *set, const struct web_viewer *viewer,
                                       int64_t now) {
  return (struct web_request){.path = "/", .viewer = viewer, .rules = set, .now = now};
}

static void check_list(const struct ruleset *set) {
  struct web_viewer viewer = {.user = "u", .display_name = SCRIPT, .agency_code = NULL};
  int64_t now = civil_instant_from_local(civil_days_from_date(2025, 3, 14), 9 * 3600);
  struct web_request request = request_with(set, &viewer, now);
  struct web_view_list_row rows[] = {
      {.code = "A-1",
       .procedure_code = SCRIPT,
       .agency_code = SCRIPT,
       .state = "overdue",
       .episode = 1,
       .has_deadline = true,
       .deadline = civil_instant_from_local(civil_days_from_date(2025, 3, 13), 9 * 3600),
       .has_received = true,
       .received_at = civil_instant_from_local(civil_days_from_date(2025, 3, 6), 9 * 3600)},
      {.code = SCRIPT,
       .procedure_code = "1.1",
       .agency_code = "AG",
       .state = "due_soon",
       .episode = 1,
       .has_deadline = true,
       .deadline = civil_instant_from_local(civil_days_from_date(2025, 3, 14), 15 * 3600)},
      {.code = "C-3",
       .procedure_code = "1.1",
       .agency_code = "AG",
       .state = "on_track",
       .episode = 1,
       .has_deadline = true,
       .deadline = civil_instant_from_local(civil_days_from_date(2025, 3, 19), 10 * 3600)},
      {.code = "D-4", .procedure_code = "1.1", .agency_code = "AG", .state = "paused"},
  };
  struct web_view_list list = {.rows = rows, .count = 4, .has_more = true};
  struct page_list_filters filters = {
      .state = "open", .agency = SCRIPT, .procedure = SCRIPT, .text = SCRIPT, .paged = true};
  struct buffer out = {0};
  page_dossiers_render(&request, &filters, &list, &out);
  check_no_script(out.data, "dossier list");
  tap_contains(out.data,
               "<tr class=\"overdue\"><td><a href=\"/dossiers/A-1\">A-1</a></td>"
               "<td>&lt;script&gt;x&lt;/script&gt;</td><td>&lt;script&gt;x&lt;/script&gt;</td>"
               "<td class=\"when\">06/03/2025 09:00</td><td class=\"when\">13/03/2025 09:00</td>"
               "<td>quá 1 ngày làm việc</td>"
               "<td><span class=\"badge overdue\">Quá hạn</span></td></tr>",
               "an overdue row: red, a working day over");
  tap_contains(out.data,
               "<tr class=\"due-soon\"><td><a href=\"/dossiers/%3Cscript%3Ex%3C%2Fscript%3E\">"
               "&lt;script&gt;x&lt;/script&gt;</a></td>",
               "a due-soon row: orange, its code escaped in the link and the text");
  tap_contains(out.data, "<td>còn 4 giờ làm việc</td>",
               "09:00 to 15:00 less the lunch break 11:30-13:30: 4 hours");
  tap_contains(out.data, "<tr class=\"on-track\"><td><a href=\"/dossiers/C-3\">",
               "an on-track row: green");
  tap_contains(out.data, "<td>còn 3 ngày 1 giờ làm việc</td>",
               "Friday 09:00 to Wednesday 10:00: 3 days and an hour");
  tap_contains(out.data, "<tr><td><a href=\"/dossiers/D-4\">D-4</a>", "a paused row has no colour");
  tap_contains(out.data, "<td>dừng tính thời gian</td>", "and says its clock is stopped");
  tap_contains(out.data,
               "<a rel=\"next\" href=\"/dossiers?state=open&amp;agency=%3Cscript%3Ex%3C%2Fscript"
               "%3E&amp;procedure=%3Cscript%3Ex%3C%2Fscript%3E&amp;q=%3Cscript%3Ex%3C%2Fscript%3E"
               "&amp;after=none_D-4\">Trang sau »</a>",
               "the next page keeps the filters and starts after the last row");
  tap_contains(out.data, "« Trang đầu</a>", "a later page links back to the first");
  buffer_free(&out);

  struct web_view_cursor cursor;
  tap_ok(page_cursor_parse("1741910400_W-10", &cursor) && !cursor.none &&
             cursor.deadline == 1741910400 && strcmp(cursor.code, "W-10") == 0,
         "a cursor: deadline and code");
  tap_ok(page_cursor_parse("none_A_B", &cursor) && cursor.none && strcmp(cursor.code, "A_B") == 0,
         "a cursor without a deadline; the code may hold '_'");
  const char *bad[] = {"", "_A", "12_", "1x2_A", "none", "99999999999999999999999_A", "+1_A"};
  for (size_t index = 0; index < sizeof bad / sizeof bad[0]; index++)
    tap_ok(!page_cursor_parse(bad[index], &cursor), "cursor '%s' is refused", bad[index]);
}

static void check_dossier(const struct ruleset *set) {
  struct web_viewer viewer = {.user = "u", .display_name = "Lan", .agency_code = "AG"};
  struct web_request request = request_with(set, &viewer, 1741910400);
  struct web_view_escalation escalation = {.level = SCRIPT,
                                           .episode = 1,
                                           .raised_at = 1741900000,
                                           .reason = SCRIPT,
                                           .recipients = "signer, " SCRIPT};
  struct web_view_letter_draft drafts[] = {
      {.version = 2,
       .current = true,
       .stored = true,
       .has_rendered = true,
       .rendered_at = 1741900000},
      {.version = 1, .stored = false, .has_superseded = true, .superseded_at = 1741900000},
  };
  struct web_view_letter letter = {.id = 17,
                                   .year = 2025,
                                   .number = 4,
                                   .state = SCRIPT,
                                   .created_at = 1741800000,
                                   .drafts = drafts,
                                   .draft_count = 2};
  struct web_view_dossier dossier = {
      .found = true,
      .has_clock = true,
      .code = SCRIPT,
      .agency_code = SCRIPT,
      .procedure_code = SCRIPT,
      .state = "overdue_again",
      .episode = 2,
      .has_deadline = true,
      .deadline = 1741800000,
      .has_new_deadline = true,
      .new_deadline = 1741850000,
      .flagged_reason = SCRIPT,
      .has_source = true,
      .applicant_name = SCRIPT,
      .applicant_id = SCRIPT,
      .applicant_address = SCRIPT,
      .summary = SCRIPT,
      .channel = SCRIPT,
      .status = SCRIPT,
      .delay_reason = SCRIPT,
      .escalations = &escalation,
      .escalation_count = 1,
      .letters = &letter,
      .letter_count = 1,
  };
  struct explanation timeline;
  explanation_init(&timeline);
  explanation_add(&timeline, "%s", SCRIPT);
  struct page_dossier_model model = {.dossier = &dossier, .timeline = &timeline, .problem = SCRIPT};
  struct buffer out = {0};
  page_dossier_render(&request, &model, &out);
  check_no_script(out.data, "dossier page");
  const char *fields[] = {"<dd>&lt;script&gt;x&lt;/script&gt;</dd>",
                          "<li>&lt;script&gt;x&lt;/script&gt;</li>",
                          "<td>Người ký phiếu, &lt;script&gt;x&lt;/script&gt;</td>"};
  for (size_t index = 0; index < 3; index++)
    tap_contains(out.data, fields[index], "escaped field %zu", index);
  tap_contains(out.data, "<span class=\"badge overdue\">Trễ hẹn lại</span>",
               "overdue again: a red badge");
  tap_contains(out.data, "<a href=\"/letters/17/2.pdf\">Bản 2 (hiện hành) (PDF)</a>",
               "the current draft links to its PDF");
  tap_ok(strstr(out.data, "/letters/17/1.pdf") == NULL,
         "a draft without bytes in the database has no link");
  tap_contains(out.data, "<h3>Phiếu số 4/2025</h3>", "the letter's number");
  buffer_free(&out);
  /* A letter taken back signed (issue 20) says so in the signer's words. */
  letter.state = "signed";
  struct buffer signed_out = {0};
  page_dossier_render(&request, &model, &signed_out);
  tap_contains(signed_out.data, "<dd>Đã ký số (bản đã ký đã nhận lại)</dd>",
               "a signed letter's state in Vietnamese");
  buffer_free(&signed_out);
  explanation_free(&timeline);
}

static void check_overview_and_report(const struct ruleset *set) {
  struct web_viewer viewer = {.user = "u", .display_name = "Lan"};
  struct web_request request = request_with(set, &viewer, 1741910400);
  struct web_view_agency_counts agencies[] = {
      {.agency_code = SCRIPT, .on_track = 1234, .due_soon = 2, .overdue = 3, .rescheduled = 1},
      {.agency_code = "AG", .on_track = 0, .letters_waiting = 5},
  };
  struct web_view_counts counts = {.agencies = agencies, .count = 2};
  struct page_overview_model model = {.counts = &counts, .month = NULL};
  struct buffer out = {0};
  page_overview_render(&request, &model, &out);
  check_no_script(out.data, "overview");
  tap_contains(out.data,
               "<td class=\"number\"><a class=\"count overdue\" href=\"/dossiers?state=overdue"
               "&amp;agency=%3Cscript%3Ex%3C%2Fscript%3E\">3</a></td>",
               "an overdue count is red and links to those dossiers");
  tap_contains(out.data, ">1.234</a>", "counts take the thousands separator");
  tap_contains(out.data, "<rect class=\"overdue\"", "the chart has the red of overdue");
  buffer_free(&out);

  struct report report = {
      .period = {civil_days_from_date(2025, 3, 1), civil_days_from_date(2025, 3, 14)},
      .grouping = REPORT_BY_AGENCY};
  struct report_group group = {.key = SCRIPT, .label = SCRIPT};
  group.figures.done_on_time = 3;
  group.figures.done_late = 1;
  report.groups = &group;
  report.group_count = 1;
  report.total = (struct report_group){.key = "total", .label = "Tổng cộng"};
  report.total.figures = group.figures;
  struct page_report_model report_model = {
      .report = &report, .from = SCRIPT, .to = "2025-03-14", .by = "agency"};
  page_report_render(&request, &report_model, &out);
  check_no_script(out.data, "report");
  tap_contains(out.data, "<td class=\"number\">75,00%</td>", "the on-time share, as the CLI");
  tap_contains(out.data, "<th class=\"number\" scope=\"col\">Tỷ lệ<br>đúng hạn</th>",
               "the heads of `dunghen report`");
  tap_contains(out.data, "<option value=\"agency\" selected>Cơ quan</option>",
               "the form keeps the grouping");
  buffer_free(&out);
}

static void check_rules(const struct ruleset *set) {
  struct web_viewer viewer = {.user = "u", .display_name = "Lan"};
  struct web_request request = request_with(set, &viewer, 1741910400);
  struct buffer out = {0};
  page_rules_render(&request, 2025, &out);
  tap_contains(out.data, "<caption>Tháng 3/2025</caption>", "a month's grid");
  /* March 2025 starts on a Saturday: five blank cells, then 1 and 2 as the weekend. */
  tap_contains(out.data,
               "<tr><td></td><td></td><td></td><td></td><td></td><td class=\"weekend\">1</td>"
               "<td class=\"weekend\">2</td></tr>",
               "the first week of March 2025 starts on Saturday");
  buffer_free(&out);
}

int main(void) {
  struct calendar *calendar = test_calendar_2025();
  struct rules rules = {.calendar = calendar};
  struct ruleset set = {.rules = &rules};
  check_list(&set);
  check_dossier(&set);
  check_overview_and_report(&set);
  check_rules(&set);
  calendar_free(calendar);
  return tap_finish();
}
