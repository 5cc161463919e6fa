/*
 * pass_batch.c: one transaction of a pass (see pass_batch.h).
 *
 * Clocks the table lacks and the escalations raised go in by binary COPY (store/copy.h); one
 * statement writes the rest from array parameters (store/array.h): the clock upserts and
 * deletions, the letters numbered per agency and year from a counter row that the statement
 * locks and bumps, and the sync state (watermark, last pass).
 */
#include "store/pass_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "store/array.h"
#include "store/copy.h"
#include "store/sql.h"

enum { CLOCK_COPY_COLUMNS = 17, ESCALATION_COPY_COLUMNS = 9 };

/* ---- one dossier's results into the batch's buffers ---- */

/*
 * An escalation, for COPY straight into dunghen.escalation_log. Only levels that are due and
 * not among those already fired (read under the dossier's lock, which every writer of the log
 * holds) come here, so none can exist yet; were one ever there, its unique key fails the batch,
 * which is rolled back: still exactly once.
 */
static void add_new_escalation(struct pass *pass, const struct pass_dossier *dossier,
                               const struct ladder_level *level, int64_t anchor,
                               const char *reason) {
  struct buffer *rows = &pass->new_escalations;
  copy_row(rows, ESCALATION_COPY_COLUMNS);
  copy_text(rows, dossier->facts.code);
  copy_text(rows, level->name);
  copy_smallint(rows, level->episode);
  copy_timestamp(rows, pass->context->now, true);
  copy_text_array(rows, (const char *const *)level->recipients, level->recipient_count);
  copy_text(rows, reason);
  copy_text(rows, dossier->facts.agency_code);
  copy_timestamp(rows, anchor, true);
  copy_text(rows, level->action == LADDER_LETTER ? "letter" : "notify");
  pass->escalation_count++;
}

/* The letter of the letter escalation just raised, for the write's letter columns. */
static void add_letter(struct pass *pass, const struct pass_dossier *dossier,
                       const struct ladder_level *level,
                       const struct dossier_evaluation *evaluation) {
  struct buffer *columns = pass->letter;
  const struct apology_decision *apology = &evaluation->apology;
  array_add_text(&columns[LETTER_CODE], dossier->facts.code);
  array_add_text(&columns[LETTER_LEVEL], level->name);
  array_add_integer(&columns[LETTER_EPISODE], level->episode, true);
  array_add_text(&columns[LETTER_AGENCY], dossier->facts.agency_code);
  array_add_integer(&columns[LETTER_NEW_APPOINTMENT], evaluation->new_deadline, true);
  /* Numbered in the year of the date the letter carries, not of the draft. */
  array_add_integer(&columns[LETTER_YEAR], civil_date_from_days(apology->issue_day).year, true);
  char issued_on[16];
  civil_format_date(apology->issue_day, issued_on, sizeof issued_on);
  array_add_text(&columns[LETTER_ISSUED_ON], issued_on);
  array_add_integer(&columns[LETTER_PROMISED], evaluation->promised_at, true);
  array_add_integer(&columns[LETTER_FORM], apology->form == APOLOGY_FORM_2018 ? 2018 : 2025, true);
  array_add_text(&columns[LETTER_WORDING], apology->wording == APOLOGY_BEFORE_DEADLINE
                                               ? "before_deadline"
                                               : "after_deadline");
  pass->letter_count++;
}

static void add_escalations(struct pass *pass, const struct pass_dossier *dossier,
                            const struct dossier_evaluation *evaluation) {
  const struct ladder *ladder = pass->rules.ladder;
  for (size_t i = 0; i < ladder->count; i++) {
    if ((evaluation->due & (UINT32_C(1) << i)) == 0)
      continue;
    const struct ladder_level *level = &ladder->levels[i];
    char reason[DOSSIER_REASON_SIZE];
    dossier_escalation_reason(&pass->rules, &dossier->facts, evaluation, i, reason);
    add_new_escalation(pass, dossier, level, dossier_level_anchor(evaluation, level), reason);
    /* A dossier rescheduled in an earlier pass has its letter: never a second one. */
    if (level->action == LADDER_LETTER && evaluation->apology_decided)
      add_letter(pass, dossier, level, evaluation);
  }
}

