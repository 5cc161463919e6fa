#include "service/letter_jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "core/dossier.h"
#include "service/clock.h"
#include "service/spool.h"
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
  COLUMN_ISSUED_ON, /* a day number; NULL for a letter queued before migration 4 */
  COLUMN_PROMISED_AT,
  COLUMN_FORM,
  COLUMN_WORDING,
};

enum job_outcome { JOB_RENDERED, JOB_FAILED, JOB_BLOCKED };

static const char *text_or_empty(const PGresult *rows, int row, int column) {
  const char *text = sql_text(rows, row, column);
  return text != NULL ? text : "";
}

/* The spool name: the number first, so a directory listing sorts like the register; a
 * re-draft gets its version after the code, so every earlier draft keeps its own file. */
static void spool_name(const char *dossier_code, int64_t number, int64_t version, char *name,
                       size_t size) {
  int used = snprintf(name, size, "%04" PRId64 "_", number);
  size_t at = used > 0 ? (size_t)used : 0;
  for (const char *c = dossier_code; *c != '\0' && at + 1 < size && at < 100; c++) {
    bool safe = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                *c == '.' || *c == '-' || *c == '_';
    name[at++] = safe ? *c : '-';
  }
  name[at] = '\0';
  if (version > 1 && at + 1 < size)
    snprintf(name + at, size - at, ".v%" PRId64, version);
}

static enum status record(PGconn *connection, const char *sql, int count, const char *const *values,
                          struct error *error) {
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "recording a letter", sql, count, values, &result, error);
  PQclear(result);
  return status;
}

static enum status mark_failed(PGconn *connection, const char *id, const char *reason,
                               struct error *error) {
  const char *values[] = {id, reason};
  return record(connection,
                "UPDATE dunghen.letter_log SET state = 'failed', error = $2 WHERE id = $1", 2,
                values, error);
}

/* Records the draft and the reason it printed (its md5, and whether it left dots instead). */
static enum status mark_rendered(PGconn *connection, const char *id,
                                 const struct spool_result *written, const char *reason_md5,
                                 bool reason_missing, struct error *error) {
  char bytes[32];
  snprintf(bytes, sizeof bytes, "%zu", written->size);
  const char *values[] = {id,    written->path, written->sha256,
                          bytes, reason_md5,    reason_missing ? "t" : "f"};
  return record(connection,
                "UPDATE dunghen.letter_log SET state = 'rendered', path = $2, sha256 = $3,"
                " bytes = $4, rendered_at = now(), error = NULL, reason_md5 = $5,"
                " reason_missing = $6 WHERE id = $1",
                6, values, error);
}

/*
 * The letter's dates, wording and form as the pass decided them (core/dossier.h). A letter
 * queued before they were stored is dated on the day it was queued, as it was then, and
 * takes its form from the receipt date.
 */
static void decided_letter(const PGresult *rows, int row, const struct agency *agency,
                           struct letter_input *input) {
  int64_t created_at = sql_integer(rows, row, COLUMN_CREATED, 0);
  int64_t promised = sql_integer(rows, row, COLUMN_PROMISED, 0);
  input->letter_day = sql_integer(rows, row, COLUMN_ISSUED_ON, civil_local_day(created_at));
  input->promised_at = sql_integer(rows, row, COLUMN_PROMISED_AT, promised);
  int64_t form = sql_integer(rows, row, COLUMN_FORM, 0);
  input->form = form == 2018 ? APOLOGY_FORM_2018
                : form == 2025
                    ? APOLOGY_FORM_2025
                    : dossier_apology_form(input->received_at, agency->form == AGENCY_FORM_2018);
  const char *wording = sql_text(rows, row, COLUMN_WORDING);
  input->wording = wording != NULL && strcmp(wording, "before_deadline") == 0
                       ? APOLOGY_BEFORE_DEADLINE
                       : dossier_apology_wording(created_at, input->promised_at);
}

/* Fills the renderer's input from one claimed row; a message in `why` when it cannot. */
static bool prepare_input(const struct letter_jobs_context *context, const PGresult *rows, int row,
                          struct letter_input *input, char *why, size_t why_size) {
  if (sql_text(rows, row, COLUMN_SOURCE_CODE) == NULL) {
    snprintf(why, why_size, "the dossier is no longer in dunghen.dossier_source");
    return false;
  }
  const char *agency_code = text_or_empty(rows, row, COLUMN_AGENCY);
  const struct agency *agency = agencies_find(context->agencies, agency_code);
  if (agency == NULL) {
    snprintf(why, why_size, "unknown agency '%s' (not in agencies.yaml)", agency_code);
    return false;
  }
  const char *procedure_code = text_or_empty(rows, row, COLUMN_PROCEDURE);
  const struct procedure *procedure = procedures_find(context->procedures, procedure_code);
  *input = (struct letter_input){
      .agency = agency,
      .number = (long)sql_integer(rows, row, COLUMN_NUMBER, 0),
      .applicant_name = text_or_empty(rows, row, COLUMN_NAME),
      .applicant_id = text_or_empty(rows, row, COLUMN_IDENTITY),
      .applicant_address = text_or_empty(rows, row, COLUMN_ADDRESS),
      .dossier_code = text_or_empty(rows, row, COLUMN_DOSSIER),
      .procedure_name = procedure != NULL ? procedure->name : procedure_code,
      /* No recorded reason prints a dotted line for the official to fill in before signing:
       * the daemon does not invent why a dossier is late. */
      .reason = text_or_empty(rows, row, COLUMN_REASON),
      .received_at = sql_integer(rows, row, COLUMN_RECEIVED, 0),
      .new_appointment_at = sql_integer(rows, row, COLUMN_NEW_DATE, 0),
  };
  decided_letter(rows, row, agency, input);
  return true;
}

