/*
 * config.h: the daemon's configuration file (YAML, default DUNGHEN_SYSCONFDIR/dunghen.yaml).
 *
 *   database:    conninfo (omit it to use the standard PG* environment), connect_timeout,
 *                ping_interval (seconds between keep-alive queries on the LISTEN connection),
 *                statement_timeout, lock_timeout, idle_in_transaction_session_timeout (seconds,
 *                0 = none, or `server`: not set by dunghen; set on every session it opens)
 *   paths:       rules, letters, spool (directories)
 *   letters:     true_italic (embed the real italic faces; default false: slanted upright faces),
 *                fonts (directory of the Liberation Serif faces; default: the installed subset),
 *                ca_bundle (PEM file of the CA certificates trusted for signed letters taken
 *                back; default none: their signatures are checked for integrity only)
 *   http:        enabled, address (default 127.0.0.1), port (0 = any free port, logged)
 *   sync:        poll_interval, overlap (seconds), batch_size (dossiers per transaction),
 *                first_pass_sessions (1-8)
 *   log:         level (error, warning, info, debug)
 *   mail:        enabled, from, from_name, message_id_host, sendmail, arguments (a list),
 *                timeout, attempts, retry_first, retry_limit (seconds), digest_roles,
 *                digest_levels (lists), digest_period (seconds); see docs/MAIL.md
 *   reload:      max_letters, max_escalations (the reload guard: a reload whose new rules
 *                would at once queue more letters or raise more escalations is refused;
 *                0 = no limit; docs/PREVIEW.md)
 *   reports:     enabled (default false), period (month, quarter), by (agency, field,
 *                procedure, channel), roles (a list; default [provincial_office]), issuer (an
 *                agency code: the letterhead; default the first agency of agencies.yaml, which
 *                the daemon checks against the rules at start and reload); docs/REPORT.md
 *   web:         for `dunghen web` only (docs/WEB.md): address (default 127.0.0.1), port,
 *                conninfo (its own read-only role; omit it for the PG* environment), users
 *                (the users file), session_lifetime (seconds), signin_failures and
 *                signin_window (the lockout: that many failed sign-ins of a user name within
 *                the window lock it for the window), trusted_header (the reverse proxy's
 *                header naming the signed-in user; unset: off)
 *
 * Every section and key is optional and validated: an unknown key, a wrong type or a value out
 * of range fails with `FILE:LINE:COLUMN: section.key: message`. A loaded config owns its strings;
 * config_free() releases them. No global state.
 */
#ifndef DUNGHEN_CONFIG_H
#define DUNGHEN_CONFIG_H

#include <stdbool.h>

#include "core/error.h"
#include "core/report.h"
#include "core/report_schedule.h"
#include "service/log.h"
#include "store/retention_policy.h"

/* PostgreSQL's session limits, in seconds, as dunghen sets them on each of its sessions.
 * 0: no limit; CONFIG_TIMEOUT_SERVER: dunghen leaves the setting alone, so the role's,
 * database's or server's value applies (ALTER ROLE dunghen SET ...). */
struct config_timeouts {
  int statement;
  int lock;
  int idle_in_transaction;
};

enum { CONFIG_TIMEOUT_SERVER = -1 };

bool config_timeouts_equal(const struct config_timeouts *left, const struct config_timeouts *right);

struct config {
  char *file;                      /* the file it came from, or NULL for the defaults */
  char *conninfo;                  /* NULL: libpq's PG* environment */
  int connect_timeout;             /* seconds, enforced by our own timer */
  int ping_interval;               /* seconds between keep-alive queries when idle */
  struct config_timeouts timeouts; /* on every session dunghen opens */
  char *rules_directory;           /* NULL: $DUNGHEN_RULES or the installed rules */
  char *letters_directory;         /* NULL: the installed letters */
  char *spool_directory;
  bool true_italic;     /* letters: embed the four real faces instead of slanting two */
  char *font_directory; /* letters: NULL: the installed subset, then fonts-liberation2 */
  /* letters: PEM file of the CA certificates a signed letter's signer must chain to
   * (`letters take-signed`); NULL: signatures are checked for integrity only */
  char *ca_bundle;
  bool http_enabled;
  char *http_address;
  int http_port;
  int poll_interval;       /* seconds between passes when nothing wakes the daemon */
  int overlap;             /* seconds re-read behind the updated_at watermark */
  int batch_size;          /* dossiers per transaction (passes and recomputes) */
  int first_pass_sessions; /* sessions sharing the first pass ever (service/pass_partner.h) */
  enum log_level log_level;
  struct config_mail {
    bool enabled;
    char *from;            /* the From address; required when enabled */
    char *from_name;       /* its display name (UTF-8, RFC 2047 encoded); NULL: none */
    char *message_id_host; /* right side of Message-ID; NULL: the domain of `from` */
    char *sendmail;        /* absolute path, executed directly (no shell) */
    char **arguments;      /* argv[1..] for sendmail; NULL-terminated */
    size_t argument_count;
    int timeout;     /* seconds a sendmail child may take before it is killed */
    int attempts;    /* sends tried before a delivery is marked failed */
    int retry_first; /* seconds before the first retry; doubles up to retry_limit */
    int retry_limit;
    char **digest_roles; /* NULL-terminated roles whose matching levels wait for a digest */
    size_t digest_role_count;
    char **digest_levels; /* NULL-terminated levels that go into digests */
    size_t digest_level_count;
    int digest_period; /* seconds a held item waits before its digest goes out */
  } mail;
  struct retention_policy retention; /* what the daemon deletes, hourly (store/retention.h) */
  struct config_reload {
    int max_letters;     /* letters a reload's new rules may queue at once; 0: no limit */
    int max_escalations; /* escalations likewise */
  } reload;
  struct config_reports {
    bool enabled; /* the scheduled progress report (core/report_schedule.h) */
    enum report_period_kind period;
    enum report_grouping grouping;
    char **roles; /* NULL-terminated, never "applicant"; default {provincial_office} */
    size_t role_count;
    char *issuer;                      /* agency code; NULL: the first agency of the rules */
    size_t issuer_line, issuer_column; /* where `issuer` is, for the check against the rules */
  } reports;
  struct config_web {
    char *address;
    int port;
    char *conninfo;       /* NULL: the PG* environment (never database.conninfo's role) */
    char *users_file;     /* default CONFIG_DEFAULT_WEB_USERS */
    int session_lifetime; /* seconds from sign-in to the session's end */
    int signin_failures;  /* failed sign-ins of one user name that lock it ... */
    int signin_window;    /* ... within this many seconds, for as long */
    char *trusted_header; /* NULL: off; else the header a trusted proxy sets to the user name */
  } web;
};

