/*
 * The systemd notify protocol, without systemd: the test binds the unix datagram socket that
 * $NOTIFY_SOCKET names, sets $WATCHDOG_USEC, runs `dunghen run` against the private PostgreSQL,
 * and reads what the daemon says: READY=1 once it is ready, WATCHDOG=1 at half the watchdog
 * interval, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM, and exit status 0.
 * A second run uses an abstract socket name (`@...`). A daemon that could not render a letter
 * (a template with an unknown placeholder, a missing template, a missing or broken font) exits
 * non-zero at start with a clear error and never says READY=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dunghen-config.h"
#include "e2e_support.h"
#include "tap.h"

enum { MESSAGE_SIZE = 4096 };

static int bind_socket(const char *name, bool abstract) {
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  size_t length = strlen(name);
  memcpy(address.sun_path, name, length);
  if (abstract)
    address.sun_path[0] = '\0';
  socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length + !abstract);
  if (fd < 0 || bind(fd, (struct sockaddr *)&address, size) != 0) {
    tap_diagnostic("bind %s: %s", name, strerror(errno));
    return -1;
  }
  return fd;
}

/* Reads datagrams until one contains `needle` (true) or `timeout` passes; every message seen
 * is appended to `seen` (separated by '|'). */
static bool wait_message(int fd, const char *needle, double timeout, char *seen, size_t size) {
  double until = e2e_monotonic_now() + timeout;
  for (;;) {
    double left = until - e2e_monotonic_now();
    if (left <= 0)
      return false;
    struct pollfd watch = {.fd = fd, .events = POLLIN};
    if (poll(&watch, 1, (int)(left * 1000) + 1) <= 0)
      continue;
    char message[MESSAGE_SIZE];
    ssize_t got = recv(fd, message, sizeof message - 1, 0);
    if (got <= 0)
      continue;
    message[got] = '\0';
    size_t used = strlen(seen);
    snprintf(seen + used, size - used, "%s|", message);
    if (strstr(message, needle) != NULL)
      return true;
  }
}

static int count_in(const char *text, const char *needle) {
  int count = 0;
  for (const char *at = strstr(text, needle); at != NULL; at = strstr(at + 1, needle))
    count++;
  return count;
}

static void full_protocol(struct e2e_harness *harness) {
  char path[PATH_MAX + 32];
  snprintf(path, sizeof path, "%s/notify.sock", harness->directory);
  int fd = bind_socket(path, false);
  if (!tap_ok(fd >= 0, "the test's notify socket is bound"))
    return;
  char notify_variable[PATH_MAX + 64];
  snprintf(notify_variable, sizeof notify_variable, "NOTIFY_SOCKET=%s", path);
  char *environment[] = {notify_variable, "WATCHDOG_USEC=400000", NULL};
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, NULL, environment), "the daemon starts")) {
    close(fd);
    return;
  }
  static char seen[1 << 16];
  seen[0] = '\0';
  tap_ok(wait_message(fd, "READY=1", 20, seen, sizeof seen), "READY=1 once ready");
  tap_ok(strstr(seen, "STATUS=") != NULL, "STATUS= lines before it");
  seen[0] = '\0';
  double started = e2e_monotonic_now();
  wait_message(fd, "never", 1.1, seen, sizeof seen);
  int pings = count_in(seen, "WATCHDOG=1");
  tap_ok(pings >= 4 && pings <= 7, "WATCHDOG=1 every 0.2 s, half of WATCHDOG_USEC (%d in %.1f s)",
         pings, e2e_monotonic_now() - started);
  seen[0] = '\0';
  kill(daemon.pid, SIGHUP);
  tap_ok(wait_message(fd, "RELOADING=1", 10, seen, sizeof seen), "SIGHUP: RELOADING=1");
  tap_ok(wait_message(fd, "READY=1", 10, seen, sizeof seen), "then READY=1");
  seen[0] = '\0';
  kill(daemon.pid, SIGTERM);
  tap_ok(wait_message(fd, "STOPPING=1", 10, seen, sizeof seen), "SIGTERM: STOPPING=1");
  tap_is_integer(e2e_daemon_stop(&daemon, 0, 20), 0, "and exit status 0");
  close(fd);
}

