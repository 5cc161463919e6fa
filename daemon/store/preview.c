/*
 * preview.c: the open dossiers' facts in batches from a read-only snapshot (see preview.h).
 */
#include "store/preview.h"

#include "store/pass_row.h"
#include "store/sql.h"

/* Columns: store/pass_row.h's source columns, its three extra ones from column 11, then its
 * state columns from column 14. */
enum { SOURCE_EXTRA = PASS_ROW_SOURCE_COLUMNS, STATE_FIRST = PASS_ROW_SOURCE_COLUMNS + 3 };

/* clang-format off */
#define OPEN_CLOCKS \
  " FROM dunghen.clock c WHERE c.state NOT IN" \
  " ('finished_early', 'finished_on_time', 'finished_late', 'closed')"

static const char count_sql[] = "SELECT count(*)" OPEN_CLOCKS;

static const char declare_sql[] =
    "DECLARE preview_dossiers NO SCROLL CURSOR FOR"
    " SELECT s.code, true, s.procedure_code, s.agency_code, s.channel, s.status,"
    " dunghen.epoch(s.received_at), dunghen.epoch(s.finished_at),"
    " coalesce(btrim(s.delay_reason), '') <> '', NULL::text, " PASS_ROW_PAUSES("c.code") ","
    " dunghen.epoch(s.appointment_at), NULL::text,"
    " CASE WHEN c.state = 'flagged' THEN"
    "  (SELECT count(*) FROM dunghen.dossier_source d WHERE d.code = c.code) ELSE 1 END,"
    " true, false, dunghen.epoch(c.deadline), c.episode, dunghen.epoch(c.new_deadline),"
    " dunghen.epoch(c.rescheduled_at), c.state, dunghen.epoch(c.next_instant),"
    " c.flagged_reason, " PASS_ROW_FIRED("c.code") ", dunghen.epoch(c.finished_at)"
    " FROM (SELECT c.*" OPEN_CLOCKS ") c JOIN dunghen.dossier_source s ON s.code = c.code";
/* A FETCH count cannot be a parameter: the batch size is part of the statement. */
#define STRINGIFY(number) #number
#define FETCH_SQL(count) "FETCH FORWARD " STRINGIFY(count) " FROM preview_dossiers"
static const char fetch_sql[] = FETCH_SQL(5000);
_Static_assert(PREVIEW_BATCH_SIZE == 5000, "fetch_sql spells out PREVIEW_BATCH_SIZE");
/* clang-format on */

static enum status read_batches(PGconn *connection, const struct preview_reader *reader,
                                struct error *error) {
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "counting open dossiers", count_sql, 0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  if (reader->total != NULL)
    reader->total(reader->context, sql_integer(result, 0, 0, 0));
  PQclear(result);
  /* The cursor is read to its end: plan for every row, not the first tenth. */
  status = sql_exec(connection, "planning the read", "SET LOCAL cursor_tuple_fraction = 1", error);
  if (status == STATUS_OK)
    status = sql_exec(connection, "opening the open dossiers", declare_sql, error);
  struct pass_row_scratch scratch = {0};
  bool more = status == STATUS_OK;
  while (more) {
    status = sql_query(connection, "reading open dossiers", fetch_sql, 0, NULL, &result, error);
    if (status != STATUS_OK)
      break;
    int rows = PQntuples(result);
    more = rows == PREVIEW_BATCH_SIZE;
    for (int row = 0; status == STATUS_OK && row < rows; row++) {
      struct pass_dossier dossier;
      if (!pass_row_read_source(result, row, SOURCE_EXTRA, &scratch, &dossier) ||
          !pass_row_read_state(result, row, STATE_FIRST, &scratch, &dossier))
        status = error_set(error, STATUS_RUNTIME, "out of memory");
      else
        status = reader->dossier(reader->context, &dossier.facts, error);
    }
    PQclear(result);
    more = more && status == STATUS_OK;
  }
  pass_row_scratch_free(&scratch);
  return status;
}

enum status preview_read(PGconn *connection, const struct preview_reader *reader,
                         struct error *error) {
  enum status status = sql_exec(connection, "starting the read",
                                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error);
  if (status != STATUS_OK)
    return status;
  status = read_batches(connection, reader, error);
  if (status == STATUS_OK)
    return sql_exec(connection, "ending the read", "COMMIT", error);
  sql_rollback(connection);
  return status;
}
