#include "service/letter_jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "core/dossier.h"
#include "core/sha256.h"
#include "service/clock.h"
#include "service/spool.h"
#include "store/letter_pdf.h"
#include "store/letter_queue.h"
#include "store/transaction.h"

enum job_outcome { JOB_RENDERED, JOB_FAILED };

static const char *or_empty(const char *text) {
  return text != NULL ? text : "";
}

static void spool_name_of(const struct letter_job *job, char *name, size_t size) {
  spool_letter_name(or_empty(job->dossier_code), job->number, (long)job->version, name, size);
}

/*
 * The letter's dates, wording and form as the pass decided them (core/dossier.h). A letter
 * queued before they were stored is dated on the day it was queued, as it was then, and
 * takes its form from the receipt date.
 */
static void decided_letter(const struct letter_job *job, const struct agency *agency,
                           struct letter_input *input) {
  input->letter_day = job->has_issued_on ? job->issued_on : civil_local_day(job->created_at);
  input->promised_at = job->has_promised_at ? job->promised_at : job->promised;
  input->form = job->form == 2018 ? APOLOGY_FORM_2018
                : job->form == 2025
                    ? APOLOGY_FORM_2025
                    : dossier_apology_form(input->received_at, agency->form == AGENCY_FORM_2018);
  input->wording = job->wording != NULL && strcmp(job->wording, "before_deadline") == 0
                       ? APOLOGY_BEFORE_DEADLINE
                       : dossier_apology_wording(job->created_at, input->promised_at);
}

/* Fills the renderer's input from one claimed letter; a message in `why` when it cannot. */
static bool prepare_input(const struct letter_jobs_context *context, const struct letter_job *job,
                          struct letter_input *input, char *why, size_t why_size) {
  if (!job->in_source) {
    snprintf(why, why_size, "the dossier is no longer in dunghen.dossier_source");
    return false;
  }
  const char *agency_code = or_empty(job->agency_code);
  const struct agency *agency = agencies_find(context->agencies, agency_code);
  if (agency == NULL) {
    snprintf(why, why_size, "unknown agency '%s' (not in agencies.yaml)", agency_code);
    return false;
  }
  const char *procedure_code = or_empty(job->procedure_code);
  const struct procedure *procedure = procedures_find(context->procedures, procedure_code);
  *input = (struct letter_input){
      .agency = agency,
      .number = job->number,
      .applicant_name = or_empty(job->applicant_name),
      .applicant_id = or_empty(job->applicant_id),
      .applicant_address = or_empty(job->applicant_address),
      .dossier_code = or_empty(job->dossier_code),
      .procedure_name = procedure != NULL ? procedure->name : procedure_code,
      /* No recorded reason prints a dotted line for the official to fill in before signing:
       * the daemon does not invent why a dossier is late. */
      .reason = or_empty(job->reason),
      .received_at = job->received_at,
      .new_appointment_at = job->new_appointment_at,
  };
  decided_letter(job, agency, input);
  return true;
}

static enum status render_one(const struct letter_jobs_context *context,
                              const struct letter_job *job, struct letter_jobs_report *report,
                              enum job_outcome *outcome, struct error *error) {
  char why[ERROR_MESSAGE_SIZE];
  struct letter_input input;
  if (!prepare_input(context, job, &input, why, sizeof why)) {
    *outcome = JOB_FAILED;
    return letter_queue_record_failed(context->connection, job->id, why, error);
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
    return letter_queue_record_failed(context->connection, job->id, render_error.message, error);
  }
  report->warnings += output.warning_count;
  char name[160];
  spool_name_of(job, name, sizeof name);
  /* The database is the record: the bytes are stored, and the letter marked rendered, in this
   * transaction whatever the spool does. The spool is an export: a file it refuses (full,
   * read-only) is written later (letter_jobs_catch_up, `dunghen letters export`). */
  struct spool_result written = {0};
  struct error spool_error;
  enum status status = STATUS_RUNTIME;
  if (!report->spool_refused)
    status = spool_write(context->spool_directory, input.agency->code, job->year, name, output.pdf,
                         output.size, &written, &spool_error);
  if (status == STATUS_INVALID) {
    letter_output_free(&output);
    *outcome = JOB_FAILED;
    return letter_queue_record_failed(context->connection, job->id, spool_error.message, error);
  }
  if (status == STATUS_RUNTIME) {
    if (!report->spool_refused)
      snprintf(report->spool_reason, sizeof report->spool_reason, "%s", spool_error.message);
    report->spool_refused = true; /* no further attempt in this call: it fails the same way */
    report->spool_behind++;
    spool_file_path(context->spool_directory, input.agency->code, job->year, name, written.path,
                    sizeof written.path);
    sha256_hex(output.pdf, output.size, written.sha256);
    written.size = output.size;
  }
  bool reason_missing = output.reason_missing;
  status = letter_pdf_store(context->connection, job->id, job->version, written.sha256, output.pdf,
                            output.size, context->now, error);
  letter_output_free(&output);
  if (status != STATUS_OK)
    return status;
  snprintf(report->last_path, sizeof report->last_path, "%s", written.path);
  *outcome = JOB_RENDERED;
  struct letter_rendering rendering = {
      .path = written.path,
      .sha256 = written.sha256,
      .bytes = written.size,
      .reason_md5 = or_empty(job->reason_md5),
      .reason_missing = reason_missing,
  };
  return letter_queue_record_rendered(context->connection, job->id, &rendering, context->now,
                                      error);
}

/* One transaction: claim up to `batch` jobs, render them, record the results. Sets *claimed. */
static enum status run_batch(const struct letter_jobs_context *context, size_t batch,
                             struct letter_jobs_report *report, size_t *claimed,
                             struct error *error) {
  *claimed = 0;
  enum status status = transaction_begin(context->connection, "claiming letters", error);
  if (status != STATUS_OK)
    return status;
  struct letter_queue_batch jobs;
  status = letter_queue_claim(context->connection, batch, &jobs, error);
  for (size_t i = 0; status == STATUS_OK && i < jobs.count; i++) {
    enum job_outcome outcome = JOB_FAILED;
    status = render_one(context, &jobs.jobs[i], report, &outcome, error);
    report->rendered += status == STATUS_OK && outcome == JOB_RENDERED;
    report->failed += status == STATUS_OK && outcome == JOB_FAILED;
    (*claimed)++;
  }
  letter_queue_batch_free(&jobs);
  if (status != STATUS_OK) {
    transaction_rollback(context->connection);
    return status;
  }
  return transaction_commit(context->connection, "recording letters", error);
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
