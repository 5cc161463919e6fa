/*
 * faults_support.c: the shared workload and invariants of the fault tests (faults_support.h).
 */
#include "faults_support.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/sha256.h"
#include "store/schema.h"
#include "tap.h"

static const char *const AGENCIES[] = {"DLK-TTPVHCC", "DLK-SNNMT"};

/* libpq prints notices to stderr unless given a processor (NULL keeps the default). */
static void ignore_notice(void *argument, const char *message) {
  (void)argument;
  (void)message;
}

static bool run_command(const char *command) {
  int status = system(command);
  if (status != 0)
    tap_diagnostic("command failed (%d): %s", status, command);
  return status == 0;
}

static bool create_database(struct faults_database *database) {
  memset(database, 0, sizeof *database);
  if (!pg_server_create(&database->server))
    return false;
  snprintf(database->admin_conninfo, sizeof database->admin_conninfo, "%s",
           database->server.conninfo);
  PGconn *admin = PQconnectdb(database->admin_conninfo);
  PGresult *created = PQexec(admin, "CREATE DATABASE work");
  bool ok = PQresultStatus(created) == PGRES_COMMAND_OK;
  if (!ok)
    tap_diagnostic("CREATE DATABASE work: %s", PQerrorMessage(admin));
  PQclear(created);
  PQfinish(admin);
  char conninfo[PATH_MAX + 128];
  snprintf(conninfo, sizeof conninfo, "host=%s port=5432 user=postgres dbname=work",
           database->server.directory);
  if (!ok || !e2e_setup(&database->harness, conninfo))
    return false;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  source = source != NULL ? source : ".";
  snprintf(database->letters, sizeof database->letters, "%s/letters", source);
  snprintf(database->spool, sizeof database->spool, "%s/spool", database->harness.directory);
  char command[3 * PATH_MAX];
  snprintf(command, sizeof command, "cp '%s/rules/agencies.yaml' '%s/agencies.yaml'", source,
           database->harness.rules);
  return mkdir(database->spool, 0755) == 0 && run_command(command);
}

bool faults_database_create(struct faults_database *database, const char *label) {
  if (tap_ok(create_database(database), "%s", label))
    return true;
  faults_database_destroy(database);
  return false;
}

void faults_database_destroy(struct faults_database *database) {
  e2e_teardown(&database->harness);
  pg_server_destroy(&database->server);
}

int faults_rounds(int default_rounds) {
  const char *text = getenv("FAULTS_ROUNDS");
  int rounds = text != NULL ? atoi(text) : 0;
  if (rounds > 0)
    return rounds;
  const char *percent_text = getenv("FAULTS_ROUNDS_PERCENT");
  int percent = percent_text != NULL ? atoi(percent_text) : 0;
  if (percent <= 0)
    return default_rounds;
  int scaled = default_rounds * percent / 100;
  return scaled > 0 ? scaled : 1;
}

uint64_t faults_seed(void) {
  const char *text = getenv("FAULTS_SEED");
  uint64_t seed;
  if (text != NULL && *text != '\0') {
    seed = strtoull(text, NULL, 10);
  } else {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    seed = (uint64_t)now.tv_sec * 1000003u ^ (uint64_t)now.tv_nsec ^ (uint64_t)getpid();
  }
  tap_diagnostic("seed %llu (rerun with FAULTS_SEED=%llu)", (unsigned long long)seed,
                 (unsigned long long)seed);
  return seed != 0 ? seed : 1;
}

uint64_t faults_next(uint64_t *state) {
  /* xorshift64*: plenty for choosing moments and rows */
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 2685821657736338717ull;
}

uint64_t faults_below(uint64_t *state, uint64_t limit) {
  return limit == 0 ? 0 : faults_next(state) % limit;
}

void faults_config(const struct faults_database *database, const char *extra, char *config,
                   size_t size) {
  snprintf(config, size,
           "paths:\n  letters: %s\n  spool: %s\n"
           "sync:\n  poll_interval: 3600\n  batch_size: 200\n"
           "database:\n  connect_timeout: 2\n  ping_interval: 1\n%s",
           database->letters, database->spool, extra != NULL ? extra : "");
}

