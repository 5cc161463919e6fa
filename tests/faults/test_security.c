/*
 * Security, end to end (the `security` suite), against a private PostgreSQL:
 *   - the least-privilege setup of docs/ADAPTER.md section 4, step by step: a role `dunghen`
 *     owning only its schema, a role `motcua_owner` owning the one-stop tables and the two
 *     views, SELECT on the views granted to `dunghen`, `dunghen migrate` run as `dunghen`;
 *     then the daemon runs as `dunghen`: escalations and letters happen, and the role can read
 *     no one-stop table, nor any table outside its schema, and holds no role attribute;
 *   - SQL-looking codes, names and addresses (quotes, `'); DROP TABLE ...; --`, array
 *     punctuation, a path that climbs out of the spool) flow through as data: the canary table
 *     survives, each dossier gets its escalations under its exact code, its letter lands inside
 *     the spool, and an unknown procedure that looks like SQL is flagged by name;
 *   - personal data never reaches the logs at info level: distinctive names, ID numbers,
 *     addresses and summaries (with an emoji the font lacks, so that a replacement warning is
 *     logged) are searched in every log line of the daemon, of a restart, of `dunghen once` and
 *     of `dunghen migrate`, and in /metrics and /healthz;
 *   - the spool is files 0640 in directories 0750 even with umask 000;
 *   - with no `http.address` in the config, every listening socket of the daemon is on
 *     127.0.0.1 (read from /proc/net/tcp and tcp6).
 */
#include <dirent.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults_support.h"
#include "tap.h"

/* Distinctive personal data: none of these may appear in any log, metric or health line. */
static const char *const PERSONAL[] = {
    "Bímật",      "Hoàng Thị Bímật", "079199912345",      "079188854321", "Xuânbímật",
    "ngõ Kínđáo", "Trầnkínđáo",      "Nguyễn Văn Ẩndanh", "Ẩndanh",       "001099977766",
};

/* The hostile dossiers: code, procedure, name, address. */
struct hostile {
  const char *code;
  const char *procedure;
  const char *name;
  const char *address;
  bool flagged; /* an unknown procedure: flagged, no escalation */
};

static const struct hostile HOSTILE[] = {
    {"'); DROP TABLE onestop.canary; --", "9.900001", "Robert'); DROP TABLE onestop.canary; --",
     "1' OR '1'='1", false},
    {"X\" OR \"1\"=\"1", "9.900001", "Bảo \"Bàn\" \\ Tay", "{a,b}", false},
    {"A,B{C}\\D", "9.900001", "$1 $$ %s %n", "'; SELECT pg_sleep(30); --", false},
    {"../../../../tmp/dunghen-escape", "9.900001", "Lộ Đường", "../../etc/passwd", false},
    {"SQL-PROC", "1'; DELETE FROM dunghen.clock; --", "Thủ Tục", "xã Lạ", true},
};

/* ---- SQL with parameters, on a given connection ---- */

static PGresult *query(PGconn *connection, const char *sql, int count, const char *const *values) {
  PGresult *result = PQexecParams(connection, sql, count, NULL, values, NULL, NULL, 0);
  ExecStatusType status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    tap_diagnostic("%s: %s", sql, PQerrorMessage(connection));
  return result;
}

/* Several commands without parameters (the setup scripts); literal SQL only. */
static bool exec_as(PGconn *connection, const char *sql) {
  PGresult *result = PQexec(connection, sql);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
  if (!ok)
    tap_diagnostic("%.80s...: %s", sql, PQerrorMessage(connection));
  PQclear(result);
  return ok;
}

static long long count_of(PGconn *connection, const char *sql, const char *value) {
  const char *values[] = {value};
  PGresult *result = query(connection, sql, value != NULL ? 1 : 0, value != NULL ? values : NULL);
  long long count = PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1
                        ? atoll(PQgetvalue(result, 0, 0))
                        : -1;
  PQclear(result);
  return count;
}

static PGconn *connect_as(const struct faults_database *database, const char *user) {
  char conninfo[PATH_MAX + 128];
  snprintf(conninfo, sizeof conninfo, "host=%s port=5432 user=%s dbname=motcua",
           database->server.directory, user);
  PGconn *connection = PQconnectdb(conninfo);
  if (PQstatus(connection) != CONNECTION_OK)
    tap_diagnostic("connect as %s: %s", user, PQerrorMessage(connection));
  return connection;
}

static char *read_text(const char *path) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  size_t got = text != NULL ? fread(text, 1, (size_t)size, file) : 0;
  if (text != NULL)
    text[got] = '\0';
  fclose(file);
  return text;
}