static void abstract_socket(struct e2e_harness *harness) {
  char name[108];
  snprintf(name, sizeof name, "@dunghen-test-%d", (int)getpid());
  int fd = bind_socket(name, true);
  if (!tap_ok(fd >= 0, "an abstract notify socket is bound"))
    return;
  char notify_variable[160];
  snprintf(notify_variable, sizeof notify_variable, "NOTIFY_SOCKET=%s", name);
  char *environment[] = {notify_variable, NULL};
  struct e2e_daemon daemon;
  if (e2e_daemon_start(&daemon, harness, NULL, environment)) {
    static char seen[1 << 16];
    seen[0] = '\0';
    tap_ok(wait_message(fd, "READY=1", 20, seen, sizeof seen), "READY=1 on an abstract socket");
    tap_is_integer(count_in(seen, "WATCHDOG=1"), 0, "no watchdog pings without WATCHDOG_USEC");
    tap_is_integer(e2e_daemon_stop(&daemon, SIGINT, 20), 0, "SIGINT: exit status 0");
  }
  close(fd);
}

/* A socket nobody listens on: the daemon runs on and logs the address it tried, a path with
 * its leading '/' and an abstract name with its '@'. */
static void unreachable_socket(struct e2e_harness *harness) {
  char path[PATH_MAX + 32], abstract[108], variable[PATH_MAX + 64], expected[PATH_MAX + 128];
  snprintf(path, sizeof path, "%s/nobody.sock", harness->directory);
  snprintf(abstract, sizeof abstract, "@dunghen-nobody-%d", (int)getpid());
  const char *const addresses[] = {path, abstract};
  const char *const errors[] = {"No such file or directory", "Connection refused"};
  for (size_t i = 0; i < 2; i++) {
    snprintf(variable, sizeof variable, "NOTIFY_SOCKET=%s", addresses[i]);
    char *environment[] = {variable, NULL};
    struct e2e_daemon daemon;
    if (!tap_ok(e2e_daemon_start(&daemon, harness, NULL, environment),
                "the daemon starts with NOTIFY_SOCKET=%s, which nobody listens on", addresses[i]))
      continue;
    snprintf(expected, sizeof expected, "systemd: notify %s: %s", addresses[i], errors[i]);
    if (!tap_ok(e2e_daemon_wait_log(&daemon, expected, 1, 20), "the log says '%s'", expected))
      e2e_daemon_dump_log(&daemon);
    tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "and it still stops with status 0");
  }
}

/* The datagrams seen, on one line for a TAP description (each is KEY=VALUE lines). */
static const char *flat(const char *seen) {
  static char line[1024];
  snprintf(line, sizeof line, "%s", seen);
  for (char *cursor = line; *cursor != '\0'; cursor++)
    if (*cursor == '\n')
      *cursor = ' ';
  return line;
}

/* `dunghen run --db CONNINFO` with a notify socket, its log in daemon->log_path; false when it
 * did not open its HTTP port. */
