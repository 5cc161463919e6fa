/*
 * The restore drill of docs/BACKUP.md: a daemon works; the database is dumped with pg_dump and
 * the spool copied, in that order, while the daemon keeps working (letters rendered after the
 * dump leave files the dump does not know); the database is dropped and the spool lost; both
 * come back from the backup (pg_restore, the copy, the files newer than the dump moved aside
 * as the procedure says), and a new daemon carries on: no escalation or letter twice, letter
 * numbers 1..n per agency and year with no gap, every rendered row with its file, and the
 * same escalations and letters as an independent `dunghen once` on a copy.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults_support.h"
#include "tap.h"

enum { COMMAND_SIZE = 4 * PATH_MAX };

static bool run(const char *command) {
  int status = system(command);
  if (status != 0)
    tap_diagnostic("`%s` exited %d", command, status);
  return status == 0;
}

static bool admin(const struct faults_database *database, const char *sql) {
  PGconn *connection = PQconnectdb(database->admin_conninfo);
  PGresult *result = PQexec(connection, sql);
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  if (!ok)
    tap_diagnostic("%s: %s", sql, PQerrorMessage(connection));
  PQclear(result);
  PQfinish(connection);
  return ok;
}

/* Files of the spool that no row names: rendered after the dump. Moved to `aside`. */
static long long move_aside_unknown(struct e2e_harness *harness, const char *spool,
                                    const char *aside) {
  char list[PATH_MAX + 32], command[COMMAND_SIZE];
  snprintf(list, sizeof list, "%s/known", aside);
  PGresult *rows = PQexec(harness->db, "SELECT path FROM dunghen.letter_log WHERE path IS NOT NULL"
                                       " UNION SELECT path FROM dunghen.letter_version"
                                       " WHERE path IS NOT NULL");
  FILE *file = fopen(list, "w");
  for (int row = 0; file != NULL && row < PQntuples(rows); row++)
    fprintf(file, "%s\n", PQgetvalue(rows, row, 0));
  if (file != NULL)
    fclose(file);
  PQclear(rows);
  snprintf(command, sizeof command,
           "find '%s' -type f -name '*.pdf' | sort | comm -23 - <(sort '%s') |"
           " while read -r f; do mv \"$f\" '%s/'; done",
           spool, list, aside);
  /* bash for the process substitution; every path comes from mkdtemp and the spool's own
   * safe file names, so single quotes suffice. */
  FILE *shell = popen("bash", "w");
  if (shell == NULL)
    return -1;
  fprintf(shell, "%s\n", command);
  if (pclose(shell) != 0)
    tap_diagnostic("moving the unknown files aside failed");
  snprintf(command, sizeof command, "find '%s' -name '*.pdf' | wc -l", aside);
  FILE *count = popen(command, "r");
  long long moved = -1;
  if (count != NULL) {
    if (fscanf(count, "%lld", &moved) != 1)
      moved = -1;
    pclose(count);
  }
  return moved;
}

static long long letters(struct e2e_harness *harness) {
  return e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log");
}

int main(void) {
  struct faults_database database;
  if (!faults_database_create(&database, "a restartable PostgreSQL, migrated"))
    return tap_finish();
  struct e2e_harness *harness = &database.harness;
  char config[8192], command[COMMAND_SIZE];
  faults_config(&database, NULL, config, sizeof config);
  struct faults_workload workload = {harness, faults_seed(), 0, 0};
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "a daemon starts"))
    goto done;
  faults_workload_overdue_burst(&workload, 40);
  for (int step = 0; step < 20; step++)
    faults_workload_step(&workload);
  tap_ok(faults_wait_settled(harness, true, 120), "it settles with its letters rendered");

  /* The backup, while the daemon works: the dump first, then the spool. */
  char dump[PATH_MAX + 32], copy[PATH_MAX + 32], aside[PATH_MAX + 32];
  snprintf(dump, sizeof dump, "%s/work.dump", harness->directory);
  snprintf(copy, sizeof copy, "%s/spool-copy", harness->directory);
  snprintf(aside, sizeof aside, "%s/newer-than-the-dump", harness->directory);
  snprintf(command, sizeof command, "pg_dump --format=custom --file='%s' '%s'", dump,
           harness->conninfo);
  double started = e2e_monotonic_now();
  tap_ok(run(command), "pg_dump of the whole database (source and dunghen schema)");
  double dump_seconds = e2e_monotonic_now() - started;
  long long letters_in_dump = letters(harness);
  faults_workload_overdue_burst(&workload, 10); /* letters after the dump: files it does not know */
  tap_ok(faults_wait_settled(harness, true, 60), "the daemon renders 10 more letters meanwhile");
  snprintf(command, sizeof command, "cp -a '%s' '%s' && mkdir '%s'", database.spool, copy, aside);
  tap_ok(run(command), "then the spool is copied");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "the daemon stops (the disaster)");

  /* The disaster and the restore. */
  PQfinish(harness->db);
  harness->db = NULL;
  snprintf(command, sizeof command, "rm -rf '%s'", database.spool);
  run(command);
  tap_ok(admin(&database, "DROP DATABASE work WITH (FORCE)"), "the database is dropped");
  started = e2e_monotonic_now();
  tap_ok(admin(&database, "CREATE DATABASE work"), "an empty one is created");
  snprintf(command, sizeof command, "pg_restore --exit-on-error --dbname='%s' '%s'",
           harness->conninfo, dump);
  tap_ok(run(command), "pg_restore brings the dump back");
  double restore_seconds = e2e_monotonic_now() - started;
  snprintf(command, sizeof command, "cp -a '%s' '%s'", copy, database.spool);
  tap_ok(run(command), "the spool copy is put back");
  faults_reconnect(harness);
  tap_is_integer(letters(harness), letters_in_dump, "the letters of the dump are back");
  long long moved = move_aside_unknown(harness, database.spool, aside);
  tap_is_integer(moved, 10, "the 10 files newer than the dump are moved aside");
  faults_check_spool(harness, database.spool, "after the restore");
  faults_check_database(harness, "after the restore", true);

  /* The daemon carries on from the dump. */
  if (tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "a new daemon starts")) {
    faults_workload_overdue_burst(&workload, 20);
    for (int step = 0; step < 10; step++)
      faults_workload_step(&workload);
    tap_ok(faults_wait_settled(harness, true, 120), "it settles, the new letters rendered");
    tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "SIGTERM: exit status 0");
  }
  tap_ok(letters(harness) >= letters_in_dump + 20, "every overdue dossier has its letter (%lld)",
         letters(harness));
  faults_check_database(harness, "after the drill", true);
  faults_check_spool(harness, database.spool, "after the drill");
  faults_verify_on_copy(&database, "after the drill");
  tap_diagnostic("drill: dump %.2f s (%lld letters), restore %.2f s, %lld files set aside",
                 dump_seconds, letters_in_dump, restore_seconds, moved);
done:;
  int result = tap_finish();
  faults_database_destroy(&database);
  return result;
}
