/*
 * pass_range.c: the first pass ever, shared by ranges of codes (see pass_range.h).
 */
#include "store/pass_range.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store/pass_row.h"
#include "store/sql.h"

/* Columns of range_sql: the source's (store/pass_row.h), the state's, then the source's three
 * others. */
enum {
  RANGE_STATE_FIRST = PASS_ROW_SOURCE_COLUMNS,
  RANGE_SOURCE_EXTRA = PASS_ROW_SOURCE_COLUMNS + PASS_ROW_STATE_COLUMNS,
};

/* One snapshot, so that a plan deleted at completion is seen with the watermark it set. */
static const char look_sql[] =
    "SELECT (SELECT watermark IS NULL FROM dunghen.sync_state),"
    " EXISTS (SELECT 1 FROM dunghen.pass_claim), EXISTS (SELECT 1 FROM dunghen.clock)";

/* Every `$1`-th code of the source in its own order starts a range; the first starts at ''
 * so that a code added later before the first one is still in a range. A code the view
 * repeats falls whole into one range (ranges are bounds, not counts). */
static const char plan_sql[] =
    "INSERT INTO dunghen.pass_claim (range_number, low, high)"
    " SELECT n, CASE WHEN n = 0 THEN '' ELSE code END, lead(code) OVER (ORDER BY n)"
    " FROM (SELECT code, (row_number() OVER (ORDER BY code) - 1) / $1::bigint AS n,"
    "  (row_number() OVER (ORDER BY code) - 1) % $1::bigint AS k"
    "  FROM dunghen.dossier_source WHERE code IS NOT NULL) s WHERE k = 0";

static const char claim_sql[] =
    "SELECT range_number, low, high,"
    " (extract(epoch FROM clock_timestamp()) * 1000000)::bigint FROM dunghen.pass_claim"
    " WHERE done_at IS NULL ORDER BY range_number LIMIT 1 FOR UPDATE SKIP LOCKED";

/*
 * A range's source rows in code order, each with its pauses, clock and fired levels. Each
 * table is read by a range scan of its code index, joined in memory, instead of a probe per
 * dossier; the copies of a code the view repeats are counted by a window (they are all in the
 * range), and the readers take the first. $1 low, $2 high (NULL: to the end), $3 the rules
 * fingerprint, $4 now. A condition on a NULL $2 is folded away when planned with its value.
 */
/* clang-format off */
#define IN_RANGE(code) code " >= $1 AND ($2::text IS NULL OR " code " < $2)"
static const char range_sql[] =
    "SELECT s.code, true, s.procedure_code, s.agency_code, s.channel, s.status,"
    " dunghen.epoch(s.received_at), dunghen.epoch(s.finished_at),"
    " coalesce(btrim(s.delay_reason), '') <> '',"
    " (extract(epoch FROM s.updated_at) * 1000000)::bigint, p.pauses,"
    " c.code IS NOT NULL,"
    " c.source_updated_at IS NOT DISTINCT FROM s.updated_at"
    "  AND c.rules_fingerprint IS NOT DISTINCT FROM $3"
    "  AND (c.next_instant IS NULL OR c.next_instant > to_timestamp($4::bigint)),"
    " dunghen.epoch(c.deadline), c.episode, dunghen.epoch(c.new_deadline),"
    " dunghen.epoch(c.rescheduled_at), c.state, dunghen.epoch(c.next_instant), c.flagged_reason,"
    " f.fired, dunghen.epoch(c.finished_at),"
    " dunghen.epoch(s.appointment_at), md5(nullif(btrim(s.delay_reason), '')),"
    " count(*) OVER (PARTITION BY s.code)"
    " FROM dunghen.dossier_source s"
    " LEFT JOIN (SELECT p.code, array_agg(ARRAY[dunghen.epoch(p.paused_at)::text,"
    "   dunghen.epoch(p.resumed_at)::text, p.kind::text] ORDER BY p.paused_at) AS pauses"
    "  FROM dunghen.dossier_pause_source p WHERE " IN_RANGE("p.code") " GROUP BY p.code) p"
    "  ON p.code = s.code"
    " LEFT JOIN (SELECT * FROM dunghen.clock c WHERE " IN_RANGE("c.code") ") c"
    "  ON c.code = s.code"
    " LEFT JOIN (SELECT e.dossier_code, array_agg(ARRAY[e.level, e.episode::text]) AS fired"
    "  FROM dunghen.escalation_log e WHERE " IN_RANGE("e.dossier_code")
    "  GROUP BY e.dossier_code) f ON f.dossier_code = s.code"
    " WHERE " IN_RANGE("s.code") " ORDER BY s.code";