void faults_reconnect(struct e2e_harness *harness) {
  if (harness->db != NULL && PQstatus(harness->db) == CONNECTION_OK) {
    PGresult *probe = PQexec(harness->db, "SELECT 1");
    bool alive = PQresultStatus(probe) == PGRES_TUPLES_OK;
    PQclear(probe);
    if (alive)
      return;
  }
  for (int attempt = 0; attempt < 300; attempt++) {
    if (harness->db != NULL)
      PQfinish(harness->db);
    harness->db = PQconnectdb(harness->conninfo);
    if (PQstatus(harness->db) == CONNECTION_OK) {
      PQsetNoticeProcessor(harness->db, ignore_notice, NULL);
      return;
    }
    e2e_sleep_seconds(0.1);
  }
}

/* ---- workload ---- */

bool faults_workload_overdue_burst(struct faults_workload *workload, int count) {
  int first = workload->overdue + 1;
  workload->overdue += count;
  return e2e_db_exec(workload->harness,
                     "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, "
                     "so_dinh_danh, dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) "
                     "SELECT 'W-O-' || lpad(g::text, 6, '0'), '9.900001', "
                     "CASE WHEN g %% 3 = 0 THEN 'DLK-SNNMT' ELSE 'DLK-TTPVHCC' END, "
                     "'Phạm Thị Lỗi ' || g, '0791' || lpad(g::text, 8, '0'), 'phường Tân An', "
                     "'thử lỗi', 'truc_tuyen', now() - interval '30 days', 'dang_xu_ly' "
                     "FROM generate_series(%d, %d) AS g ON CONFLICT DO NOTHING",
                     first, first + count - 1);
}

static int pick_fresh(struct faults_workload *workload, int remainder) {
  if (workload->fresh < 3)
    return 0;
  int number = 1 + (int)faults_below(&workload->random, (uint64_t)workload->fresh);
  number -= (number % 3 - remainder + 3) % 3;
  return number >= 1 ? number : 0;
}

bool faults_workload_step(struct faults_workload *workload) {
  char sql[4096];
  size_t used = 0;
  used += (size_t)snprintf(sql + used, sizeof sql - used, "BEGIN;");
  int inserts = 1 + (int)faults_below(&workload->random, 3);
  for (int i = 0; i < inserts; i++) {
    int number = ++workload->fresh;
    used += (size_t)snprintf(
        sql + used, sizeof sql - used,
        "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh, "
        "dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai) VALUES ('W-F-%06d', '9.900002', "
        "'%s', 'Lê Văn Mới %d', '0792%08d', 'xã Ea Kar', 'thử', 'truc_tiep', now(), "
        "'dang_xu_ly') ON CONFLICT DO NOTHING;",
        number, AGENCIES[faults_below(&workload->random, 2)], number, number);
  }
  int touched = 1 + (int)faults_below(&workload->random, (uint64_t)workload->fresh);
  used += (size_t)snprintf(sql + used, sizeof sql - used,
                           "UPDATE onestop.ho_so SET trich_yeu = 'sửa %d' "
                           "WHERE ma_ho_so = 'W-F-%06d';",
                           touched, touched);
  if (workload->overdue > 0) {
    int old = 1 + (int)faults_below(&workload->random, (uint64_t)workload->overdue);
    used += (size_t)snprintf(sql + used, sizeof sql - used,
                             "UPDATE onestop.ho_so SET trich_yeu = 'sửa' "
                             "WHERE ma_ho_so = 'W-O-%06d';",
                             old);
  }
  int late = faults_below(&workload->random, 3) == 0 ? pick_fresh(workload, 1) : 0;
  if (late > 0)
    used += (size_t)snprintf(sql + used, sizeof sql - used,
                             "UPDATE onestop.ho_so SET ly_do_tre_han = 'thiếu hồ sơ' "
                             "WHERE ma_ho_so = 'W-F-%06d' AND ly_do_tre_han IS NULL;",
                             late);
  int done = faults_below(&workload->random, 3) == 0 ? pick_fresh(workload, 2) : 0;
  if (done > 0)
    used += (size_t)snprintf(sql + used, sizeof sql - used,
                             "UPDATE onestop.ho_so SET trang_thai = 'da_co_ket_qua', "
                             "ngay_hoan_thanh = now() WHERE ma_ho_so = 'W-F-%06d' "
                             "AND trang_thai = 'dang_xu_ly';",
                             done);
  snprintf(sql + used, sizeof sql - used, "COMMIT;");
  PGresult *result = PQexec(workload->harness->db, sql);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  return ok;
}