static bool start_with_database(struct e2e_daemon *daemon, const struct e2e_harness *harness,
                                const char *name, const char *conninfo, const char *socket_path) {
  memset(daemon, 0, sizeof *daemon);
  daemon->port = -1;
  snprintf(daemon->log_path, sizeof daemon->log_path, "%s/%s.log", harness->directory, name);
  snprintf(daemon->config_path, sizeof daemon->config_path, "%s/%s.yaml", harness->directory, name);
  FILE *config = fopen(daemon->config_path, "w");
  if (config == NULL)
    return false;
  fputs("http:\n  address: 127.0.0.1\n  port: 0\n", config);
  fclose(config);
  fflush(NULL);
  daemon->pid = fork();
  if (daemon->pid == 0) {
    int log = open(daemon->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    dup2(log, STDERR_FILENO);
    setenv("NOTIFY_SOCKET", socket_path, 1);
    const char *binary = getenv("DUNGHEN_BINARY");
    execl(binary, binary, "run", "--config", daemon->config_path, "--db", conninfo, "--rules",
          harness->rules, (char *)NULL);
    _exit(127);
  }
  char line[512];
  if (!e2e_daemon_wait_log(daemon, "http: listening on 127.0.0.1:", 1, 20) ||
      !e2e_daemon_log_line(daemon, "http: listening on 127.0.0.1:", line, sizeof line))
    return false;
  daemon->port = atoi(strstr(line, "127.0.0.1:") + strlen("127.0.0.1:"));
  return true;
}

/* A database that is not there at start: the daemon waits without timing out. Until READY=1
 * every message asks for more start time (EXTEND_TIMEOUT_USEC) and STATUS= says why. */
static void waiting_for_database(struct e2e_harness *harness) {
  char socket_path[PATH_MAX + 32], conninfo[sizeof harness->conninfo + 64], command[3 * PATH_MAX];
  static char seen[1 << 16];

  /* 1. No server at all (a socket directory where nothing listens): it waits, then stops. */
  snprintf(socket_path, sizeof socket_path, "%s/wait-none.sock", harness->directory);
  int fd = bind_socket(socket_path, false);
  snprintf(conninfo, sizeof conninfo, "host=%s/no-server port=5432 dbname=x", harness->directory);
  struct e2e_daemon daemon;
  if (tap_ok(fd >= 0 && start_with_database(&daemon, harness, "wait-none", conninfo, socket_path),
             "no server: the daemon starts and opens its HTTP port")) {
    seen[0] = '\0';
    bool waiting = wait_message(fd, "STATUS=waiting for the database: ", 20, seen, sizeof seen);
    tap_ok(waiting, "no server: STATUS=waiting for the database: ... (%.300s)", flat(seen));
    tap_ok(count_in(seen, "EXTEND_TIMEOUT_USEC=30000000\n") >= 2,
           "no server: EXTEND_TIMEOUT_USEC=30000000 with the first statuses (%d)",
           count_in(seen, "EXTEND_TIMEOUT_USEC=30000000\n"));
    tap_contains(seen, "/no-server/.s.PGSQL.5432", "no server: the status names the socket tried");
    char body[1024];
    tap_ok(e2e_daemon_wait_health(&daemon, 503, body, sizeof body, 10) &&
               strstr(body, "database unreachable: ") != NULL,
           "no server: /healthz is 503 'database unreachable: ...' (%s)", body);
    tap_ok(strstr(seen, "READY=1") == NULL, "no server: no READY=1");
    tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0,
                   "no server: SIGTERM stops it, status 0");
  }
  if (fd >= 0)
    close(fd);

  /* 2. A database that does not exist yet, then is created and migrated: READY=1. */
  snprintf(socket_path, sizeof socket_path, "%s/wait-later.sock", harness->directory);
  fd = bind_socket(socket_path, false);
  snprintf(conninfo, sizeof conninfo, "%s dbname=dunghen_later", harness->conninfo);
  if (!tap_ok(fd >= 0 && start_with_database(&daemon, harness, "wait-later", conninfo, socket_path),
              "no database yet: the daemon starts")) {
    if (fd >= 0)
      close(fd);
    return;
  }
  seen[0] = '\0';
  tap_ok(wait_message(fd, "database \"dunghen_later\" does not exist", 20, seen, sizeof seen),
         "no database yet: STATUS= says it waits and why (%.300s)", flat(seen));
  tap_contains(seen, "EXTEND_TIMEOUT_USEC=30000000\nSTATUS=waiting for the database: ",
               "no database yet: the status comes with EXTEND_TIMEOUT_USEC");
  tap_ok(strstr(seen, "READY=1") == NULL, "no database yet: no READY=1");
  tap_ok(e2e_db_exec(harness, "CREATE DATABASE dunghen_later"), "the database is created");
  snprintf(command, sizeof command, "'%s' migrate --db '%s' --reference-schema >/dev/null",
           getenv("DUNGHEN_BINARY"), conninfo);
  tap_is_integer(system(command), 0, "and migrated");
  seen[0] = '\0';
  tap_ok(wait_message(fd, "READY=1", 60, seen, sizeof seen),
         "the database is up: READY=1 follows without a restart (%.300s)", flat(seen));
  seen[0] = '\0';
  wait_message(fd, "never", 0.5, seen, sizeof seen);
  tap_ok(strstr(seen, "EXTEND_TIMEOUT_USEC") == NULL, "no EXTEND_TIMEOUT_USEC after READY=1 (%s)",
         flat(seen));
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  close(fd);
}

/* A typo in dunghen.yaml: exit status 2 (the unit does not restart it) and no READY=1. */
static void refused_config(const struct e2e_harness *harness) {
  char errors[8192], seen[4096];
  int status = e2e_daemon_run_refused(harness, "typo", "sync:\n  poll_intervall: 1\n", errors,
                                      sizeof errors, seen, sizeof seen);
  tap_is_integer(status, 2, "a typo in the config: exit status 2 at start");
  tap_contains(errors, "typo.yaml:2:3: unknown key 'poll_intervall'",
               "the error is FILE:LINE:COLUMN");
  tap_ok(strstr(seen, "READY=1") == NULL, "no READY=1 (%s)", flat(seen));
}