/*
 * A dossier whose letter an earlier pass queued (it was in episode 2 before this pass) and
 * whose source now records a delay reason: the write re-drafts the letter, under its number,
 * if the reason differs from the one its current draft printed (compared in SQL under the
 * letter row's lock, so a draft being rendered right now is compared once it is recorded).
 */
static void add_redraft(struct pass *pass, const struct pass_dossier *dossier) {
  if (!dossier->facts.rescheduled || !dossier->facts.delay_reason || dossier->reason_md5 == NULL)
    return;
  array_add_text(&pass->redraft[REDRAFT_CODE], dossier->facts.code);
  array_add_text(&pass->redraft[REDRAFT_REASON_MD5], dossier->reason_md5);
  pass->redraft_count++;
}

/* One clock row, as write_sql's arrays and the binary COPY both take it. */
struct clock_row {
  const char *code;
  const char *procedure_code;
  const char *agency_code;
  const char *updated_us;
  bool has_received;
  int64_t received_at;
  bool has_deadline;
  int64_t deadline;
  bool stopped;
  int64_t remaining_seconds;
  int episode;
  bool rescheduled;
  int64_t rescheduled_at;
  int64_t new_deadline;
  const char *state;
  int64_t next;
  const char *flag;
  const char *channel; /* NULL when the source names none of the three */
  bool left;           /* the dossier left processing at `finished_at` */
  int64_t finished_at;
};

/*
 * A clock the table does not have yet, for COPY straight into dunghen.clock: no scratch
 * table, no ON CONFLICT. Safe because the row's absence was read under the dossier's lock and
 * every writer of dunghen.clock holds that lock; were it ever wrong, the primary key fails the
 * batch, which is rolled back and retried by the next pass.
 */
static void add_new_clock(struct pass *pass, const struct clock_row *row) {
  struct buffer *rows = &pass->new_clocks;
  copy_row(rows, CLOCK_COPY_COLUMNS);
  copy_text(rows, row->code);
  copy_text(rows, row->procedure_code);
  copy_text(rows, row->agency_code);
  copy_timestamp_us(rows, row->updated_us != NULL ? strtoll(row->updated_us, NULL, 10) : 0,
                    row->updated_us != NULL);
  copy_timestamp(rows, row->received_at, row->has_received);
  copy_timestamp(rows, row->deadline, row->has_deadline);
  copy_bigint(rows, row->remaining_seconds, row->stopped);
  copy_smallint(rows, row->episode);
  copy_timestamp(rows, row->rescheduled_at, row->rescheduled);
  copy_timestamp(rows, row->new_deadline, row->rescheduled);
  copy_text(rows, row->state);
  copy_timestamp(rows, row->next, row->next != LADDER_NEVER);
  copy_text(rows, row->flag);
  copy_text(rows, pass->fingerprint);
  copy_timestamp(rows, pass->context->now, true);
  copy_text(rows, row->channel);
  copy_timestamp(rows, row->finished_at, row->left);
  pass->new_clock_count++;
}

/* A clock for write_sql's arrays: an update, or a deletion (only the code is given). */
static void add_clock_columns(struct pass *pass, const struct clock_row *row, bool deleted) {
  struct buffer *columns = pass->clock;
  array_add_text(&columns[CLOCK_CODE], row->code);
  array_add_text(&columns[CLOCK_PROCEDURE], row->procedure_code);
  array_add_text(&columns[CLOCK_AGENCY], row->agency_code);
  array_add_text(&columns[CLOCK_SOURCE_UPDATED_US], row->updated_us);
  array_add_integer(&columns[CLOCK_RECEIVED_AT], row->received_at, row->has_received);
  array_add_integer(&columns[CLOCK_DEADLINE], row->deadline, row->has_deadline);
  array_add_integer(&columns[CLOCK_REMAINING], row->remaining_seconds, row->stopped);
  array_add_integer(&columns[CLOCK_EPISODE], row->episode, true);
  array_add_integer(&columns[CLOCK_RESCHEDULED_AT], row->rescheduled_at, row->rescheduled);
  array_add_integer(&columns[CLOCK_NEW_DEADLINE], row->new_deadline, row->rescheduled);
  array_add_text(&columns[CLOCK_STATE], row->state);
  array_add_integer(&columns[CLOCK_NEXT_INSTANT], row->next, row->next != LADDER_NEVER);
  array_add_text(&columns[CLOCK_FLAGGED_REASON], row->flag);
  array_add_text(&columns[CLOCK_DELETED], deleted ? "t" : "f");
  array_add_text(&columns[CLOCK_CHANNEL], row->channel);
  array_add_integer(&columns[CLOCK_FINISHED_AT], row->finished_at, row->left);
  pass->clock_count++;
}

