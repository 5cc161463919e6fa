#include "store/letter_queue.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

/* Claimed in the transaction that records the result: SKIP LOCKED lets other workers pass. */
static const char claim_sql[] =
    "SELECT l.id, l.dossier_code, l.agency_code, l.year, l.number,"
    " dunghen.epoch(l.new_appointment_at), dunghen.epoch(l.created_at),"
    " s.code, s.applicant_name, s.applicant_id, s.applicant_address, s.procedure_code,"
    " dunghen.epoch(s.received_at), dunghen.epoch(coalesce(s.appointment_at, c.deadline)),"
    " s.delay_reason, md5(coalesce(btrim(s.delay_reason), '')), l.version,"
    " l.issued_on - date '1970-01-01', dunghen.epoch(l.promised_at), l.form, l.wording"
    " FROM dunghen.letter_log l"
    " LEFT JOIN LATERAL (SELECT s.*, count(*) OVER () AS copies FROM dunghen.dossier_source s"
    "  WHERE s.code = l.dossier_code LIMIT 1) s ON true"
    " LEFT JOIN dunghen.clock c ON c.code = l.dossier_code"
    /* A code the view returns twice is ambiguous: its letter waits, pending, until the view
     * is fixed (the pass flags the dossier and says why). */
    " WHERE l.state = 'pending' AND coalesce(s.copies, 0) <= 1"
    " ORDER BY l.id LIMIT $1 FOR UPDATE OF l SKIP LOCKED";

enum {
  COLUMN_ID,
  COLUMN_DOSSIER,
  COLUMN_AGENCY,
  COLUMN_YEAR,
  COLUMN_NUMBER,
  COLUMN_NEW_DATE,
  COLUMN_CREATED,
  COLUMN_SOURCE_CODE,
  COLUMN_NAME,
  COLUMN_IDENTITY,
  COLUMN_ADDRESS,
  COLUMN_PROCEDURE,
  COLUMN_RECEIVED,
  COLUMN_PROMISED,
  COLUMN_REASON,
  COLUMN_REASON_MD5,
  COLUMN_VERSION,
  COLUMN_ISSUED_ON,
  COLUMN_PROMISED_AT,
  COLUMN_FORM,
  COLUMN_WORDING,
};

static void read_job(const PGresult *rows, int row, struct letter_job *job) {
  *job = (struct letter_job){
      .id = sql_integer(rows, row, COLUMN_ID, 0),
      .dossier_code = sql_text(rows, row, COLUMN_DOSSIER),
      .agency_code = sql_text(rows, row, COLUMN_AGENCY),
      .year = (int)sql_integer(rows, row, COLUMN_YEAR, 0),
      .number = (long)sql_integer(rows, row, COLUMN_NUMBER, 0),
      .version = sql_integer(rows, row, COLUMN_VERSION, 1),
      .new_appointment_at = sql_integer(rows, row, COLUMN_NEW_DATE, 0),
      .created_at = sql_integer(rows, row, COLUMN_CREATED, 0),
      .in_source = sql_text(rows, row, COLUMN_SOURCE_CODE) != NULL,
      .applicant_name = sql_text(rows, row, COLUMN_NAME),
      .applicant_id = sql_text(rows, row, COLUMN_IDENTITY),
      .applicant_address = sql_text(rows, row, COLUMN_ADDRESS),
      .procedure_code = sql_text(rows, row, COLUMN_PROCEDURE),
      .received_at = sql_integer(rows, row, COLUMN_RECEIVED, 0),
      .promised = sql_integer(rows, row, COLUMN_PROMISED, 0),
      .reason = sql_text(rows, row, COLUMN_REASON),
      .reason_md5 = sql_text(rows, row, COLUMN_REASON_MD5),
      .has_issued_on = sql_text(rows, row, COLUMN_ISSUED_ON) != NULL,
      .issued_on = sql_integer(rows, row, COLUMN_ISSUED_ON, 0),
      .has_promised_at = sql_text(rows, row, COLUMN_PROMISED_AT) != NULL,
      .promised_at = sql_integer(rows, row, COLUMN_PROMISED_AT, 0),
      .form = (int)sql_integer(rows, row, COLUMN_FORM, 0),
      .wording = sql_text(rows, row, COLUMN_WORDING),
  };
}

