/*
 * letter_signed.c: the signed letters in dunghen.letter_signed (see letter_signed.h).
 */
#include "store/letter_signed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/transaction.h"

/* Why the letter cannot be marked signed: its state now, in words. */
static enum status refusal(PGconn *connection, const struct letter_signed_record *record,
                           struct error *error) {
  char id_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, record->letter_id);
  const char *values[] = {id_text};
  PGresult *rows = NULL;
  enum status status =
      sql_query(connection, "reading a letter's state",
                "SELECT state, version FROM dunghen.letter_log WHERE id = $1::bigint", 1, values,
                &rows, error);
  if (status != STATUS_OK)
    return status;
  const char *state = PQntuples(rows) == 1 ? sql_text(rows, 0, 0) : "missing";
  int64_t version = PQntuples(rows) == 1 ? sql_integer(rows, 0, 1, 0) : 0;
  if (strcmp(state, "signed") == 0)
    status = error_set(error, STATUS_INVALID,
                       "the letter was already taken back signed (version %" PRId64 ")", version);
  else
    status = error_set(error, STATUS_INVALID,
                       "the letter changed meanwhile (now %s, version %" PRId64
                       "): take back a signed copy of its current version",
                       state, version);
  PQclear(rows);
  return status;
}

static enum status store_in_transaction(PGconn *connection,
                                        const struct letter_signed_record *record,
                                        struct error *error) {
  char id_text[32], version_text[32], bytes_text[32], issued_bytes_text[32], count_text[32],
      signed_at_text[32], taken_at_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, record->letter_id);
  snprintf(version_text, sizeof version_text, "%" PRId64, record->version);
  snprintf(bytes_text, sizeof bytes_text, "%zu", record->size);
  snprintf(issued_bytes_text, sizeof issued_bytes_text, "%" PRId64, record->issued_bytes);
  snprintf(count_text, sizeof count_text, "%zu", record->signature_count);
  snprintf(signed_at_text, sizeof signed_at_text, "%" PRId64, record->signed_at);
  snprintf(taken_at_text, sizeof taken_at_text, "%" PRId64, record->taken_at);
  const char *mark[] = {id_text, version_text, record->issued_sha256, issued_bytes_text};
  PGresult *rows = NULL;
  /* The row lock taken here keeps a re-draft or a second take-back out until commit. */
  enum status status = sql_query(connection, "marking a letter signed",
                                 "UPDATE dunghen.letter_log SET state = 'signed'"
                                 " WHERE id = $1::bigint AND version = $2::integer"
                                 " AND state = 'rendered' AND sha256 = $3 AND bytes = $4::bigint"
                                 " RETURNING id",
                                 4, mark, &rows, error);
  if (status != STATUS_OK)
    return status;
  bool marked = PQntuples(rows) == 1;
  PQclear(rows);
  if (!marked)
    return refusal(connection, record, error);
  const char *values[] = {id_text,
                          version_text,
                          record->sha256,
                          bytes_text,
                          (const char *)record->pdf,
                          record->issued_sha256,
                          issued_bytes_text,
                          count_text,
                          record->signer_subject,
                          record->has_signed_at ? signed_at_text : NULL,
                          record->trust,
                          taken_at_text};
  int lengths[12] = {0};
  int formats[12] = {0};
  lengths[4] = (int)record->size;
  formats[4] = 1; /* the PDF as its bytes */
  PGresult *result = PQexecParams(
      connection,
      "INSERT INTO dunghen.letter_signed (letter_id, version, sha256, bytes, pdf, issued_sha256,"
      " issued_bytes, signature_count, signer_subject, signed_at, trust, taken_at)"
      " VALUES ($1::bigint, $2::integer, $3, $4::bigint, $5::bytea, $6, $7::bigint,"
      " $8::integer, $9, to_timestamp($10::bigint), $11, to_timestamp($12::bigint))",
      12, NULL, values, lengths, formats, 0);
  if (PQresultStatus(result) != PGRES_COMMAND_OK)
    status = sql_fail(connection, result, "storing a signed letter", error);
  PQclear(result);
  return status;
}

enum status letter_signed_store(PGconn *connection, const struct letter_signed_record *record,
                                struct error *error) {
  if (record->size == 0 || record->size >= SQL_BYTES_LIMIT)
    return error_set(error, STATUS_INVALID, "a signed letter of %zu bytes", record->size);
  enum status status = transaction_begin(connection, "taking back a signed letter", error);
  if (status != STATUS_OK)
    return status;
  status = store_in_transaction(connection, record, error);
  if (status == STATUS_OK)
    return transaction_commit(connection, "taking back a signed letter", error);
  transaction_rollback(connection);
  return status;
}

enum status letter_signed_read(PGconn *connection, int64_t letter_id, int64_t version,
                               unsigned char **pdf, size_t *size, bool *found,
                               struct error *error) {
  char id_text[32], version_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, letter_id);
  snprintf(version_text, sizeof version_text, "%" PRId64, version);
  const char *values[] = {id_text, version_text};
  PGresult *result;
  *pdf = NULL;
  *size = 0;
  *found = false;
  enum status status = sql_query_binary(connection, "reading a signed letter",
                                        "SELECT pdf, sha256 FROM dunghen.letter_signed"
                                        " WHERE letter_id = $1::bigint AND version = $2::integer",
                                        2, values, &result, error);
  if (status != STATUS_OK)
    return status;
  if (PQntuples(result) == 0) {
    PQclear(result);
    return STATUS_OK;
  }
  *found = sql_checked_bytes(result, 0, 0, PQgetvalue(result, 0, 1), pdf, size);
  PQclear(result);
  if (*found)
    return STATUS_OK;
  return error_set(error, STATUS_RUNTIME,
                   "letter %" PRId64 " (version %" PRId64
                   "): the signed PDF in the database does not match its recorded sha256",
                   letter_id, version);
}