/* What changed against the stored clock, for the report. */
static void count_changes(struct pass_report *report, const struct pass_dossier *dossier,
                          const struct clock_row *row,
                          const struct dossier_evaluation *evaluation) {
  int64_t deadline = row->has_deadline ? row->deadline : INT64_MIN;
  if (!dossier->known || dossier->old_deadline != deadline ||
      dossier->old_episode != row->episode || dossier->old_state == NULL ||
      strcmp(dossier->old_state, row->state) != 0 ||
      dossier->old_next != (row->next == LADDER_NEVER ? INT64_MIN : row->next))
    report->changed++;
  if (dossier->known && dossier->old_deadline != deadline)
    report->deadlines_moved++;
  bool flagged = evaluation->state == DOSSIER_FLAGGED;
  if (flagged && (dossier->old_flag == NULL || strcmp(dossier->old_flag, evaluation->flag) != 0)) {
    report->flagged++;
    if (report->flag_count < PASS_MAX_REPORTED_FLAGS) {
      struct pass_flag *entry = &report->flags[report->flag_count++];
      snprintf(entry->code, sizeof entry->code, "%s", dossier->facts.code);
      snprintf(entry->reason, sizeof entry->reason, "%s", evaluation->flag);
    }
  }
  if (!flagged && dossier->old_flag != NULL)
    report->unflagged++;
}

/*
 * When the dossier left processing (dunghen.clock.finished_at, which `dunghen report` judges
 * by): the source's finished_at once its status closes it; for a withdrawal or rejection
 * without one, the instant a pass first saw it closed, which later passes keep. False while
 * the status keeps it open (or says nothing usable).
 */
static bool left_processing(const struct pass_dossier *dossier, int64_t now, int64_t *instant) {
  const struct dossier_facts *facts = &dossier->facts;
  if (facts->status != SOURCE_FINISHED && facts->status != SOURCE_WITHDRAWN &&
      facts->status != SOURCE_REJECTED)
    return false;
  *instant = facts->has_finished                  ? facts->finished_at
             : dossier->old_finished != INT64_MIN ? dossier->old_finished
                                                  : now;
  return true;
}

static void add_clock(struct pass *pass, const struct pass_dossier *dossier,
                      const struct dossier_evaluation *evaluation) {
  const struct dossier_facts *facts = &dossier->facts;
  struct clock_row row = {
      .code = facts->code,
      .procedure_code = facts->procedure_code,
      .agency_code = facts->agency_code,
      .updated_us = dossier->updated_us,
      .has_received = facts->has_received,
      .received_at = facts->received_at,
      .has_deadline = evaluation->has_deadline,
      .deadline = evaluation->deadline.deadline,
      .stopped = evaluation->stopped,
      .remaining_seconds = evaluation->deadline.remaining_seconds,
      .episode = evaluation->episode,
      .rescheduled = evaluation->rescheduled,
      .rescheduled_at = evaluation->rescheduled_at,
      .new_deadline = evaluation->new_deadline,
      .state = dossier_state_name(evaluation->state),
      .next = evaluation->next_instant,
      .flag = evaluation->state == DOSSIER_FLAGGED ? evaluation->flag : NULL,
      .channel = facts->channel >= 0 && facts->channel < CHANNEL_COUNT
                     ? channel_name(facts->channel)
                     : NULL,
  };
  row.left = left_processing(dossier, pass->context->now, &row.finished_at);
  if (!dossier->known)
    add_new_clock(pass, &row);
  else
    add_clock_columns(pass, &row, false);
  count_changes(pass->report, dossier, &row, evaluation);
}

