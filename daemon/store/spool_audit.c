/*
 * spool_audit.c: the spool's letters against letter_log and letter_counter (see spool_audit.h).
 */
#include "store/spool_audit.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/array.h"
#include "store/sql.h"
#include "store/transaction.h"

enum { COLUMNS = 5 };

/*
 * The file name carries the dossier code with every byte outside [A-Za-z0-9._-] made '-' and
 * cut at 100 bytes (service/letter_jobs.c), so the database's code is compared in that form.
 * The counters go up only (GREATEST): a number the database gave out is never taken back.
 */
// clang-format off
static const char audit_sql[] =
    "WITH spool AS (SELECT * FROM unnest($1::text[], $2::integer[], $3::integer[], $4::text[],"
    "  $5::text[]) AS s(agency_code, year, number, name, name_draft)),"
    " raised AS (INSERT INTO dunghen.letter_counter AS t (agency_code, year, last_number)"
    "  SELECT agency_code, year, max(number) FROM spool GROUP BY 1, 2 ORDER BY 1, 2"
    "  ON CONFLICT (agency_code, year) DO UPDATE SET last_number = excluded.last_number"
    "  WHERE t.last_number < excluded.last_number RETURNING 1)"
    " SELECT s.agency_code, s.year, s.number, s.name, bool_or(l.id IS NOT NULL),"
    "  (SELECT count(*) FROM raised)"
    " FROM spool s LEFT JOIN dunghen.letter_log l ON l.agency_code = s.agency_code"
    "  AND l.year = s.year AND l.number = s.number"
    " GROUP BY s.agency_code, s.year, s.number, s.name, s.name_draft"
    " HAVING NOT bool_or(left(regexp_replace(l.dossier_code, '[^A-Za-z0-9._-]', '-', 'g'), 100)"
    "  IN (s.name, s.name_draft)) IS TRUE"
    " UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, (SELECT count(*) FROM raised)"
    " ORDER BY 1, 2, 3";
// clang-format on

enum status spool_audit_compare(PGconn *connection, const struct spool_audit_letter *letters,
                                size_t count, struct spool_audit_outcome *outcome,
                                struct error *error) {
  memset(outcome, 0, sizeof *outcome);
  struct buffer columns[COLUMNS] = {0};
  array_columns_open(columns, COLUMNS);
  for (size_t i = 0; i < count; i++) {
    array_add_text(&columns[0], letters[i].agency_code);
    array_add_integer(&columns[1], letters[i].year, true);
    array_add_integer(&columns[2], letters[i].number, true);
    array_add_text(&columns[3], letters[i].name);
    array_add_text(&columns[4], letters[i].name_draft);
  }
  if (!array_columns_close(columns, COLUMNS)) {
    array_columns_free(columns, COLUMNS);
    return error_set(error, STATUS_RUNTIME, "auditing the spool: out of memory");
  }
  const char *values[COLUMNS];
  for (size_t i = 0; i < COLUMNS; i++)
    values[i] = columns[i].data;
  PGresult *result = NULL;
  enum status status = transaction_begin(connection, "auditing the spool", error);
  if (status == STATUS_OK)
    status =
        sql_query(connection, "auditing the spool", audit_sql, COLUMNS, values, &result, error);
  if (status == STATUS_OK)
    status = transaction_commit(connection, "auditing the spool", error);
  else
    transaction_rollback(connection);
  array_columns_free(columns, COLUMNS);
  if (status != STATUS_OK) {
    PQclear(result);
    return status;
  }
  int rows = PQntuples(result);
  outcome->findings = rows > 1 ? calloc((size_t)rows - 1, sizeof *outcome->findings) : NULL;
  if (rows > 1 && outcome->findings == NULL) {
    PQclear(result);
    return error_set(error, STATUS_RUNTIME, "auditing the spool: out of memory");
  }
  for (int row = 0; row < rows; row++) {
    outcome->counters_raised = (size_t)sql_integer(result, row, 5, 0);
    const char *agency = sql_text(result, row, 0);
    if (agency == NULL)
      continue; /* the row that only carries the count */
    struct spool_audit_finding *finding = &outcome->findings[outcome->count++];
    snprintf(finding->agency_code, sizeof finding->agency_code, "%s", agency);
    finding->year = (int)sql_integer(result, row, 1, 0);
    finding->number = (long)sql_integer(result, row, 2, 0);
    const char *name = sql_text(result, row, 3);
    snprintf(finding->name, sizeof finding->name, "%s", name != NULL ? name : "");
    const char *held = sql_text(result, row, 4);
    finding->reused = held != NULL && strcmp(held, "t") == 0;
  }
  PQclear(result);
  return STATUS_OK;
}

void spool_audit_outcome_free(struct spool_audit_outcome *outcome) {
  free(outcome->findings);
  outcome->findings = NULL;
  outcome->count = 0;
}
