/*
 * The web view's queries and pages against a real database (store/web_view.h, web/page_*.c):
 * 45 dossiers of two agencies, passed at one instant so that some are on track, some due soon,
 * some overdue, one paused and one finished, with their letters rendered. Checked:
 * - the overview's counts against counts made by hand from the receipt times, and the letters
 *   waiting per agency;
 * - keyset pages of every size cover every row exactly once, in the order of the deadline
 *   that runs now and then the code, with and without filters; the list's plan is an index
 *   scan over migration 13's indexes;
 * - agency filtering of the list, the overview and the report; a text search by code prefix
 *   and by a part of the applicant's name;
 * - the pages: 403 for another agency's dossier or letter, 404 for an unknown code or any
 *   malformed letter path, 400 for bad parameters; the dossier page names the dossier for the
 *   audit trail, shows the timeline in Vietnamese and an applicant's `<script>` escaped; a
 *   letter's bytes are the database's; the report in HTML, CSV and PDF; the rules page.
 */
#include <libintl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "db_support.h"
#include "dunghen-config.h"
#include "rules/ruleset.h"
#include "store/web_view.h"
#include "tap.h"
#include "web/page.h"
#include "web/page_render.h"

enum { DOSSIERS = 45 };

static void choose_vietnamese(void) {
  setlocale(LC_MESSAGES, "C.UTF-8");
  setenv("LANGUAGE", "vi", 1);
  bindtextdomain(DUNGHEN_GETTEXT_PACKAGE, getenv("DUNGHEN_LOCALEDIR"));
  bind_textdomain_codeset(DUNGHEN_GETTEXT_PACKAGE, "UTF-8");
}

/* Migration 13's indexes, which the list's keyset pages read. */
static bool web_indexes_present(PGconn *connection) {
  return db_integer(connection,
                    "SELECT count(*) FROM pg_indexes WHERE indexname = 'clock_web_due'") == 1;
}

/* Dossier i: agency DLK-TTPVHCC for i < 30, else DLK-SNNMT; received 5i hours before
 * 2025-03-14 08:00, 5 working days (procedure 1.004884). */
static void insert_dossiers(PGconn *connection) {
  for (int index = 0; index < DOSSIERS; index++) {
    char sql[1024], code[32];
    snprintf(code, sizeof code, "W-%02d", index);
    const char *agency = index < 30 ? "DLK-TTPVHCC" : "DLK-SNNMT";
    const char *name = index == 7 ? "<script>alert('x')</script>" : "Trần Thị Bình";
    if (index == 11)
      name = "Lê Văn Cường";
    snprintf(sql, sizeof sql,
             "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, kenh,"
             " ngay_tiep_nhan, trang_thai) VALUES ('%s', '1.004884', '%s', $$%s$$, 'truc_tiep',"
             " timestamptz '2025-03-14T08:00+07' - interval '%d hours', 'dang_xu_ly')",
             code, agency, name, index * 5);
    db_exec(connection, sql);
  }
  /* W-40 paused (waiting for a supplement), W-41 finished. */
  db_exec(connection, "INSERT INTO onestop.tam_dung (ma_ho_so, loai, tu_ngay)"
                      " VALUES ('W-40', 'bo_sung', '2025-03-06T09:00+07')");
  db_exec(connection, "UPDATE onestop.ho_so SET trang_thai = 'da_tra_ket_qua',"
                      " ngay_hoan_thanh = '2025-03-12T10:00+07' WHERE ma_ho_so = 'W-41'");
}

struct page_result {
  struct web_response response;
  enum status status;
};

static struct page_result call(web_page_handler handler, PGconn *connection,
                               const struct ruleset *set, const struct web_viewer *viewer,
                               const char *path, const struct web_parameter *parameters,
                               size_t parameter_count, int64_t now) {
  struct web_request request = {.path = path,
                                .parameters = parameters,
                                .parameter_count = parameter_count,
                                .viewer = viewer,
                                .connection = connection,
                                .rules = set,
                                .now = now};
  struct page_result result;
  memset(&result, 0, sizeof result);
  struct error error = {0};
  result.status = handler(&request, &result.response, &error);
  if (result.status != STATUS_OK)
    tap_diagnostic("%s: %s", path, error.message);
  if (result.response.body.data == NULL)
    buffer_add(&result.response.body, "");
  return result;
}