/* The source lost the dossier: its clock goes, which counts as a change of its deadline and
 * clears its flag. */
static void delete_clock(struct pass *pass, const struct pass_dossier *dossier) {
  struct clock_row row = {.code = dossier->facts.code, .next = LADDER_NEVER};
  add_clock_columns(pass, &row, true);
  pass->report->changed++;
  pass->report->deadlines_moved++;
  if (dossier->old_flag != NULL)
    pass->report->unflagged++;
}

void pass_batch_add(struct pass *pass, const struct pass_dossier *dossier) {
  pass->report->examined++;
  if (!dossier->present) {
    if (dossier->known)
      delete_clock(pass, dossier);
    return;
  }
  struct dossier_evaluation evaluation;
  dossier_evaluate(&pass->rules, &dossier->facts, pass->context->now, &evaluation);
  add_clock(pass, dossier, &evaluation);
  if (evaluation.state == DOSSIER_FLAGGED)
    return;
  add_escalations(pass, dossier, &evaluation);
  add_redraft(pass, dossier);
}

/* ---- the statements ---- */

/* The letters of the letter escalations just raised, numbered per agency and year from a
 * counter row that the statement locks and bumps in (agency, year) order, which keeps
 * concurrent passes from deadlocking on them. NOW and C0-C9 are the numbers of the parameters
 * ("$2"): the now, and the letter columns in pass_letter_column order. Ends with `added`,
 * the letters inserted. */
// clang-format off
#define LETTER_CTES(NOW, C0, C1, C2, C3, C4, C5, C6, C7, C8, C9) \
    " letter_rows AS (SELECT * FROM unnest(" C0 "::text[], " C1 "::text[], " C2 "::smallint[]," \
    "  " C3 "::text[], " C4 "::bigint[], " C5 "::integer[], " C6 "::date[]," \
    "  " C7 "::bigint[], " C8 "::smallint[]," \
    "  " C9 "::text[]) AS r(dossier_code, level, episode, agency_code, new_appointment_at, year," \
    "  issued_on, promised_at, form, wording))," \
    " wanted AS (SELECT e.id AS escalation_id, r.dossier_code, r.agency_code, r.year," \
    "  r.new_appointment_at, r.issued_on, r.promised_at, r.form, r.wording FROM letter_rows r" \
    "  JOIN LATERAL (SELECT id FROM dunghen.escalation_log e WHERE e.dossier_code =" \
    "   r.dossier_code AND e.level = r.level AND e.episode = r.episode OFFSET 0) e ON true" \
    "  LEFT JOIN LATERAL (SELECT 1 AS found FROM dunghen.letter_log l" \
    "   WHERE l.dossier_code = r.dossier_code OFFSET 0) l ON true WHERE l.found IS NULL)," \
    " counts AS (SELECT agency_code, year, count(*)::integer AS n FROM wanted GROUP BY 1, 2)," \
    " bumped AS (INSERT INTO dunghen.letter_counter AS t (agency_code, year, last_number)" \
    "  SELECT agency_code, year, n FROM counts ORDER BY agency_code, year" \
    "  ON CONFLICT (agency_code, year) DO UPDATE SET last_number = t.last_number +" \
    "   excluded.last_number" \
    "  RETURNING agency_code, year, last_number)," \
    " added AS (INSERT INTO dunghen.letter_log (dossier_code, agency_code, year, number," \
    "  escalation_id, new_appointment_at, created_at, state, issued_on, promised_at, form," \
    "  wording)" \
    "  SELECT w.dossier_code, w.agency_code, w.year," \
    "   b.last_number - c.n + (row_number() OVER (PARTITION BY w.agency_code, w.year" \
    "    ORDER BY w.dossier_code))::integer," \
    "   w.escalation_id, to_timestamp(w.new_appointment_at), to_timestamp(" NOW "::bigint)," \
    "   'pending', w.issued_on, to_timestamp(w.promised_at), w.form, w.wording" \
    "  FROM wanted w JOIN bumped b USING (agency_code, year) JOIN counts c" \
    "   USING (agency_code, year)" \
    "  RETURNING 1)"
// clang-format on

