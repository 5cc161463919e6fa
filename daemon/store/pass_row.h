/*
 * pass_row.h: a row of the pass's reading statements (store/pass.c) as the core's facts of a
 * dossier (core/dossier.h) and what the store keeps beside them. Internal to the pass.
 *
 * The statements share one column layout, which these readers rely on:
 *   source, from column 0: code, present (the view has the code), procedure_code, agency_code,
 *     channel, status, received_at and finished_at (Unix seconds), delay reason recorded
 *     (boolean), updated_at (Unix microseconds), the pauses in the order of paused_at as a
 *     two-dimensional text[] of rows {paused_at, resumed_at, kind} (seconds, NULL while
 *     paused); then from column `extra` on: appointment_at (seconds), md5 of the trimmed delay
 *     reason, rows the view has for the code;
 *   state, from column `first` on: known (a clock exists), unchanged (computed from this very
 *     row with these rules and not yet due), deadline, episode, new_deadline, rescheduled_at,
 *     state, next_instant, flagged_reason, the fired levels as a two-dimensional text[] of
 *     rows {level, episode}, and finished_at (seconds; migration 7).
 * Status, channel and pause kind become the core's enums here; the pauses and fired levels are
 * parsed here. Texts point into the PGresult or into the scratch space, which the next row
 * reuses: a dossier must be evaluated before the next row is read.
 */
#ifndef DUNGHEN_PASS_ROW_H
#define DUNGHEN_PASS_ROW_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/dossier.h"

enum { PASS_ROW_SOURCE_COLUMNS = 11, PASS_ROW_STATE_COLUMNS = 11 };

/* The pauses of the dossier whose code is the SQL expression `code`, as the source columns
 * carry them: one ordered aggregate (one sort), whose rows the readers take three at a time. */
/* clang-format off */
#define PASS_ROW_PAUSES(code)                                                                   \
  "(SELECT array_agg(ARRAY[dunghen.epoch(p.paused_at)::text, dunghen.epoch(p.resumed_at)::text," \
  " p.kind::text] ORDER BY p.paused_at) FROM dunghen.dossier_pause_source p WHERE p.code = " code \
  ")"
/* The levels fired for the dossier whose code is `code`, as the state columns carry them. */
#define PASS_ROW_FIRED(code)                                                                    \
  "(SELECT array_agg(ARRAY[e.level, e.episode::text]) FROM dunghen.escalation_log e"           \
  " WHERE e.dossier_code = " code ")"
/* clang-format on */

struct pass_dossier {
  struct dossier_facts facts;
  bool present;           /* the source has the code; else its clock is deleted */
  const char *updated_us; /* the source row's updated_at in microseconds */
  const char *reason_md5; /* md5 of the trimmed delay reason, NULL when none */
  bool known;             /* the daemon has a clock for the code */
  bool unchanged;         /* that clock is current: nothing to do unless forced */
  int64_t old_deadline;   /* INT64_MIN when none */
  int old_episode;
  const char *old_state;
  int64_t old_next; /* INT64_MIN when none */
  const char *old_flag;
  int64_t old_finished; /* the clock's finished_at; INT64_MIN when none */
};

/* Room for one row's pauses, fired levels and decoded texts, reused from row to row. */
struct pass_row_scratch {
  struct dossier_pause *pauses;
  size_t pause_capacity;
  struct dossier_fired_level *fired;
  size_t fired_capacity;
  struct buffer pause_texts; /* decoded elements of the pauses' array */
  struct buffer fired_texts; /* of the fired levels' */
};

/* The source columns of `row` (see above); false when out of memory. */
bool pass_row_read_source(const PGresult *result, int row, int extra,
                          struct pass_row_scratch *scratch, struct pass_dossier *dossier);
/* The state columns from `first` on; false when out of memory. Read after the source. */
bool pass_row_read_state(const PGresult *result, int row, int first,
                         struct pass_row_scratch *scratch, struct pass_dossier *dossier);
void pass_row_scratch_free(struct pass_row_scratch *scratch);

#endif
