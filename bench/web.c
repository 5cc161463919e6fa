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
 * ones), then the tables are analysed. Then it calls the
 * page handlers directly, as the server does, REQUESTS times each, and prints p50 and p99 of:
 * the dossier list's first page (the provincial office, open dossiers), a deep page (keyset,
 * `after=` half way through every dossier), an agency's official's first page, filtered pages
 * (due soon; a procedure; a search for a whole code); the open dossiers are all of agency AG0
 * (the loader's agency is the code's number modulo ten, and one in ten is open), and a dossier page
 * (random codes). The baselines, in the same run: the same deep page read with OFFSET instead of a
 * keyset (what the index saves), and a `SELECT 1` round trip (the floor of any page). The searches
 * by a code prefix and by part of a name are printed too: they scan the source view and are not
 * under the target. Then the same figures through HTTP: `dunghen web` ($DUNGHEN_BINARY, else
 * build/daemon/dunghen) is started on a free port as the provincial office's user, signed in once,
 * and each page is a GET on a new connection (the server, its session check, headers and audit row
 * included). DUNGHEN_BENCH_EXPLAIN=1 prints the plans of the list's queries on stderr.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_support.h"
#include "core/civil.h"
#include "rules/ladder.h"
#include "rules/ruleset.h"
#include "store/pass.h"
#include "store/sql.h"
#include "store/web_view.h"
#include "web/page.h"
#include "web/password.h"

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

/* Fresh statistics after the load, as a running database would have (the list's indexes come
 * with migration 13). */
static void web_indexes(PGconn *connection) {
  double start = bench_seconds_now();
  bench_must(connection, "VACUUM ANALYZE dunghen.clock");
  bench_must(connection, "VACUUM ANALYZE dunghen.letter_log");
  printf("ANALYZE after the load: %.1f s\n", bench_seconds_now() - start);
}

struct figure {
  double p50, p99;
  size_t bytes;
  size_t rows; /* dossier links on the last page served */
};

static size_t count_rows(const char *body) {
  size_t rows = 0;
  for (const char *found = body; (found = strstr(found, "<tr")) != NULL; found++)
    rows++;
  return rows > 0 ? rows - 1 : 0; /* the head's row */
}

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
    figure.rows = response.body.data != NULL ? count_rows(response.body.data) : 0;
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
  printf("%-58s p50 %6.1f ms  p99 %6.1f ms  (%zu bytes", name, figure.p50 * 1000, figure.p99 * 1000,
         figure.bytes);
  if (figure.rows != SIZE_MAX)
    printf(", %zu rows", figure.rows);
  printf(")\n");
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

/* ---- through HTTP ---- */

struct web_process {
  pid_t pid;
  int port;
  char cookie[160];
  char directory[64];
};

/* One request on a new connection: the status, the body's size and the session cookie it set
 * (`cookie` may be NULL). -1 when the connection fails. */
static int http_request(int port, const char *request, size_t *size, char *cookie,
                        size_t cookie_size) {
  int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (socket_fd < 0 || connect(socket_fd, (struct sockaddr *)&address, sizeof address) != 0) {
    if (socket_fd >= 0)
      close(socket_fd);
    return -1;
  }
  size_t length = strlen(request), sent = 0;
  while (sent < length) {
    ssize_t written = write(socket_fd, request + sent, length - sent);
    if (written <= 0)
      break;
    sent += (size_t)written;
  }
  struct buffer answer = {0};
  char chunk[65536];
  ssize_t got;
  while ((got = read(socket_fd, chunk, sizeof chunk)) > 0)
    buffer_append(&answer, chunk, (size_t)got);
  close(socket_fd);
  int status = -1;
  if (answer.data != NULL && sscanf(answer.data, "HTTP/1.%*d %d", &status) != 1)
    status = -1;
  const char *body = answer.data != NULL ? strstr(answer.data, "\r\n\r\n") : NULL;
  *size = body != NULL ? answer.length - (size_t)(body + 4 - answer.data) : 0;
  const char *set = answer.data != NULL ? strstr(answer.data, "dunghen_session=") : NULL;
  if (cookie != NULL && set != NULL)
    snprintf(cookie, cookie_size, "%.*s", (int)strcspn(set, ";\r\n"), set);
  buffer_free(&answer);
  return status;
}

