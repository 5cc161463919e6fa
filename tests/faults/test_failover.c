/*
 * Failover to a streaming standby under a running daemon (the `faults` suite).
 *
 * A private primary and a standby made from it with pg_basebackup -R listen on two loopback
 * ports; `dunghen run` connects with `host=127.0.0.1,127.0.0.1 port=P1,P2
 * target_session_attrs=read-write`, so whichever server accepts writes is the one it uses.
 *   - Synchronous (synchronous_standby_names = '*'): bursts of overdue dossiers, the primary
 *     stopped in immediate mode while letters are being rendered, the standby promoted, more
 *     bursts. Everything the test saw committed before the kill is still there with the same
 *     letter numbers, the invariants of tests/RELIABILITY.md hold, and every PDF of the spool
 *     belongs to the dossier the database gives its number to.
 *   - Asynchronous, with the standby behind (stopped before the daemon's work): the new
 *     primary lacks every escalation and letter, while their PDFs are in the spool. The daemon
 *     reports each one (log, /metrics, /healthz 503 "letters lost: ...") and gives the
 *     dossiers new letters numbered above the spool's, so no number on disk is reused.
 *   - A pgbouncer in session mode between the daemon and the server: letters are written and a
 *     NOTIFY wakes a pass (skipped when pgbouncer is not installed).
 * Servers run as the `postgres` user when root (initdb refuses root); a guardian process
 * removes everything when the test ends or dies.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buffer.h"
#include "demo/cluster.h"
#include "faults_support.h"
#include "tap.h"

enum { BURST = 20, BURSTS_BEFORE = 3, BURSTS_AFTER = 2, ASYNC_LETTERS = 24 };

struct pair {
  char directory[PATH_MAX];
  char programs[PATH_MAX];
  int primary_port;
  int standby_port;
  char conninfo[PATH_MAX + 256]; /* both servers, read-write wanted, dbname=work */
  pid_t guardian;
  int guardian_pipe;
};

/* A free loopback TCP port (the kernel's choice; it could be taken again, rarely). */
static int free_port(void) {
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  int port = -1;
  if (probe >= 0 && bind(probe, (struct sockaddr *)&address, sizeof address) == 0 &&
      getsockname(probe, (struct sockaddr *)&address, &length) == 0)
    port = ntohs(address.sin_port);
  if (probe >= 0)
    close(probe);
  return port;
}

/* Runs a server program as the server user; output to DIR/commands.log; its exit status. */
static int run_server_program(const struct pair *pair, char *const arguments[]) {
  char log_path[PATH_MAX + 16];
  snprintf(log_path, sizeof log_path, "%s/commands.log", pair->directory);
  return pg_server_run_program(log_path, arguments);
}

/* pg_ctl ACTION on DIR/NAME: "start", "promote", or "stop" in `mode`. */
static bool pg_ctl(const struct pair *pair, const char *name, const char *action,
                   const char *mode) {
  char binary[PATH_MAX + 8], data[PATH_MAX + 16], log[PATH_MAX + 16];
  snprintf(binary, sizeof binary, "%s/pg_ctl", pair->programs);
  snprintf(data, sizeof data, "%s/%s", pair->directory, name);
  snprintf(log, sizeof log, "%s/%s.log", pair->directory, name);
  if (strcmp(action, "stop") == 0) {
    char *arguments[] = {binary, "-D", data, "-m", (char *)mode, "-w", "-t", "60", "stop", NULL};
    return run_server_program(pair, arguments) == 0;
  }
  char *arguments[] = {binary, "-D", data, "-l", log, "-w", "-t", "60", (char *)action, NULL};
  return run_server_program(pair, arguments) == 0;
}

static void guard(struct pair *pair, int pipe_read) {
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  char byte;
  for (;;) {
    ssize_t got = read(pipe_read, &byte, 1);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
  }
  pg_ctl(pair, "primary", "stop", "immediate");
  pg_ctl(pair, "standby", "stop", "immediate");
  if (getenv("DUNGHEN_KEEP_E2E") == NULL) {
    char command[PATH_MAX + 16];
    snprintf(command, sizeof command, "rm -rf '%s'", pair->directory);
    int ignored = system(command);
    (void)ignored;
  }
  _exit(0);
}

