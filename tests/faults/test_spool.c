/*
 * A spool that refuses letters, and a daemon that cannot render at all (the `faults` suite).
 *
 * As root, the spool is a 512 KB tmpfs in a private mount namespace (unshare -m), so the test
 * can fill it to the last byte (ENOSPC) and remount it read-only (EROFS) under the running
 * daemon. Either way the letters are not held back: they are rendered and kept in the database
 * (the record; the spool is an export), while /healthz is 503 with a reason starting with
 * `spool: `, /metrics shows their files behind, no temporary file is left behind; once the
 * spool accepts files again the daemon writes every missing file from the database, identical
 * to the recorded sha256, and every letter kept the number it was queued with.
 * A letters directory without a template, or a font directory that does not exist: `dunghen
 * run` exits non-zero with an error naming what is missing and never sends READY=1.
 * Without root the test is skipped: only a mount namespace can make a spool full or read-only
 * for root-free daemons reliably (chmod is covered by e2e_letters).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faults_support.h"
#include "tap.h"

static const char *const TMPFS_OPTIONS = "size=512k,mode=0755";

static bool private_tmpfs(const char *spool) {
  if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
    tap_diagnostic("no private mount namespace: %s", strerror(errno));
    return false;
  }
  if (mount("tmpfs", spool, "tmpfs", 0, TMPFS_OPTIONS) != 0) {
    tap_diagnostic("mount tmpfs on %s: %s", spool, strerror(errno));
    return false;
  }
  return true;
}

static bool remount(const char *spool, bool writable) {
  unsigned long flags = MS_REMOUNT | (writable ? 0 : MS_RDONLY);
  for (int attempt = 0; attempt < 500; attempt++) {
    if (mount("tmpfs", spool, "tmpfs", flags, TMPFS_OPTIONS) == 0)
      return true;
    if (errno != EBUSY) /* a letter being written: it is done within milliseconds */
      break;
    e2e_sleep_seconds(0.01);
  }
  tap_diagnostic("remount %s: %s", spool, strerror(errno));
  return false;
}

/* Writes zeros until the file system says ENOSPC; the bytes written. */
static long long fill(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    return -1;
  static const char zeros[4096];
  long long written = 0;
  ssize_t got;
  while ((got = write(fd, zeros, sizeof zeros)) > 0)
    written += got;
  int reason = errno;
  close(fd);
  return reason == ENOSPC ? written : -1;
}

/* The files of the `count` newest letters missing from the spool. */
static long long newest_missing(struct e2e_harness *harness, long long count) {
  char sql[256];
  snprintf(
      sql, sizeof sql,
      "SELECT path FROM dunghen.letter_log WHERE state = 'rendered' ORDER BY id DESC LIMIT %lld",
      count);
  PGresult *rows = PQexec(harness->db, sql);
  long long missing = 0;
  for (int row = 0; PQresultStatus(rows) == PGRES_TUPLES_OK && row < PQntuples(rows); row++)
    missing += access(PQgetvalue(rows, row, 0), F_OK) != 0;
  PQclear(rows);
  return missing;
}

/* While the spool refuses files: the letters are rendered into the database all the same, and
 * the daemon says the spool is behind. */
static void check_blocked(struct faults_database *database, const struct e2e_daemon *daemon,
                          const char *how, long long queued) {
  struct e2e_harness *harness = &database->harness;
  char body[65536], expected[128];
  tap_ok(e2e_daemon_wait_health(daemon, 503, body, sizeof body, 15), "%s: /healthz turns 503", how);
  tap_ok(strncmp(body, "spool: ", 7) == 0, "%s: and says why (%.*s)", how, (int)strcspn(body, "\n"),
         body);
  tap_ok(faults_wait_settled(harness, true, 30), "%s: the %lld letters are rendered all the same",
         how, queued);
  faults_check_database(harness, how, false);
  tap_is_integer(newest_missing(harness, queued), queued, "%s: their files are not in the spool",
                 how);
  e2e_sleep_seconds(1.5); /* a few retries while it refuses */
  e2e_sleep_seconds(2.1); /* the metrics snapshot is at most 2 s old */
  e2e_http_get(daemon->port, "/metrics", body, sizeof body);
  tap_contains(body, "dunghen_letter_spool_blocked 1\n", "%s: /metrics says the spool is blocked",
               how);
  tap_contains(body, "dunghen_letters{state=\"pending\"} 0\n", "%s: /metrics counts none pending",
               how);
  snprintf(expected, sizeof expected, "dunghen_letters{state=\"blocked\"} %lld\n", queued);
  tap_contains(body, expected, "%s: and %lld files behind", how, queued);
  tap_is_integer(spool_check_leftovers(database->spool), 0,
                 "%s: no temporary file left by the refused writes", how);
}

static void check_recovered(struct faults_database *database, const struct e2e_daemon *daemon,
                            const char *how) {
  struct e2e_harness *harness = &database->harness;
  char body[4096];
  tap_ok(e2e_daemon_wait_health(daemon, 200, body, sizeof body, 40), "%s: /healthz is 200 again",
         how);
  faults_check_spool(harness, database->spool, how);
  faults_check_database(harness, how, false);
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log "
                                         "WHERE state <> 'rendered'"),
                 0, "%s: all rendered, none failed", how);
}