enum {
  CONFIG_DEFAULT_CONNECT_TIMEOUT = 10,
  CONFIG_DEFAULT_PING_INTERVAL = 30,
  /* The longest statement of a first pass over 1,000,000 dossiers is well under a second at
   * batch_size 1000 (the whole pass: 14 s, bench/RESULTS.md): 5 min is a wide margin on a slow
   * server and still frees a session stuck behind a runaway adapter view. */
  CONFIG_DEFAULT_STATEMENT_TIMEOUT = 300,
  /* dunghen waits for locks only behind another instance's batch (milliseconds) or a DBA's
   * DDL on the source tables: fail, back off and retry rather than queue behind it. */
  CONFIG_DEFAULT_LOCK_TIMEOUT = 30,
  /* A mail delivery's transaction stays open while sendmail runs (mail.timeout, 60 s by
   * default); nothing else leaves a transaction idle for more than a batch's computation. */
  CONFIG_DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT = 600,
  CONFIG_DEFAULT_HTTP_PORT = 9466,
  CONFIG_DEFAULT_POLL_INTERVAL = 60,
  CONFIG_DEFAULT_OVERLAP = 300,
  CONFIG_DEFAULT_BATCH_SIZE = 1000,
  /* One session evaluates while the server writes for the other (bench/RESULTS.md). */
  CONFIG_DEFAULT_FIRST_PASS_SESSIONS = 2,
  CONFIG_MAX_FIRST_PASS_SESSIONS = 8,
  CONFIG_DEFAULT_MAIL_TIMEOUT = 60,
  CONFIG_DEFAULT_MAIL_ATTEMPTS = 10,
  CONFIG_DEFAULT_MAIL_RETRY_FIRST = 60,
  CONFIG_DEFAULT_MAIL_RETRY_LIMIT = 3600,
  CONFIG_DEFAULT_DIGEST_PERIOD = 3600,
  CONFIG_DEFAULT_RELOAD_MAX_LETTERS = 20,
  CONFIG_DEFAULT_RELOAD_MAX_ESCALATIONS = 500,
  CONFIG_DEFAULT_WEB_PORT = 9467,
  CONFIG_DEFAULT_WEB_SESSION_LIFETIME = 8 * 3600, /* a working day */
  CONFIG_DEFAULT_WEB_SIGNIN_FAILURES = 5,
  CONFIG_DEFAULT_WEB_SIGNIN_WINDOW = 900,
};

#define CONFIG_DEFAULT_SENDMAIL "/usr/sbin/sendmail"

/* A deep copy of a mail section (the mail thread keeps its own); on failure *to is empty. */
enum status config_mail_copy(const struct config_mail *from, struct config_mail *to,
                             struct error *error);
void config_mail_free(struct config_mail *mail);
/* A deep copy of a reports section; on failure *to is empty. */
enum status config_reports_copy(const struct config_reports *from, struct config_reports *to,
                                struct error *error);
void config_reports_free(struct config_reports *reports);
/* True when `list` (NULL-terminated, may be NULL) holds `name`. */
bool config_list_has(char *const *list, const char *name);

#define CONFIG_DEFAULT_FILE DUNGHEN_SYSCONFDIR "/dunghen.yaml"
#define CONFIG_DEFAULT_SPOOL "/var/lib/dunghen/spool"
#define CONFIG_DEFAULT_WEB_USERS DUNGHEN_SYSCONFDIR "/web-users.yaml"

/* Fills every field with its default (allocating the default strings). */
enum status config_defaults(struct config *config, struct error *error);
/* Loads `path` over the defaults. On failure *config holds nothing to free. */
enum status config_load(const char *path, struct config *config, struct error *error);
/* Same from memory (tests); `name` is used in messages. */
enum status config_load_buffer(const char *name, const char *text, struct config *config,
                               struct error *error);
/* STATUS_INVALID unless libpq can parse `conninfo` (key=value pairs or a URI). The message
 * names an unknown keyword but never quotes the text, which may hold a password. */
enum status config_check_conninfo(const char *conninfo, struct error *error);
/* Replaces one string field with a copy of `value` (command-line overrides). */
enum status config_set_string(char **field, const char *value, struct error *error);
void config_free(struct config *config);

#endif
