/*
 * bench/web.c: the pages of `dunghen web` over N dossiers (web/page.h, store/web_view.h).
 *
 *   DUNGHEN_RULES=rules build/tests/with-cluster build/bench/web [N] [REQUESTS]
 *   (N defaults to 1000000, REQUESTS to 300 per figure)
 *
 * Loads N dossiers with bench_support's loader (ten agencies AG0..AG9, four procedures), then
 * makes one in ten open (received over the ten days to 2025-03-31 07:00) and the others
 * finished over the year before, as a province's database looks after a year of work; one full
 * pass at 2025-03-31 12:00 writes every clock (and the escalations and letters of the late
 * ones), then migration 014's indexes are built if the schema lacks them. Then it calls the
 * page handlers directly, as the server does, REQUESTS times each, and prints p50 and p99 of:
 * the dossier list's first page (the provincial office, open dossiers), a deep page (keyset,
 * `after=` half way through every dossier), filtered pages (an agency's official: its overdue
 * dossiers; a procedure; a search for a whole code), and a dossier page (random codes). The
 * baselines, in the same run: the same deep page read with OFFSET instead of a keyset (what the
 * index saves), and a `SELECT 1` round trip (the floor of any page). The searches by a code
 * prefix and by part of a name are printed too: they scan the source view and are not under the
 * target.
 * DUNGHEN_BENCH_EXPLAIN=1 prints the plans of the list's queries on stderr.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_support.h"
#include "core/civil.h"
#include "rules/ladder.h"
#include "rules/ruleset.h"
#include "store/pass.h"
#include "store/sql.h"
#include "store/web_view.h"
#include "web/page.h"

/* Makes one in ten dossiers open and the others finished (see the top of this file). */
static void spread(PGconn *connection) {
  double start = bench_seconds_now();
  bench_must(connection, "ALTER TABLE onestop.ho_so DISABLE TRIGGER ho_so_touch");
  bench_must(connection,
             "UPDATE onestop.ho_so h SET"
             " ngay_tiep_nhan = CASE WHEN n % 10 = 0"
             "  THEN timestamptz '2025-03-21 07:00+07' + (n * 7919 % 864000) * interval '1 s'"
             "  ELSE timestamptz '2024-04-01 07:00+07' + (n * 7919 % 31104000) * interval '1 s'"
             "  END,"
             " trang_thai = CASE WHEN n % 10 = 0 THEN 'dang_xu_ly' ELSE 'da_tra_ket_qua' END,"
             " ngay_hoan_thanh = CASE WHEN n % 10 = 0 THEN NULL"
             "  ELSE timestamptz '2024-04-01 07:00+07' + (n * 7919 % 31104000) * interval '1 s'"
             "   + (1 + n % 9) * interval '1 day' END,"
             " updated_at = now() - interval '1 hour'"
             " FROM (SELECT ma_ho_so, substr(ma_ho_so, 2)::bigint AS n FROM onestop.ho_so) s"
             " WHERE s.ma_ho_so = h.ma_ho_so");
  bench_must(connection, "ALTER TABLE onestop.ho_so ENABLE TRIGGER ho_so_touch");
  bench_must(connection, "VACUUM ANALYZE onestop.ho_so");
  printf("one in ten open, the others finished over a year: %.1f s\n", bench_seconds_now() - start);
}

static void first_pass(PGconn *connection, const struct ruleset *set) {
  struct pass_context context = {
      .connection = connection,
      .rules = set->rules,
      .ladder = set->ladder,
      .now = civil_instant_from_local(civil_days_from_date(2025, 3, 31), 12 * 3600),
      .overlap_seconds = -1,
      .full = true,
  };
  struct pass_report report;
  struct error error;
  double start = bench_seconds_now();
  if (pass_run(&context, &report, &error) != STATUS_OK) {
    fprintf(stderr, "pass: %s\n", error.message);
    exit(1);
  }
  printf("first full pass: %.1f s (examined %zu, escalations %zu, letters %zu)\n",
         bench_seconds_now() - start, report.examined, report.escalations, report.letters);
}

