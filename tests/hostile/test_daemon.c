/*
 * Hostile input to a running daemon, against the private PostgreSQL of with-cluster:
 *
 * Reload: each rules file (calendar, procedures, ladder, agencies) is replaced in turn by a
 * broken one (syntax, garbage, alias bomb, deep nesting, oversize, absurd values) and the daemon
 * gets SIGHUP. Each reload must be refused with the exact `FILE:LINE:COLUMN: message` in the
 * log, /healthz must stay 200, and the old rules must stay in force: no deadline moves and a new
 * overdue dossier is escalated under the old rules.
 *
 * HTTP: malformed request lines, a 1 MB URL, a 1 MB header, a slow client (a byte per 100 ms),
 * 500 idle connections at once. After each, /healthz must answer 200 within a second, and the
 * loop must keep turning (dunghen_passes_total grows; the poll interval is one second). Loopback
 * only, bounded in count and time (about a minute in all).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "e2e_support.h"
#include "tap.h"

static const char *const CONFIG = "sync:\n  poll_interval: 1\n";

enum { IDLE_CONNECTIONS = 500 };

/* ---- files ---- */

static char *read_all(const char *path, size_t *size) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  fseek(file, 0, SEEK_END);
  long length = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *data = malloc((size_t)length + 1);
  if (data != NULL && fread(data, 1, (size_t)length, file) != (size_t)length) {
    free(data);
    data = NULL;
  }
  fclose(file);
  if (data != NULL) {
    data[length] = '\0';
    *size = (size_t)length;
  }
  return data;
}

static bool write_all(const char *path, const char *data, size_t size) {
  FILE *file = fopen(path, "wb");
  if (file == NULL)
    return false;
  bool written = fwrite(data, 1, size, file) == size;
  return fclose(file) == 0 && written;
}

/* ---- broken rules ---- */

struct broken {
  const char *name;
  const char *file;     /* in the rules directory */
  const char *content;  /* NULL: made by make_content() */
  const char *expected; /* the message after `PATH:` */
};

static const struct broken BROKEN[] = {
    {"calendar: truncated", "calendar.yaml", "week:\n  working_days: [monday, tues",
     "3:1: did not find expected ',' or ']' while parsing a flow sequence: a list in [ ] is not "
     "closed, or two of its items lack a comma between them"},
    {"calendar: hours 25:61", "calendar.yaml",
     "week:\n  hours:\n    - {start: \"07:00\", end: \"25:61\"}\n",
     "3:29: '25:61': no such time of day"},
    {"calendar: year 99999", "calendar.yaml", "announced:\n  99999:\n    days_off: []\n",
     "2:3: 99999 is out of range (1900 to 2199)"},
    {"procedures: alias bomb", "procedures.yaml",
     "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
     "2:8: aliases (*a) are not allowed: write the value out"},
    {"procedures: binary garbage", "procedures.yaml", NULL,
     "1:2: control characters are not allowed (byte offset 1): a control character, which is not "
     "text: remove it, or save the file as plain text"},
    {"procedures: 10 MB", "procedures.yaml", NULL,
     "1:1: file too large (10485760 bytes, the limit is 8388608)"},
    {"procedures: a million-day duration", "procedures.yaml",
     "procedures:\n  - code: '9.900001'\n    name: n\n    field: f\n    level: l\n"
     "    duration: 1000000wd\n    source: s\n    confidence: one-source\n",
     "6:15: duration '1000000wd' is too long (at most 3650wd)"},
    {"procedures: duplicate key", "procedures.yaml", "procedures: []\nprocedures: []\n",
     "2:1: duplicate key 'procedures' (first at line 1)"},
    {"ladder: deep nesting", "ladder.yaml", NULL, "1:72: nesting deeper than 64 levels"},
    {"ladder: negative episode", "ladder.yaml",
     "levels:\n  - level: overdue\n    offset: 0\n    episode: -1\n"
     "    recipients: [agency_head]\n",
     "4:14: -1 is out of range (1 to 2)"},
    {"ladder: unknown key", "ladder.yaml",
     "levels:\n  - level: overdue\n    offset: 0\n    recipient: [agency_head]\n",
     "4:5: unknown key 'recipient' in a ladder level (did you mean 'recipients'?)"},
    {"agencies: wrong type", "agencies.yaml", "agencies: {code: x}\n",
     "1:11: agencies must be a list, not a mapping"},
};

enum { BROKEN_COUNT = sizeof BROKEN / sizeof BROKEN[0] };