static void check_counts(PGconn *connection) {
  struct web_view_counts counts;
  struct error error = {0};
  tap_is_integer(web_view_read_counts(connection, NULL, &counts, &error), STATUS_OK,
                 "the overview's counts are read");
  tap_is_integer((long long)counts.count, 2, "two agencies");
  for (size_t index = 0; index < counts.count; index++) {
    const struct web_view_agency_counts *row = &counts.agencies[index];
    char sql[512];
    const char *states[] = {"on_track", "due_soon", "overdue", "paused"};
    int64_t got[] = {row->on_track, row->due_soon, row->overdue, row->paused};
    for (size_t state = 0; state < 4; state++) {
      snprintf(sql, sizeof sql,
               "SELECT count(*) FROM dunghen.clock WHERE agency_code = '%s' AND state = '%s'"
               " AND finished_at IS NULL",
               row->agency_code, states[state]);
      tap_is_integer((long long)got[state], (long long)db_integer(connection, sql), "%s: %s",
                     row->agency_code, states[state]);
    }
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM dunghen.letter_log WHERE agency_code = '%s'"
             " AND state = 'rendered'",
             row->agency_code);
    tap_is_integer((long long)row->letters_waiting, (long long)db_integer(connection, sql),
                   "%s: letters waiting", row->agency_code);
  }
  /* By hand, at Friday 2025-03-14 09:00, 40 working hours from receipt (hours mode, 07:00-11:30
   * and 13:30-17:00): W-18 (received Monday 10 14:00) is due Monday 17 14:00, on track; W-19
   * (Monday 10 09:00) is due Monday 17 09:00, one working day from now: due soon; W-33 (Friday
   * 7 11:00) is due at 11:00 today; W-34 (Friday 7 06:00, counted from 07:00) was due at 07:00
   * and is rescheduled by its letter. W-40 is paused, W-41 finished. */
  tap_is_string(counts.count > 0 ? counts.agencies[0].agency_code : "", "DLK-SNNMT",
                "agencies by code");
  if (counts.count == 2) {
    const struct web_view_agency_counts *office = &counts.agencies[0];
    const struct web_view_agency_counts *centre = &counts.agencies[1];
    tap_is_integer((long long)centre->on_track, 19, "DLK-TTPVHCC: W-00 to W-18 on track");
    tap_is_integer((long long)centre->due_soon, 11, "DLK-TTPVHCC: W-19 to W-29 due soon");
    tap_is_integer((long long)office->due_soon, 4, "DLK-SNNMT: W-30 to W-33 due soon");
    tap_is_integer((long long)office->rescheduled, 9,
                   "DLK-SNNMT: W-34 to W-44 rescheduled but W-40 and W-41");
    tap_is_integer((long long)office->paused, 1, "W-40 is paused");
    tap_is_integer((long long)(office->on_track + office->due_soon + office->overdue +
                               office->rescheduled + office->overdue_again + office->paused),
                   14, "DLK-SNNMT: 15 dossiers, one finished");
    tap_is_integer((long long)(centre->on_track + centre->due_soon + centre->overdue +
                               centre->rescheduled + centre->overdue_again),
                   30, "DLK-TTPVHCC: 30 open dossiers");
  }
  web_view_counts_free(&counts);
  tap_is_integer(web_view_read_counts(connection, "DLK-SNNMT", &counts, &error), STATUS_OK,
                 "one agency's counts");
  tap_is_integer((long long)counts.count, 1, "only that agency");
  web_view_counts_free(&counts);
}

