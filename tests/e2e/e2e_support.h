/*
 * e2e_support.h: what the daemon's end-to-end tests, the systemd test and the latency benchmark
 * share: a migrated database with the reference schema, a private rules directory (the shipped
 * calendar and ladder, two test procedures), the daemon as a child process with its log in a
 * file, a tiny HTTP client, and database helpers.
 *
 * Test procedures: 9.900001 (2wd) and 9.900002 (5wd), counting hours. Agencies: any code.
 */
#ifndef DUNGHEN_E2E_HARNESS_H
#define DUNGHEN_E2E_HARNESS_H

#include <libpq-fe.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct e2e_harness {
  char directory[PATH_MAX]; /* temporary: rules/, config, logs */
  char rules[PATH_MAX];
  char conninfo[PATH_MAX + 128];
  PGconn *db; /* the test's own connection */
};

struct e2e_daemon {
  pid_t pid;
  char log_path[PATH_MAX + 32];
  char config_path[PATH_MAX + 32];
  int port; /* the HTTP port it logged, or -1 */
};

/* The default procedures file (9.900001 at `fast_duration`). */
bool e2e_write_procedures(const struct e2e_harness *harness, const char *fast_duration);
/* Makes the temporary directory and rules, migrates `conninfo` and installs the reference
 * schema. Messages go to stderr as TAP diagnostics. */
bool e2e_setup(struct e2e_harness *harness, const char *conninfo);
void e2e_teardown(struct e2e_harness *harness);

/* Starts `dunghen run` with a config (HTTP on 127.0.0.1, any port, `config_extra` appended as
 * YAML sections) and extra environment `NAME=VALUE` strings (NULL-terminated, may be NULL).
 * Waits for the HTTP port line of the log. */
bool e2e_daemon_start(struct e2e_daemon *daemon, const struct e2e_harness *harness,
                      const char *config_extra, char *const *environment);
/* How often `needle` occurs in the daemon's log. */
int e2e_daemon_log_count(const struct e2e_daemon *daemon, const char *needle);
/* Waits until `needle` occurs at least `count` times; false after `timeout` seconds. */
bool e2e_daemon_wait_log(const struct e2e_daemon *daemon, const char *needle, int count,
                         double timeout);
/* The first log line containing `needle`, copied into `line`; false when none. */
bool e2e_daemon_log_line(const struct e2e_daemon *daemon, const char *needle, char *line,
                         size_t size);
/* Sends `signal_number` and waits for the exit; the exit status, 128+signal, or -1 on timeout
 * (the daemon is then killed). */
int e2e_daemon_stop(struct e2e_daemon *daemon, int signal_number, double timeout);
/* Prints the daemon's log as TAP diagnostics (after a failure). */
void e2e_daemon_dump_log(const struct e2e_daemon *daemon);
/* Runs `dunghen run` with `config` (written to DIRECTORY/NAME.yaml) and a notify socket, for a
 * start that should be refused: its exit status (-1 when it still ran after 20 s; it is then
 * killed), its stderr in `errors`, and what it sent to the socket in `notifications`, the
 * datagrams separated by '|'. */
int e2e_daemon_run_refused(const struct e2e_harness *harness, const char *name, const char *config,
                           char *errors, size_t errors_size, char *notifications,
                           size_t notifications_size);

/* The first `size` - 1 bytes of a file, NUL-terminated; empty when it cannot be read. */
void e2e_read_text_file(const char *path, char *text, size_t size);

/* GET http://127.0.0.1:port/path; the status code (or -1), the body into `body`. */
int e2e_http_get(int port, const char *path, char *body, size_t size);
/* Polls the daemon's /healthz until its status is `expected` (true) or `timeout` seconds pass;
 * the last body in `body`. */
bool e2e_daemon_wait_health(const struct e2e_daemon *daemon, int expected, char *body, size_t size,
                            double timeout);

/* Runs SQL on the test's connection; false (with a diagnostic) on error. */
bool e2e_db_exec(const struct e2e_harness *harness, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* The first column of the first row as an integer; -1 on error or no row. */
long long e2e_db_integer(const struct e2e_harness *harness, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* The first column of the first row as text into `text`; "" on error, NULL or no row. */
void e2e_db_text(const struct e2e_harness *harness, char *text, size_t size, const char *format,
                 ...) __attribute__((format(printf, 4, 5)));
/* Polls `sql` (one integer) until it equals `expected`; false after `timeout` seconds. */
bool e2e_db_wait_integer(const struct e2e_harness *harness, long long expected, double timeout,
                         const char *sql);
/* Inserts an open dossier of `procedure` received `received_sql` (an SQL timestamptz
 * expression), handled by agency `E2E`. */
bool e2e_db_insert_dossier(const struct e2e_harness *harness, const char *code,
                           const char *procedure, const char *received_sql);

double e2e_monotonic_now(void);
void e2e_sleep_seconds(double seconds);

#endif