/* clang-format on */

static const char done_sql[] =
    "UPDATE dunghen.pass_claim SET done_at = clock_timestamp(), done_by = pg_backend_pid(),"
    " started_at = 'epoch'::timestamptz + $2::bigint * interval '1 microsecond',"
    " dossiers = $3::integer WHERE range_number = $1::integer";

/* After the last range: the ranges still held by others, or (none) the plan's completion. */
static const char finish_sql[] =
    "WITH waiting AS (SELECT count(*) AS n FROM dunghen.pass_claim WHERE done_at IS NULL),"
    " plan AS (DELETE FROM dunghen.pass_claim WHERE (SELECT n FROM waiting) = 0"
    "  RETURNING started_at),"
    " synced AS (UPDATE dunghen.sync_state SET last_pass_at = to_timestamp($1::bigint),"
    "  watermark = GREATEST(watermark, (SELECT min(started_at) FROM plan))"
    "  WHERE (SELECT n FROM waiting) = 0 RETURNING 1)"
    " SELECT (SELECT n FROM waiting), (SELECT count(*) FROM synced)";

/* What look_sql says: no watermark yet; a plan exists; clocks exist. */
static enum status look(PGconn *connection, bool *first, bool *planned, bool *clocks,
                        struct error *error) {
  PGresult *result;
  enum status status =
      sql_query(connection, "looking for a first pass", look_sql, 0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  *first = PQgetvalue(result, 0, 0)[0] == 't';
  *planned = PQgetvalue(result, 0, 1)[0] == 't';
  *clocks = PQgetvalue(result, 0, 2)[0] == 't';
  PQclear(result);
  return STATUS_OK;
}

/* Plans the ranges unless another instance did, or the first pass is not this one's to
 * share. *planned: a plan exists after the call. */
static enum status plan_ranges(struct pass *pass, bool *planned, bool *first, struct error *error) {
  PGconn *connection = pass->context->connection;
  PGresult *result = NULL;
  enum status status =
      sql_exec(connection, "planning the first pass",
               "BEGIN; LOCK TABLE dunghen.pass_claim IN SHARE ROW EXCLUSIVE MODE", error);
  bool clocks = false;
  if (status == STATUS_OK)
    status = look(connection, first, planned, &clocks, error);
  if (status == STATUS_OK) {
    if (*first && !*planned && !clocks) {
      char size[24];
      snprintf(size, sizeof size, "%zu", pass->batch_size * PASS_RANGE_BATCHES);
      const char *values[] = {size};
      status =
          sql_query(connection, "planning the first pass", plan_sql, 1, values, &result, error);
      if (status == STATUS_OK) {
        *planned = PQcmdTuples(result)[0] != '0';
        PQclear(result);
      }
    }
  }
  if (status == STATUS_OK)
    status = sql_exec(connection, "planning the first pass", "COMMIT", error);
  if (status != STATUS_OK)
    sql_rollback(connection);
  return status;
}

/* The rows of a range into the batch: the first row of each code, and only what changed. */
static enum status add_rows(struct pass *pass, const PGresult *rows, struct error *error) {
  pass->report->read += (size_t)PQntuples(rows);
  const char *previous = NULL;
  for (int row = 0; row < PQntuples(rows); row++) {
    const char *code = PQgetvalue(rows, row, 0);
    if (previous != NULL && strcmp(previous, code) == 0)
      continue;
    previous = code;
    struct pass_dossier dossier;
    if (!pass_row_read_source(rows, row, RANGE_SOURCE_EXTRA, &pass->scratch, &dossier) ||
        !pass_row_read_state(rows, row, RANGE_STATE_FIRST, &pass->scratch, &dossier))
      return error_set(error, STATUS_RUNTIME, "out of memory");
    if (!dossier.unchanged)
      pass_batch_add(pass, &dossier);
  }
  return STATUS_OK;
}

/* One range in one transaction. *taken false when no range was left to take; then the
 * transaction also finishes the plan if every range is done, or counts those still held. */
static enum status run_range(struct pass *pass, bool *taken, enum pass_range_outcome *outcome,
                             struct error *error) {
  PGconn *connection = pass->context->connection;
  PGresult *claim = NULL, *rows = NULL;
  *taken = false;
  enum status status = pass_batch_begin(pass, error);
  if (status == STATUS_OK)
    status = sql_query(connection, "claiming a range", claim_sql, 0, NULL, &claim, error);
  if (status == STATUS_OK && PQntuples(claim) == 0) {
    PQclear(claim);
    PGresult *result;
    const char *values[] = {pass->now_text};
    status =
        sql_query(connection, "finishing the first pass", finish_sql, 1, values, &result, error);
    if (status == STATUS_OK) {
      pass->report->ranges_waiting = (size_t)sql_integer(result, 0, 0, 0);
      *outcome = pass->report->ranges_waiting > 0 ? PASS_RANGE_WAITING : PASS_RANGE_DONE;
      PQclear(result);
      status = sql_exec(connection, "finishing the first pass", "COMMIT", error);
    }
    if (status != STATUS_OK)
      sql_rollback(connection);
    return status;
  }
  if (status == STATUS_OK) {
    *taken = true;
    const char *values[] = {PQgetvalue(claim, 0, 1), sql_text(claim, 0, 2), pass->fingerprint,
                            pass->now_text};
    /* Named as the per-dossier phase's read of the source: the statement an operator looks
     * for when the view fails (the log's contract, tests/hostile/test_redaction.c). */
    /* Range scans of the code indexes whatever the statistics say: while a first pass fills
     * the clock and the log, their statistics lag far behind, and a sequential scan that
     * looks cheap on a table thought empty would read every row written before, per range. */
    status = sql_exec(connection, "reading a range", "SET LOCAL enable_seqscan = off", error);
    if (status == STATUS_OK)
      status =
          sql_query(connection, "finding changed dossiers", range_sql, 4, values, &rows, error);
    if (status == STATUS_OK)
      status = sql_exec(connection, "reading a range", "SET LOCAL enable_seqscan = on", error);
  }
  if (status == STATUS_OK)
    status = add_rows(pass, rows, error);
  if (status == STATUS_OK) {
    char count[24];
    snprintf(count, sizeof count, "%d", PQntuples(rows));
    const char *values[] = {PQgetvalue(claim, 0, 0), PQgetvalue(claim, 0, 3), count};
    PGresult *result;
    status = sql_query(connection, "marking a range done", done_sql, 3, values, &result, error);
    if (status == STATUS_OK)
      PQclear(result);
  }
  PQclear(claim);
  PQclear(rows);
  status = pass_batch_end(pass, status, NULL, error);
  if (status == STATUS_OK)
    pass->report->ranges++;
  return status;
}

enum status pass_range_phase(struct pass *pass, const char *watermark_us,
                             enum pass_range_outcome *outcome, struct error *error) {
  *outcome = PASS_RANGE_NONE;
  if (watermark_us[0] != '\0')
    return STATUS_OK; /* a watermark is never unset: the first pass is over */
  bool first, planned, clocks;
  enum status status = look(pass->context->connection, &first, &planned, &clocks, error);
  if (status != STATUS_OK)
    return status;
  if (!first) {
    *outcome = PASS_RANGE_DONE; /* another instance finished it since the pass began */
    return STATUS_OK;
  }
  if (!planned && clocks)
    return STATUS_OK; /* clocks written per dossier already: go on that way */
  if (!planned) {
    status = plan_ranges(pass, &planned, &first, error);
    if (status == STATUS_OK && !first)
      *outcome = PASS_RANGE_DONE;
    if (status != STATUS_OK || !planned)
      return status; /* an empty source, or clocks appeared: the changed phase does it */
  }
  bool taken = true;
  while (status == STATUS_OK && taken)
    status = run_range(pass, &taken, outcome, error);
  return status;
}

enum status pass_first_pending(PGconn *connection, bool *pending, struct error *error) {
  bool first, planned, clocks;
  *pending = false;
  enum status status = look(connection, &first, &planned, &clocks, error);
  if (status == STATUS_OK)
    *pending = first && (planned || !clocks);
  return status;
}