/* ---- docs/ADAPTER.md section 4, step by step ---- */

static bool least_privilege_setup(struct faults_database *database) {
  PGconn *admin = PQconnectdb(database->admin_conninfo);
  bool ok = tap_ok(exec_as(admin, "CREATE DATABASE motcua"), "a one-stop database `motcua`");
  PQfinish(admin);
  PGconn *superuser = connect_as(database, "postgres");
  /* The one-stop owner exists before dunghen arrives, with its own schema. */
  ok &= tap_ok(exec_as(superuser, "CREATE ROLE motcua_owner LOGIN; "
                                  "GRANT CREATE ON DATABASE motcua TO motcua_owner"),
               "the one-stop owner role (can create its schema)");
  ok &= tap_ok(exec_as(superuser, "CREATE ROLE dunghen LOGIN PASSWORD 'not-used-with-trust'; "
                                  "CREATE SCHEMA dunghen AUTHORIZATION dunghen; "
                                  "GRANT USAGE, CREATE ON SCHEMA dunghen TO motcua_owner"),
               "as documented: CREATE ROLE dunghen, CREATE SCHEMA dunghen AUTHORIZATION "
               "dunghen, GRANT USAGE, CREATE ON SCHEMA dunghen TO motcua_owner");
  PQfinish(superuser);

  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/daemon/schema/reference.sql", getenv("DUNGHEN_SOURCE_ROOT"));
  char *reference = read_text(path);
  PGconn *owner = connect_as(database, "motcua_owner");
  ok &= tap_ok(reference != NULL && exec_as(owner, reference),
               "as motcua_owner: its tables and the two views (reference.sql)");
  free(reference);
  ok &= tap_ok(exec_as(owner, "CREATE TABLE onestop.canary (x int); "
                              "GRANT SELECT ON dunghen.dossier_source, "
                              "dunghen.dossier_pause_source TO dunghen"),
               "as motcua_owner: GRANT SELECT ON the two views TO dunghen");
  PQfinish(owner);

  char command[4 * PATH_MAX], output_path[PATH_MAX + 32];
  snprintf(output_path, sizeof output_path, "%s/migrate.log", database->harness.directory);
  snprintf(command, sizeof command,
           "'%s' migrate --db 'host=%s port=5432 user=dunghen dbname=motcua' > '%s' 2>&1",
           getenv("DUNGHEN_BINARY"), database->server.directory, output_path);
  int status = system(command);
  char *output = read_text(output_path);
  ok &= tap_is_integer(
      WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0, "as dunghen: dunghen migrate (%.*s)",
      output != NULL ? (int)strcspn(output, "\n") : 0, output != NULL ? output : "");
  free(output);
  return ok;
}

static void check_rights(struct faults_database *database) {
  PGconn *superuser = connect_as(database, "postgres");
  tap_is_integer(count_of(superuser,
                          "SELECT count(*) FROM pg_roles WHERE rolname = 'dunghen' AND "
                          "(rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR "
                          "rolbypassrls)",
                          NULL),
                 0, "dunghen holds no role attribute (superuser, createrole, createdb, ...)");
  tap_is_integer(count_of(superuser,
                          "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r "
                          "ON r.oid = m.member WHERE r.rolname = 'dunghen'",
                          NULL),
                 0, "and is a member of no other role");
  tap_is_integer(count_of(superuser,
                          "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                          "ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', "
                          "'information_schema', 'dunghen') AND n.nspname NOT LIKE 'pg_toast%' "
                          "AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND "
                          "has_table_privilege('dunghen', c.oid, "
                          "'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')",
                          NULL),
                 0, "dunghen has no right on any table or view outside its schema");
  tap_is_integer(count_of(superuser,
                          "SELECT count(*) FROM pg_class c JOIN pg_namespace n "
                          "ON n.oid = c.relnamespace WHERE n.nspname = 'dunghen' AND "
                          "c.relkind = 'v' AND pg_get_userbyid(c.relowner) = 'motcua_owner'",
                          NULL),
                 2, "the two source views belong to motcua_owner (migrate kept them)");
  PQfinish(superuser);
  PGconn *daemon_role = connect_as(database, "dunghen");
  PGresult *denied = PQexec(daemon_role, "SELECT count(*) FROM onestop.ho_so");
  tap_ok(PQresultStatus(denied) == PGRES_FATAL_ERROR &&
             strstr(PQerrorMessage(daemon_role), "permission denied") != NULL,
         "as dunghen, SELECT on onestop.ho_so is refused (%.*s)",
         (int)strcspn(PQerrorMessage(daemon_role), "\n"), PQerrorMessage(daemon_role));
  PQclear(denied);
  tap_ok(count_of(daemon_role, "SELECT count(*) FROM dunghen.dossier_source", NULL) >= 0,
         "as dunghen, the source view can be read");
  PQfinish(daemon_role);
}

