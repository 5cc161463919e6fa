/*
 * pass_changed.c: the changed phase of a pass (see pass_changed.h).
 *
 * One statement finds the next changed source rows (keyset over updated_at, leaving out rows
 * whose clock was computed from that very row), claims each with a try-advisory-lock and reads
 * the claimed rows with their pauses; the next reads their stored clocks and fired levels
 * (after the locks, so it sees what another instance committed).
 */
#include "store/pass_changed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/array.h"
#include "store/pass_row.h"
#include "store/sql.h"

/* Columns: the source's (store/pass_row.h), `claimed`, then the source's three others. */
enum {
  CHANGED_CLAIMED = PASS_ROW_SOURCE_COLUMNS,
  CHANGED_SOURCE_EXTRA = PASS_ROW_SOURCE_COLUMNS + 1,
  UPDATED_US = 9, /* the source's updated_at, the keyset's first key */
};

static int64_t smaller(int64_t left, int64_t right) {
  return left < right ? left : right;
}

/*
 * The next changed rows of the source in keyset order (updated_at, code), each claimed with a
 * try-advisory-lock in the same statement, with what the source says (store/pass_row.h's columns;
 * the pauses only of claimed rows) and `claimed` after them. The source may be read before
 * the lock: it changes under the daemon anyway, and a row changed later has a later updated_at
 * that the next pass finds. The daemon's own state is read after the lock (state_sql).
 * Source rows whose clock was computed from this very row with these rules are left out: the
 * overlap window re-reads them on every pass, and only the due phase needs them again; a row
 * that another instance is writing still shows its old clock and is taken.
 */
/* clang-format off */
#define CHANGED_SQL(filter, keyset, limit) \
  "SELECT r.code, true, r.procedure_code, r.agency_code, r.channel, r.status, r.received_at," \
  " r.finished_at, r.delay_reason, r.updated_us," \
  " CASE WHEN r.claimed THEN " PASS_ROW_PAUSES("r.code") " END, r.claimed," \
  " r.appointment_at, r.reason_md5, CASE WHEN r.claimed THEN (SELECT count(*) FROM" \
  "  dunghen.dossier_source d WHERE d.code = r.code) END" \
  " FROM (SELECT q.*, pg_try_advisory_xact_lock(1684368999, hashtext(q.code)) AS claimed" \
  " FROM (SELECT s.code, s.procedure_code, s.agency_code, s.channel, s.status," \
  "  dunghen.epoch(s.received_at) AS received_at, dunghen.epoch(s.finished_at) AS finished_at," \
  "  coalesce(btrim(s.delay_reason), '') <> '' AS delay_reason," \
  "  dunghen.epoch(s.appointment_at) AS appointment_at," \
  "  md5(nullif(btrim(s.delay_reason), '')) AS reason_md5," \
  "  (extract(epoch FROM s.updated_at) * 1000000)::bigint AS updated_us, s.updated_at" \
  "  FROM dunghen.dossier_source s " filter keyset \
  "  ORDER BY s.updated_at, s.code LIMIT " limit "::bigint) q OFFSET 0) r" \
  " ORDER BY r.updated_at, r.code"
#define UNCHANGED_LEFT_OUT(fingerprint) \
  "LEFT JOIN dunghen.clock c ON c.code = s.code WHERE s.code IS NOT NULL" \
  " AND (c.code IS NULL OR c.source_updated_at IS DISTINCT FROM s.updated_at" \
  " OR c.rules_fingerprint IS DISTINCT FROM " fingerprint ") "
#define NEXT_KEYS \
  "AND (s.updated_at, s.code) > ('epoch'::timestamptz + $1::bigint * interval '1 microsecond', $2)"
/* clang-format on */

/* The first pass ever finds (nearly) no clocks: probing for them before the claim would cost
 * a lookup per dossier for nothing, and the state read after the claim skips any it finds. */
#define ANY_ROW "WHERE s.code IS NOT NULL "

/* Indexed by [first pass ever][after the phase's first batch]. All take the same parameters:
 * $1 the cursor's updated_at in microseconds and $2 its code (both NULL for a first batch),
 * $3 the rules fingerprint, $4 the batch size; a variant that needs one of them not still
 * declares its type with a condition that is constant-true for the values given. */