static bool append_text(const char *path, const char *text) {
  FILE *file = fopen(path, "a");
  if (file == NULL)
    return false;
  bool written = fputs(text, file) >= 0;
  return fclose(file) == 0 && written;
}

static bool server_settings(const struct pair *pair, const char *name, const char *file, int port,
                            const char *extra) {
  char path[PATH_MAX + 64], text[PATH_MAX + 512];
  snprintf(path, sizeof path, "%s/%s/%s", pair->directory, name, file);
  snprintf(text, sizeof text,
           "\nport = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n"
           "fsync = off\nmax_connections = 40\n%s",
           port, pair->directory, extra);
  return append_text(path, text);
}

/* The primary (initdb, started, database `work`) and its standby (pg_basebackup -R,
 * streaming, started). `synchronous`: the primary waits for the standby's flush at commit. */
static bool pair_create(struct pair *pair, bool synchronous) {
  memset(pair, 0, sizeof *pair);
  pair->guardian_pipe = -1;
  struct error error;
  if (cluster_programs(pair->programs, sizeof pair->programs, &error) != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return false;
  }
  const char *parent = getenv("TMPDIR");
  snprintf(pair->directory, sizeof pair->directory, "%s/dunghen-pair-XXXXXX",
           parent != NULL && *parent != '\0' ? parent : "/tmp");
  if (mkdtemp(pair->directory) == NULL)
    return false;
  if (geteuid() == 0) {
    struct passwd *user = getpwnam("postgres");
    if (user == NULL || chown(pair->directory, user->pw_uid, user->pw_gid) != 0)
      return false;
  }
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0)
    return false;
  fflush(NULL);
  pair->guardian = fork();
  if (pair->guardian == 0) {
    close(ends[1]);
    guard(pair, ends[0]);
  }
  close(ends[0]);
  pair->guardian_pipe = ends[1];
  pair->primary_port = free_port();
  pair->standby_port = free_port();
  while (pair->standby_port == pair->primary_port)
    pair->standby_port = free_port();
  char initdb[PATH_MAX + 8], basebackup[PATH_MAX + 16], primary[PATH_MAX + 16],
      standby[PATH_MAX + 16], port[16];
  snprintf(initdb, sizeof initdb, "%s/initdb", pair->programs);
  snprintf(basebackup, sizeof basebackup, "%s/pg_basebackup", pair->programs);
  snprintf(primary, sizeof primary, "%s/primary", pair->directory);
  snprintf(standby, sizeof standby, "%s/standby", pair->directory);
  snprintf(port, sizeof port, "%d", pair->primary_port);
  char *initdb_arguments[] = {initdb,      "-D",    primary, "-U",   "postgres",
                              "-A",        "trust", "-E",    "UTF8", "--locale=C.UTF-8",
                              "--no-sync", NULL};
  /* '*': any standby's flush acknowledges a commit; the standby must not inherit it, or the
   * promoted server would wait for a standby it does not have. */
  if (run_server_program(pair, initdb_arguments) != 0 ||
      !server_settings(pair, "primary", "postgresql.conf", pair->primary_port,
                       synchronous ? "synchronous_standby_names = '*'\n" : "") ||
      !pg_ctl(pair, "primary", "start", NULL)) {
    tap_diagnostic("the primary did not start; see %s", pair->directory);
    return false;
  }
  char *basebackup_arguments[] = {basebackup, "-h",       "127.0.0.1", "-p",    port,
                                  "-U",       "postgres", "-D",        standby, "-R",
                                  "-X",       "stream",   "--no-sync", NULL};
  if (run_server_program(pair, basebackup_arguments) != 0 ||
      !server_settings(pair, "standby", "postgresql.auto.conf", pair->standby_port,
                       "synchronous_standby_names = ''\n") ||
      !pg_ctl(pair, "standby", "start", NULL)) {
    tap_diagnostic("the standby did not start; see %s", pair->directory);
    return false;
  }
  char admin[256];
  snprintf(admin, sizeof admin, "host=127.0.0.1 port=%d user=postgres dbname=postgres",
           pair->primary_port);
  PGconn *connection = PQconnectdb(admin);
  PGresult *created = PQexec(connection, "CREATE DATABASE work");
  bool ok = PQresultStatus(created) == PGRES_COMMAND_OK;
  if (!ok)
    tap_diagnostic("CREATE DATABASE work: %s", PQerrorMessage(connection));
  PQclear(created);
  PQfinish(connection);
  snprintf(pair->conninfo, sizeof pair->conninfo,
           "host=127.0.0.1,127.0.0.1 port=%d,%d user=postgres dbname=work "
           "target_session_attrs=read-write connect_timeout=2",
           pair->primary_port, pair->standby_port);
  return ok;
}

