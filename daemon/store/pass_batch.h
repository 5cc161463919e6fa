/*
 * pass_batch.h: one transaction of a pass (store/pass.h) and what it writes. Internal to the
 * pass.
 *
 * pass_batch_begin opens the transaction and empties the batch; pass_batch_add evaluates one
 * claimed dossier (core/dossier.h) and adds its results to the batch: its clock (binary COPY
 * for a clock the table lacks, array columns for the others and for deletions), the escalations
 * that fell due (binary COPY), the letter of a letter escalation and the re-draft of a letter
 * whose delay reason arrived later (array columns); pass_batch_end writes them in a few
 * statements whatever the batch's size (with the watermark candidates `marks`, a bigint[]
 * literal), commits, and rolls back instead when anything failed, leaving the connection idle.
 * Only dossiers whose lock the transaction holds may be added: the rows it writes rely on what
 * was read under that lock (no clock yet, levels not yet fired).
 */
#ifndef DUNGHEN_PASS_BATCH_H
#define DUNGHEN_PASS_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buffer.h"
#include "core/dossier.h"
#include "core/error.h"
#include "rules/rules_fingerprint.h"
#include "store/pass.h"
#include "store/pass_row.h"

/* The columns a batch writes, each an array literal sent as one parameter of the write. */
enum pass_clock_column {
  CLOCK_CODE,
  CLOCK_PROCEDURE,
  CLOCK_AGENCY,
  CLOCK_SOURCE_UPDATED_US,
  CLOCK_RECEIVED_AT,
  CLOCK_DEADLINE,
  CLOCK_REMAINING,
  CLOCK_EPISODE,
  CLOCK_RESCHEDULED_AT,
  CLOCK_NEW_DEADLINE,
  CLOCK_STATE,
  CLOCK_NEXT_INSTANT,
  CLOCK_FLAGGED_REASON,
  CLOCK_DELETED,
  CLOCK_CHANNEL,     /* migration 7 */
  CLOCK_FINISHED_AT, /* migration 7 */
  CLOCK_COLUMNS
};
enum pass_letter_column {
  LETTER_CODE,
  LETTER_LEVEL,
  LETTER_EPISODE,
  LETTER_AGENCY,
  LETTER_NEW_APPOINTMENT,
  LETTER_YEAR,
  LETTER_ISSUED_ON,
  LETTER_PROMISED,
  LETTER_FORM,
  LETTER_WORDING,
  LETTER_COLUMNS
};
/* Letters drafted in an earlier pass whose dossier now records a delay reason: re-drafted
 * under the same number when the reason differs from the one the letter printed. */
enum pass_redraft_column { REDRAFT_CODE, REDRAFT_REASON_MD5, REDRAFT_COLUMNS };

/* A pass under way: its rules as the core takes them, and the batch being built. */
struct pass {
  const struct pass_context *context;
  struct pass_report *report;
  struct dossier_rules rules;
  const char **form_2018_agencies; /* owned: rules.form_2018_agencies */
  char fingerprint[RULES_FINGERPRINT_SIZE];
  char now_text[24];
  size_t batch_size;
  struct pass_row_scratch scratch; /* for the dossier being read */
  struct buffer clock[CLOCK_COLUMNS];
  struct buffer letter[LETTER_COLUMNS]; /* the letter escalations raised, for the letters */
  struct buffer redraft[REDRAFT_COLUMNS];
  struct buffer new_escalations; /* binary COPY data of the escalations raised */
  struct buffer new_clocks;      /* binary COPY data of the clock rows the table lacks */
  size_t new_clock_count;
  size_t clock_count;
  size_t escalation_count;
  size_t letter_count;
  size_t redraft_count;
};

enum status pass_batch_begin(struct pass *pass, struct error *error);
/* Evaluates one claimed dossier at the pass's `now` and adds what it says; counts in the
 * report what changed. A dossier the source lost has its clock deleted. */
void pass_batch_add(struct pass *pass, const struct pass_dossier *dossier);
/* Writes the batch and commits when `status` is STATUS_OK; else (or when writing fails) rolls
 * back. Returns the first failure. `marks` NULL: a range of the first pass, which leaves the
 * sync state (watermark, last pass) to the plan's completion. */
enum status pass_batch_end(struct pass *pass, enum status status, const char *marks,
                           struct error *error);
/* Inside a transaction with nothing else to write: the watermark candidates `marks` and, when
 * `counted`, the last pass's time. */
enum status pass_batch_sync_state(struct pass *pass, const char *marks, bool counted,
                                  struct error *error);
/* The batch's buffers (not the pass's rules). */
void pass_batch_free(struct pass *pass);

#endif