static const char *const changed_sql[2][2] = {
    {CHANGED_SQL(UNCHANGED_LEFT_OUT("$3"), "AND $1::text IS NULL AND $2::text IS NULL", "$4"),
     CHANGED_SQL(UNCHANGED_LEFT_OUT("$3"), NEXT_KEYS, "$4")},
    {CHANGED_SQL(ANY_ROW, "AND $1::text IS NULL AND $2::text IS NULL AND $3::text IS NOT NULL",
                 "$4"),
     CHANGED_SQL(ANY_ROW, NEXT_KEYS " AND $3::text IS NOT NULL", "$4")},
};

/* The daemon's state of claimed codes ($1, with their source updated_at in $4), in the order
 * given: store/pass_row.h's state columns from column 1. */
/* clang-format off */
static const char state_sql[] =
    "SELECT k.code, c.code IS NOT NULL,"
    " c.source_updated_at IS NOT DISTINCT FROM"
    "  'epoch'::timestamptz + k.updated_us * interval '1 microsecond'"
    "  AND c.rules_fingerprint IS NOT DISTINCT FROM $2"
    "  AND (c.next_instant IS NULL OR c.next_instant > to_timestamp($3::bigint)),"
    " dunghen.epoch(c.deadline), c.episode, dunghen.epoch(c.new_deadline),"
    " dunghen.epoch(c.rescheduled_at), c.state, dunghen.epoch(c.next_instant), c.flagged_reason,"
    " " PASS_ROW_FIRED("k.code") ", dunghen.epoch(c.finished_at)"
    " FROM unnest($1::text[], $4::bigint[]) WITH ORDINALITY AS k(code, updated_us, position)"
    " LEFT JOIN LATERAL (SELECT * FROM dunghen.clock c WHERE c.code = k.code OFFSET 0) c ON true"
    " ORDER BY k.position";
/* clang-format on */

struct changed_row {
  const char *code;
  int row;
};

static int compare_changed_rows(const void *left, const void *right) {
  const struct changed_row *a = left, *b = right;
  int order = strcmp(a->code, b->code);
  return order != 0 ? order : (a->row > b->row) - (a->row < b->row);
}

struct changed_cursor {
  bool very_first;     /* no watermark yet: no clock is expected */
  char updated_us[32]; /* "" from the start */
  char code[PASS_CODE_SIZE * 4];
  int64_t hold_us;    /* below the first row left to another instance */
  int64_t started_us; /* the server's clock before the phase */
};

/*
 * The claimed rows of `rows`, one per code (the first row wins when a view repeats one),
 * sorted by code; their codes and updated_at keys as array literals. Counts the others as
 * skipped and holds the watermark below them.
 */
static size_t claimed_rows(struct pass *pass, const PGresult *rows, struct changed_cursor *cursor,
                           struct changed_row *claimed, struct buffer *codes,
                           struct buffer *updated) {
  size_t count = 0;
  for (int row = 0; row < PQntuples(rows); row++) {
    if (PQgetvalue(rows, row, CHANGED_CLAIMED)[0] == 't') {
      claimed[count++] = (struct changed_row){PQgetvalue(rows, row, 0), row};
      continue;
    }
    pass->report->skipped++;
    cursor->hold_us = smaller(cursor->hold_us, sql_integer(rows, row, UPDATED_US, 0) - 1);
  }
  qsort(claimed, count, sizeof *claimed, compare_changed_rows);
  size_t unique = 0;
  for (size_t i = 0; i < count; i++)
    if (unique == 0 || strcmp(claimed[unique - 1].code, claimed[i].code) != 0)
      claimed[unique++] = claimed[i];
  buffer_reset(codes);
  buffer_reset(updated);
  buffer_add(codes, "{");
  buffer_add(updated, "{");
  for (size_t i = 0; i < unique; i++) {
    array_add_text(codes, claimed[i].code);
    array_add_integer(updated, sql_integer(rows, claimed[i].row, UPDATED_US, 0), true);
  }
  buffer_add(codes, "}");
  buffer_add(updated, "}");
  return unique;
}