/* ---- invariants ---- */

bool faults_wait_settled(struct e2e_harness *harness, bool letters, double timeout) {
  char sql[1024];
  snprintf(sql, sizeof sql,
           "SELECT (SELECT count(*) FROM onestop.ho_so h LEFT JOIN dunghen.clock c "
           "ON c.code = h.ma_ho_so WHERE c.source_updated_at IS DISTINCT FROM h.updated_at) "
           "+ (SELECT count(*) FROM dunghen.clock WHERE next_instant <= now()) %s",
           letters ? "+ (SELECT count(*) FROM dunghen.letter_log WHERE state = 'pending')" : "");
  double until = e2e_monotonic_now() + timeout;
  long long left = -1;
  do {
    faults_reconnect(harness);
    PGresult *result = PQexec(harness->db, sql);
    if (PQresultStatus(result) == PGRES_TUPLES_OK)
      left = atoll(PQgetvalue(result, 0, 0));
    PQclear(result);
    if (left == 0)
      return true;
    e2e_sleep_seconds(0.05);
  } while (e2e_monotonic_now() < until);
  tap_diagnostic("not settled after %.0f s: %lld dossiers or letters left", timeout, left);
  return false;
}

struct invariant {
  const char *what;
  const char *sql; /* counts the violations */
};

static const struct invariant INVARIANTS[] = {
    {"no escalation twice (dossier, level, episode)",
     "SELECT count(*) - count(DISTINCT (dossier_code, level, episode)) "
     "FROM dunghen.escalation_log"},
    {"every dossier past its deadline and open has its overdue escalation",
     "SELECT count(*) FROM dunghen.clock c WHERE c.state IN ('overdue', 'rescheduled', "
     "'overdue_again') AND c.deadline <= c.computed_at AND NOT EXISTS (SELECT 1 FROM "
     "dunghen.escalation_log e WHERE e.dossier_code = c.code AND e.level = 'overdue' "
     "AND e.episode = 1)"},
    {"every letter escalation has exactly one letter",
     "SELECT count(*) FROM dunghen.escalation_log e WHERE e.action = 'letter' AND "
     "(SELECT count(*) FROM dunghen.letter_log l WHERE l.escalation_id = e.id) <> 1"},
    {"no letter without its escalation, none twice for a dossier",
     "SELECT (SELECT count(*) FROM dunghen.letter_log) - (SELECT count(*) FROM "
     "dunghen.escalation_log WHERE action = 'letter')"},
    {"numbers run 1..n per agency and year, without gap or repeat",
     "SELECT count(*) FROM (SELECT agency_code, year FROM dunghen.letter_log "
     "GROUP BY agency_code, year HAVING min(number) <> 1 OR max(number) <> count(*) "
     "OR count(DISTINCT number) <> count(*)) AS broken"},
    {"the letter counters agree with the letters",
     "SELECT count(*) FROM dunghen.letter_counter k FULL JOIN (SELECT agency_code, year, "
     "max(number) AS top FROM dunghen.letter_log GROUP BY agency_code, year) l "
     "USING (agency_code, year) WHERE k.last_number IS DISTINCT FROM l.top"},
    {"no failed letter", "SELECT count(*) FROM dunghen.letter_log WHERE state = 'failed'"},
    /* The database is the letters' record (migration 9): every draft has its bytes, with the
     * sha256 and size recorded in its row. The spool files, when present, are compared with the
     * same sha256 and size by faults_check_spool, so they are identical to these bytes. */
    {"every rendered letter has its PDF in the database, with its sha256 and size",
     "SELECT count(*) FROM dunghen.letter_log l WHERE l.state = 'rendered' AND NOT EXISTS "
     "(SELECT 1 FROM dunghen.letter_pdf p WHERE p.letter_id = l.id AND p.version = l.version "
     "AND p.sha256 = l.sha256 AND octet_length(p.pdf) = l.bytes)"},
    {"every earlier draft has its PDF in the database, with its sha256 and size",
     "SELECT count(*) FROM dunghen.letter_version v WHERE v.sha256 IS NOT NULL AND NOT EXISTS "
     "(SELECT 1 FROM dunghen.letter_pdf p WHERE p.letter_id = v.letter_id "
     "AND p.version = v.version AND p.sha256 = v.sha256 AND octet_length(p.pdf) = v.bytes)"},
};