static void full_and_read_only(struct faults_database *database) {
  struct e2e_harness *harness = &database->harness;
  char config[8192], filler[PATH_MAX + 32];
  faults_config(database, NULL, config, sizeof config);
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, harness, config, NULL), "the daemon starts") ||
      !tap_ok(e2e_daemon_wait_log(&daemon, "ready: rules loaded", 1, 20), "and becomes ready")) {
    e2e_daemon_dump_log(&daemon);
    return;
  }
  struct faults_workload workload = {harness, 1, 0, 0};
  faults_workload_overdue_burst(&workload, 2);
  tap_ok(faults_wait_settled(harness, true, 30), "two letters render into the small spool");

  snprintf(filler, sizeof filler, "%s/filler", database->spool);
  long long filled = fill(filler);
  tap_ok(filled > 0, "the spool filled to ENOSPC (%lld bytes of filler)", filled);
  faults_workload_overdue_burst(&workload, 4);
  check_blocked(database, &daemon, "full spool", 4);
  unlink(filler);
  check_recovered(database, &daemon, "space again");

  if (tap_ok(remount(database->spool, false), "the spool remounted read-only")) {
    faults_workload_overdue_burst(&workload, 3);
    check_blocked(database, &daemon, "read-only spool", 3);
    tap_ok(remount(database->spool, true), "the spool remounted read-write");
    check_recovered(database, &daemon, "writable again");
  }
  tap_ok(e2e_daemon_log_count(&daemon, "file(s) behind, kept in the database; retrying in") >= 2,
         "the letter thread logged its retries");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 20), 0, "SIGTERM: exit status 0");
  faults_check_spool(harness, database->spool, "after the refusals");
  tap_is_integer(e2e_db_integer(harness, "SELECT count(*) FROM dunghen.letter_log"), 9,
                 "nine letters, each numbered once");
}

/* ---- a daemon that cannot render ---- */

/* The line of `text` that holds `needle`, as a diagnostic. */
static void print_line(const char *text, const char *needle) {
  const char *at = strstr(text, needle);
  if (at == NULL)
    return;
  while (at > text && at[-1] != '\n')
    at--;
  tap_diagnostic("its error: %.*s", (int)strcspn(at, "\n"), at);
}

static void cannot_render(struct faults_database *database) {
  struct e2e_harness *harness = &database->harness;
  char letters[PATH_MAX + 32], command[3 * PATH_MAX], config[4 * PATH_MAX], errors[8192];
  snprintf(letters, sizeof letters, "%s/letters-without-2025", harness->directory);
  snprintf(command, sizeof command, "mkdir -p '%s' && cp '%s/form-2018.yaml' '%s/'", letters,
           database->letters, letters);
  tap_is_integer(system(command), 0, "a letters directory without form-2025.yaml");
  snprintf(config, sizeof config,
           "http:\n  address: 127.0.0.1\n  port: 0\n"
           "paths:\n  letters: %s\n  spool: %s\n",
           letters, database->spool);
  char notifications[4096];
  int status = e2e_daemon_run_refused(harness, "no-template", config, errors, sizeof errors,
                                      notifications, sizeof notifications);
  tap_ok(status > 0 && status < 128, "a missing template: dunghen run exits non-zero (%d)", status);
  tap_contains(errors, "form-2025", "and names the missing template");
  tap_ok(strstr(notifications, "READY=1") == NULL, "and never says READY=1");
  print_line(errors, "form-2025");

  snprintf(config, sizeof config,
           "http:\n  address: 127.0.0.1\n  port: 0\n"
           "paths:\n  letters: %s\n  spool: %s\n"
           "letters:\n  fonts: %s/no-fonts-here\n",
           database->letters, database->spool, harness->directory);
  status = e2e_daemon_run_refused(harness, "no-font", config, errors, sizeof errors, notifications,
                                  sizeof notifications);
  tap_ok(status > 0 && status < 128, "a missing font: dunghen run exits non-zero (%d)", status);
  tap_contains(errors, "no-fonts-here", "and names the font directory");
  tap_ok(strstr(notifications, "READY=1") == NULL, "and never says READY=1");
  print_line(errors, "no-fonts-here");
}

int main(void) {
  if (geteuid() != 0)
    return tap_skip_all("needs root: the spool is made full and read-only with a small tmpfs in "
                        "a private mount namespace (unshare -m)");
  struct faults_database database;
  if (!faults_database_create(&database, "a restartable PostgreSQL, migrated"))
    return tap_finish();
  if (tap_ok(private_tmpfs(database.spool), "the spool is a 512 KB tmpfs of our own")) {
    full_and_read_only(&database);
    cannot_render(&database);
    umount2(database.spool, MNT_DETACH);
  }
  int result = tap_finish();
  faults_database_destroy(&database);
  return result;
}