static void pair_destroy(struct pair *pair) {
  if (pair->guardian_pipe >= 0)
    close(pair->guardian_pipe);
  pair->guardian_pipe = -1;
  if (pair->guardian > 0)
    while (waitpid(pair->guardian, NULL, 0) < 0 && errno == EINTR)
      ;
  pair->guardian = -1;
}

/* One integer from the server on `port` (database `work`); -1 on error. */
static long long server_integer(int port, const char *sql) {
  char conninfo[128];
  snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d user=postgres dbname=work", port);
  PGconn *connection = PQconnectdb(conninfo);
  long long value = -1;
  PGresult *result = PQexec(connection, sql);
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1)
    value = atoll(PQgetvalue(result, 0, 0));
  PQclear(result);
  PQfinish(connection);
  return value;
}

/* The harness on the pair (migrated, reference schema), the shipped templates and agencies, and
 * a spool; `config` for the daemon. */
static bool prepare(struct e2e_harness *harness, const char *conninfo, char *spool,
                    size_t spool_size, char *config, size_t config_size) {
  if (!e2e_setup(harness, conninfo))
    return false;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  source = source != NULL ? source : ".";
  snprintf(spool, spool_size, "%s/spool", harness->directory);
  snprintf(config, config_size,
           "paths:\n  letters: %s/letters\n  spool: %s\n"
           "sync:\n  poll_interval: 3600\n  batch_size: 200\n"
           "database:\n  connect_timeout: 2\n  ping_interval: 1\n",
           source, spool);
  char command[3 * PATH_MAX];
  snprintf(command, sizeof command, "cp '%s/rules/agencies.yaml' '%s/agencies.yaml'", source,
           harness->rules);
  return mkdir(spool, 0755) == 0 && system(command) == 0;
}

/* The letters of the spool, as `agency year number name` lines (a re-draft's name keeps .vN). */
struct spool_files {
  char (*lines)[256];
  size_t count;
};

static void list_spool(const char *spool, struct spool_files *files) {
  files->lines = NULL;
  files->count = 0;
  DIR *agencies = opendir(spool);
  struct dirent *agency;
  while (agencies != NULL && (agency = readdir(agencies)) != NULL) {
    if (agency->d_name[0] == '.')
      continue;
    char agency_path[PATH_MAX + 300];
    snprintf(agency_path, sizeof agency_path, "%s/%s", spool, agency->d_name);
    DIR *years = opendir(agency_path);
    struct dirent *year;
    while (years != NULL && (year = readdir(years)) != NULL) {
      if (year->d_name[0] == '.')
        continue;
      char year_path[PATH_MAX + 600];
      snprintf(year_path, sizeof year_path, "%s/%s", agency_path, year->d_name);
      DIR *letters = opendir(year_path);
      struct dirent *letter;
      while (letters != NULL && (letter = readdir(letters)) != NULL) {
        size_t length = strlen(letter->d_name);
        char *underscore = strchr(letter->d_name, '_');
        if (letter->d_name[0] == '.' || length < 5 || underscore == NULL ||
            strcmp(letter->d_name + length - 4, ".pdf") != 0)
          continue;
        files->lines = realloc(files->lines, (files->count + 1) * sizeof *files->lines);
        snprintf(files->lines[files->count++], 256, "%s %s %ld %.*s", agency->d_name, year->d_name,
                 strtol(letter->d_name, NULL, 10),
                 (int)(letter->d_name + length - 4 - underscore - 1), underscore + 1);
      }
      if (letters != NULL)
        closedir(letters);
    }
    if (years != NULL)
      closedir(years);
  }
  if (agencies != NULL)
    closedir(agencies);
}