/* ---- dossiers ---- */

static bool insert_dossier(PGconn *connection, const char *code, const char *procedure,
                           const char *name, const char *id, const char *address,
                           const char *summary, bool overdue) {
  const char *values[] = {
      code, procedure, name, id, address, summary, overdue ? "30 days" : "0 days"};
  PGresult *result =
      query(connection,
            "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh, "
            "dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) VALUES ($1, $2, "
            "'DLK-TTPVHCC', $3, $4, $5, $6, 'truc_tiep', now() - $7::interval, 'dang_xu_ly')",
            7, values);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  return ok;
}

static void insert_personal(PGconn *connection) {
  insert_dossier(connection, "PII-1", "9.900001", "Hoàng Thị Bímật", "079199912345",
                 "số 7 ngõ Kínđáo, phường Xuânbímật", "cấp lại cho Trầnkínđáo", true);
  insert_dossier(connection, "PII-2", "9.900001", "Nguyễn Văn Ẩndanh 😀", "001099977766",
                 "thôn Xuânbímật 🏠", "hồ sơ của Ẩndanh", true);
  insert_dossier(connection, "PII-3", "9.999999", "Trầnkínđáo", "079188854321", "ngõ Kínđáo",
                 "thủ tục lạ", true); /* unknown procedure: flagged */
  insert_dossier(connection, "PII-4", "9.900002", "Hoàng Thị Bímật", "079188854321", "ngõ Kínđáo",
                 "mới nhận", false);
  exec_as(connection, "UPDATE onestop.ho_so SET ly_do_tre_han = 'chờ Trầnkínđáo ký' "
                      "WHERE ma_ho_so = 'PII-4'");
}

static void check_hostile(struct faults_database *database, PGconn *connection) {
  for (size_t i = 0; i < sizeof HOSTILE / sizeof HOSTILE[0]; i++) {
    const struct hostile *dossier = &HOSTILE[i];
    if (dossier->flagged) {
      const char *values[] = {dossier->code, dossier->procedure};
      PGresult *result = query(connection,
                               "SELECT flagged_reason FROM dunghen.clock WHERE code = $1 "
                               "AND state = 'flagged' AND position($2 IN flagged_reason) > 0",
                               2, values);
      tap_is_integer(PQntuples(result), 1, "an unknown procedure `%s` is flagged by name",
                     dossier->procedure);
      PQclear(result);
      continue;
    }
    tap_ok(count_of(connection,
                    "SELECT count(*) FROM dunghen.escalation_log WHERE dossier_code = $1 "
                    "AND level = 'overdue'",
                    dossier->code) == 1,
           "the dossier coded `%s` has its escalation under that exact code", dossier->code);
    const char *values[] = {dossier->code};
    PGresult *result = query(connection,
                             "SELECT path FROM dunghen.letter_log WHERE dossier_code = $1 "
                             "AND state = 'rendered'",
                             1, values);
    char real[PATH_MAX] = "", spool[PATH_MAX] = "";
    bool inside = PQntuples(result) == 1 && realpath(PQgetvalue(result, 0, 0), real) != NULL &&
                  realpath(database->spool, spool) != NULL &&
                  strncmp(real, spool, strlen(spool)) == 0 && real[strlen(spool)] == '/';
    tap_ok(inside, "and its letter, rendered inside the spool (%s)",
           PQntuples(result) == 1 ? PQgetvalue(result, 0, 0) : "none");
    PQclear(result);
  }
  tap_is_integer(count_of(connection, "SELECT count(*) FROM onestop.canary", NULL), 0,
                 "the canary table is still there");
  tap_ok(access("/tmp/dunghen-escape.pdf", F_OK) != 0, "no file escaped the spool");
}

/* ---- logs and listening sockets ---- */

static int search_personal(const char *text, const char *where) {
  int found = 0;
  for (size_t i = 0; text != NULL && i < sizeof PERSONAL / sizeof PERSONAL[0]; i++) {
    const char *at = strstr(text, PERSONAL[i]);
    if (at == NULL)
      continue;
    const char *start = at;
    while (start > text && start[-1] != '\n')
      start--;
    if (found++ < 5)
      tap_diagnostic("%s: `%s` in: %.*s", where, PERSONAL[i], (int)strcspn(start, "\n"), start);
  }
  return found;
}