/* The cases too big or too binary to write as literals. */
static char *make_content(const struct broken *broken, size_t *size) {
  char *data = NULL;
  if (strstr(broken->name, "garbage") != NULL) {
    *size = 4096;
    data = malloc(*size);
    unsigned state = 12345;
    for (size_t i = 0; data != NULL && i < *size; i++) {
      state = state * 1103515245u + 12345u;
      data[i] = (char)(state >> 16);
    }
    if (data != NULL)
      data[0] = 'a'; /* then a control character at byte 1 */
    if (data != NULL)
      data[1] = '\x01';
  } else if (strstr(broken->name, "10 MB") != NULL) {
    *size = 10 * 1024 * 1024;
    data = malloc(*size);
    if (data != NULL) {
      memset(data, '#', *size);
      data[*size - 1] = '\n';
    }
  } else if (strstr(broken->name, "deep") != NULL) {
    *size = 8 + 2 * 5000 + 1;
    data = malloc(*size);
    if (data != NULL) {
      memcpy(data, "levels: ", 8);
      memset(data + 8, '[', 5000);
      memset(data + 8 + 5000, ']', 5000);
      data[*size - 1] = '\n';
    }
  }
  return data;
}

/* The last log line holding `needle` (the daemon's log grows; the newest refusal is last). */
static bool last_log_line(const struct e2e_daemon *daemon, const char *needle, char *line,
                          size_t size) {
  size_t length;
  char *text = read_all(daemon->log_path, &length);
  if (text == NULL)
    return false;
  const char *found = NULL;
  for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
    found = at;
  if (found != NULL) {
    const char *start = found, *end = strchr(found, '\n');
    while (start > text && start[-1] != '\n')
      start--;
    snprintf(line, size, "%.*s", (int)(end != NULL ? end - start : (long)strlen(start)), start);
  }
  free(text);
  return found != NULL;
}

/* ---- metrics ---- */

static long long metric(int port, const char *name) {
  static char body[1 << 16];
  if (e2e_http_get(port, "/metrics", body, sizeof body) != 200)
    return -1;
  const char *at = strstr(body, name);
  while (at != NULL && at > body && at[-1] != '\n')
    at = strstr(at + 1, name);
  if (at == NULL)
    return -1;
  return atoll(at + strlen(name));
}

static bool healthy_within(int port, double seconds, double *elapsed) {
  char body[256];
  double started = e2e_monotonic_now();
  int status = e2e_http_get(port, "/healthz", body, sizeof body);
  *elapsed = e2e_monotonic_now() - started;
  return status == 200 && *elapsed < seconds;
}

/* ---- reload ---- */

static void test_reloads(struct e2e_harness *harness, struct e2e_daemon *daemon) {
  e2e_db_insert_dossier(harness, "HOSTILE-1", "9.900001", "now() - interval '1 hour'");
  e2e_db_insert_dossier(harness, "HOSTILE-2", "9.900002", "now() - interval '1 hour'");
  tap_ok(e2e_db_wait_integer(harness, 2, 10,
                             "SELECT count(*) FROM dunghen.clock WHERE code LIKE 'HOSTILE-_' "
                             "AND deadline IS NOT NULL"),
         "two open dossiers have their deadlines");
  e2e_db_exec(harness, "CREATE TABLE hostile_before AS SELECT code, deadline FROM dunghen.clock");
  for (int i = 0; i < BROKEN_COUNT; i++) {
    const struct broken *broken = &BROKEN[i];
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", harness->rules, broken->file);
    size_t original_size = 0, size = 0;
    char *original = read_all(path, &original_size); /* NULL: agencies.yaml is not there */
    char *made = broken->content == NULL ? make_content(broken, &size) : NULL;
    const char *content = broken->content != NULL ? broken->content : made;
    if (broken->content != NULL)
      size = strlen(broken->content);
    if (content == NULL || !write_all(path, content, size)) {
      tap_ok(false, "%s: cannot write the broken file", broken->name);
      free(made);
      free(original);
      continue;
    }
    kill(daemon->pid, SIGHUP);
    bool refused =
        e2e_daemon_wait_log(daemon, "reload failed, keeping the old config and rules: ", i + 1, 20);
    tap_ok(refused, "%s: SIGHUP is refused", broken->name);
    char expected[PATH_MAX + 512], line[4096] = "", *at = NULL;
    snprintf(expected, sizeof expected, "reload failed, keeping the old config and rules: %s:%s",
             path, broken->expected);
    if (refused && last_log_line(daemon, "reload failed", line, sizeof line))
      at = strstr(line, "reload failed");
    tap_ok(at != NULL && strcmp(at, expected) == 0, "%s: the log says exactly where and why",
           broken->name);
    if (at == NULL || strcmp(at, expected) != 0) {
      tap_diagnostic("expected: %s", expected);
      tap_diagnostic("got:      %s", at != NULL ? at : "(no refusal)");
    }
    double elapsed = 0;
    tap_ok(healthy_within(daemon->port, 1.0, &elapsed), "%s: /healthz 200 after it (%.3f s)",
           broken->name, elapsed);
    if (original != NULL)
      write_all(path, original, original_size);
    else
      unlink(path);
    free(made);
    free(original);
  }
  tap_is_integer(metric(daemon->port, "dunghen_reloads_total{result=\"failed\"} "), BROKEN_COUNT,
                 "metrics count every refused reload");
  tap_is_integer(metric(daemon->port, "dunghen_reloads_total{result=\"ok\"} "), 0,
                 "and no reload took effect");
  tap_is_integer(e2e_db_integer(harness,
                                "SELECT count(*) FROM dunghen.clock c JOIN hostile_before b "
                                "USING (code) WHERE c.deadline IS DISTINCT FROM b.deadline"),
                 0, "no deadline moved: the old rules stayed in force");
  e2e_db_insert_dossier(harness, "HOSTILE-3", "9.900001", "now() - interval '30 days'");
  tap_ok(e2e_db_wait_integer(harness, 1, 10,
                             "SELECT count(*) FROM dunghen.escalation_log "
                             "WHERE dossier_code = 'HOSTILE-3' AND level = 'overdue'"),
         "a new overdue dossier is escalated under the old rules");
}