bool faults_check_database(struct e2e_harness *harness, const char *label, bool report_each) {
  faults_reconnect(harness);
  bool all = true;
  for (size_t i = 0; i < sizeof INVARIANTS / sizeof INVARIANTS[0]; i++) {
    long long violations = e2e_db_integer(harness, "%s", INVARIANTS[i].sql);
    if (report_each || violations != 0)
      tap_is_integer(violations, 0, "%s: %s", label, INVARIANTS[i].what);
    all = all && violations == 0;
  }
  return all;
}

/* ---- the spool tree ---- */

bool faults_check_spool(struct e2e_harness *harness, const char *spool, const char *label) {
  faults_reconnect(harness);
  return spool_check(harness->db, spool, label);
}

/* ---- the independent check on a copy ---- */

static bool admin_exec(PGconn *admin, const char *sql) {
  for (int attempt = 0; attempt < 100; attempt++) {
    PGresult *result = PQexec(admin, sql);
    bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    PQclear(result);
    if (ok)
      return true;
    if (strstr(PQerrorMessage(admin), "being accessed by other users") == NULL) {
      tap_diagnostic("%s: %s", sql, PQerrorMessage(admin));
      return false;
    }
    e2e_sleep_seconds(0.1); /* a session of the stopped daemon still closing */
  }
  tap_diagnostic("%s: %s", sql, PQerrorMessage(admin));
  return false;
}

/* The sorted keys that `sql` returns, one string per row. */
struct keys {
  char **rows;
  int count;
};

static bool read_keys(PGconn *connection, const char *sql, struct keys *keys) {
  keys->rows = NULL;
  keys->count = 0;
  PGresult *result = PQexec(connection, sql);
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    tap_diagnostic("%s: %s", sql, PQerrorMessage(connection));
    PQclear(result);
    return false;
  }
  keys->count = PQntuples(result);
  keys->rows = calloc((size_t)keys->count + 1, sizeof *keys->rows);
  for (int row = 0; keys->rows != NULL && row < keys->count; row++)
    keys->rows[row] = strdup(PQgetvalue(result, row, 0));
  PQclear(result);
  return keys->rows != NULL;
}

static void free_keys(struct keys *keys) {
  for (int row = 0; keys->rows != NULL && row < keys->count; row++)
    free(keys->rows[row]);
  free(keys->rows);
}

/* Both sorted by the server (COLLATE "C"); counts what only one side has. */
static bool same_keys(const struct keys *daemon, const struct keys *fresh, const char *what,
                      const char *label) {
  int left = 0, right = 0, only_daemon = 0, only_fresh = 0;
  while (left < daemon->count || right < fresh->count) {
    int order = left == daemon->count   ? 1
                : right == fresh->count ? -1
                                        : strcmp(daemon->rows[left], fresh->rows[right]);
    if (order == 0) {
      left++;
      right++;
    } else if (order < 0) {
      if (only_daemon++ < 3)
        tap_diagnostic("raised by the daemon only: %s", daemon->rows[left]);
      left++;
    } else {
      if (only_fresh++ < 3)
        tap_diagnostic("due but missing: %s", fresh->rows[right]);
      right++;
    }
  }
  return tap_ok(only_daemon == 0 && only_fresh == 0,
                "%s: %s as a fresh `dunghen once` computes them (%d; %d missing, %d extra)", label,
                what, fresh->count, only_fresh, only_daemon);
}