/* Migration 014, until the schema has it (it is listed in daemon/store/meson.build once the
 * migrations before it are merged). */
static void web_indexes(PGconn *connection) {
  PGresult *result =
      PQexec(connection, "SELECT count(*) FROM pg_indexes WHERE indexname = 'clock_web_due'");
  bool present = PQresultStatus(result) == PGRES_TUPLES_OK && atoi(PQgetvalue(result, 0, 0)) > 0;
  PQclear(result);
  double start = bench_seconds_now();
  if (!present) {
    const char *root = getenv("DUNGHEN_SOURCE_ROOT") ? getenv("DUNGHEN_SOURCE_ROOT") : ".";
    char path[4096];
    snprintf(path, sizeof path, "%s/daemon/schema/014_web_indexes.sql", root);
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
      fprintf(stderr, "%s: cannot open (set DUNGHEN_SOURCE_ROOT)\n", path);
      exit(1);
    }
    static char sql[16384];
    size_t size = fread(sql, 1, sizeof sql - 1, file);
    fclose(file);
    sql[size] = '\0';
    bench_must(connection, sql);
  }
  bench_must(connection, "VACUUM ANALYZE dunghen.clock");
  bench_must(connection, "VACUUM ANALYZE dunghen.letter_log");
  printf("migration 014's indexes%s and ANALYZE: %.1f s\n", present ? " (already there)" : "",
         bench_seconds_now() - start);
}

struct figure {
  double p50, p99;
  size_t bytes;
};

static int compare(const void *left, const void *right) {
  return bench_compare_doubles(left, right);
}

/* Calls `handler` `requests` times with the parameters of `make` for request i. */
typedef void (*request_maker)(size_t index, struct web_request *request, char *path,
                              struct web_parameter *parameters, void *context);

static struct figure measure(web_page_handler handler, size_t requests, request_maker make,
                             void *context, struct web_request base) {
  double *times = calloc(requests, sizeof *times);
  struct figure figure = {0};
  for (size_t index = 0; index < requests; index++) {
    char path[128] = "/dossiers";
    struct web_parameter parameters[4];
    struct web_request request = base;
    request.path = path;
    request.parameters = parameters;
    request.parameter_count = 0;
    make(index, &request, path, parameters, context);
    struct web_response response;
    memset(&response, 0, sizeof response);
    struct error error = {0};
    double start = bench_seconds_now();
    enum status status = handler(&request, &response, &error);
    times[index] = bench_seconds_now() - start;
    if (status != STATUS_OK || response.status != 200) {
      fprintf(stderr, "%s: status %d: %s\n", request.path, response.status, error.message);
      exit(1);
    }
    figure.bytes = response.body.length;
    buffer_free(&response.body);
  }
  qsort(times, requests, sizeof *times, compare);
  figure.p50 = times[requests / 2];
  figure.p99 = times[requests * 99 / 100 < requests ? requests * 99 / 100 : requests - 1];
  free(times);
  return figure;
}

struct list_context {
  const char *names[4];
  const char *values[4];
  size_t count;
};

static void make_list(size_t index, struct web_request *request, char *path,
                      struct web_parameter *parameters, void *context) {
  (void)index;
  (void)path;
  const struct list_context *list = context;
  for (size_t parameter = 0; parameter < list->count; parameter++)
    parameters[parameter] = (struct web_parameter){list->names[parameter], list->values[parameter]};
  request->parameter_count = list->count;
}

static void make_dossier(size_t index, struct web_request *request, char *path,
                         struct web_parameter *parameters, void *context) {
  (void)parameters;
  /* Codes of the loader: H000000001 ... spread over the table by a multiplicative step. */
  long dossier_count = *(const long *)context;
  long number = (long)((index * 7919 + 13) % (size_t)dossier_count) + 1;
  snprintf(path, 128, "/dossiers/H%09ld", number);
  request->path = path;
}

static void print_figure(const char *name, struct figure figure) {
  printf("%-58s p50 %6.1f ms  p99 %6.1f ms  (%zu bytes)\n", name, figure.p50 * 1000,
         figure.p99 * 1000, figure.bytes);
}