/* ---- HTTP ---- */

static int connect_loopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* Reads until the peer closes, a status line has come or `seconds` pass; returns the status
 * code, 0 when the server closed without an answer, -1 on timeout. */
static int read_answer(int fd, double seconds) {
  char buffer[4096];
  size_t used = 0;
  double until = e2e_monotonic_now() + seconds;
  for (;;) {
    buffer[used] = '\0';
    if (strstr(buffer, "\r\n") != NULL)
      break; /* a keep-alive connection stays open after its answer */
    double left = until - e2e_monotonic_now();
    if (left <= 0)
      return -1;
    struct pollfd poller = {fd, POLLIN, 0};
    if (poll(&poller, 1, (int)(left * 1000) + 1) <= 0)
      continue;
    ssize_t got = read(fd, buffer + used, sizeof buffer - 1 - used);
    if (got <= 0)
      break;
    used += (size_t)got;
    if (used == sizeof buffer - 1)
      break;
  }
  buffer[used] = '\0';
  int status = 0;
  if (sscanf(buffer, "HTTP/1.%*d %d", &status) != 1)
    return 0;
  return status;
}

/* Sends everything it can; the server may close early on a request it refuses. */
static void send_all(int fd, const char *data, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    ssize_t result = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (result <= 0)
      return;
    sent += (size_t)result;
  }
}

struct raw_request {
  const char *name;
  const char *text;
  size_t size;
};