/* Counts the spool's letters that the database gives to no letter (`unknown`) or to another
 * dossier (`reused`): computed here, independently of the daemon's audit. */
static void compare_spool(struct e2e_harness *harness, const struct spool_files *files,
                          long long *unknown, long long *reused) {
  *unknown = 0;
  *reused = 0;
  faults_reconnect(harness);
  for (size_t i = 0; i < files->count; i++) {
    char agency[128], year[16], number[16], name[200];
    if (sscanf(files->lines[i], "%127s %15s %15s %199s", agency, year, number, name) != 4)
      continue;
    const char *values[] = {agency, year, number};
    PGresult *result =
        PQexecParams(harness->db,
                     "SELECT dossier_code FROM dunghen.letter_log WHERE agency_code = $1 "
                     "AND year = $2::integer AND number = $3::integer",
                     3, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) == 0)
      (*unknown)++;
    else if (strncmp(PQgetvalue(result, 0, 0), name, strlen(PQgetvalue(result, 0, 0))) != 0)
      (*reused)++;
    PQclear(result);
  }
}

/* A sample of /metrics, or -1. */
static long long metric_value(const struct e2e_daemon *daemon, const char *sample) {
  static char body[1 << 16];
  if (e2e_http_get(daemon->port, "/metrics", body, sizeof body) != 200)
    return -1;
  char needle[256];
  snprintf(needle, sizeof needle, "\n%s ", sample);
  const char *at = strstr(body, needle);
  return at != NULL ? atoll(at + strlen(needle)) : -1;
}

/* The letters (dossier code and number) and escalations the test saw committed. */
static long long count_missing(struct e2e_harness *harness, const char *table_sql,
                               const char *values_list) {
  char *sql = malloc(strlen(values_list) + 1024);
  sprintf(sql, "SELECT count(*) FROM (VALUES %s) AS seen(code, number) WHERE NOT EXISTS (%s)",
          values_list, table_sql);
  long long missing = e2e_db_integer(harness, "%s", sql);
  free(sql);
  return missing;
}

/* `(code, number), ...` of every letter (rendered or not) now in the database. */
static char *letters_seen(struct e2e_harness *harness, long long *count) {
  PGresult *result = PQexec(harness->db, "SELECT dossier_code, number FROM dunghen.letter_log");
  struct buffer list = {0};
  *count = PQresultStatus(result) == PGRES_TUPLES_OK ? PQntuples(result) : 0;
  for (long long row = 0; row < *count; row++)
    buffer_add_format(&list, "%s('%s', %s)", row > 0 ? ", " : "", PQgetvalue(result, (int)row, 0),
                      PQgetvalue(result, (int)row, 1));
  PQclear(result);
  if (*count == 0)
    buffer_add(&list, "('', 0)");
  return list.data;
}