static void refused_start(const struct e2e_harness *harness) {
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char letters[PATH_MAX + 32], fonts[PATH_MAX + 32], command[4 * PATH_MAX], config[3 * PATH_MAX];
  char errors[8192], seen[4096];
  snprintf(letters, sizeof letters, "%s/broken-letters", harness->directory);
  snprintf(fonts, sizeof fonts, "%s/broken-fonts", harness->directory);
  snprintf(command, sizeof command,
           "mkdir -p '%s' '%s' && cp '%s/letters/form-2018.yaml' '%s/' && "
           "sed 's/{applicant_name}/{applicant_nam}/' '%s/letters/form-2025.yaml' > "
           "'%s/form-2025.yaml'",
           letters, fonts, source, letters, source, letters);
  tap_is_integer(system(command), 0, "a letters directory with a broken template");
  snprintf(config, sizeof config, "paths:\n  letters: %s\n", letters);
  int status =
      e2e_daemon_run_refused(harness, "template", config, errors, sizeof errors, seen, sizeof seen);
  tap_is_integer(status, 2, "a broken template: exit status 2 at start");
  tap_contains(errors, "/form-2025.yaml:", "the error names the template");
  tap_contains(errors, "unknown placeholder {applicant_nam} (did you mean {applicant_name}?)",
               "and what is wrong in it");
  tap_ok(strstr(seen, "READY=1") == NULL, "no READY=1 (%s)", seen);

  snprintf(command, sizeof command, "rm '%s/form-2025.yaml'", letters);
  tap_is_integer(system(command), 0, "a letters directory without the 2025 form");
  status =
      e2e_daemon_run_refused(harness, "missing", config, errors, sizeof errors, seen, sizeof seen);
  tap_is_integer(status, 2, "a missing template: exit status 2 at start (dunghen(8))");
  tap_contains(errors, "/form-2025.yaml: cannot open", "the error names the missing template");
  tap_ok(strstr(seen, "READY=1") == NULL, "no READY=1");

  snprintf(config, sizeof config, "paths:\n  letters: %s/letters\nletters:\n  fonts: %s\n", source,
           fonts);
  status =
      e2e_daemon_run_refused(harness, "no-font", config, errors, sizeof errors, seen, sizeof seen);
  tap_is_integer(status, 1, "a missing font: exit status 1 at start");
  char expected[PATH_MAX + 128];
  snprintf(expected, sizeof expected, "%s: Liberation Serif not found", fonts);
  tap_contains(errors, expected, "the error names the font directory");
  tap_ok(strstr(seen, "READY=1") == NULL, "no READY=1");

  snprintf(command, sizeof command,
           "for face in Regular Bold Italic BoldItalic; do "
           "echo 'not a font' > \"%s/LiberationSerif-$face.ttf\"; done",
           fonts);
  tap_is_integer(system(command), 0, "a font directory with broken faces");
  status =
      e2e_daemon_run_refused(harness, "bad-font", config, errors, sizeof errors, seen, sizeof seen);
  tap_is_integer(status, 1, "a broken font: exit status 1 at start");
  snprintf(expected, sizeof expected,
           "cannot load the letter font %s/LiberationSerif-Regular.ttf: not a complete TrueType "
           "file",
           fonts);
  tap_contains(errors, expected, "the error names the broken face");
  tap_ok(strstr(seen, "READY=1") == NULL, "no READY=1");

  snprintf(command, sizeof command,
           "head -c 4000 '%s/LiberationSerif-Regular.ttf' > '%s/LiberationSerif-Regular.ttf'",
           DUNGHEN_FONT_DIR, fonts);
  tap_is_integer(system(command), 0, "a truncated face");
  status =
      e2e_daemon_run_refused(harness, "cut-font", config, errors, sizeof errors, seen, sizeof seen);
  tap_is_integer(status, 1, "a truncated font: exit status 1 at start (no crash)");
  tap_contains(errors, expected, "the error names the truncated face");
  tap_ok(strstr(seen, "READY=1") == NULL, "no READY=1");
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "database migrated"))
    return tap_finish();
  full_protocol(&harness);
  abstract_socket(&harness);
  unreachable_socket(&harness);
  waiting_for_database(&harness);
  refused_config(&harness);
  refused_start(&harness);
  e2e_teardown(&harness);
  return tap_finish();
}