static int search_file(const char *path) {
  char *text = read_text(path);
  int found = search_personal(text, path);
  free(text);
  return found;
}

/* Every log the test's daemons and commands wrote in the harness directory. */
static int search_logs(const struct e2e_harness *harness, int *files) {
  DIR *directory = opendir(harness->directory);
  int found = 0;
  *files = 0;
  struct dirent *entry;
  while (directory != NULL && (entry = readdir(directory)) != NULL) {
    size_t length = strlen(entry->d_name);
    if (length < 4 || (strcmp(entry->d_name + length - 4, ".log") != 0 &&
                       strcmp(entry->d_name + length - 4, ".out") != 0))
      continue;
    char path[PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", harness->directory, entry->d_name);
    found += search_file(path);
    (*files)++;
  }
  if (directory != NULL)
    closedir(directory);
  return found;
}

/* The socket inodes of `pid`'s descriptors. */
static int socket_inodes(pid_t pid, unsigned long *inodes, int capacity) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
  DIR *directory = opendir(path);
  int count = 0;
  struct dirent *entry;
  while (directory != NULL && (entry = readdir(directory)) != NULL && count < capacity) {
    char link[PATH_MAX], target[256];
    snprintf(link, sizeof link, "%s/%s", path, entry->d_name);
    ssize_t got = readlink(link, target, sizeof target - 1);
    if (got <= 0)
      continue;
    target[got] = '\0';
    unsigned long inode;
    if (sscanf(target, "socket:[%lu]", &inode) == 1)
      inodes[count++] = inode;
  }
  if (directory != NULL)
    closedir(directory);
  return count;
}

/* Counts the listening TCP sockets of `pid` in /proc/net/FILE, and those on loopback. */
static void listening(const char *file, const unsigned long *inodes, int count, int *total,
                      int *loopback, char *first, size_t size) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/net/%s", file);
  FILE *table = fopen(path, "r");
  if (table == NULL)
    return;
  while (fgets(line, sizeof line, table) != NULL) {
    char local[64];
    unsigned state;
    unsigned long inode;
    if (sscanf(line, " %*d: %63[0-9A-Fa-f:] %*s %x %*s %*s %*s %*s %*s %lu", local, &state,
               &inode) != 3 ||
        state != 0x0A)
      continue;
    bool ours = false;
    for (int i = 0; i < count; i++)
      ours = ours || inodes[i] == inode;
    if (!ours)
      continue;
    (*total)++;
    bool is_loopback = strncmp(local, "0100007F:", 9) == 0 ||
                       strncmp(local, "00000000000000000000000001000000:", 33) == 0;
    *loopback += is_loopback;
    if (first[0] == '\0')
      snprintf(first, size, "%s %s", file, local);
  }
  fclose(table);
}

static void check_default_bind(struct faults_database *database) {
  struct e2e_harness *harness = &database->harness;
  char config_path[PATH_MAX + 32], log_path[PATH_MAX + 32];
  snprintf(config_path, sizeof config_path, "%s/default-bind.yaml", harness->directory);
  snprintf(log_path, sizeof log_path, "%s/default-bind.log", harness->directory);
  FILE *file = fopen(config_path, "w");
  if (file == NULL)
    return;
  fprintf(file, "http:\n  port: 0\npaths:\n  letters: %s\n  spool: %s\n", database->letters,
          database->spool);
  fclose(file);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (freopen(log_path, "w", stderr) == NULL)
      _exit(126);
    const char *binary = getenv("DUNGHEN_BINARY");
    execl(binary, binary, "run", "--config", config_path, "--db", harness->conninfo, "--rules",
          harness->rules, (char *)NULL);
    _exit(127);
  }
  struct e2e_daemon daemon = {.pid = pid, .port = -1};
  snprintf(daemon.log_path, sizeof daemon.log_path, "%s", log_path);
  tap_ok(e2e_daemon_wait_log(&daemon, "http: listening on ", 1, 20),
         "a daemon without http.address starts its HTTP endpoint");
  char line[512] = "";
  e2e_daemon_log_line(&daemon, "http: listening on ", line, sizeof line);
  tap_contains(line, "http: listening on 127.0.0.1:", "its log says 127.0.0.1");
  unsigned long inodes[256];
  int count = socket_inodes(pid, inodes, 256), total = 0, loopback = 0;
  char first[128] = "";
  listening("tcp", inodes, count, &total, &loopback, first, sizeof first);
  listening("tcp6", inodes, count, &total, &loopback, first, sizeof first);
  tap_ok(total >= 1 && loopback == total,
         "every listening socket of the daemon is on loopback (%d of %d; %s)", loopback, total,
         first);
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
}