static enum status render_one(const struct letter_jobs_context *context, const PGresult *rows,
                              int row, struct letter_jobs_report *report, enum job_outcome *outcome,
                              struct error *error) {
  const char *id = sql_text(rows, row, COLUMN_ID);
  char why[ERROR_MESSAGE_SIZE];
  struct letter_input input;
  if (!prepare_input(context, rows, row, &input, why, sizeof why)) {
    *outcome = JOB_FAILED;
    return mark_failed(context->connection, id, why, error);
  }
  struct letter_output output;
  struct error render_error;
  double started = clock_monotonic_seconds();
  enum status rendered = letter_render(context->renderer, &input, &output, &render_error);
  if (context->render_seconds != NULL)
    metrics_histogram_observe(context->render_seconds, clock_monotonic_seconds() - started);
  if (rendered != STATUS_OK) {
    if (render_error.status == STATUS_RUNTIME)
      return error_set(error, STATUS_RUNTIME, "%s", render_error.message);
    *outcome = JOB_FAILED;
    return mark_failed(context->connection, id, render_error.message, error);
  }
  report->warnings += output.warning_count;
  char name[160];
  spool_name(input.dossier_code, input.number, sql_integer(rows, row, COLUMN_VERSION, 1), name,
             sizeof name);
  struct spool_result written;
  struct error spool_error;
  enum status status = spool_write(context->spool_directory, input.agency->code,
                                   (int)sql_integer(rows, row, COLUMN_YEAR, 0), name, output.pdf,
                                   output.size, &written, &spool_error);
  bool reason_missing = output.reason_missing;
  letter_output_free(&output);
  if (status == STATUS_RUNTIME) {
    *outcome = JOB_BLOCKED;
    snprintf(report->blocked_reason, sizeof report->blocked_reason, "%s", spool_error.message);
    return STATUS_OK;
  }
  if (status != STATUS_OK) {
    *outcome = JOB_FAILED;
    return mark_failed(context->connection, id, spool_error.message, error);
  }
  snprintf(report->last_path, sizeof report->last_path, "%s", written.path);
  *outcome = JOB_RENDERED;
  return mark_rendered(context->connection, id, &written,
                       text_or_empty(rows, row, COLUMN_REASON_MD5), reason_missing, error);
}

/* One transaction: claim up to `batch` jobs, render them, record the results. Sets *claimed. */
static enum status run_batch(const struct letter_jobs_context *context, size_t batch,
                             struct letter_jobs_report *report, size_t *claimed,
                             struct error *error) {
  *claimed = 0;
  enum status status = sql_exec(context->connection, "claiming letters", "BEGIN", error);
  if (status != STATUS_OK)
    return status;
  char limit[32];
  snprintf(limit, sizeof limit, "%zu", batch);
  const char *values[] = {limit};
  PGresult *rows = NULL;
  status = sql_query(context->connection, "claiming letters", claim_sql, 1, values, &rows, error);
  bool blocked = false;
  for (int row = 0; status == STATUS_OK && !blocked && row < PQntuples(rows); row++) {
    enum job_outcome outcome = JOB_FAILED;
    status = render_one(context, rows, row, report, &outcome, error);
    report->rendered += status == STATUS_OK && outcome == JOB_RENDERED;
    report->failed += status == STATUS_OK && outcome == JOB_FAILED;
    blocked = outcome == JOB_BLOCKED;
    (*claimed)++;
  }
  report->blocked += blocked ? (size_t)(PQntuples(rows) - (int)*claimed + 1) : 0;
  PQclear(rows);
  if (status != STATUS_OK) {
    sql_rollback(context->connection);
    return status;
  }
  if (blocked)
    *claimed = 0; /* stop: the spool refuses files until space or permission returns */
  return sql_exec(context->connection, "recording letters", "COMMIT", error);
}

enum status letter_jobs_run(const struct letter_jobs_context *context,
                            struct letter_jobs_report *report, struct error *error) {
  memset(report, 0, sizeof *report);
  size_t batch = context->batch_size ? context->batch_size : LETTER_JOBS_DEFAULT_BATCH;
  size_t done = 0;
  for (;;) {
    size_t want = batch;
    if (context->limit != 0) {
      if (done >= context->limit)
        break;
      if (context->limit - done < want)
        want = context->limit - done;
    }
    size_t claimed = 0;
    enum status status = run_batch(context, want, report, &claimed, error);
    if (status != STATUS_OK)
      return status;
    if (claimed == 0)
      break;
    done += claimed;
  }
  return STATUS_OK;
}