/*
 * What a batch writes after its COPYs (new clocks, the escalations raised), in one statement:
 * the other clocks (deleted, or updated), the letters of the letter escalations just raised,
 * numbered per agency and year from a counter row that the statement locks and bumps in
 * (agency, year) order, which keeps concurrent passes from deadlocking on them; and the sync
 * state. The rows come as arrays ($4-$19 clocks, $20-$29 letters), so no scratch table is
 * needed: an ON COMMIT DELETE ROWS temporary table costs a truncation (~1.5 ms of file work)
 * at every commit that touched it.
 * $1 fingerprint, $2 now, $3 the watermark candidates (microseconds, NULL for none).
 */
static const char write_sql[] =
    "WITH clock_rows AS (SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::bigint[],"
    "  $8::bigint[], $9::bigint[], $10::bigint[], $11::smallint[], $12::bigint[],"
    "  $13::bigint[], $14::text[], $15::bigint[], $16::text[], $17::boolean[], $18::text[],"
    "  $19::bigint[])"
    "  AS r(code, procedure_code, agency_code, source_updated_us, received_at, deadline,"
    "  remaining_seconds, episode, rescheduled_at, new_deadline, state, next_instant,"
    "  flagged_reason, deleted, channel, finished_at)),"
    " gone AS (DELETE FROM dunghen.clock c USING clock_rows r WHERE r.deleted AND c.code = r.code),"
    " clocks AS (INSERT INTO dunghen.clock AS c (code, procedure_code, agency_code,"
    "  source_updated_at, received_at, deadline, remaining_seconds, episode, rescheduled_at,"
    "  new_deadline, state, next_instant, flagged_reason, rules_fingerprint, computed_at,"
    "  channel, finished_at)"
    "  SELECT code, procedure_code, agency_code,"
    "   'epoch'::timestamptz + source_updated_us * interval '1 microsecond',"
    "   to_timestamp(received_at), to_timestamp(deadline), remaining_seconds, episode,"
    "   to_timestamp(rescheduled_at), to_timestamp(new_deadline), state,"
    "   to_timestamp(next_instant), flagged_reason, $1, to_timestamp($2::bigint), channel,"
    "   to_timestamp(finished_at)"
    "  FROM clock_rows WHERE NOT deleted"
    "  ON CONFLICT (code) DO UPDATE SET procedure_code = excluded.procedure_code,"
    "   agency_code = excluded.agency_code, source_updated_at = excluded.source_updated_at,"
    "   received_at = excluded.received_at, deadline = excluded.deadline,"
    "   remaining_seconds = excluded.remaining_seconds, episode = excluded.episode,"
    "   rescheduled_at = excluded.rescheduled_at, new_deadline = excluded.new_deadline,"
    "   state = excluded.state, next_instant = excluded.next_instant,"
    "   flagged_reason = excluded.flagged_reason, rules_fingerprint = excluded.rules_fingerprint,"
    "   computed_at = excluded.computed_at, channel = excluded.channel,"
    "   finished_at = excluded.finished_at)," LETTER_CTES(
        "$2", "$20", "$21", "$22", "$23", "$24", "$25", "$26", "$27", "$28",
        "$29") ", synced AS (UPDATE dunghen.sync_state SET last_pass_at = to_timestamp($2::bigint),"
               "  watermark = GREATEST(watermark, 'epoch'::timestamptz +"
               "   (SELECT max(m) FROM unnest($3::bigint[]) AS m) * interval '1 microsecond'))"
               " SELECT count(*) FROM added";

/* A range's batch of the first pass (store/pass_range.h) writes only new rows: its clocks went
 * in by COPY and it has no clock to update or delete, and the sync state is left to the
 * plan's completion, so that sessions sharing the first pass do not queue for the one
 * sync_state row at every batch. $1 now, $2-$11 the letter columns. */
static const char letters_sql[] =
    "WITH" LETTER_CTES("$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10",
                       "$11") " SELECT count(*) FROM added";

/*
 * The re-drafts of a batch ($1 the codes, $2 the md5 of the reason each source row records,
 * $3 now): every letter among them whose current draft printed another reason (or none) is
 * kept in dunghen.letter_version and queued again under its number. FOR UPDATE waits for a
 * renderer that holds the letter, then compares with the draft it recorded.
 */
