/*
 * PostgreSQL's error text never leaves the daemon with a value from a row in it.
 *
 * An adapter view casts one dossier's applicant name to a timestamp (an easy mistake when
 * mapping columns): PostgreSQL's message for it quotes the name, `invalid input syntax for type
 * timestamp with time zone: "Đỗ Xuân Lan"`. The daemon runs against that view with a fake
 * systemd notify socket; the name must appear nowhere in its log (level info), in /healthz, in
 * /metrics or in any STATUS= message, while the log does name the SQLSTATE and the statement.
 * Control: at log level debug the server's full text, name included, is in the log, so the
 * redaction is what keeps it out at info (and the test can fail).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "e2e_support.h"
#include "tap.h"

static const char NAME[] = "Đỗ Xuân Lan";

/* The reference adapter (daemon/schema/reference.sql) with received_at cast from the name for
 * that one row. */
static const char HOSTILE_VIEW[] =
    "CREATE OR REPLACE VIEW dunghen.dossier_source AS"
    "  SELECT h.ma_ho_so AS code, h.ma_tthc AS procedure_code, h.ma_co_quan AS agency_code,"
    "    h.chu_ho_so AS applicant_name, h.so_dinh_danh AS applicant_id,"
    "    h.dia_chi AS applicant_address, h.trich_yeu AS summary,"
    "    CASE h.kenh WHEN 'truc_tiep' THEN 'direct' WHEN 'truc_tuyen' THEN 'online'"
    "      WHEN 'buu_chinh' THEN 'postal' ELSE h.kenh END AS channel,"
    "    CASE WHEN h.chu_ho_so = 'Đỗ Xuân Lan' THEN h.chu_ho_so::timestamptz"
    "      ELSE h.ngay_tiep_nhan END AS received_at,"
    "    h.ngay_hen_tra AS appointment_at,"
    "    CASE h.trang_thai WHEN 'dang_xu_ly' THEN 'processing'"
    "      WHEN 'cho_bo_sung' THEN 'waiting_supplement' WHEN 'tam_dung' THEN 'paused'"
    "      WHEN 'da_co_ket_qua' THEN 'finished' WHEN 'da_tra_ket_qua' THEN 'finished'"
    "      WHEN 'da_rut' THEN 'withdrawn' WHEN 'tu_choi' THEN 'rejected'"
    "      ELSE h.trang_thai END AS status,"
    "    h.ngay_hoan_thanh AS finished_at, h.ly_do_tre_han AS delay_reason, h.updated_at"
    "  FROM onestop.ho_so h";

static int bind_socket(const char *path) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  snprintf(address.sun_path, sizeof address.sun_path, "%s", path);
  if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
    tap_diagnostic("bind %s: %s", path, strerror(errno));
    return -1;
  }
  return fd;
}

/* Appends every datagram waiting on `fd` to `seen` ('|' between them). */
static void drain(int fd, char *seen, size_t size) {
  char message[4096];
  for (;;) {
    ssize_t got = recv(fd, message, sizeof message - 1, 0);
    if (got <= 0)
      return;
    message[got] = '\0';
    size_t used = strlen(seen);
    snprintf(seen + used, size - used, "%s|", message);
  }
}

static char *read_log(const struct e2e_daemon *daemon) {
  static char text[1 << 20];
  e2e_read_text_file(daemon->log_path, text, sizeof text);
  return text;
}

/* Runs the daemon at `level` until the failing read has been logged `failures` times; fills
 * `seen` with its notifications and `health` with its /healthz body. */