/* Every page of `query` at `limit` rows, joined by spaces, against `expected_sql`'s codes. */
static void check_pages(PGconn *connection, struct web_view_list_query query, size_t limit,
                        const char *expected_sql, const char *label) {
  char expected[4096] = "", got[4096] = "";
  db_text(connection, expected_sql, expected, sizeof expected);
  struct web_view_cursor cursor;
  char cursor_code[64];
  query.limit = limit;
  query.after = NULL;
  size_t pages = 0;
  bool more = true;
  while (more && pages < 200) {
    struct web_view_list list;
    struct error error = {0};
    if (web_view_read_list(connection, &query, &list, &error) != STATUS_OK) {
      tap_diagnostic("%s", error.message);
      break;
    }
    pages++;
    for (size_t index = 0; index < list.count; index++) {
      if (got[0] != '\0')
        strncat(got, " ", sizeof got - strlen(got) - 1);
      strncat(got, list.rows[index].code, sizeof got - strlen(got) - 1);
    }
    more = list.has_more;
    if (list.count > 0) {
      const struct web_view_list_row *last = &list.rows[list.count - 1];
      snprintf(cursor_code, sizeof cursor_code, "%s", last->code);
      cursor = (struct web_view_cursor){
          .none = !last->has_deadline, .deadline = last->deadline, .code = cursor_code};
      query.after = &cursor;
    }
    if (list.count > limit)
      more = false;
    web_view_list_free(&list);
  }
  tap_is_string(got, expected, "%s: pages of %zu cover every row once, in order (%zu pages)", label,
                limit, pages);
}

#define ORDER_SQL " ORDER BY coalesce(new_deadline, deadline, 'infinity'::timestamptz), code"

static void check_list(PGconn *connection) {
  struct web_view_list_query all = {0};
  for (size_t limit = 1; limit <= 50; limit += limit < 8 ? 3 : 21)
    check_pages(connection, all, limit,
                "SELECT string_agg(code, ' '" ORDER_SQL ") FROM dunghen.clock", "all");
  struct web_view_list_query open = {.state = "open"};
  check_pages(connection, open, 7,
              "SELECT string_agg(code, ' '" ORDER_SQL ") FROM dunghen.clock"
              " WHERE finished_at IS NULL",
              "open");
  struct web_view_list_query agency = {.state = "open", .agency = "DLK-SNNMT"};
  check_pages(connection, agency, 4,
              "SELECT string_agg(code, ' '" ORDER_SQL ") FROM dunghen.clock"
              " WHERE finished_at IS NULL AND agency_code = 'DLK-SNNMT'",
              "open of DLK-SNNMT");
  struct web_view_list_query overdue = {.state = "overdue", .agency = "DLK-TTPVHCC"};
  check_pages(connection, overdue, 5,
              "SELECT string_agg(code, ' '" ORDER_SQL ") FROM dunghen.clock"
              " WHERE state = 'overdue' AND agency_code = 'DLK-TTPVHCC'",
              "overdue of DLK-TTPVHCC");
  struct web_view_list_query prefix = {.text = "W-3"};
  check_pages(connection, prefix, 50,
              "SELECT string_agg(code, ' '" ORDER_SQL ") FROM dunghen.clock"
              " WHERE code LIKE 'W-3%'",
              "code prefix W-3");
  struct web_view_list_query name = {.text = "văn cườ"};
  check_pages(connection, name, 50, "SELECT 'W-11'", "a part of the name, any case");
  struct web_view_list_query like = {.text = "%"};
  check_pages(connection, like, 50, "SELECT ''", "'%' is searched as itself");

  /* The plans: with the planner kept off sequential scans and sorts (45 rows would not need
   * the indexes), each list is a range scan over migration 13's indexes. */
  db_exec(connection, "SET enable_seqscan = off; SET enable_sort = off");
  struct web_view_cursor cursor = {.deadline = 1741910400, .code = "W-10"};
  struct {
    struct web_view_list_query query;
    const char *index;
  } plans[] = {
      {{.state = "open", .limit = 50}, "clock_web_open_due"},
      {{.state = "open", .agency = "DLK-SNNMT", .after = &cursor, .limit = 50},
       "clock_web_open_agency_due"},
      {{.limit = 50, .after = &cursor}, "clock_web_due"},
  };
  for (size_t index = 0; index < sizeof plans / sizeof plans[0]; index++) {
    char *plan = NULL;
    struct error error = {0};
    web_view_explain_list(connection, &plans[index].query, &plan, &error);
    tap_contains(plan != NULL ? plan : error.message, plans[index].index,
                 "the list is read through %s", plans[index].index);
    if (plan != NULL && strstr(plan, "Sort") != NULL)
      tap_diagnostic("%s", plan);
    tap_ok(plan != NULL && strstr(plan, "Sort") == NULL, "without sorting (%s)",
           plans[index].index);
    free(plan);
  }
  db_exec(connection, "RESET enable_seqscan; RESET enable_sort");
}