static void test_malformed(struct e2e_daemon *daemon) {
  static const char nul_request[] = "GET /healthz\0 HTTP/1.1\r\n\r\n";
  static const struct raw_request requests[] = {
      {"garbage request line", "GARBAGE\r\n\r\n", 0},
      {"method only", "GET\r\n\r\n", 0},
      {"unknown HTTP version", "GET /healthz HTTP/9.9\r\n\r\n", 0},
      {"NUL inside the request line", nul_request, sizeof nul_request - 1},
      {"binary bytes", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 0},
      {"header without a colon", "GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", 0},
      {"negative Content-Length", "GET /healthz HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 0},
      {"huge Content-Length on POST",
       "POST /healthz HTTP/1.1\r\nContent-Length: 99999999999999\r\n\r\n", 0},
      {"bad chunk size",
       "POST /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n", 0},
      {"absolute URL to another host", "GET http://example.invalid/healthz HTTP/1.1\r\n\r\n", 0},
      {"path traversal", "GET /../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 0},
      {"LF-only line ends", "GET /healthz HTTP/1.1\nHost: x\n\n", 0},
  };
  for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
    const struct raw_request *request = &requests[i];
    int fd = connect_loopback(daemon->port);
    if (fd < 0) {
      tap_ok(false, "%s: connect", request->name);
      continue;
    }
    send_all(fd, request->text, request->size ? request->size : strlen(request->text));
    shutdown(fd, SHUT_WR);
    int status = read_answer(fd, 5);
    close(fd);
    tap_diagnostic("%s: %s %d", request->name, status > 0 ? "answered" : "closed", status);
    double elapsed = 0;
    tap_ok(status >= 0 && healthy_within(daemon->port, 1.0, &elapsed),
           "%s: answered or closed at once, then /healthz 200", request->name);
  }
}

static void test_oversized(struct e2e_daemon *daemon) {
  enum { MEGABYTE = 1024 * 1024 };
  char *request = malloc(MEGABYTE + 256);
  if (request == NULL)
    return;
  for (int kind = 0; kind < 2; kind++) {
    int length;
    if (kind == 0) {
      length = snprintf(request, 64, "GET /");
      memset(request + length, 'a', MEGABYTE);
      length += MEGABYTE;
      length += sprintf(request + length, " HTTP/1.1\r\nHost: x\r\n\r\n");
    } else {
      length = snprintf(request, 64, "GET /healthz HTTP/1.1\r\nX-Big: ");
      memset(request + length, 'b', MEGABYTE);
      length += MEGABYTE;
      length += sprintf(request + length, "\r\n\r\n");
    }
    const char *name = kind == 0 ? "1 MB URL" : "1 MB header";
    int fd = connect_loopback(daemon->port);
    double started = e2e_monotonic_now();
    send_all(fd, request, (size_t)length);
    int status = read_answer(fd, 5);
    close(fd);
    tap_diagnostic("%s: %s %d after %.3f s", name, status > 0 ? "answered" : "closed", status,
                   e2e_monotonic_now() - started);
    tap_ok(status == 0 || (status >= 400 && status < 500), "%s: refused (4xx or closed)", name);
    double elapsed = 0;
    tap_ok(healthy_within(daemon->port, 1.0, &elapsed), "%s: then /healthz 200 (%.3f s)", name,
           elapsed);
  }
  free(request);
}

/* A client that sends its request a byte per 100 ms: meanwhile others are served at once. */
static void test_slow_client(struct e2e_daemon *daemon) {
  static const char request[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  int fd = connect_loopback(daemon->port);
  double worst = 0;
  bool all_healthy = true;
  for (size_t i = 0; i < sizeof request - 1; i++) {
    send_all(fd, request + i, 1);
    e2e_sleep_seconds(0.1);
    if (i % 10 == 0) {
      double elapsed = 0;
      all_healthy = healthy_within(daemon->port, 1.0, &elapsed) && all_healthy;
      worst = elapsed > worst ? elapsed : worst;
    }
  }
  tap_ok(all_healthy, "slow client: /healthz answers others meanwhile (worst %.3f s)", worst);
  tap_is_integer(read_answer(fd, 5), 200, "slow client: its own request is answered at the end");
  close(fd);
}

/* 500 connections that never send a byte: served around, then closed by the server's timeout. */
static void test_idle_connections(struct e2e_daemon *daemon) {
  int fds[IDLE_CONNECTIONS];
  int opened = 0;
  for (int i = 0; i < IDLE_CONNECTIONS; i++) {
    fds[i] = connect_loopback(daemon->port);
    opened += fds[i] >= 0;
  }
  tap_is_integer(opened, IDLE_CONNECTIONS, "%d idle connections are open", IDLE_CONNECTIONS);
  e2e_sleep_seconds(0.5);
  double elapsed = 0;
  tap_ok(healthy_within(daemon->port, 1.0, &elapsed),
         "with %d idle connections /healthz answers in %.3f s", IDLE_CONNECTIONS, elapsed);
  /* evhttp_set_timeout(10): the server drops connections that send nothing for 10 s. */
  e2e_sleep_seconds(11.5);
  int closed = 0;
  for (int i = 0; i < IDLE_CONNECTIONS; i++) {
    if (fds[i] < 0)
      continue;
    struct pollfd poller = {fds[i], POLLIN, 0};
    char byte;
    if (poll(&poller, 1, 0) == 1 && read(fds[i], &byte, 1) <= 0)
      closed++;
    close(fds[i]);
  }
  tap_is_integer(closed, opened, "the server closed every idle connection after its timeout");
  tap_ok(healthy_within(daemon->port, 1.0, &elapsed), "then /healthz answers in %.3f s", elapsed);
}

/* The daemon's CPU time (user + system) in seconds, from /proc. */
static double cpu_seconds(pid_t pid) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *file = fopen(path, "r");
  if (file == NULL)
    return -1;
  size_t got = fread(text, 1, sizeof text - 1, file);
  fclose(file);
  text[got] = '\0';
  const char *after = strrchr(text, ')'); /* the command name may hold spaces */
  unsigned long user = 0, system_time = 0;
  if (after == NULL || sscanf(after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                              &user, &system_time) != 2)
    return -1;
  return (double)(user + system_time) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * A client that trickles a header a byte per 100 ms never lets the inactivity timeout fire; and
 * when connections exhaust the daemon's file descriptors, accept() fails. Both are measured
 * here (diagnostics), and the daemon must serve /healthz again once the clients go.
 */
static void test_descriptor_exhaustion(struct e2e_daemon *daemon) {
  int trickle = connect_loopback(daemon->port);
  send_all(trickle, "GET /healthz HTTP/1.1\r\nX-Slow: ", 32);
  double started = e2e_monotonic_now();
  bool open_still = true;
  while (e2e_monotonic_now() - started < 12 && open_still) {
    send_all(trickle, "a", 1);
    e2e_sleep_seconds(0.1);
    struct pollfd poller = {trickle, POLLIN, 0};
    char byte;
    open_still = !(poll(&poller, 1, 0) == 1 && read(trickle, &byte, 1) <= 0);
  }
  tap_diagnostic("a client trickling a header byte per 100 ms was %s after %.1f s "
                 "(the inactivity timeout is 10 s)",
                 open_still ? "still connected" : "disconnected", e2e_monotonic_now() - started);
  close(trickle);

  struct rlimit limit = {64, 64}, old_limit;
  if (prlimit(daemon->pid, RLIMIT_NOFILE, &limit, &old_limit) != 0) {
    tap_diagnostic("prlimit: %s: skipping the descriptor exhaustion check", strerror(errno));
    return;
  }
  int fds[100];
  for (int i = 0; i < 100; i++)
    fds[i] = connect_loopback(daemon->port); /* the kernel accepts them into the backlog */
  struct stat log_before, log_after;
  stat(daemon->log_path, &log_before);
  double cpu_before = cpu_seconds(daemon->pid), wall_before = e2e_monotonic_now();
  e2e_sleep_seconds(1);
  double cpu = cpu_seconds(daemon->pid) - cpu_before, wall = e2e_monotonic_now() - wall_before;
  stat(daemon->log_path, &log_after);
  /* Known problem (tests/RELIABILITY.md): evhttp's listener retries accept() at once, logging
   * each failure, so this spins and floods the log until service/http.c backs off. */
  tap_diagnostic("at its file limit with 100 connections waiting, for %.1f s the daemon used "
                 "%.0f%% of a CPU and its log grew by %lld bytes",
                 wall, 100 * cpu / wall, (long long)(log_after.st_size - log_before.st_size));
  for (int i = 0; i < 100; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  prlimit(daemon->pid, RLIMIT_NOFILE, &old_limit, NULL);
  e2e_sleep_seconds(0.5);
  double elapsed = 0;
  bool healthy = false;
  for (int attempt = 0; attempt < 20 && !healthy;
       attempt++) /* closing the backlog takes a moment */
    healthy = healthy_within(daemon->port, 1.0, &elapsed);
  tap_ok(healthy, "after the file limit is lifted and the clients go, /healthz answers");
}

static void test_http(struct e2e_daemon *daemon) {
  e2e_sleep_seconds(2.1); /* metrics are refreshed at most every 2 s */
  long long passes_before = metric(daemon->port, "dunghen_passes_total ");
  double started = e2e_monotonic_now();
  test_malformed(daemon);
  test_oversized(daemon);
  test_slow_client(daemon);
  test_idle_connections(daemon);
  test_descriptor_exhaustion(daemon);
  e2e_sleep_seconds(2.1);
  long long passes_after = metric(daemon->port, "dunghen_passes_total ");
  double seconds = e2e_monotonic_now() - started;
  tap_diagnostic("passes: %lld before, %lld after %.1f s of hostile HTTP", passes_before,
                 passes_after, seconds);
  /* One pass a second is the poll interval; allow for slow (sanitizer) builds. */
  tap_ok(passes_before >= 0 && passes_after - passes_before >= (long long)(seconds / 4),
         "the loop kept turning: %lld passes in %.1f s", passes_after - passes_before, seconds);
  tap_ok(kill(daemon->pid, 0) == 0, "the daemon is still running");
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "database migrated, reference schema in"))
    return tap_finish();
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &harness, CONFIG, NULL), "the daemon starts")) {
    e2e_teardown(&harness);
    return tap_finish();
  }
  tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "the daemon becomes ready");
  test_reloads(&harness, &daemon);
  test_http(&daemon);
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  e2e_teardown(&harness);
  return result;
}
