/*
 * pass.c: one pass over the database (see pass.h for the contract): its phases, and the due
 * and recompute phases' batches.
 *
 * A batch is one transaction of a few statements whatever its size (store/pass_batch.h). The
 * changed phase is store/pass_changed.h's. Due and recompute phases: find the candidates
 * outside the transaction, then claim them and read everything in one query. Each dossier is
 * evaluated by the core (core/dossier.h) from the facts its row gives (store/pass_row.h).
 * Nothing is left on the connection between calls: no prepared statements (a generic plan
 * cannot see how many codes a batch carries, and planning is a small part of a batch) and no
 * temporary tables (truncated at every commit that touched them).
 */
#include "store/pass.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/array.h"
#include "store/pass_batch.h"
#include "store/pass_changed.h"
#include "store/pass_range.h"
#include "store/sql.h"

/* ---- the due and recompute phases ---- */

static const char lock_sql[] =
    "SELECT k FROM (SELECT DISTINCT k FROM unnest($1::text[]) AS k WHERE k IS NOT NULL) u "
    "WHERE pg_try_advisory_xact_lock(1684368999, hashtext(k)) ORDER BY k COLLATE \"C\"";

/* The lateral subqueries (OFFSET 0 keeps them from being flattened) force index probes per
 * claimed code: the planner knows neither how many codes come nor, while a first pass fills
 * it, how large the clock table has grown, and a merge or hash join would scan it whole.
 * Columns: the source's (store/pass_row.h), the state's, then the source's three others. */
enum {
  READ_STATE_FIRST = PASS_ROW_SOURCE_COLUMNS,
  READ_SOURCE_EXTRA = PASS_ROW_SOURCE_COLUMNS + PASS_ROW_STATE_COLUMNS,
};
/* clang-format off */
static const char read_sql[] =
    "SELECT k.code, s.code IS NOT NULL, s.procedure_code, s.agency_code, s.channel, s.status,"
    " dunghen.epoch(s.received_at), dunghen.epoch(s.finished_at),"
    " coalesce(btrim(s.delay_reason), '') <> '',"
    " (extract(epoch FROM s.updated_at) * 1000000)::bigint, " PASS_ROW_PAUSES("k.code") ","
    " c.code IS NOT NULL,"
    " c.source_updated_at IS NOT DISTINCT FROM s.updated_at"
    "  AND c.rules_fingerprint IS NOT DISTINCT FROM $2"
    "  AND (c.next_instant IS NULL OR c.next_instant > to_timestamp($3::bigint)),"
    " dunghen.epoch(c.deadline), c.episode, dunghen.epoch(c.new_deadline),"
    " dunghen.epoch(c.rescheduled_at), c.state, dunghen.epoch(c.next_instant), c.flagged_reason,"
    " " PASS_ROW_FIRED("k.code") ", dunghen.epoch(c.finished_at),"
    " dunghen.epoch(s.appointment_at), md5(nullif(btrim(s.delay_reason), '')), s.copies"
    " FROM unnest($1::text[]) AS k(code)"
    " LEFT JOIN LATERAL (SELECT s.*, count(*) OVER () AS copies FROM dunghen.dossier_source s"
    "  WHERE s.code = k.code OFFSET 0 LIMIT 1) s ON true"
    " LEFT JOIN LATERAL (SELECT * FROM dunghen.clock c WHERE c.code = k.code OFFSET 0) c ON true"
    " ORDER BY k.code";
/* clang-format on */

/* The codes of column 0 of `result` as a text[] literal. */
static void codes_literal(const PGresult *result, struct buffer *literal) {
  buffer_reset(literal);
  buffer_add(literal, "{");
  for (int row = 0; row < PQntuples(result); row++)
    array_add_text(literal, sql_text(result, row, 0));
  buffer_add(literal, "}");
}