static bool compare_with(PGconn *work, PGconn *fresh, const char *sql, const char *what,
                         const char *label) {
  struct keys daemon_keys = {0}, fresh_keys = {0};
  bool ok = read_keys(work, sql, &daemon_keys) && read_keys(fresh, sql, &fresh_keys);
  if (ok)
    ok = same_keys(&daemon_keys, &fresh_keys, what, label);
  else
    tap_ok(false, "%s: %s (the keys can be read)", label, what);
  free_keys(&daemon_keys);
  free_keys(&fresh_keys);
  return ok;
}

static bool run_once_on(const struct faults_database *database, const char *conninfo) {
  struct e2e_harness const *harness = &database->harness;
  char command[4 * PATH_MAX];
  /* Rules without agencies.yaml: the letters are queued (what is compared), not rendered. */
  snprintf(command, sizeof command,
           "rm -rf '%s/verify-rules' && mkdir '%s/verify-rules' && "
           "cp '%s/calendar.yaml' '%s/ladder.yaml' '%s/procedures.yaml' '%s/verify-rules/'",
           harness->directory, harness->directory, harness->rules, harness->rules, harness->rules,
           harness->directory);
  if (!run_command(command))
    return false;
  PGconn *fresh = PQconnectdb(conninfo);
  PGresult *now = PQexec(fresh, "SELECT to_char(now() AT TIME ZONE 'Asia/Ho_Chi_Minh', "
                                "'YYYY-MM-DD\"T\"HH24:MI:SS')");
  char now_text[64] = "";
  if (PQresultStatus(now) == PGRES_TUPLES_OK)
    snprintf(now_text, sizeof now_text, "%s", PQgetvalue(now, 0, 0));
  PQclear(now);
  PQfinish(fresh);
  snprintf(command, sizeof command,
           "'%s' once --db '%s' --rules '%s/verify-rules' --now %s > '%s/verify.out' 2>&1",
           getenv("DUNGHEN_BINARY"), conninfo, harness->directory, now_text, harness->directory);
  return run_command(command);
}

static bool fresh_schema(const char *conninfo) {
  PGconn *fresh = PQconnectdb(conninfo);
  PQsetNoticeProcessor(fresh, ignore_notice, NULL);
  PGresult *dropped = PQexec(fresh, "DROP SCHEMA dunghen CASCADE");
  bool ok = PQresultStatus(dropped) == PGRES_COMMAND_OK;
  PQclear(dropped);
  struct schema_result result;
  struct error error;
  if (ok && (schema_migrate(fresh, &result, &error) != STATUS_OK ||
             schema_install_reference(fresh, &error) != STATUS_OK)) {
    tap_diagnostic("verify: migrate: %s", error.message);
    ok = false;
  }
  PQfinish(fresh);
  return ok;
}

bool faults_verify_on_copy(struct faults_database *database, const char *label) {
  struct e2e_harness *harness = &database->harness;
  PQfinish(harness->db);
  harness->db = NULL;
  PGconn *admin = PQconnectdb(database->admin_conninfo);
  PQsetNoticeProcessor(admin, ignore_notice, NULL);
  bool ok = admin_exec(admin, "DROP DATABASE IF EXISTS verify") &&
            admin_exec(admin, "CREATE DATABASE verify TEMPLATE work");
  faults_reconnect(harness);
  char conninfo[PATH_MAX + 128];
  snprintf(conninfo, sizeof conninfo, "host=%s port=5432 user=postgres dbname=verify",
           database->server.directory);
  ok = ok && fresh_schema(conninfo) && run_once_on(database, conninfo);
  if (ok) {
    PGconn *fresh = PQconnectdb(conninfo);
    ok = compare_with(harness->db, fresh,
                      "SELECT key FROM (SELECT dossier_code || ' ' || level || ' ' || episode "
                      "AS key FROM dunghen.escalation_log) AS k ORDER BY key COLLATE \"C\"",
                      "escalations exactly", label);
    ok &= compare_with(harness->db, fresh,
                       "SELECT key FROM (SELECT dossier_code || ' ' || agency_code || ' ' || year "
                       "AS key FROM dunghen.letter_log) AS k ORDER BY key COLLATE \"C\"",
                       "letters exactly", label);
    PQfinish(fresh);
  } else {
    tap_ok(false, "%s: a fresh `dunghen once` runs on a copy", label);
  }
  admin_exec(admin, "DROP DATABASE IF EXISTS verify");
  PQfinish(admin);
  return ok;
}