static void run_once(const struct faults_database *database, const char *conninfo) {
  char command[4 * PATH_MAX];
  snprintf(command, sizeof command,
           "'%s' once --db '%s' --rules '%s' --letters '%s' --spool '%s' > '%s/once.out' 2>&1",
           getenv("DUNGHEN_BINARY"), conninfo, database->harness.rules, database->letters,
           database->spool, database->harness.directory);
  tap_is_integer(system(command), 0, "dunghen once as dunghen exits 0");
}

static void end_to_end(struct faults_database *database) {
  /* The daemon connects as dunghen; the test's own connection is the superuser's. */
  struct e2e_harness restricted = database->harness;
  snprintf(restricted.conninfo, sizeof restricted.conninfo,
           "host=%s port=5432 user=dunghen dbname=motcua", database->server.directory);
  restricted.db = connect_as(database, "postgres");
  char config[8192];
  faults_config(database, NULL, config, sizeof config);
  umask(0); /* the modes of the spool must not depend on the umask */
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &restricted, config, NULL),
              "the daemon starts as dunghen") ||
      !tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "and becomes ready")) {
    e2e_daemon_dump_log(&daemon);
    PQfinish(restricted.db);
    return;
  }
  for (size_t i = 0; i < sizeof HOSTILE / sizeof HOSTILE[0]; i++)
    insert_dossier(restricted.db, HOSTILE[i].code, HOSTILE[i].procedure, HOSTILE[i].name,
                   "066100000000", HOSTILE[i].address, "'; --", true);
  insert_personal(restricted.db);
  tap_ok(faults_wait_settled(&restricted, true, 60),
         "everything is processed under the least-privilege role");
  long long escalations =
      count_of(restricted.db, "SELECT count(*) FROM dunghen.escalation_log", NULL);
  long long letters = count_of(restricted.db,
                               "SELECT count(*) FROM dunghen.letter_log "
                               "WHERE state = 'rendered'",
                               NULL);
  tap_ok(escalations >= 12 && letters >= 6, "escalations (%lld) and rendered letters (%lld)",
         escalations, letters);
  check_hostile(database, restricted.db);
  faults_check_database(&restricted, "as dunghen", false);
  faults_check_spool(&restricted, database->spool, "as dunghen, umask 000");

  char body[65536];
  tap_is_integer(e2e_http_get(daemon.port, "/metrics", body, sizeof body), 200, "/metrics is 200");
  tap_is_integer(search_personal(body, "/metrics"), 0, "/metrics carries no personal data");
  e2e_http_get(daemon.port, "/healthz", body, sizeof body);
  tap_is_integer(search_personal(body, "/healthz"), 0, "/healthz carries no personal data");
  kill(daemon.pid, SIGHUP);
  e2e_daemon_wait_log(&daemon, "reload", 1, 10);
  tap_ok(e2e_daemon_log_count(&daemon, "dossier PII-3 flagged") == 1,
         "the log names dossiers by code (so the search below is meaningful)");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGKILL, 20), 128 + SIGKILL, "killed with SIGKILL");
  /* A restart re-reads everything, and `dunghen once` reports on stdout and stderr. */
  struct e2e_daemon again;
  if (tap_ok(e2e_daemon_start(&again, &restricted, config, NULL), "it restarts as dunghen")) {
    tap_ok(e2e_daemon_wait_log(&again, "ready: rules loaded", 1, 20), "and becomes ready");
    tap_is_integer(e2e_daemon_stop(&again, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  }
  run_once(database, restricted.conninfo);
  int files;
  int found = search_logs(&database->harness, &files);
  tap_ok(files >= 4, "%d logs to search (daemons, migrate, once)", files);
  tap_is_integer(found, 0, "no name, ID number, address or summary in any log line");
  PQfinish(restricted.db);
}

int main(void) {
  struct faults_database database;
  if (!faults_database_create(&database, "a private PostgreSQL"))
    return tap_finish();
  if (least_privilege_setup(&database)) {
    check_rights(&database);
    end_to_end(&database);
  }
  check_default_bind(&database);
  int result = tap_finish();
  faults_database_destroy(&database);
  return result;
}