static const char redraft_sql[] =
    "WITH redraft_rows AS (SELECT * FROM unnest($1::text[], $2::text[])"
    "  AS r(dossier_code, reason_md5)),"
    " superseded AS (INSERT INTO dunghen.letter_version (letter_id, version, dossier_code, path,"
    "  sha256, bytes, reason_md5, reason_missing, rendered_at, superseded_at)"
    "  SELECT l.id, l.version, l.dossier_code, l.path, l.sha256, l.bytes, l.reason_md5,"
    "   l.reason_missing, l.rendered_at, to_timestamp($3::bigint)"
    "  FROM redraft_rows r JOIN dunghen.letter_log l ON l.dossier_code = r.dossier_code"
    "  WHERE l.state = 'rendered' AND l.reason_md5 IS DISTINCT FROM r.reason_md5"
    "  FOR UPDATE OF l RETURNING letter_id),"
    " redrafted AS (UPDATE dunghen.letter_log l SET state = 'pending', version = l.version + 1"
    "  FROM superseded s WHERE l.id = s.letter_id RETURNING 1)"
    " SELECT count(*) FROM redrafted";

/* A batch with nothing to write, or no batch at all (`counted` false): the sync state only.
 * Much cheaper to plan than write_sql. */
static const char sync_sql[] =
    "UPDATE dunghen.sync_state SET"
    " last_pass_at = CASE WHEN $3::boolean THEN to_timestamp($1::bigint) ELSE last_pass_at END,"
    " watermark = GREATEST(watermark, 'epoch'::timestamptz +"
    "  (SELECT max(m) FROM unnest($2::bigint[]) AS m) * interval '1 microsecond')";

enum status pass_batch_sync_state(struct pass *pass, const char *marks, bool counted,
                                  struct error *error) {
  const char *values[] = {pass->now_text, marks, counted ? "t" : "f"};
  PGresult *result;
  enum status status = sql_query(pass->context->connection, "moving the watermark", sync_sql, 3,
                                 values, &result, error);
  if (status == STATUS_OK)
    PQclear(result);
  return status;
}

static enum status write_redrafts(struct pass *pass, struct error *error) {
  if (!array_columns_close(pass->redraft, REDRAFT_COLUMNS))
    return error_set(error, STATUS_RUNTIME, "out of memory");
  const char *values[] = {pass->redraft[REDRAFT_CODE].data, pass->redraft[REDRAFT_REASON_MD5].data,
                          pass->now_text};
  PGresult *result;
  enum status status = sql_query(pass->context->connection, "re-drafting letters", redraft_sql, 3,
                                 values, &result, error);
  if (status != STATUS_OK)
    return status;
  pass->report->redrafts += (size_t)sql_integer(result, 0, 0, 0);
  PQclear(result);
  return STATUS_OK;
}

static enum status write_letters(struct pass *pass, struct error *error) {
  if (!array_columns_close(pass->letter, LETTER_COLUMNS))
    return error_set(error, STATUS_RUNTIME, "out of memory");
  const char *values[1 + LETTER_COLUMNS] = {pass->now_text};
  for (int i = 0; i < LETTER_COLUMNS; i++)
    values[1 + i] = pass->letter[i].data;
  PGresult *result;
  enum status status = sql_query(pass->context->connection, "writing the batch", letters_sql,
                                 1 + LETTER_COLUMNS, values, &result, error);
  if (status != STATUS_OK)
    return status;
  pass->report->letters += (size_t)sql_integer(result, 0, 0, 0);
  PQclear(result);
  return STATUS_OK;
}

/* `marks`: the watermark candidates as a bigint[] literal ("{}" when the batch moves none);
 * NULL for a range of the first pass, which leaves the sync state alone. */