/* The deep page's cursor: the row half way through every dossier in the list's order. */
static void deep_cursor(PGconn *connection, long dossier_count, char *cursor, size_t size) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT coalesce(dunghen.epoch(k)::text, 'none') || '_' || code FROM ("
           " SELECT coalesce(new_deadline, deadline, 'infinity'::timestamptz) AS k, code"
           " FROM dunghen.clock ORDER BY 1, 2 OFFSET %ld LIMIT 1) s",
           dossier_count / 2);
  PGresult *result = PQexec(connection, sql);
  if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
    fprintf(stderr, "deep cursor: %s\n", PQerrorMessage(connection));
    exit(1);
  }
  snprintf(cursor, size, "%s", PQgetvalue(result, 0, 0));
  PQclear(result);
}

/* The same deep page with OFFSET: the baseline a keyset avoids. */
static double offset_page(PGconn *connection, long dossier_count, int runs) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT code, procedure_code, agency_code, state, episode, dunghen.epoch("
           "coalesce(new_deadline, deadline, 'infinity'::timestamptz)), remaining_seconds,"
           " dunghen.epoch(received_at) FROM dunghen.clock"
           " ORDER BY coalesce(new_deadline, deadline, 'infinity'::timestamptz), code"
           " OFFSET %ld LIMIT 51",
           dossier_count / 2);
  double times[16];
  for (int run = 0; run < runs; run++) {
    double start = bench_seconds_now();
    PGresult *result = PQexec(connection, sql);
    times[run] = bench_seconds_now() - start;
    if (PQresultStatus(result) != PGRES_TUPLES_OK) {
      fprintf(stderr, "offset page: %s\n", PQerrorMessage(connection));
      exit(1);
    }
    PQclear(result);
  }
  qsort(times, (size_t)runs, sizeof times[0], compare);
  return times[runs / 2];
}

static double round_trip(PGconn *connection, size_t requests) {
  double *times = calloc(requests, sizeof *times);
  for (size_t index = 0; index < requests; index++) {
    double start = bench_seconds_now();
    PGresult *result = PQexec(connection, "SELECT 1");
    times[index] = bench_seconds_now() - start;
    PQclear(result);
  }
  qsort(times, requests, sizeof *times, compare);
  double p50 = times[requests / 2];
  free(times);
  return p50;
}

static void print_notice(void *argument, const char *message) {
  (void)argument;
  fputs(message, stderr);
}

static void explain(PGconn *connection, const char *cursor_text) {
  if (getenv("DUNGHEN_BENCH_EXPLAIN") == NULL)
    return;
  struct web_view_cursor cursor = {0};
  char code[64];
  const char *separator = strchr(cursor_text, '_');
  snprintf(code, sizeof code, "%s", separator + 1);
  cursor.code = code;
  cursor.none = strncmp(cursor_text, "none", 4) == 0;
  cursor.deadline = cursor.none ? 0 : atoll(cursor_text);
  struct web_view_list_query queries[] = {
      {.state = "open", .limit = 50},
      {.limit = 50, .after = &cursor},
      {.state = "overdue", .agency = "AG3", .limit = 50},
      {.state = "open", .procedure = "1.004884", .limit = 50},
      {.state = "open", .text = "H000012340", .limit = 50},
  };
  PQsetNoticeProcessor(connection, print_notice, NULL);
  for (size_t index = 0; index < sizeof queries / sizeof queries[0]; index++) {
    char *plan = NULL;
    struct error error;
    if (web_view_explain_list(connection, &queries[index], &plan, &error) == STATUS_OK)
      fprintf(stderr, "-- list query %zu:\n%s", index, plan);
    free(plan);
  }
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
}

