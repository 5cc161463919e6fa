/*
 * faults_support.h: what the fault, load and security tests share on top of the e2e harness
 * (tests/e2e/e2e_support.h): a restartable PostgreSQL with a work database that can be copied, a
 * scripted workload over the reference schema, a seeded random source, and the invariants that
 * must hold after any fault:
 *   - no escalation twice (dossier, level, episode), every overdue dossier has its `overdue`;
 *   - every letter escalation has exactly one letter, numbers 1..n per agency and year;
 *   - the spool holds exactly the rendered rows' PDFs (path, size, sha256), no temporary file;
 *   - a fresh `dunghen once` over a copy of the same source data, at the same moment, raises
 *     exactly the same escalations and letters (what is due, computed independently).
 * Every check prints TAP lines; `label` prefixes their descriptions.
 */
#ifndef DUNGHEN_FAULTS_SUPPORT_H
#define DUNGHEN_FAULTS_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "e2e_support.h"
#include "pg_server.h"
#include "spool_check.h"

/* A private server, a database `work` in it, migrated, with the reference schema. */
struct faults_database {
  struct pg_server server;
  char admin_conninfo[PATH_MAX + 128]; /* the `postgres` database, for CREATE DATABASE */
  struct e2e_harness harness;          /* on `work` */
  char spool[PATH_MAX + 16];           /* harness directory/spool, created 0755 */
  char letters[PATH_MAX];              /* the shipped templates */
};

/* Creates it, as one TAP check named `label`; on failure nothing is left behind. */
bool faults_database_create(struct faults_database *database, const char *label);
void faults_database_destroy(struct faults_database *database);

/* The number of rounds: $FAULTS_ROUNDS when set (> 0), else `default_rounds` scaled by
 * $FAULTS_ROUNDS_PERCENT when set (> 0; at least one round), else `default_rounds`. */
int faults_rounds(int default_rounds);
/* A seeded generator: $FAULTS_SEED when set, else the clock; the seed is printed. */
uint64_t faults_seed(void);
uint64_t faults_next(uint64_t *state);
/* Uniform in [0, limit). */
uint64_t faults_below(uint64_t *state, uint64_t limit);

/* Config sections for a daemon that renders letters into the database's spool. */
void faults_config(const struct faults_database *database, const char *extra, char *config,
                   size_t size);

/* Reconnects the harness's own connection when it broke (the server restarted). */
void faults_reconnect(struct e2e_harness *harness);

/* The workload. Overdue dossiers are `W-O-NNNNNN`, fresh ones `W-F-NNNNNN` (received now,
 * procedure 9.900002: nothing falls due for days). Fresh dossiers numbered 1 mod 3 may get a
 * delay reason, 2 mod 3 may be finished early, so no dossier is both. */
struct faults_workload {
  struct e2e_harness *harness;
  uint64_t random;
  int overdue; /* how many codes were used */
  int fresh;
};
/* `count` overdue dossiers (received 30 days ago, open) in one statement: letters due. */
bool faults_workload_overdue_burst(struct faults_workload *workload, int count);
/* A few random changes in one transaction: fresh dossiers, summary edits, delay reasons on
 * fresh dossiers (an apology and a letter), fresh dossiers finished early. */
bool faults_workload_step(struct faults_workload *workload);

/* Waits until every source row was examined in its current version, nothing is due and no
 * letter is pending (when `letters`); false after `timeout` seconds. */
bool faults_wait_settled(struct e2e_harness *harness, bool letters, double timeout);

/* The database invariants (duplicates, overdue coverage, one letter per letter escalation,
 * numbering). Cheap: run them after every round. Returns true when all held. */
bool faults_check_database(struct e2e_harness *harness, const char *label, bool report_each);
/* The spool tree against letter_log (every rendered row has its file with its size and
 * sha256, no other file, no temporary file, modes 0640/0750). */
bool faults_check_spool(struct e2e_harness *harness, const char *spool, const char *label);
/* Copies `work` into a fresh database, drops the daemon's schema there, migrates again and runs
 * `dunghen once --now NOW` (NOW = the server's clock); compares its escalation and letter
 * keys with `work`'s. The daemon must be stopped (CREATE DATABASE ... TEMPLATE needs `work`
 * without sessions): the harness's connection is closed and reopened. */
bool faults_verify_on_copy(struct faults_database *database, const char *label);

/* ---- mail and scheduled reports, for several daemons (tests/faults/test_many.c) ---- */

/* The SMTP sink (tests/mail/smtp_sink.py, python3-aiosmtpd) behind Debian's msmtp, and the
 * config sections that send every mail there and schedule the monthly report. */
struct faults_mail {
  pid_t sink; /* 0: not running */
  char directory[PATH_MAX + 32];
  char config[2 * PATH_MAX + 512]; /* mail: and reports: sections */
};
/* False (with a diagnostic) when msmtp or aiosmtpd is missing or the sink does not start. */
bool faults_mail_available(void);
bool faults_mail_start(struct faults_mail *mail, const struct faults_database *database);
void faults_mail_stop(struct faults_mail *mail);

/* Each mail once per address: no two deliveries for one outbox row and address, no two outbox
 * rows for one escalation, letter or report; every delivery marked sent arrived at the sink,
 * under its Message-ID and to its address; nothing else arrived; and a (Message-ID, address)
 * arrived twice at most `allowed_repeats` times in all (a daemon killed, or a server stopped,
 * after the relay took a message and before its `sent` committed sends it again, under the
 * same Message-ID: docs/MAIL.md). `*repeats` gets the count. */
bool faults_check_mail(struct e2e_harness *harness, const struct faults_mail *mail,
                       const char *label, int allowed_repeats, int *repeats, bool report_each);
/* Each scheduled report once: one report_run per period and grouping, numbers 1..n per issuer
 * and year, one outbox row per run (mail on throughout), one delivery per address; with
 * `settled`, at least one run and every report delivery sent. */
bool faults_check_reports(struct e2e_harness *harness, const char *label, bool settled,
                          bool report_each);

/* /proc/PID/status field in kB (VmHWM, VmRSS), or -1. */
long faults_proc_kilobytes(int pid, const char *field);

#endif