static void synchronous_case(void) {
  struct pair pair;
  struct e2e_harness harness = {0};
  char spool[PATH_MAX + 16], config[4096];
  if (!tap_ok(pair_create(&pair, true) &&
                  prepare(&harness, pair.conninfo, spool, sizeof spool, config, sizeof config),
              "sync: a primary and a synchronous streaming standby (pg_basebackup -R), migrated")) {
    pair_destroy(&pair);
    return;
  }
  tap_is_integer(server_integer(pair.primary_port, "SELECT count(*) FROM pg_stat_replication "
                                                   "WHERE sync_state = 'sync'"),
                 1, "sync: the standby streams and is synchronous");
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &harness, config, NULL) &&
                  e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20),
              "sync: the daemon starts on the multi-host conninfo")) {
    e2e_daemon_dump_log(&daemon);
    e2e_teardown(&harness);
    pair_destroy(&pair);
    return;
  }
  struct faults_workload workload = {&harness, 1, 0, 0};
  for (int burst = 0; burst < BURSTS_BEFORE; burst++)
    faults_workload_overdue_burst(&workload, BURST);
  /* Mid-burst: letters are being rendered, some are still pending. */
  e2e_db_wait_integer(&harness, 1, 20,
                      "SELECT (count(*) FILTER (WHERE state = 'rendered') >= 5)::integer "
                      "FROM dunghen.letter_log");
  long long seen_letters = 0;
  char *seen = letters_seen(&harness, &seen_letters);
  long long seen_rendered =
      e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.letter_log WHERE state = 'rendered'");
  long long seen_escalations =
      e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log");
  double kill_at = e2e_monotonic_now();
  bool killed = pg_ctl(&pair, "primary", "stop", "immediate");
  bool promoted = pg_ctl(&pair, "standby", "promote", NULL);
  tap_ok(killed && promoted,
         "sync: the primary stopped in immediate mode (%lld letters, %lld "
         "rendered, %lld escalations committed), the standby promoted",
         seen_letters, seen_rendered, seen_escalations);
  faults_reconnect(&harness);
  for (int burst = 0; burst < BURSTS_AFTER; burst++)
    faults_workload_overdue_burst(&workload, BURST);
  tap_ok(faults_wait_settled(&harness, true, 60),
         "sync: the daemon carries on against the promoted standby and settles");
  tap_diagnostic("sync: settled %.1f s after the kill (promotion included), %lld reconnects",
                 e2e_monotonic_now() - kill_at,
                 metric_value(&daemon, "dunghen_database_reconnects_total"));
  tap_is_integer(count_missing(&harness,
                               "SELECT 1 FROM dunghen.letter_log l WHERE l.dossier_code = "
                               "seen.code AND l.number = seen.number",
                               seen),
                 0, "sync: every letter committed before the kill is there, with its number");
  free(seen);
  tap_is_integer(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.letter_log"),
                 (long long)workload.overdue, "sync: one letter per overdue dossier (%d)",
                 workload.overdue);
  tap_ok(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log") >=
             seen_escalations,
         "sync: no escalation lost");
  faults_check_database(&harness, "sync", true);
  faults_check_spool(&harness, spool, "sync");
  struct spool_files files;
  list_spool(spool, &files);
  long long unknown, reused;
  compare_spool(&harness, &files, &unknown, &reused);
  tap_is_integer(reused, 0, "sync: no number of a PDF in the spool is held by another dossier");
  tap_is_integer(unknown, 0, "sync: every PDF of the spool is known to the new primary");
  free(files.lines);
  tap_ok(metric_value(&daemon, "dunghen_spool_audits_total") >= 2,
         "sync: the daemon audited its spool again on the new primary");
  tap_is_integer(metric_value(&daemon, "dunghen_spool_audit_letters{result=\"unknown\"}"), 0,
                 "sync: its audit finds no lost letter");
  char body[2048];
  tap_ok(e2e_daemon_wait_health(&daemon, 200, body, sizeof body, 40), "sync: /healthz 200 (%s)",
         body);
  tap_ok(kill(daemon.pid, 0) == 0, "sync: the same daemon throughout");
  if (tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "sync: SIGTERM: exit status 0") ==
      false)
    e2e_daemon_dump_log(&daemon);
  e2e_teardown(&harness);
  pair_destroy(&pair);
}