static bool is_locked(const PGresult *locked, const char *code) {
  int low = 0, high = PQntuples(locked) - 1;
  while (low <= high) {
    int middle = low + (high - low) / 2;
    int order = strcmp(PQgetvalue(locked, middle, 0), code);
    if (order == 0)
      return true;
    if (order < 0)
      low = middle + 1;
    else
      high = middle - 1;
  }
  return false;
}

static enum status process_rows(struct pass *pass, const PGresult *rows, bool forced,
                                struct error *error) {
  pass->report->read += (size_t)PQntuples(rows);
  const char *previous = NULL;
  for (int row = 0; row < PQntuples(rows); row++) {
    const char *code = PQgetvalue(rows, row, 0);
    if (previous != NULL && strcmp(previous, code) == 0)
      continue; /* never twice: the source's lateral takes one row and counts the copies */
    previous = code;
    struct pass_dossier dossier;
    if (!pass_row_read_source(rows, row, READ_SOURCE_EXTRA, &pass->scratch, &dossier) ||
        !pass_row_read_state(rows, row, READ_STATE_FIRST, &pass->scratch, &dossier))
      return error_set(error, STATUS_RUNTIME, "out of memory");
    if (!forced && dossier.unchanged)
      continue;
    pass_batch_add(pass, &dossier);
  }
  return STATUS_OK;
}

/*
 * A batch of the due and recompute phases over candidate codes (column 0) found outside the
 * transaction: claim them (a statement of its own, so that the read that follows sees
 * everything committed before the locks were taken), read, compute, write, commit.
 * `forced`: recompute even rows whose source and rules did not change.
 */
static enum status run_batch(struct pass *pass, const PGresult *candidates, bool forced,
                             struct error *error) {
  PGconn *connection = pass->context->connection;
  struct buffer literal = {0};
  codes_literal(candidates, &literal);
  if (literal.failed)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  enum status status = pass_batch_begin(pass, error);
  PGresult *locked = NULL, *rows = NULL;
  const char *lock_values[] = {literal.data};
  if (status == STATUS_OK)
    status = sql_query(connection, "claiming dossiers", lock_sql, 1, lock_values, &locked, error);
  if (status == STATUS_OK) {
    for (int row = 0; row < PQntuples(candidates); row++)
      if (!is_locked(locked, PQgetvalue(candidates, row, 0)))
        pass->report->skipped++;
    codes_literal(locked, &literal);
    const char *values[] = {literal.failed ? "{}" : literal.data, pass->fingerprint,
                            pass->now_text};
    status = sql_query(connection, "reading dossiers", read_sql, 3, values, &rows, error);
  }
  PQclear(locked);
  buffer_free(&literal);
  if (status == STATUS_OK)
    status = process_rows(pass, rows, forced, error);
  PQclear(rows);
  return pass_batch_end(pass, status, "{}", error);
}

/* Dossiers due by time (or all known ones when `everything`): keyset over the clock table. */
static enum status clock_phase(struct pass *pass, bool everything, struct error *error) {
  char limit[24], cursor_key[32] = "", cursor_code[PASS_CODE_SIZE * 4] = "";
  snprintf(limit, sizeof limit, "%zu", pass->batch_size);
  for (;;) {
    const char *values[] = {pass->now_text, cursor_key, cursor_code, limit};
    const char *list_values[] = {cursor_code, limit};
    PGresult *candidates;
    enum status status;
    if (everything)
      status = sql_query(pass->context->connection, "listing dossiers",
                         "SELECT code FROM dunghen.clock WHERE code > $1"
                         " ORDER BY code LIMIT $2::bigint",
                         2, list_values, &candidates, error);
    else if (cursor_key[0] == '\0')
      status = sql_query(pass->context->connection, "finding due dossiers",
                         "SELECT code, (extract(epoch FROM next_instant) * 1000000)::bigint"
                         " FROM dunghen.clock WHERE next_instant <= to_timestamp($1::bigint)"
                         " ORDER BY next_instant, code LIMIT $2::bigint",
                         2, (const char *const[]){pass->now_text, limit}, &candidates, error);
    else
      status = sql_query(pass->context->connection, "finding due dossiers",
                         "SELECT code, (extract(epoch FROM next_instant) * 1000000)::bigint"
                         " FROM dunghen.clock WHERE next_instant <= to_timestamp($1::bigint)"
                         " AND (next_instant, code) > ('epoch'::timestamptz +"
                         " $2::bigint * interval '1 microsecond', $3)"
                         " ORDER BY next_instant, code LIMIT $4::bigint",
                         4, values, &candidates, error);
    if (status != STATUS_OK)
      return status;
    int count = PQntuples(candidates);
    if (count == 0) {
      PQclear(candidates);
      return STATUS_OK;
    }
    status = run_batch(pass, candidates, true, error);
    if (!everything)
      snprintf(cursor_key, sizeof cursor_key, "%s", PQgetvalue(candidates, count - 1, 1));
    snprintf(cursor_code, sizeof cursor_code, "%s", PQgetvalue(candidates, count - 1, 0));
    PQclear(candidates);
    if (status != STATUS_OK || (size_t)count < pass->batch_size)
      return status;
  }
}

