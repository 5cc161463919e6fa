#include "store/report_run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "store/array.h"
#include "store/sql.h"
#include "store/transaction.h"

static void day_text(int64_t day, char text[32]) {
  civil_format_date(day, text, 32);
}

enum status report_run_exists(PGconn *connection, const struct report_run_key *key, bool *exists,
                              struct error *error) {
  *exists = false;
  char from[32];
  day_text(key->period.from_day, from);
  const char *values[] = {report_period_kind_name(key->kind), from,
                          report_grouping_name(key->grouping)};
  PGresult *result = NULL;
  enum status status = sql_query(connection, "looking for the scheduled report",
                                 "SELECT 1 FROM dunghen.report_run WHERE period_kind = $1"
                                 " AND period_from = $2::date AND grouping = $3",
                                 3, values, &result, error);
  if (status == STATUS_OK)
    *exists = PQntuples(result) > 0;
  PQclear(result);
  return status;
}

enum status report_run_next_number(PGconn *connection, const char *issuer, int year, long *number,
                                   struct error *error) {
  char year_text[16];
  snprintf(year_text, sizeof year_text, "%d", year);
  const char *values[] = {issuer, year_text};
  PGresult *result = NULL;
  enum status status = sql_query(connection, "numbering the report",
                                 "SELECT coalesce(max(number), 0) + 1 FROM dunghen.report_run"
                                 " WHERE issuer = $1 AND year = $2::integer",
                                 2, values, &result, error);
  if (status == STATUS_OK)
    *number = (long)sql_integer(result, 0, 0, 1);
  PQclear(result);
  return status;
}

// clang-format off
static const char insert_sql[] =
    "INSERT INTO dunghen.report_run (period_kind, period_from, period_to, grouping, issuer,"
    " year, number, report_day, created_at, received, done, in_progress, on_time_share, pdf,"
    " json, sha256, bytes)"
    " VALUES ($1, $2::date, $3::date, $4, $5,"
    " $6::integer, $7::integer, $8::date, to_timestamp($9::bigint), $10::bigint, $11::bigint,"
    " $12::bigint, $13::double precision, $14::bytea,"
    " $15, $16, $17::bigint)"
    " ON CONFLICT DO NOTHING RETURNING id";
// clang-format on

/* The outbox row, only while mail is on (as the triggers of migration 3 decide for events). */
static const char outbox_sql[] =
    "INSERT INTO dunghen.outbox (kind, report_id, agency_code, level, roles, created_at)"
    " SELECT 'report', $1::bigint, $2, 'report', $3::text[], to_timestamp($4::bigint)"
    " WHERE (SELECT enabled FROM dunghen.mail_switch) AND cardinality($3::text[]) > 0";

static enum status insert_run(PGconn *connection, const struct report_run_record *record,
                              int64_t *id, struct error *error) {
  *id = 0;
  char from[32], to[32], day[32], year[16], number[32], created[32], received[32], done[32],
      progress[32], share[64], bytes[32];
  day_text(record->key.period.from_day, from);
  day_text(record->key.period.to_day, to);
  day_text(record->report_day, day);
  snprintf(year, sizeof year, "%d", record->year);
  snprintf(number, sizeof number, "%ld", record->number);
  snprintf(created, sizeof created, "%" PRId64, record->created_at);
  snprintf(received, sizeof received, "%" PRId64, record->received);
  snprintf(done, sizeof done, "%" PRId64, record->done);
  snprintf(progress, sizeof progress, "%" PRId64, record->in_progress);
  snprintf(share, sizeof share, "%.17g", record->on_time_share);
  snprintf(bytes, sizeof bytes, "%zu", record->pdf_size);
  const char *values[] = {report_period_kind_name(record->key.kind),
                          from,
                          to,
                          report_grouping_name(record->key.grouping),
                          record->issuer,
                          year,
                          number,
                          day,
                          created,
                          received,
                          done,
                          progress,
                          record->has_share ? share : NULL,
                          (const char *)record->pdf,
                          record->json,
                          record->sha256,
                          bytes};
  int lengths[17] = {0};
  int formats[17] = {0};
  lengths[13] = (int)record->pdf_size;
  formats[13] = 1; /* the PDF goes as bytes, not as an escaped text */
  PGresult *result = PQexecParams(connection, insert_sql, 17, NULL, values, lengths, formats, 0);
  if (PQresultStatus(result) != PGRES_TUPLES_OK) {
    enum status status = sql_fail(connection, result, "storing the scheduled report", error);
    PQclear(result);
    return status;
  }
  if (PQntuples(result) > 0)
    *id = sql_integer(result, 0, 0, 0);
  PQclear(result);
  return STATUS_OK;
}

