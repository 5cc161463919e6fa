/*
 * mail_queue.h: every statement of e-mail delivery (docs/MAIL.md): the switch, the outbox, the
 * deliveries and their digests. service/mail_worker.c decides who gets what and when; this
 * module reads and writes the rows, and dates them all with `now`, the daemon's clock.
 *
 * A round of the mail thread, each step in the caller's transaction (store/transaction.h)
 * where it says so:
 *   - mail_queue_set_switch(): dunghen.mail_switch, so the outbox triggers write rows only
 *     while mail is on;
 *   - mail_queue_claim_outbox() (in a transaction): up to `limit` outbox rows not yet
 *     expanded (an escalation, a letter or a scheduled report), FOR UPDATE SKIP LOCKED; the caller
 * opens a mail_queue_expansion, adds one delivery per recipient address and every claimed row to
 * it, and writes it with mail_queue_write_expansion(), which also marks every claimed row expanded
 * (those that got no address too);
 *   - mail_queue_digest_addresses() and mail_queue_make_digest(): one digest delivery per
 *     address whose oldest held item has waited `period` seconds, its items `digested`;
 *   - mail_queue_claim_delivery() (in a transaction held while the message is sent): the
 *     oldest due pending delivery, FOR UPDATE OF it SKIP LOCKED (two daemons never send the
 *     same one; a letter's delivery is not due while its letter is pending), with everything
 *     its message says; mail_queue_read_digest() lists a digest's items;
 *     mail_queue_record_delivery() writes the outcome in the same transaction;
 *   - mail_queue_count() and mail_queue_next_due() for the snapshot and the next wake-up.
 * Texts returned point into results that the returned struct owns until its _free(). Blocking
 * libpq.
 */
#ifndef DUNGHEN_MAIL_QUEUE_H
#define DUNGHEN_MAIL_QUEUE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/error.h"

enum delivery_kind { DELIVERY_ESCALATION, DELIVERY_LETTER, DELIVERY_DIGEST, DELIVERY_REPORT };

/* What a delivery becomes after an attempt. */
enum delivery_outcome { DELIVERY_SENT, DELIVERY_RETRY, DELIVERY_FAILED, DELIVERY_SKIPPED };

enum { MAIL_QUEUE_MAX_ROLES = 16, MAIL_QUEUE_ROLE_SIZE = 32 };

enum status mail_queue_set_switch(PGconn *connection, bool enabled, int64_t now,
                                  struct error *error);

/* ---- the outbox ---- */

struct outbox_entry {
  int64_t id;
  enum delivery_kind kind;  /* an escalation, a letter or a scheduled report */
  const char *dossier_code; /* NULL for a report */
  const char *agency_code;  /* NULL when the dossier had none */
  const char *level;
  size_t role_count; /* the roles its level is sent to (at most MAIL_QUEUE_MAX_ROLES) */
  char roles[MAIL_QUEUE_MAX_ROLES][MAIL_QUEUE_ROLE_SIZE];
};

struct outbox_batch {
  struct outbox_entry *entries;
  size_t count;
  PGresult *rows;
};

enum status mail_queue_claim_outbox(PGconn *connection, size_t limit, struct outbox_batch *batch,
                                    struct error *error);
void mail_queue_outbox_free(struct outbox_batch *batch);

/* A delivery to write: one outbox row to one address. */
struct delivery_draft {
  int64_t outbox_id;
  const char *message_id;
  enum delivery_kind kind;
  const char *dossier_code;
  const char *agency_code; /* NULL allowed */
  const char *level;
  const char *role;
  const char *address;
  bool held; /* waits for its address's digest */
};

/* The columns of delivery_log an expansion fills, each an array literal (store/array.h). */
enum expansion_column {
  EXPANSION_OUTBOX_ID,
  EXPANSION_MESSAGE_ID,
  EXPANSION_KIND,
  EXPANSION_DOSSIER_CODE,
  EXPANSION_AGENCY_CODE,
  EXPANSION_LEVEL,
  EXPANSION_ROLE,
  EXPANSION_ADDRESS,
  EXPANSION_STATE,
  EXPANSION_COLUMNS
};

/* The deliveries of a claimed outbox batch, column by column, and the rows they expand. */
struct mail_queue_expansion {
  struct buffer columns[EXPANSION_COLUMNS];
  struct buffer outbox_ids;
  size_t outbox_count;
};

/* Starts an empty expansion with its array literals opened, so that one that gets no row still
 * sends `{}`. */