/* Reads the state of the claimed rows and computes their clocks into the batch's columns. */
static enum status compute_changed(struct pass *pass, const PGresult *rows,
                                   struct changed_cursor *cursor, struct error *error) {
  size_t count = (size_t)PQntuples(rows);
  struct changed_row *claimed = malloc((count > 0 ? count : 1) * sizeof *claimed);
  struct buffer codes = {0}, updated = {0};
  if (claimed == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  size_t unique = claimed_rows(pass, rows, cursor, claimed, &codes, &updated);
  PGresult *states = NULL;
  enum status status = codes.failed || updated.failed
                           ? error_set(error, STATUS_RUNTIME, "out of memory")
                           : STATUS_OK;
  if (status == STATUS_OK && unique > 0) {
    const char *values[] = {codes.data, pass->fingerprint, pass->now_text, updated.data};
    status = sql_query(pass->context->connection, "reading clocks", state_sql, 4, values, &states,
                       error);
  }
  if (status == STATUS_OK && unique > 0 && (size_t)PQntuples(states) != unique)
    status = error_set(error, STATUS_RUNTIME, "reading clocks: %d rows for %zu codes",
                       PQntuples(states), unique);
  for (size_t i = 0; status == STATUS_OK && i < unique; i++) {
    struct pass_dossier dossier;
    if (!pass_row_read_source(rows, claimed[i].row, CHANGED_SOURCE_EXTRA, &pass->scratch,
                              &dossier) ||
        !pass_row_read_state(states, (int)i, 1, &pass->scratch, &dossier))
      status = error_set(error, STATUS_RUNTIME, "out of memory");
    else if (!dossier.unchanged)
      pass_batch_add(pass, &dossier);
  }
  PQclear(states);
  buffer_free(&codes);
  buffer_free(&updated);
  free(claimed);
  return status;
}

/*
 * One transaction of the changed phase. *done when the source has no further changed row.
 * The watermark is stored with the batch: the last row read, or just below a row another
 * instance held (one that lags behind is safe, one ahead would lose rows); and after the last
 * batch the phase's start, under the same hold.
 */
static enum status run_changed_batch(struct pass *pass, struct changed_cursor *cursor, bool *done,
                                     struct error *error) {
  PGconn *connection = pass->context->connection;
  char limit[24];
  snprintf(limit, sizeof limit, "%zu", pass->batch_size);
  PGresult *rows = NULL;
  enum status status = pass_batch_begin(pass, error);
  if (status == STATUS_OK) {
    bool next = cursor->updated_us[0] != '\0';
    const char *values[] = {next ? cursor->updated_us : NULL, next ? cursor->code : NULL,
                            pass->fingerprint, limit};
    status = sql_query(connection, "finding changed dossiers",
                       changed_sql[cursor->very_first][next], 4, values, &rows, error);
  }
  int count = status == STATUS_OK ? PQntuples(rows) : 0;
  *done = (size_t)count < pass->batch_size;
  if (status == STATUS_OK) {
    pass->report->read += (size_t)count;
    status = compute_changed(pass, rows, cursor, error);
  }
  char marks[64];
  int64_t final = smaller(cursor->started_us, cursor->hold_us);
  if (count == 0) {
    snprintf(marks, sizeof marks, "{%" PRId64 "}", final);
  } else {
    int64_t last = smaller(sql_integer(rows, count - 1, UPDATED_US, 0), cursor->hold_us);
    if (*done)
      snprintf(marks, sizeof marks, "{%" PRId64 ",%" PRId64 "}", last, final);
    else
      snprintf(marks, sizeof marks, "{%" PRId64 "}", last);
    snprintf(cursor->updated_us, sizeof cursor->updated_us, "%s",
             PQgetvalue(rows, count - 1, UPDATED_US));
    snprintf(cursor->code, sizeof cursor->code, "%s", PQgetvalue(rows, count - 1, 0));
  }
  PQclear(rows);
  if (count == 0 && status == STATUS_OK) {
    /* Nothing changed: only the watermark moves (no batch to count). */
    status = pass_batch_sync_state(pass, marks, false, error);
    if (status == STATUS_OK)
      status = sql_exec(connection, "committing a batch", "COMMIT", error);
    if (status != STATUS_OK)
      sql_rollback(connection);
    return status;
  }
  return pass_batch_end(pass, status, marks, error);
}

enum status pass_changed_phase(struct pass *pass, const char *watermark_us, int64_t started_us,
                               struct error *error) {
  const struct pass_context *context = pass->context;
  int64_t overlap =
      context->overlap_seconds < 0 ? PASS_DEFAULT_OVERLAP_SECONDS : context->overlap_seconds;
  struct changed_cursor cursor = {
      .very_first = watermark_us[0] == '\0', .hold_us = INT64_MAX, .started_us = started_us};
  if (!context->full && watermark_us[0] != '\0')
    snprintf(cursor.updated_us, sizeof cursor.updated_us, "%" PRId64,
             (int64_t)strtoll(watermark_us, NULL, 10) - overlap * 1000000 - 1);
  bool done = false;
  enum status status = STATUS_OK;
  while (status == STATUS_OK && !done)
    status = run_changed_batch(pass, &cursor, &done, error);
  return status;
}