static bool run_daemon(struct e2e_harness *harness, struct e2e_daemon *daemon, const char *level,
                       char *seen, size_t seen_size, char *health, size_t health_size,
                       char *metrics, size_t metrics_size) {
  char path[PATH_MAX + 32], variable[PATH_MAX + 64], config[128];
  snprintf(path, sizeof path, "%s/notify-%s.sock", harness->directory, level);
  int fd = bind_socket(path);
  if (fd < 0)
    return false;
  snprintf(variable, sizeof variable, "NOTIFY_SOCKET=%s", path);
  snprintf(config, sizeof config, "sync:\n  poll_interval: 1\nlog:\n  level: %s\n", level);
  char *environment[] = {variable, NULL};
  seen[0] = '\0';
  bool started = e2e_daemon_start(daemon, harness, config, environment);
  bool failed = started && e2e_daemon_wait_log(daemon, "SQLSTATE 22007", 2, 30);
  if (failed) {
    e2e_daemon_wait_health(daemon, 503, health, health_size, 10);
    if (e2e_http_get(daemon->port, "/metrics", metrics, metrics_size) != 200)
      metrics[0] = '\0';
  }
  drain(fd, seen, seen_size);
  close(fd);
  return failed;
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "database migrated, reference schema in"))
    return tap_finish();
  tap_ok(e2e_db_insert_dossier(&harness, "REDACT-1", "9.900001", "now() - interval '1 hour'") &&
             e2e_db_insert_dossier(&harness, "REDACT-2", "9.900001", "now() - interval '1 hour'") &&
             e2e_db_exec(&harness,
                         "UPDATE onestop.ho_so SET chu_ho_so = '%s' WHERE ma_ho_so = "
                         "'REDACT-2'",
                         NAME),
         "two dossiers, one of them for %s", NAME);
  tap_ok(e2e_db_exec(&harness, "%s", HOSTILE_VIEW),
         "the adapter view casts that applicant's name to a timestamp");

  static char seen[1 << 16], health[4096], metrics[1 << 16];
  struct e2e_daemon daemon;
  bool failed = run_daemon(&harness, &daemon, "info", seen, sizeof seen, health, sizeof health,
                           metrics, sizeof metrics);
  if (!tap_ok(failed, "info: the daemon logs the failing read twice (it retries)"))
    e2e_daemon_dump_log(&daemon);
  const char *log = read_log(&daemon);
  tap_ok(strstr(log, NAME) == NULL && strstr(log, "Xuân") == NULL,
         "info: the name is not in the log");
  tap_ok(strstr(health, NAME) == NULL && strstr(health, "Xuân") == NULL,
         "info: nor in /healthz (%s)", health);
  tap_ok(metrics[0] != '\0' && strstr(metrics, "Xuân") == NULL, "info: nor in /metrics");
  tap_ok(strstr(seen, "STATUS=") != NULL && strstr(seen, "Xuân") == NULL,
         "info: nor in any STATUS= message");
  char line[1024] = "";
  e2e_daemon_log_line(&daemon, "worker: finding changed dossiers", line, sizeof line);
  tap_contains(
      line,
      "error: worker: finding changed dossiers: SQLSTATE 22007 (invalid datetime format; the "
      "server's text at log level debug); retrying",
      "info: the log names the statement, the SQLSTATE and what it means");
  tap_contains(health,
               "no pass yet: finding changed dossiers: SQLSTATE 22007 (invalid datetime format",
               "info: /healthz says the same");
  tap_contains(
      seen,
      "STATUS=starting: the first pass failed, retrying: finding changed dossiers: SQLSTATE 22007 "
      "(invalid datetime format",
      "info: and STATUS=");
  tap_ok(strstr(log, "invalid input syntax") == NULL && strstr(log, "DETAIL") == NULL,
         "info: no server text at all");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "info: SIGTERM, exit status 0");

  /* Control: the full text, at debug only. */
  failed = run_daemon(&harness, &daemon, "debug", seen, sizeof seen, health, sizeof health, metrics,
                      sizeof metrics);
  tap_ok(failed, "debug: the daemon logs the failing read");

  char expected[256];
  snprintf(expected, sizeof expected,
           "debug: finding changed dossiers: SQLSTATE 22007: the server said: ERROR: invalid input "
           "syntax for type timestamp with time zone: \"%s\"",
           NAME);
  e2e_daemon_log_line(&daemon, "the server said", line, sizeof line);
  tap_contains(line, expected, "debug: the server's text, name included, is in the debug line");
  tap_ok(strstr(health, "Xuân") == NULL && strstr(seen, "Xuân") == NULL,
         "debug: /healthz and STATUS= still without the name");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "debug: SIGTERM, exit status 0");
  e2e_teardown(&harness);
  return tap_finish();
}