/* ---- the phases ---- */

struct sync_state {
  char watermark_us[32]; /* "" when never set */
  char fingerprint[RULES_FINGERPRINT_SIZE];
  int64_t started_us; /* the server's clock when read */
};

static enum status read_sync_state(PGconn *connection, struct sync_state *state,
                                   struct error *error) {
  PGresult *result;
  enum status status = sql_query(connection, "reading the sync state",
                                 "SELECT (extract(epoch FROM watermark) * 1000000)::bigint,"
                                 " rules_fingerprint,"
                                 " (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
                                 " FROM dunghen.sync_state",
                                 0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  if (PQntuples(result) != 1) {
    PQclear(result);
    return error_set(error, STATUS_RUNTIME,
                     "dunghen.sync_state has no row: run dunghen migrate --db CONNINFO");
  }
  snprintf(state->watermark_us, sizeof state->watermark_us, "%s", PQgetvalue(result, 0, 0));
  snprintf(state->fingerprint, sizeof state->fingerprint, "%s", PQgetvalue(result, 0, 1));
  state->started_us = sql_integer(result, 0, 2, INT64_MIN);
  PQclear(result);
  return STATUS_OK;
}

static enum status prepare(struct pass *pass, const struct pass_context *context,
                           struct pass_report *report, struct error *error) {
  memset(report, 0, sizeof *report);
  report->next_due = INT64_MAX;
  memset(pass, 0, sizeof *pass);
  pass->context = context;
  pass->report = report;
  pass->batch_size = context->batch_size > 0 ? context->batch_size : PASS_DEFAULT_BATCH_SIZE;
  snprintf(pass->now_text, sizeof pass->now_text, "%" PRId64, context->now);
  if (context->rules == NULL || context->ladder == NULL || context->connection == NULL)
    return error_set(error, STATUS_INVALID, "a pass needs a connection, rules and a ladder");
  if (context->ladder->count > LADDER_MAX_LEVELS)
    return error_set(error, STATUS_INVALID, "the ladder has too many levels");
  pass->rules = (struct dossier_rules){
      .calendar = context->rules->calendar,
      .procedures = &context->rules->procedures,
      .ladder = context->ladder,
      .agency_codes = context->agency_codes,
      .agency_count = context->agency_count,
  };
  rules_fingerprint(context->rules, context->ladder, context->agency_codes, context->agency_count,
                    pass->fingerprint);
  if (agencies_form_2018_codes(context->agencies, &pass->form_2018_agencies,
                               &pass->rules.form_2018_count, error) != STATUS_OK)
    return STATUS_RUNTIME;
  pass->rules.form_2018_agencies = pass->form_2018_agencies;
  return STATUS_OK;
}

/* The next due instant, and the metric deltas folded when they have piled up. */
static enum status finish(struct pass *pass, enum status status, struct error *error) {
  pass_batch_free(pass);
  pass_row_scratch_free(&pass->scratch);
  free(pass->form_2018_agencies);
  if (status != STATUS_OK)
    return status;
  PGresult *result;
  status = sql_query(pass->context->connection, "reading the next due instant",
                     "SELECT dunghen.epoch(min(next_instant)), dunghen.metric_compact(64)"
                     " FROM dunghen.clock",
                     0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  pass->report->next_due = sql_integer(result, 0, 0, INT64_MAX);
  PQclear(result);
  return STATUS_OK;
}

static enum status store_fingerprint(struct pass *pass, struct error *error) {
  const char *values[] = {pass->fingerprint};
  PGresult *result;
  enum status status =
      sql_query(pass->context->connection, "storing the rules fingerprint",
                "UPDATE dunghen.sync_state SET rules_fingerprint = $1", 1, values, &result, error);
  if (status == STATUS_OK)
    PQclear(result);
  return status;
}

static enum status recompute(struct pass *pass, struct error *error) {
  enum status status = clock_phase(pass, true, error);
  if (status == STATUS_OK)
    status = store_fingerprint(pass, error);
  return status;
}

enum status pass_recompute_all(const struct pass_context *context, struct pass_report *report,
                               struct error *error) {
  struct pass pass;
  enum status status = prepare(&pass, context, report, error);
  if (status == STATUS_OK)
    status = recompute(&pass, error);
  return finish(&pass, status, error);
}

enum status pass_run(const struct pass_context *context, struct pass_report *report,
                     struct error *error) {
  struct pass pass;
  enum status status = prepare(&pass, context, report, error);
  struct sync_state state = {0};
  if (status == STATUS_OK)
    status = read_sync_state(context->connection, &state, error);
  /* Clocks computed with other rules (a restart after an edit) are recomputed first. */
  if (status == STATUS_OK && state.fingerprint[0] != '\0' &&
      strcmp(state.fingerprint, pass.fingerprint) != 0)
    status = recompute(&pass, error);
  else if (status == STATUS_OK && state.fingerprint[0] == '\0')
    status = store_fingerprint(&pass, error);
  /* The first pass ever is shared by ranges; the changed phase then reads what changed since
   * (or waits, while other instances still hold ranges without per-dossier locks). */
  enum pass_range_outcome outcome = PASS_RANGE_NONE;
  if (status == STATUS_OK)
    status = pass_range_phase(&pass, state.watermark_us, &outcome, error);
  if (status == STATUS_OK && outcome == PASS_RANGE_DONE)
    status = read_sync_state(context->connection, &state, error);
  if (status == STATUS_OK && outcome != PASS_RANGE_WAITING)
    status = pass_changed_phase(&pass, state.watermark_us, state.started_us, error);
  if (status == STATUS_OK)
    status = clock_phase(&pass, false, error);
  status = finish(&pass, status, error);
  /* Ranges held by others: look again soon, to finish the plan or take over a dead one's. */
  if (status == STATUS_OK && report->ranges_waiting > 0 &&
      report->next_due > context->now + PASS_RANGE_RETRY_SECONDS)
    report->next_due = context->now + PASS_RANGE_RETRY_SECONDS;
  return status;
}

void pass_report_add(struct pass_report *report, const struct pass_report *other) {
  report->read += other->read;
  report->examined += other->examined;
  report->changed += other->changed;
  report->flagged += other->flagged;
  report->unflagged += other->unflagged;
  report->escalations += other->escalations;
  report->letters += other->letters;
  report->redrafts += other->redrafts;
  report->skipped += other->skipped;
  report->deadlines_moved += other->deadlines_moved;
  report->batches += other->batches;
  report->ranges += other->ranges;
  for (size_t i = 0; i < other->flag_count && report->flag_count < PASS_MAX_REPORTED_FLAGS; i++)
    report->flags[report->flag_count++] = other->flags[i];
}