static void check_pages_of_web(PGconn *connection, const struct ruleset *set, int64_t now) {
  struct web_viewer province = {.user = "tinh", .display_name = "Văn phòng tỉnh"};
  struct web_viewer office = {
      .user = "so", .display_name = "Sở Nông nghiệp", .agency_code = "DLK-SNNMT"};
  struct web_viewer centre = {
      .user = "tt", .display_name = "Trung tâm", .agency_code = "DLK-TTPVHCC"};

  struct page_result result =
      call(web_page_dossier, connection, set, &office, "/dossiers/W-07", NULL, 0, now);
  tap_is_integer(result.response.status, 403, "another agency's dossier: 403");
  tap_is_string(result.response.audited_dossier, "", "a refusal is not audited");
  tap_ok(strstr(result.response.body.data, "script") == NULL, "and shows nothing of it");
  buffer_free(&result.response.body);
  result = call(web_page_dossier, connection, set, &office, "/dossiers/NO-SUCH", NULL, 0, now);
  tap_is_integer(result.response.status, 404, "an unknown code: 404");
  buffer_free(&result.response.body);
  result = call(web_page_dossier, connection, set, &province, "/dossiers/W-07", NULL, 0, now);
  tap_is_integer(result.response.status, 200, "the province sees W-07");
  tap_is_string(result.response.audited_dossier, "W-07", "the view is named for the audit trail");
  tap_ok(strstr(result.response.body.data, "<script>") == NULL, "no <script> reaches the page");
  tap_contains(result.response.body.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
               "the applicant's name is shown escaped");
  tap_contains(result.response.body.data, "<li>quy định: thủ tục 1.004884",
               "the timeline starts with the rule, in Vietnamese");
  tap_contains(result.response.body.data, "<li>nguồn quy định: ", "and names its source");
  tap_contains(result.response.body.data, "<li>kết quả: ", "and ends with the result");
  buffer_free(&result.response.body);
  result = call(web_page_dossier, connection, set, &office, "/dossiers/W-40", NULL, 0, now);
  tap_is_integer(result.response.status, 200, "the agency sees its own paused W-40");
  tap_contains(result.response.body.data, "<span class=\"badge neutral\">Tạm dừng</span>",
               "paused, without a colour");
  buffer_free(&result.response.body);

  /* Letters. */
  int64_t letter_id = db_integer(connection, "SELECT id FROM dunghen.letter_log l"
                                             " WHERE agency_code = 'DLK-SNNMT'"
                                             " AND state = 'rendered' ORDER BY id LIMIT 1");
  char path[128];
  snprintf(path, sizeof path, "/letters/%lld/1.pdf", (long long)letter_id);
  result = call(web_page_letter, connection, set, &office, path, NULL, 0, now);
  tap_is_integer(result.response.status, 200, "%s: 200", path);
  tap_is_string(result.response.content_type, "application/pdf", "a PDF");
  {
    /* The bytes served are the database's: compare them whole, as hex. */
    struct buffer query = {0};
    buffer_add_format(&query,
                      "SELECT count(*) FROM dunghen.letter_pdf WHERE letter_id = %lld"
                      " AND version = 1 AND pdf = '\\x",
                      (long long)letter_id);
    for (size_t index = 0; index < result.response.body.length; index++)
      buffer_add_format(&query, "%02x", (unsigned char)result.response.body.data[index]);
    buffer_add(&query, "'::bytea");
    tap_is_integer(db_integer(connection, query.data), 1, "the %zu bytes served are the database's",
                   result.response.body.length);
    buffer_free(&query);
  }
  tap_is_integer(result.response.audited_letter_id, letter_id, "the letter is audited");
  tap_is_integer(result.response.audited_letter_version, 1, "with its version");
  tap_ok(strncmp(result.response.filename, "phieu-xin-loi-DLK-SNNMT-2025-", 29) == 0, "filename %s",
         result.response.filename);
  buffer_free(&result.response.body);
  snprintf(path, sizeof path, "/letters/%lld/1.pdf", (long long)letter_id);
  result = call(web_page_letter, connection, set, &centre, path, NULL, 0, now);
  tap_is_integer(result.response.status, 403, "another agency's letter: 403");
  tap_is_integer(result.response.audited_letter_id, 0, "not audited");
  buffer_free(&result.response.body);
  const char *bad_paths[] = {
      "/letters/0/1.pdf",     "/letters/01/1.pdf",
      "/letters/1/0.pdf",     "/letters/-1/1.pdf",
      "/letters/1/1.pdf.exe", "/letters/1/1",
      "/letters/../1/1.pdf",  "/letters/1/../../etc.pdf",
      "/letters/1/1.PDF",     "/letters/99999/1.pdf",
      "/letters/1/2.pdf",     "/letters/1 /1.pdf",
      "/letters//1.pdf",      "/letters/9999999999999999999/1.pdf",
  };
  for (size_t index = 0; index < sizeof bad_paths / sizeof bad_paths[0]; index++) {
    result = call(web_page_letter, connection, set, &province, bad_paths[index], NULL, 0, now);
    tap_is_integer(result.response.status, 404, "%s: 404", bad_paths[index]);
    buffer_free(&result.response.body);
  }

  /* The list page. */
  struct web_parameter bad_state[] = {{"state", "nonsense"}};
  result = call(web_page_dossiers, connection, set, &office, "/dossiers", bad_state, 1, now);
  tap_is_integer(result.response.status, 400, "an unknown state: 400");
  buffer_free(&result.response.body);
  struct web_parameter other_agency[] = {{"agency", "DLK-TTPVHCC"}};
  result = call(web_page_dossiers, connection, set, &office, "/dossiers", other_agency, 1, now);
  tap_is_integer(result.response.status, 403, "an agency's official asking for another: 403");
  buffer_free(&result.response.body);
  struct web_parameter bad_after[] = {{"after", "12x_W-01"}};
  result = call(web_page_dossiers, connection, set, &office, "/dossiers", bad_after, 1, now);
  tap_is_integer(result.response.status, 400, "a malformed cursor: 400");
  buffer_free(&result.response.body);
  result = call(web_page_dossiers, connection, set, &office, "/dossiers", NULL, 0, now);
  tap_is_integer(result.response.status, 200, "the list: 200");
  tap_ok(strstr(result.response.body.data, "W-0") == NULL &&
             strstr(result.response.body.data, "/dossiers/W-3") != NULL,
         "an agency's official sees only the agency's dossiers");
  tap_contains(result.response.body.data, "<tr class=\"overdue\"><td><a href=\"/dossiers/W-",
               "overdue rows are marked red");
  buffer_free(&result.response.body);

  struct web_parameter padded[] = {{"q", "  W-07 "}};
  result = call(web_page_dossiers, connection, set, &province, "/dossiers", padded, 1, now);
  tap_ok(strstr(result.response.body.data, "href=\"/dossiers/W-07\"") != NULL &&
             strstr(result.response.body.data, "href=\"/dossiers/W-08\"") == NULL,
         "a code searched with spaces around it finds that dossier alone");
  buffer_free(&result.response.body);
  char long_text[128];
  memset(long_text, 'x', 101);
  long_text[101] = '\0';
  struct web_parameter too_long[] = {{"q", long_text}};
  result = call(web_page_dossiers, connection, set, &province, "/dossiers", too_long, 1, now);
  tap_is_integer(result.response.status, 400, "a search of more than 100 characters: 400");
  buffer_free(&result.response.body);

  /* Overview, report, rules. */
  result = call(web_page_overview, connection, set, &office, "/", NULL, 0, now);
  tap_is_integer(result.response.status, 200, "the overview: 200");
  tap_ok(strstr(result.response.body.data, "TTPVHCC") == NULL &&
             strstr(result.response.body.data, "state=rescheduled&amp;agency=DLK-SNNMT") != NULL,
         "an agency's overview shows that agency only");
  buffer_free(&result.response.body);
  result = call(web_page_overview, connection, set, &province, "/", NULL, 0, now);
  tap_contains(result.response.body.data, "<th scope=\"row\">Tổng cộng</th>",
               "the province's overview totals its agencies");
  buffer_free(&result.response.body);
  struct web_parameter period[] = {{"from", "2025-03-01"}, {"to", "2025-03-14"}};
  result = call(web_page_report, connection, set, &office, "/report", period, 2, now);
  tap_is_integer(result.response.status, 200, "the report: 200");
  tap_contains(result.response.body.data, "<svg class=\"chart\"", "with its chart");
  tap_contains(result.response.body.data, "value=\"2025-03-01\"", "the period in its form");
  buffer_free(&result.response.body);
  struct web_parameter csv[] = {{"from", "2025-03-01"}, {"to", "2025-03-14"}, {"format", "csv"}};
  result = call(web_page_report, connection, set, &office, "/report", csv, 3, now);
  tap_is_string(result.response.content_type, "text/csv; charset=utf-8", "CSV");
  tap_is_string(result.response.filename, "bao-cao-2025-03-01-2025-03-14.csv", "its name");
  tap_ok(strstr(result.response.body.data, "DLK-SNNMT") != NULL &&
             strstr(result.response.body.data, "DLK-TTPVHCC") == NULL,
         "an agency's CSV holds that agency only");
  buffer_free(&result.response.body);
  struct web_parameter pdf[] = {{"from", "2025-03-01"}, {"to", "2025-03-14"}, {"format", "pdf"}};
  result = call(web_page_report, connection, set, &office, "/report", pdf, 3, now);
  tap_ok(result.response.body.length > 1000 && memcmp(result.response.body.data, "%PDF-", 5) == 0,
         "PDF (%zu bytes)", result.response.body.length);
  buffer_free(&result.response.body);
  struct web_parameter inverted[] = {{"from", "2025-03-14"}, {"to", "2025-03-01"}};
  result = call(web_page_report, connection, set, &office, "/report", inverted, 2, now);
  tap_is_integer(result.response.status, 400, "an inverted period: 400");
  buffer_free(&result.response.body);
  struct web_parameter year[] = {{"year", "2026"}};
  result = call(web_page_rules, connection, set, &office, "/rules", year, 1, now);
  tap_is_integer(result.response.status, 200, "the rules of 2026: 200");
  tap_contains(result.response.body.data, "<td class=\"off\" title=\"Tết Nguyên Đán",
               "Tết is marked off with its reason");
  tap_contains(result.response.body.data, "<td class=\"worked\" title=\"",
               "a worked Saturday is marked");
  buffer_free(&result.response.body);
  struct web_parameter bad_year[] = {{"year", "20x6"}};
  result = call(web_page_rules, connection, set, &office, "/rules", bad_year, 1, now);
  tap_is_integer(result.response.status, 400, "a malformed year: 400");
  buffer_free(&result.response.body);
}