/* Starts `dunghen web` on a free port and signs in; false (with the cause) when it cannot. */
static bool web_start(const char *conninfo, const char *rules, struct web_process *web) {
  memset(web, 0, sizeof *web);
  snprintf(web->directory, sizeof web->directory, "/tmp/dunghen-bench-web-XXXXXX");
  if (mkdtemp(web->directory) == NULL)
    return false;
  char hash[WEB_PASSWORD_HASH_SIZE], path[256], log_path[256];
  struct error error;
  if (web_password_hash("bench-password", hash, &error) != STATUS_OK) {
    fprintf(stderr, "%s\n", error.message);
    return false;
  }
  snprintf(path, sizeof path, "%s/users.yaml", web->directory);
  FILE *file = fopen(path, "w");
  if (file == NULL)
    return false;
  fprintf(file,
          "users:\n  - name: tinh\n    display_name: Văn phòng UBND tỉnh\n"
          "    agency: provincial_office\n    password: '%s'\n",
          hash);
  fclose(file);
  char config[256];
  snprintf(config, sizeof config, "%s/dunghen.yaml", web->directory);
  file = fopen(config, "w");
  if (file == NULL)
    return false;
  fprintf(file, "web:\n  address: 127.0.0.1\n  port: 0\n  conninfo: '%s'\n  users: %s\n", conninfo,
          path);
  fclose(file);
  snprintf(log_path, sizeof log_path, "%s/web.log", web->directory);
  const char *binary = getenv("DUNGHEN_BINARY") ? getenv("DUNGHEN_BINARY") : "build/daemon/dunghen";
  char *arguments[] = {(char *)binary,
                       "web",
                       "--config",
                       config,
                       "--rules",
                       (char *)rules,
                       "--now",
                       "2025-03-31T14:00:00+07:00",
                       NULL};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  int spawned = posix_spawn(&web->pid, binary, &actions, NULL, arguments, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    fprintf(stderr, "%s: cannot start (set DUNGHEN_BINARY)\n", binary);
    return false;
  }
  for (int attempt = 0; attempt < 300 && web->port == 0; attempt++) {
    usleep(100000);
    file = fopen(log_path, "r");
    char line[512];
    while (file != NULL && fgets(line, sizeof line, file) != NULL) {
      const char *found = strstr(line, "listening on 127.0.0.1:");
      if (found != NULL)
        web->port = atoi(found + strlen("listening on 127.0.0.1:"));
    }
    if (file != NULL)
      fclose(file);
  }
  if (web->port == 0) {
    fprintf(stderr, "dunghen web did not start: see %s\n", log_path);
    return false;
  }
  const char form[] = "user=tinh&password=bench-password";
  char request[512];
  snprintf(request, sizeof request,
           "POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n"
           "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
           web->port, sizeof form - 1, form);
  size_t size;
  int status = http_request(web->port, request, &size, web->cookie, sizeof web->cookie);
  if (status != 303 || web->cookie[0] == '\0') {
    fprintf(stderr, "signing in to dunghen web: status %d\n", status);
    return false;
  }
  return true;
}

static void web_stop(struct web_process *web) {
  if (web->pid > 0) {
    kill(web->pid, SIGTERM);
    waitpid(web->pid, NULL, 0);
  }
}

/* GET `target` (a path and query, already percent-encoded) `requests` times. */
static struct figure measure_http(const struct web_process *web, size_t requests,
                                  const char *const *targets, size_t target_count) {
  double *times = calloc(requests, sizeof *times);
  struct figure figure = {.rows = SIZE_MAX};
  for (size_t index = 0; index < requests; index++) {
    char request[1024];
    snprintf(request, sizeof request,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\nCookie: %s\r\n\r\n",
             targets[index % target_count], web->port, web->cookie);
    double start = bench_seconds_now();
    int status = http_request(web->port, request, &figure.bytes, NULL, 0);
    times[index] = bench_seconds_now() - start;
    if (status != 200) {
      fprintf(stderr, "GET %s: status %d\n", targets[index % target_count], status);
      exit(1);
    }
  }
  qsort(times, requests, sizeof *times, compare);
  figure.p50 = times[requests / 2];
  figure.p99 = times[requests * 99 / 100 < requests ? requests * 99 / 100 : requests - 1];
  free(times);
  return figure;
}