long faults_proc_kilobytes(int pid, const char *field) {
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *file = fopen(path, "r");
  if (file == NULL)
    return -1;
  long value = -1;
  size_t length = strlen(field);
  while (fgets(line, sizeof line, file) != NULL)
    if (strncmp(line, field, length) == 0 && line[length] == ':')
      value = atol(line + length + 1);
  fclose(file);
  return value;
}

/* ---- mail and scheduled reports, for several daemons ---- */

bool faults_mail_available(void) {
  if (access("/usr/bin/msmtp", X_OK) == 0 &&
      system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null") == 0)
    return true;
  tap_diagnostic("msmtp or python3-aiosmtpd is missing (tools/dev deps)");
  return false;
}

bool faults_mail_start(struct faults_mail *mail, const struct faults_database *database) {
  memset(mail, 0, sizeof *mail);
  snprintf(mail->directory, sizeof mail->directory, "%s/smtp", database->harness.directory);
  if (mkdir(mail->directory, 0755) != 0)
    return false;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  char script[PATH_MAX + 64];
  snprintf(script, sizeof script, "%s/tests/mail/smtp_sink.py", source != NULL ? source : ".");
  mail->sink = fork();
  if (mail->sink == 0) {
    execl("/usr/bin/python3", "/usr/bin/python3", script, mail->directory, (char *)NULL);
    _exit(127);
  }
  char port_path[PATH_MAX + 64], port[32] = "";
  snprintf(port_path, sizeof port_path, "%s/port", mail->directory);
  for (int i = 0; i < 300 && port[0] == '\0'; i++) {
    e2e_read_text_file(port_path, port, sizeof port);
    if (port[0] == '\0')
      e2e_sleep_seconds(0.05);
  }
  char rc_path[PATH_MAX + 64];
  snprintf(rc_path, sizeof rc_path, "%s/msmtprc", mail->directory);
  FILE *rc = port[0] != '\0' ? fopen(rc_path, "w") : NULL;
  if (rc == NULL) {
    tap_diagnostic("the SMTP sink did not start");
    return false;
  }
  fprintf(rc,
          "defaults\nauth off\ntls off\naccount default\nhost 127.0.0.1\nport %d\n"
          "from dunghen@example.org\n",
          atoi(port));
  fclose(rc);
  chmod(rc_path, 0600);
  /* Escalations go into digests every 2 s (the digests' claim is raced by every daemon too),
   * so that the mails of a burst fit the test's time; letters go one by one. The monthly
   * report of the month before the real date is due whenever the test runs (after
   * the first working day of a month, 07:00; before it, the month before that). */
  snprintf(mail->config, sizeof mail->config,
           "mail:\n  enabled: true\n  from: dunghen@example.org\n  sendmail: /usr/bin/msmtp\n"
           "  arguments: [-C, %s, -t, -i]\n  timeout: 20\n  attempts: 100\n"
           "  retry_first: 1\n  retry_limit: 1\n  digest_roles: [handling_agency, agency_head, "
           "signer, one_stop_unit, provincial_office]\n  digest_levels: [due_soon, overdue, "
           "long_overdue, overdue_again]\n  digest_period: 2\n"
           "reports:\n  enabled: true\n  period: month\n  roles: [provincial_office]\n",
           rc_path);
  return true;
}

void faults_mail_stop(struct faults_mail *mail) {
  if (mail->sink > 0) {
    kill(mail->sink, SIGTERM);
    waitpid(mail->sink, NULL, 0);
    mail->sink = 0;
  }
}

/* Appends `text` to an array literal, double-quoted with \ and " escaped. */
static void array_element(char **literal, size_t *used, size_t *capacity, const char *text) {
  size_t need = *used + 2 * strlen(text) + 4;
  if (need > *capacity) {
    *capacity = need * 2;
    *literal = realloc(*literal, *capacity);
    if (*literal == NULL)
      abort();
  }
  char *out = *literal + *used;
  if (*used > 1)
    *out++ = ',';
  *out++ = '"';
  for (const char *at = text; *at != '\0'; at++) {
    if (*at == '"' || *at == '\\')
      *out++ = '\\';
    *out++ = *at;
  }
  *out++ = '"';
  *out = '\0';
  *used = (size_t)(out - *literal);
}

/* What arrived: an array literal of "<message-id>\taddress", one per message and recipient. */
static char *received_pairs(const struct faults_mail *mail, int *count) {
  size_t used = 1, capacity = 4096;
  char *literal = malloc(capacity);
  if (literal == NULL)
    abort();
  strcpy(literal, "{");
  *count = 0;
  char directory[PATH_MAX + 64];
  snprintf(directory, sizeof directory, "%s/messages", mail->directory);
  DIR *listing = opendir(directory);
  struct dirent *entry;
  while (listing != NULL && (entry = readdir(listing)) != NULL) {
    size_t length = strlen(entry->d_name);
    if (length < 5 || strcmp(entry->d_name + length - 4, ".txt") != 0)
      continue;
    char path[2 * PATH_MAX], text[8192], message_id[512] = "", recipients[2048] = "";
    snprintf(path, sizeof path, "%s/%s", directory, entry->d_name);
    e2e_read_text_file(path, text, sizeof text);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
      if (strncmp(line, "message-id: ", 12) == 0)
        snprintf(message_id, sizeof message_id, "%s", line + 12);
      else if (strncmp(line, "rcpt: ", 6) == 0)
        snprintf(recipients, sizeof recipients, "%s", line + 6);
      else if (strcmp(line, "body:") == 0)
        break;
    }
    for (char *address = strtok(recipients, ","); address != NULL; address = strtok(NULL, ",")) {
      char pair[3000];
      snprintf(pair, sizeof pair, "%s\t%s", message_id, address);
      array_element(&literal, &used, &capacity, pair);
      (*count)++;
    }
  }
  if (listing != NULL)
    closedir(listing);
  strcat(literal, "}");
  return literal;
}