static void asynchronous_case(void) {
  struct pair pair;
  struct e2e_harness harness = {0};
  char spool[PATH_MAX + 16], config[4096];
  if (!tap_ok(pair_create(&pair, false) &&
                  prepare(&harness, pair.conninfo, spool, sizeof spool, config, sizeof config),
              "async: a primary and an asynchronous streaming standby, migrated")) {
    pair_destroy(&pair);
    return;
  }
  struct faults_workload workload = {&harness, 2, 0, 0};
  faults_workload_overdue_burst(&workload, ASYNC_LETTERS);
  /* The dossiers reach the standby; then it falls behind (stopped) for the daemon's work. */
  bool replayed = false;
  for (int tick = 0; tick < 200 && !replayed; tick++) {
    replayed = server_integer(pair.primary_port, "SELECT count(*) FROM pg_stat_replication "
                                                 "WHERE replay_lsn = pg_current_wal_lsn()") == 1;
    if (!replayed)
      e2e_sleep_seconds(0.05);
  }
  tap_ok(replayed && pg_ctl(&pair, "standby", "stop", "fast"),
         "async: the standby has the dossiers, then stops (it falls behind)");
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &harness, config, NULL) &&
                  faults_wait_settled(&harness, true, 40),
              "async: the daemon escalates and renders %d letters on the primary", ASYNC_LETTERS)) {
    e2e_daemon_dump_log(&daemon);
    e2e_teardown(&harness);
    pair_destroy(&pair);
    return;
  }
  long long seen_letters = 0;
  char *seen = letters_seen(&harness, &seen_letters);
  struct spool_files before;
  list_spool(spool, &before);
  tap_is_integer((long long)before.count, ASYNC_LETTERS, "async: %d PDFs in the spool",
                 ASYNC_LETTERS);
  free(before.lines);
  double kill_at = e2e_monotonic_now();
  bool killed = pg_ctl(&pair, "primary", "stop", "immediate");
  bool promoted =
      pg_ctl(&pair, "standby", "start", NULL) && pg_ctl(&pair, "standby", "promote", NULL);
  tap_ok(killed && promoted,
         "async: the primary stopped in immediate mode, the lagging standby started and promoted");
  faults_reconnect(&harness);
  tap_ok(e2e_daemon_wait_log(&daemon, "is unknown to the database", ASYNC_LETTERS, 60),
         "async: the daemon logs each of the %d letters the new primary does not know",
         ASYNC_LETTERS);
  double detected_at = e2e_monotonic_now();
  tap_ok(faults_wait_settled(&harness, true, 60),
         "async: it carries on: the dossiers escalated and lettered again");
  tap_diagnostic("async: lost letters reported %.1f s after the kill (the standby's start and "
                 "promotion included), all lettered again %.1f s after it",
                 detected_at - kill_at, e2e_monotonic_now() - kill_at);
  tap_is_integer(count_missing(&harness,
                               "SELECT 1 FROM dunghen.letter_log l WHERE l.dossier_code = "
                               "seen.code AND l.number <> seen.number",
                               seen),
                 0,
                 "async: every dossier whose letter was lost has a letter again, under "
                 "another number");
  tap_is_integer(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.letter_log"), ASYNC_LETTERS,
                 "async: one letter per dossier on the new primary");
  struct spool_files files;
  list_spool(spool, &files);
  long long unknown, reused;
  compare_spool(&harness, &files, &unknown, &reused);
  tap_is_integer(reused, 0, "async: no number of a PDF in the spool is held by another dossier");
  tap_is_integer(unknown, ASYNC_LETTERS,
                 "async: the %d lost letters' numbers belong to no letter of the new primary",
                 ASYNC_LETTERS);
  tap_is_integer((long long)files.count, 2 * ASYNC_LETTERS,
                 "async: the spool holds the lost PDFs and the new ones");
  free(files.lines);
  tap_is_integer(metric_value(&daemon, "dunghen_spool_audit_letters{result=\"unknown\"}"),
                 ASYNC_LETTERS, "async: /metrics counts the lost letters");
  tap_is_integer(metric_value(&daemon, "dunghen_spool_audit_letters{result=\"reused\"}"), 0,
                 "async: and no reused number");
  char body[2048] = "";
  e2e_daemon_wait_health(&daemon, 503, body, sizeof body, 10);
  tap_contains(body, "letters lost: 24 letter(s) in the spool unknown to the database",
               "async: /healthz says so (503)");
  tap_ok(kill(daemon.pid, 0) == 0, "async: the same daemon throughout");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "async: SIGTERM: exit status 0");
  free(seen);
  e2e_teardown(&harness);
  pair_destroy(&pair);
}

/* pgbouncer as the server user (it refuses root), dying with the test; its pid or -1. */
static pid_t start_pooler(const char *configuration) {
  fflush(NULL);
  pid_t child = fork();
  if (child == 0) {
    if (geteuid() == 0) {
      struct passwd *user = getpwnam("postgres");
      if (user == NULL || setgroups(0, NULL) != 0 || setgid(user->pw_gid) != 0 ||
          setuid(user->pw_uid) != 0)
        _exit(126);
    }
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execlp("pgbouncer", "pgbouncer", "-q", configuration, (char *)NULL);
    _exit(127);
  }
  return child;
}