int main(int argc, char **argv) {
  long dossier_count = argc > 1 ? atol(argv[1]) : 1000000;
  size_t requests = argc > 2 ? (size_t)atol(argv[2]) : 300;
  if (dossier_count < 100 || requests < 10) {
    fprintf(stderr, "usage: web [N >= 100] [REQUESTS >= 10]\n");
    return 2;
  }
  const char *directory = getenv("DUNGHEN_RULES") ? getenv("DUNGHEN_RULES") : "rules";
  struct ruleset *set = NULL;
  struct error error;
  if (ruleset_load(directory, civil_days_from_date(2025, 4, 2), &set, &error) != STATUS_OK) {
    fprintf(stderr, "%s\n", error.message);
    return 2;
  }
  PGconn *connection = PQconnectdb(getenv("DUNGHEN_TEST_DB") ? getenv("DUNGHEN_TEST_DB") : "");
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  bench_load_dossiers(connection, dossier_count);
  spread(connection);
  first_pass(connection, set);
  web_indexes(connection);
  bench_must(connection, "SET max_parallel_workers_per_gather = 0");
  char cursor[128];
  deep_cursor(connection, dossier_count, cursor, sizeof cursor);
  explain(connection, cursor);

  struct web_viewer province = {.user = "tinh", .display_name = "Văn phòng UBND tỉnh"};
  struct web_viewer agency = {.user = "ag3", .display_name = "Cán bộ AG3", .agency_code = "AG3"};
  struct web_request base = {
      .viewer = &province,
      .connection = connection,
      .rules = set,
      .now = civil_instant_from_local(civil_days_from_date(2025, 3, 31), 14 * 3600),
  };
  struct web_request as_agency = base;
  as_agency.viewer = &agency;
  struct list_context first = {.count = 0};
  struct list_context deep = {.names = {"state", "after"}, .values = {"all", cursor}, .count = 2};
  struct list_context overdue = {.names = {"state"}, .values = {"rescheduled"}, .count = 1};
  struct list_context procedure = {.names = {"procedure"}, .values = {"1.004884"}, .count = 1};
  struct list_context exact = {.names = {"q"}, .values = {"H000012340"}, .count = 1};
  struct list_context prefix = {.names = {"q"}, .values = {"H00001234"}, .count = 1};
  struct list_context name = {.names = {"q"}, .values = {"Văn An 123456"}, .count = 1};

  measure(web_page_dossiers, 10, make_list, &first, base); /* warms the cache */
  double trip = round_trip(connection, requests);
  struct figure figures[6];
  figures[0] = measure(web_page_dossiers, requests, make_list, &first, base);
  print_figure("list, first page (province, open dossiers)", figures[0]);
  figures[1] = measure(web_page_dossiers, requests, make_list, &deep, base);
  print_figure("list, deep page (all dossiers, after= half way)", figures[1]);
  figures[2] = measure(web_page_dossiers, requests, make_list, &overdue, as_agency);
  print_figure("list, filtered (agency AG3's official, rescheduled)", figures[2]);
  figures[3] = measure(web_page_dossiers, requests, make_list, &procedure, base);
  print_figure("list, filtered (one procedure of four, open)", figures[3]);
  figures[4] = measure(web_page_dossiers, requests, make_list, &exact, base);
  print_figure("list, text search by a whole code", figures[4]);
  figures[5] = measure(web_page_dossier, requests, make_dossier, &dossier_count, base);
  print_figure("dossier page (random codes, timeline, letters)", figures[5]);
  struct figure by_prefix = measure(web_page_dossiers, 10, make_list, &prefix, base);
  print_figure("list, text search by code prefix (10 requests)", by_prefix);
  struct figure by_name = measure(web_page_dossiers, 10, make_list, &name, base);
  print_figure("list, text search by part of a name (10 requests)", by_name);
  double offset = offset_page(connection, dossier_count, 5);
  printf("baseline: the deep page with OFFSET %ld: median %.1f ms = %.0f x the keyset page's"
         " p50\n",
         dossier_count / 2, offset * 1000, offset / figures[1].p50);
  printf("baseline: SELECT 1 round trip: p50 %.2f ms; the first list page's p50 is %.1f x it\n",
         trip * 1000, figures[0].p50 / trip);
  double worst = 0;
  for (size_t index = 0; index < 6; index++)
    if (figures[index].p99 > worst)
      worst = figures[index].p99;
  printf("target p99 < 50 ms: %s (worst p99 %.1f ms)\n", worst < 0.050 ? "met" : "NOT met",
         worst * 1000);
  PQfinish(connection);
  ruleset_release(set);
  return 0;
}