static long long pairs_integer(struct e2e_harness *harness, const char *sql, const char *pairs) {
  const char *values[] = {pairs};
  PGresult *result = PQexecParams(harness->db, sql, 1, NULL, values, NULL, NULL, 0);
  long long value = -1;
  if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1)
    value = atoll(PQgetvalue(result, 0, 0));
  else
    tap_diagnostic("%s: %s", sql, PQerrorMessage(harness->db));
  PQclear(result);
  return value;
}

static const struct invariant MAIL_INVARIANTS[] = {
    {"no two deliveries for one outbox row and address",
     "SELECT count(*) - count(DISTINCT (outbox_id, address)) FROM dunghen.delivery_log "
     "WHERE outbox_id IS NOT NULL"},
    {"no two outbox rows for one escalation, letter or report",
     "SELECT (SELECT count(escalation_id) - count(DISTINCT escalation_id) FROM dunghen.outbox)"
     " + (SELECT count(letter_id) - count(DISTINCT letter_id) FROM dunghen.outbox)"
     " + (SELECT count(report_id) - count(DISTINCT report_id) FROM dunghen.outbox)"},
};

bool faults_check_mail(struct e2e_harness *harness, const struct faults_mail *mail,
                       const char *label, int allowed_repeats, int *repeats, bool report_each) {
  faults_reconnect(harness);
  bool all = true;
  for (size_t i = 0; i < sizeof MAIL_INVARIANTS / sizeof MAIL_INVARIANTS[0]; i++) {
    long long violations = e2e_db_integer(harness, "%s", MAIL_INVARIANTS[i].sql);
    if (report_each || violations != 0)
      tap_is_integer(violations, 0, "%s: %s", label, MAIL_INVARIANTS[i].what);
    all = all && violations == 0;
  }
  int count = 0;
  char *pairs = received_pairs(mail, &count);
  long long missing =
      pairs_integer(harness,
                    "SELECT count(*) FROM dunghen.delivery_log d WHERE d.state = 'sent' AND NOT "
                    "('<' || d.message_id || '>' || chr(9) || d.address = ANY($1::text[]))",
                    pairs);
  long long stray = pairs_integer(
      harness,
      "SELECT count(*) FROM unnest($1::text[]) r WHERE NOT EXISTS (SELECT 1 FROM "
      "dunghen.delivery_log d WHERE '<' || d.message_id || '>' || chr(9) || d.address = r)",
      pairs);
  long long twice = pairs_integer(
      harness, "SELECT count(*) - count(DISTINCT r) FROM unnest($1::text[]) r", pairs);
  free(pairs);
  *repeats = (int)twice;
  if (report_each || missing != 0)
    tap_is_integer(missing, 0,
                   "%s: every delivery marked sent arrived, to its address (%d "
                   "messages at the sink)",
                   label, count);
  if (report_each || stray != 0)
    tap_is_integer(stray, 0, "%s: nothing arrived that no delivery row names", label);
  if (report_each || twice < 0 || twice > allowed_repeats)
    tap_ok(twice >= 0 && twice <= allowed_repeats,
           "%s: each mail once per address, but for %lld repeat(s) under the same Message-ID "
           "(at most %d: one per kill or server stop in the middle of a send)",
           label, twice, allowed_repeats);
  return all && missing == 0 && stray == 0 && twice >= 0 && twice <= allowed_repeats;
}