static void pooler_case(void) {
  if (system("command -v pgbouncer >/dev/null 2>&1") != 0) {
    tap_diagnostic("pooler: pgbouncer is not installed (tools/dev installs it): not tested");
    return;
  }
  struct pg_server server;
  if (!tap_ok(pg_server_create(&server), "pooler: a private PostgreSQL"))
    return;
  PGconn *admin = PQconnectdb(server.conninfo);
  PQclear(PQexec(admin, "CREATE DATABASE pooled"));
  PQfinish(admin);
  int port = free_port();
  char path[PATH_MAX + 32], text[4 * PATH_MAX];
  snprintf(path, sizeof path, "%s/users.txt", server.directory);
  bool written = append_text(path, "\"postgres\" \"\"\n");
  /* Session mode: a client keeps its server connection for as long as it is connected, so
   * LISTEN, session advisory locks and SET work as on a direct connection. */
  snprintf(text, sizeof text,
           "[databases]\npooled = host=%s port=5432 dbname=pooled\n"
           "[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = %d\nunix_socket_dir =\n"
           "auth_type = trust\nauth_file = %s\npool_mode = session\n"
           "logfile = %s/pgbouncer.log\nmax_client_conn = 50\ndefault_pool_size = 20\n",
           server.directory, port, path, server.directory);
  snprintf(path, sizeof path, "%s/pgbouncer.ini", server.directory);
  written = written && append_text(path, text);
  pid_t pooler = written ? start_pooler(path) : -1;
  char conninfo[256];
  snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d user=postgres dbname=pooled", port);
  bool answers = false;
  for (int tick = 0; tick < 100 && pooler > 0 && !answers; tick++) {
    answers = PQping(conninfo) == PQPING_OK;
    if (!answers)
      e2e_sleep_seconds(0.05);
  }
  struct e2e_harness harness = {0};
  char spool[PATH_MAX + 16], config[4096];
  struct e2e_daemon daemon;
  if (!tap_ok(answers && prepare(&harness, conninfo, spool, sizeof spool, config, sizeof config),
              "pooler: pgbouncer in session mode in front of it, migrated through it") ||
      !tap_ok(e2e_daemon_start(&daemon, &harness, config, NULL) &&
                  e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20),
              "pooler: the daemon starts through pgbouncer")) {
    e2e_teardown(&harness);
    if (pooler > 0)
      kill(pooler, SIGTERM);
    pg_server_destroy(&server);
    return;
  }
  /* After the start-up pass, with polling hourly: only a NOTIFY heard by the listener's LISTEN
   * (through the pooler) can start the pass that escalates these. */
  struct faults_workload workload = {&harness, 3, 0, 0};
  faults_workload_overdue_burst(&workload, 10);
  tap_ok(faults_wait_settled(&harness, true, 30),
         "pooler: a NOTIFY through pgbouncer woke a pass; 10 dossiers escalated and lettered");
  /* The counter reaches /metrics with the listener's next snapshot: give it a moment. */
  double heard_by = e2e_monotonic_now() + 5;
  while (metric_value(&daemon, "dunghen_notifications_total") < 1 && e2e_monotonic_now() < heard_by)
    e2e_sleep_seconds(0.1);
  tap_ok(metric_value(&daemon, "dunghen_notifications_total") >= 1,
         "pooler: the listener heard the notification");
  tap_is_integer(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.letter_log "
                                          "WHERE state = 'rendered'"),
                 10, "pooler: 10 letters rendered");
  faults_check_database(&harness, "pooler", false);
  faults_check_spool(&harness, spool, "pooler");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "pooler: SIGTERM: exit status 0");
  e2e_teardown(&harness);
  kill(pooler, SIGTERM);
  waitpid(pooler, NULL, 0);
  pg_server_destroy(&server);
}

int main(void) {
  synchronous_case();
  asynchronous_case();
  pooler_case();
  return tap_finish();
}