enum status letter_queue_claim(PGconn *connection, size_t limit, struct letter_queue_batch *batch,
                               struct error *error) {
  memset(batch, 0, sizeof *batch);
  char limit_text[32];
  snprintf(limit_text, sizeof limit_text, "%zu", limit);
  const char *values[] = {limit_text};
  enum status status =
      sql_query(connection, "claiming letters", claim_sql, 1, values, &batch->rows, error);
  if (status != STATUS_OK)
    return status;
  int count = PQntuples(batch->rows);
  batch->jobs = calloc(count > 0 ? (size_t)count : 1, sizeof *batch->jobs);
  if (batch->jobs == NULL) {
    letter_queue_batch_free(batch);
    return error_set(error, STATUS_RUNTIME, "claiming letters: out of memory");
  }
  for (int row = 0; row < count; row++)
    read_job(batch->rows, row, &batch->jobs[row]);
  batch->count = (size_t)count;
  return STATUS_OK;
}

void letter_queue_batch_free(struct letter_queue_batch *batch) {
  free(batch->jobs);
  PQclear(batch->rows);
  memset(batch, 0, sizeof *batch);
}

static enum status record(PGconn *connection, const char *sql, int count, const char *const *values,
                          struct error *error) {
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "recording a letter", sql, count, values, &result, error);
  PQclear(result);
  return status;
}

enum status letter_queue_record_failed(PGconn *connection, int64_t id, const char *reason,
                                       struct error *error) {
  char id_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, id);
  const char *values[] = {id_text, reason};
  return record(connection,
                "UPDATE dunghen.letter_log SET state = 'failed', error = $2 WHERE id = $1", 2,
                values, error);
}

enum status letter_queue_record_rendered(PGconn *connection, int64_t id,
                                         const struct letter_rendering *rendering, int64_t now,
                                         struct error *error) {
  char id_text[32], bytes[32], now_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, id);
  snprintf(bytes, sizeof bytes, "%zu", rendering->bytes);
  snprintf(now_text, sizeof now_text, "%" PRId64, now);
  const char *values[] = {id_text, rendering->path,       rendering->sha256,
                          bytes,   rendering->reason_md5, rendering->reason_missing ? "t" : "f",
                          now_text};
  return record(connection,
                "UPDATE dunghen.letter_log SET state = 'rendered', path = $2, sha256 = $3,"
                " bytes = $4, rendered_at = to_timestamp($7::bigint), error = NULL,"
                " reason_md5 = $5, reason_missing = $6 WHERE id = $1",
                7, values, error);
}

enum status letter_queue_count(PGconn *connection, struct letter_queue_counts *counts,
                               struct error *error) {
  PGresult *rows = NULL;
  enum status status = sql_query(connection, "counting letters",
                                 "SELECT count(*) FILTER (WHERE state = 'pending'),"
                                 " count(*) FILTER (WHERE state = 'rendered'),"
                                 " count(*) FILTER (WHERE state = 'failed'),"
                                 " count(*) FILTER (WHERE state = 'signed')"
                                 " FROM dunghen.letter_log",
                                 0, NULL, &rows, error);
  if (status != STATUS_OK)
    return status;
  counts->pending = sql_integer(rows, 0, 0, 0);
  counts->rendered = sql_integer(rows, 0, 1, 0);
  counts->failed = sql_integer(rows, 0, 2, 0);
  counts->signed_count = sql_integer(rows, 0, 3, 0);
  PQclear(rows);
  return STATUS_OK;
}