static const struct invariant REPORT_INVARIANTS[] = {
    {"one report run per period and grouping",
     "SELECT count(*) - count(DISTINCT (period_kind, period_from, grouping)) "
     "FROM dunghen.report_run"},
    {"report numbers 1..n per issuer and year",
     "SELECT count(*) FROM (SELECT issuer, year FROM dunghen.report_run GROUP BY issuer, year "
     "HAVING min(number) <> 1 OR max(number) <> count(*)) AS broken"},
    {"one outbox row per report run",
     "SELECT count(*) FROM dunghen.report_run r WHERE (SELECT count(*) FROM dunghen.outbox o "
     "WHERE o.report_id = r.id) <> 1"},
    {"one report delivery per address",
     "SELECT count(*) - count(DISTINCT (outbox_id, address)) FROM dunghen.delivery_log "
     "WHERE kind = 'report'"},
};

bool faults_check_reports(struct e2e_harness *harness, const char *label, bool settled,
                          bool report_each) {
  faults_reconnect(harness);
  bool all = true;
  for (size_t i = 0; i < sizeof REPORT_INVARIANTS / sizeof REPORT_INVARIANTS[0]; i++) {
    long long violations = e2e_db_integer(harness, "%s", REPORT_INVARIANTS[i].sql);
    if (report_each || violations != 0)
      tap_is_integer(violations, 0, "%s: %s", label, REPORT_INVARIANTS[i].what);
    all = all && violations == 0;
  }
  if (settled) {
    long long runs = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.report_run");
    all = tap_ok(runs >= 1, "%s: the due report is stored (%lld run(s))", label, runs) && all;
    long long unsent = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.delivery_log "
                                               "WHERE kind = 'report' AND state <> 'sent'");
    long long sent = e2e_db_integer(harness, "SELECT count(*) FROM dunghen.delivery_log "
                                             "WHERE kind = 'report' AND state = 'sent'");
    all = tap_ok(unsent == 0 && sent >= 1, "%s: its mail was sent (%lld sent, %lld not)", label,
                 sent, unsent) &&
          all;
  }
  return all;
}