static enum status queue_mail(PGconn *connection, const struct report_run_record *record,
                              int64_t id, bool *mailed, struct error *error) {
  struct buffer roles = {0};
  array_columns_open(&roles, 1);
  for (size_t i = 0; record->roles != NULL && record->roles[i] != NULL; i++)
    array_add_text(&roles, record->roles[i]);
  if (!array_columns_close(&roles, 1)) {
    array_columns_free(&roles, 1);
    return error_set(error, STATUS_RUNTIME, "out of memory queueing the report's mail");
  }
  char id_text[32], created[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, id);
  snprintf(created, sizeof created, "%" PRId64, record->created_at);
  const char *values[] = {id_text, record->issuer, roles.data, created};
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "queueing the report's mail", outbox_sql, 4, values, &result, error);
  if (status == STATUS_OK)
    *mailed = strtol(PQcmdTuples(result), NULL, 10) > 0;
  PQclear(result);
  array_columns_free(&roles, 1);
  return status;
}

enum status report_run_store(PGconn *connection, const struct report_run_record *record,
                             enum report_run_outcome *outcome, int64_t *id, bool *mailed,
                             struct error *error) {
  *outcome = REPORT_RUN_ALREADY;
  *id = 0;
  *mailed = false;
  enum status status = transaction_begin(connection, "storing the scheduled report", error);
  if (status == STATUS_OK)
    status = insert_run(connection, record, id, error);
  if (status == STATUS_OK && *id != 0) {
    *outcome = REPORT_RUN_STORED;
    status = queue_mail(connection, record, *id, mailed, error);
  } else if (status == STATUS_OK) {
    bool exists = false;
    status = report_run_exists(connection, &record->key, &exists, error);
    *outcome = exists ? REPORT_RUN_ALREADY : REPORT_RUN_NUMBER_TAKEN;
  }
  if (status == STATUS_OK)
    status = transaction_commit(connection, "storing the scheduled report", error);
  if (status != STATUS_OK) {
    transaction_rollback(connection);
    *outcome = REPORT_RUN_ALREADY;
    *id = 0;
    *mailed = false;
  }
  return status;
}

enum status report_run_latest(PGconn *connection, enum report_period_kind kind,
                              enum report_grouping grouping, bool *any,
                              struct report_period *period, struct error *error) {
  *any = false;
  const char *values[] = {report_period_kind_name(kind), report_grouping_name(grouping)};
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "reading the last scheduled report",
                "SELECT period_from - date '1970-01-01', period_to - date '1970-01-01'"
                " FROM dunghen.report_run WHERE period_kind = $1 AND grouping = $2"
                " ORDER BY period_from DESC LIMIT 1",
                2, values, &result, error);
  if (status == STATUS_OK && PQntuples(result) > 0) {
    *any = true;
    period->from_day = sql_integer(result, 0, 0, 0);
    period->to_day = sql_integer(result, 0, 1, 0);
  }
  PQclear(result);
  return status;
}

enum status report_run_read_pdf(PGconn *connection, int64_t id, unsigned char **pdf, size_t *size,
                                struct error *error) {
  *pdf = NULL;
  *size = 0;
  char id_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, id);
  const char *values[] = {id_text};
  PGresult *result;
  enum status status =
      sql_query_binary(connection, "reading the report's PDF",
                       "SELECT pdf, sha256 FROM dunghen.report_run WHERE id = $1::bigint", 1,
                       values, &result, error);
  if (status != STATUS_OK)
    return status;
  if (PQntuples(result) == 0) {
    PQclear(result);
    return error_set(error, STATUS_RUNTIME, "the report %" PRId64 " is not stored", id);
  }
  bool good = sql_checked_bytes(result, 0, 0, PQgetvalue(result, 0, 1), pdf, size);
  PQclear(result);
  if (good)
    return STATUS_OK;
  return error_set(error, STATUS_RUNTIME,
                   "the report %" PRId64 "'s PDF does not match its recorded sha256", id);
}