int main(void) {
  choose_vietnamese();
  PGconn *connection;
  struct rules *rules;
  struct ladder *ladder;
  struct db_letter_kit kit;
  if (!db_open(&connection, &rules, &ladder) || !db_letter_kit_open(&kit))
    return tap_finish();
  tap_ok(web_indexes_present(connection), "migration 13's indexes are in place");
  struct ruleset *set = NULL;
  struct error error = {0};
  if (!tap_ok(ruleset_load(getenv("DUNGHEN_RULES"), civil_days_from_date(2025, 3, 14), &set,
                           &error) == STATUS_OK,
              "the shipped rules load as a set")) {
    tap_diagnostic("%s", error.message);
    return tap_finish();
  }
  insert_dossiers(connection);
  db_kit_pass(connection, rules, ladder, &kit, "2025-03-14T09:00");
  db_render(connection, &kit, rules);
  int64_t now = db_instant("2025-03-14T09:00");
  tap_ok(db_integer(connection, "SELECT count(*) FROM dunghen.clock") == DOSSIERS,
         "every dossier has its clock");
  tap_ok(db_integer(connection, "SELECT count(DISTINCT state) FROM dunghen.clock") >= 4,
         "in at least four states");
  check_counts(connection);
  check_list(connection);
  check_pages_of_web(connection, set, now);
  ruleset_release(set);
  db_letter_kit_close(&kit);
  db_close(connection, rules, ladder);
  return tap_finish();
}