void mail_queue_expansion_open(struct mail_queue_expansion *expansion);
void mail_queue_expansion_add_delivery(struct mail_queue_expansion *expansion,
                                       const struct delivery_draft *draft);
void mail_queue_expansion_add_outbox(struct mail_queue_expansion *expansion, int64_t outbox_id);
/* Inserts the deliveries (due at `now`; one already there is kept) and marks the outbox rows
 * expanded at `now`. */
enum status mail_queue_write_expansion(PGconn *connection, struct mail_queue_expansion *expansion,
                                       int64_t now, struct error *error);
void mail_queue_expansion_free(struct mail_queue_expansion *expansion);

/* ---- digests ---- */

struct mail_queue_addresses {
  const char **addresses;
  size_t count;
  PGresult *rows;
};

enum status mail_queue_digest_addresses(PGconn *connection, int period, int64_t now,
                                        struct mail_queue_addresses *addresses,
                                        struct error *error);
void mail_queue_addresses_free(struct mail_queue_addresses *addresses);
/* Gathers the held items of `address` into one digest due at `now`, whose Message-ID is
 * digest-ID.HASH@HOST; *made is false when another instance took them first. */
enum status mail_queue_make_digest(PGconn *connection, const char *address,
                                   const char *address_hash, const char *host, int64_t now,
                                   bool *made, struct error *error);

/* ---- sending ---- */

/* A claimed delivery and what its message says. Texts are NULL for SQL NULL. */
struct mail_delivery {
  int64_t id;
  const char *message_id;
  enum delivery_kind kind;
  const char *dossier_code; /* NULL for a digest */
  const char *agency_code;
  const char *level;
  const char *role;
  const char *address;
  int attempts; /* before this one */
  const char *procedure_code;
  const char *applicant_name; /* NULL unless the source view has exactly one row */
  const char *state;          /* the dossier's clock state */
  const char *reason;         /* the delay reason */
  bool has_received;
  int64_t received_at;
  bool has_deadline;
  int64_t deadline;   /* of the escalation's episode */
  bool letter_failed; /* a letter's delivery whose letter could not be rendered */
  const char *letter_path;
  const char *letter_sha256;
  int64_t letter_id; /* the letter and its current draft, whose bytes the mail attaches */
  int64_t letter_version;
  int64_t letter_bytes;
  bool has_letter_number;
  long letter_number;
  int letter_year;
  bool has_new_date;
  int64_t new_appointment_at;
  /* A scheduled report's (store/report_run.h); agency_code is its issuer. */
  int64_t report_id; /* 0 unless DELIVERY_REPORT */
  bool quarterly;
  int64_t period_from_day;
  long report_number;
  int report_year;
  int64_t report_received, report_done, report_in_progress;
  bool has_on_time_share;
  double on_time_share;
};

struct mail_queue_claim {
  bool found;
  struct mail_delivery delivery;
  PGresult *row;
};

enum status mail_queue_claim_delivery(PGconn *connection, int64_t now,
                                      struct mail_queue_claim *claim, struct error *error);
void mail_queue_claim_free(struct mail_queue_claim *claim);

/* One dossier of a digest, no applicant data. */
struct digest_item {
  const char *dossier_code;
  const char *procedure_code;
  const char *state;
  bool has_deadline;
  int64_t deadline;
};

/* A digest's items, by deadline. */
struct mail_queue_digest {
  struct digest_item *items;
  size_t count;
  PGresult *rows;
};

enum status mail_queue_read_digest(PGconn *connection, int64_t digest_id,
                                   struct mail_queue_digest *digest, struct error *error);
void mail_queue_digest_free(struct mail_queue_digest *digest);

/* After attempt number `attempts`: DELIVERY_SENT at `now`, DELIVERY_RETRY again at `now` +
 * `retry_delay` seconds, DELIVERY_FAILED or DELIVERY_SKIPPED for good; `error_text` is kept
 * as last_error (NULL clears it). */
enum status mail_queue_record_delivery(PGconn *connection, int64_t id,
                                       enum delivery_outcome outcome, int attempts,
                                       int64_t retry_delay, const char *error_text, int64_t now,
                                       struct error *error);

/* ---- watching ---- */

struct mail_queue_counts {
  int64_t pending;
  int64_t held;
  int64_t sent;
  int64_t failed;
};

enum status mail_queue_count(PGconn *connection, struct mail_queue_counts *counts,
                             struct error *error);
/* The instant the next pending delivery or digest (after `period`) is due; *any is false when
 * none is waiting. */
enum status mail_queue_next_due(PGconn *connection, int period, bool *any, int64_t *instant,
                                struct error *error);

#endif