static enum status write_batch(struct pass *pass, const char *marks, struct error *error) {
  PGconn *connection = pass->context->connection;
  size_t copied = 0;
  enum status status = STATUS_OK;
  if (pass->new_clock_count > 0)
    status = copy_send(connection, "writing new clocks",
                       "COPY dunghen.clock (code, procedure_code, agency_code, source_updated_at,"
                       " received_at, deadline, remaining_seconds, episode, rescheduled_at,"
                       " new_deadline, state, next_instant, flagged_reason, rules_fingerprint,"
                       " computed_at, channel, finished_at) FROM STDIN (FORMAT binary)",
                       &pass->new_clocks, &copied, error);
  if (status == STATUS_OK && pass->escalation_count > 0) {
    status = copy_send(connection, "raising escalations",
                       "COPY dunghen.escalation_log (dossier_code, level, episode, raised_at,"
                       " recipients, reason, agency_code, deadline, action)"
                       " FROM STDIN (FORMAT binary)",
                       &pass->new_escalations, &copied, error);
    pass->report->escalations += status == STATUS_OK ? copied : 0;
  }
  if (status != STATUS_OK)
    return status;
  if (pass->redraft_count > 0)
    status = write_redrafts(pass, error);
  if (status != STATUS_OK)
    return status;
  if (marks == NULL && pass->clock_count == 0)
    return pass->letter_count > 0 ? write_letters(pass, error) : STATUS_OK;
  if (marks == NULL)
    marks = "{}"; /* not a first pass's range after all: write as any batch */
  if (pass->clock_count == 0 && pass->letter_count == 0)
    return pass_batch_sync_state(pass, marks, true, error);
  if (!array_columns_close(pass->clock, CLOCK_COLUMNS) ||
      !array_columns_close(pass->letter, LETTER_COLUMNS))
    return error_set(error, STATUS_RUNTIME, "out of memory");
  enum { PARAMETERS = 3 + CLOCK_COLUMNS + LETTER_COLUMNS };
  const char *values[PARAMETERS] = {pass->fingerprint, pass->now_text, marks};
  for (int i = 0; i < CLOCK_COLUMNS; i++)
    values[3 + i] = pass->clock[i].data;
  for (int i = 0; i < LETTER_COLUMNS; i++)
    values[3 + CLOCK_COLUMNS + i] = pass->letter[i].data;
  PGresult *result;
  status =
      sql_query(connection, "writing the batch", write_sql, PARAMETERS, values, &result, error);
  if (status != STATUS_OK)
    return status;
  pass->report->letters += (size_t)sql_integer(result, 0, 0, 0);
  PQclear(result);
  return STATUS_OK;
}

enum status pass_batch_begin(struct pass *pass, struct error *error) {
  copy_open(&pass->new_clocks);
  copy_open(&pass->new_escalations);
  array_columns_open(pass->clock, CLOCK_COLUMNS);
  array_columns_open(pass->letter, LETTER_COLUMNS);
  array_columns_open(pass->redraft, REDRAFT_COLUMNS);
  pass->new_clock_count = 0;
  pass->clock_count = 0;
  pass->escalation_count = 0;
  pass->letter_count = 0;
  pass->redraft_count = 0;
  /* JIT compiling these short queries costs far more (~300 ms) than running them, and the
   * per-code lookups of a batch are single index probes: a bitmap scan only adds set-up. */
  return sql_exec(pass->context->connection, "starting a batch",
                  "BEGIN; SET LOCAL jit = off; SET LOCAL enable_bitmapscan = off", error);
}

/* Writes what the batch computed (with the watermark candidates `marks`, a bigint[] literal)
 * and commits; rolls back when anything failed. */
enum status pass_batch_end(struct pass *pass, enum status status, const char *marks,
                           struct error *error) {
  PGconn *connection = pass->context->connection;
  if (status == STATUS_OK)
    status = write_batch(pass, marks, error);
  if (status == STATUS_OK)
    status = sql_exec(connection, "committing a batch", "COMMIT", error);
  if (status != STATUS_OK) {
    sql_rollback(connection);
    return status;
  }
  pass->report->batches++;
  return STATUS_OK;
}

void pass_batch_free(struct pass *pass) {
  array_columns_free(pass->clock, CLOCK_COLUMNS);
  array_columns_free(pass->letter, LETTER_COLUMNS);
  array_columns_free(pass->redraft, REDRAFT_COLUMNS);
  buffer_free(&pass->new_clocks);
  buffer_free(&pass->new_escalations);
}