/* The same pages through `dunghen web`; the worst p99. */
static double through_http(const char *rules, const char *cursor, long dossier_count,
                           size_t requests) {
  struct web_process web;
  const char *conninfo = getenv("DUNGHEN_TEST_DB") ? getenv("DUNGHEN_TEST_DB") : "";
  if (!web_start(conninfo, rules, &web)) {
    web_stop(&web);
    printf("through HTTP: not measured (dunghen web did not start)\n");
    return 0;
  }
  struct buffer deep = {0};
  buffer_add(&deep, "/dossiers?state=all&after=");
  for (const char *character = cursor; *character != '\0'; character++)
    buffer_add_format(&deep,
                      *character == '_' || (*character >= '0' && *character <= '9') ||
                              (*character >= 'A' && *character <= 'Z')
                          ? "%c"
                          : "%%%02X",
                      (unsigned char)*character);
  char *dossiers[64];
  char paths[64][64];
  for (size_t index = 0; index < 64; index++) {
    long number = (long)((index * 7919 + 13) % (size_t)dossier_count) + 1;
    snprintf(paths[index], sizeof paths[index], "/dossiers/H%09ld", number);
    dossiers[index] = paths[index];
  }
  struct {
    const char *name;
    const char *const *targets;
    size_t count;
  } pages[] = {
      {"HTTP: list, first page", (const char *const[]){"/dossiers"}, 1},
      {"HTTP: list, deep page", (const char *const[]){deep.data}, 1},
      {"HTTP: list, filtered (one procedure, open)",
       (const char *const[]){"/dossiers?procedure=1.004884"}, 1},
      {"HTTP: dossier page (audited)", (const char *const *)dossiers, 64},
      {"HTTP: /style.css (the server alone)", (const char *const[]){"/style.css"}, 1},
  };
  double worst = 0;
  for (size_t index = 0; index < sizeof pages / sizeof pages[0]; index++) {
    struct figure figure = measure_http(&web, requests, pages[index].targets, pages[index].count);
    print_figure(pages[index].name, figure);
    if (index < 4 && figure.p99 > worst)
      worst = figure.p99;
  }
  buffer_free(&deep);
  web_stop(&web);
  return worst;
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
      {.state = "open", .agency = "AG0", .limit = 50},
      {.state = "due_soon", .limit = 50},
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
  bench_first_pass(connection, set->rules, set->ladder,
                   civil_instant_from_local(civil_days_from_date(2025, 3, 31), 12 * 3600));
  web_indexes(connection);
  bench_must(connection, "SET max_parallel_workers_per_gather = 0");
  char cursor[128];
  deep_cursor(connection, dossier_count, cursor, sizeof cursor);
  explain(connection, cursor);

  struct web_viewer province = {.user = "tinh", .display_name = "Văn phòng UBND tỉnh"};
  struct web_viewer agency = {.user = "ag0", .display_name = "Cán bộ AG0", .agency_code = "AG0"};
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
  struct list_context own = {.count = 0};
  struct list_context due_soon = {.names = {"state"}, .values = {"due_soon"}, .count = 1};
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
  figures[2] = measure(web_page_dossiers, requests, make_list, &own, as_agency);
  print_figure("list, an agency's official (AG0's open dossiers)", figures[2]);
  struct figure soon = measure(web_page_dossiers, requests, make_list, &due_soon, base);
  print_figure("list, filtered (province, due soon)", soon);
  figures[3] = measure(web_page_dossiers, requests, make_list, &procedure, base);
  print_figure("list, filtered (one procedure of four, open)", figures[3]);
  figures[4] = measure(web_page_dossiers, requests, make_list, &exact, base);
  print_figure("list, text search by a whole code", figures[4]);
  figures[5] = measure(web_page_dossier, requests, make_dossier, &dossier_count, base);
  figures[5].rows = SIZE_MAX; /* not a list */
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
  if (soon.p99 > worst)
    worst = soon.p99;
  printf("target p99 < 50 ms (handlers): %s (worst p99 %.1f ms)\n",
         worst < 0.050 ? "met" : "NOT met", worst * 1000);
  double http_worst = through_http(directory, cursor, dossier_count, requests);
  if (http_worst > 0)
    printf("target p99 < 50 ms (HTTP): %s (worst p99 %.1f ms)\n",
           http_worst < 0.050 ? "met" : "NOT met", http_worst * 1000);
  PQfinish(connection);
  ruleset_release(set);
  return 0;
}
