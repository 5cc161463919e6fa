/*
 * letter_pdf.c: the letters' bytes in dunghen.letter_pdf (see letter_pdf.h). The listings never
 * select the bytes, so an export of a year holds one PDF in memory at a time.
 */
#include "store/letter_pdf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "store/sql.h"

enum status letter_pdf_store(PGconn *connection, int64_t letter_id, int64_t version,
                             const char *sha256, const void *pdf, size_t size, int64_t now,
                             struct error *error) {
  if (size == 0 || size >= SQL_BYTES_LIMIT)
    return error_set(error, STATUS_RUNTIME, "storing a letter: a PDF of %zu bytes", size);
  char id_text[32], version_text[32], now_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, letter_id);
  snprintf(version_text, sizeof version_text, "%" PRId64, version);
  snprintf(now_text, sizeof now_text, "%" PRId64, now);
  const char *values[] = {id_text, version_text, sha256, pdf, now_text};
  int lengths[] = {0, 0, 0, (int)size, 0};
  int formats[] = {0, 0, 0, 1, 0}; /* the PDF as its bytes, not escaped text */
  PGresult *result =
      PQexecParams(connection,
                   "INSERT INTO dunghen.letter_pdf (letter_id, version, sha256, pdf, stored_at)"
                   " VALUES ($1::bigint, $2::integer, $3, $4::bytea, to_timestamp($5::bigint))"
                   /* The same draft rendered again after a crash rolled back nothing here; an
                    * import racing a renderer stores the same bytes. */
                   " ON CONFLICT (letter_id, version) DO UPDATE SET sha256 = EXCLUDED.sha256,"
                   " pdf = EXCLUDED.pdf, stored_at = EXCLUDED.stored_at",
                   5, NULL, values, lengths, formats, 0);
  enum status status = STATUS_OK;
  if (PQresultStatus(result) != PGRES_COMMAND_OK)
    status = sql_fail(connection, result, "storing a letter's PDF", error);
  PQclear(result);
  return status;
}

/* Every rendered draft: the current one of letter_log and the earlier ones of letter_version. */
// clang-format off
#define DRAFTS_SQL                                                                            \
  "SELECT d.letter_id, d.version, d.dossier_code, l.agency_code, l.year, l.number,"           \
  " d.sha256, d.bytes, EXISTS (SELECT 1 FROM dunghen.letter_pdf p"                            \
  "  WHERE p.letter_id = d.letter_id AND p.version = d.version) AS stored"                    \
  " FROM (SELECT id AS letter_id, version, dossier_code, sha256, bytes, rendered_at"          \
  "  FROM dunghen.letter_log WHERE state IN ('rendered', 'signed')"                          \
  "  UNION ALL SELECT letter_id, version, dossier_code, sha256, bytes, rendered_at"           \
  "  FROM dunghen.letter_version WHERE sha256 IS NOT NULL) d"                                 \
  " JOIN dunghen.letter_log l ON l.id = d.letter_id"
#define DRAFTS_ORDER " ORDER BY l.agency_code, l.year, l.number, d.version"
// clang-format on

enum {
  COLUMN_ID,
  COLUMN_VERSION,
  COLUMN_CODE,
  COLUMN_AGENCY,
  COLUMN_YEAR,
  COLUMN_NUMBER,
  COLUMN_SHA256,
  COLUMN_BYTES,
  COLUMN_STORED,
};

static enum status read_list(PGconn *connection, const char *what, const char *sql, int count,
                             const char *const *values, struct letter_draft_list *list,
                             struct error *error) {
  memset(list, 0, sizeof *list);
  enum status status = sql_query(connection, what, sql, count, values, &list->rows, error);
  if (status != STATUS_OK)
    return status;
  int rows = PQntuples(list->rows);
  list->drafts = calloc(rows > 0 ? (size_t)rows : 1, sizeof *list->drafts);
  if (list->drafts == NULL) {
    letter_draft_list_free(list);
    return error_set(error, STATUS_RUNTIME, "%s: out of memory", what);
  }
  for (int row = 0; row < rows; row++)
    list->drafts[row] = (struct letter_draft){
        .letter_id = sql_integer(list->rows, row, COLUMN_ID, 0),
        .version = sql_integer(list->rows, row, COLUMN_VERSION, 1),
        .dossier_code = sql_text(list->rows, row, COLUMN_CODE),
        .agency_code = sql_text(list->rows, row, COLUMN_AGENCY),
        .year = (int)sql_integer(list->rows, row, COLUMN_YEAR, 0),
        .number = (long)sql_integer(list->rows, row, COLUMN_NUMBER, 0),
        .sha256 = sql_text(list->rows, row, COLUMN_SHA256),
        .bytes = sql_integer(list->rows, row, COLUMN_BYTES, 0),
        .stored = PQgetvalue(list->rows, row, COLUMN_STORED)[0] == 't',
    };
  list->count = (size_t)rows;
  return STATUS_OK;
}

enum status letter_pdf_list(PGconn *connection, const struct letter_draft_filter *filter,
                            struct letter_draft_list *list, struct error *error) {
  char from_text[32], to_text[32];
  if (filter->has_period) {
    snprintf(from_text, sizeof from_text, "%" PRId64,
             civil_instant_from_local(filter->from_day, 0));
    snprintf(to_text, sizeof to_text, "%" PRId64, civil_instant_from_local(filter->to_day + 1, 0));
  }
  char since_text[32];
  snprintf(since_text, sizeof since_text, "%" PRId64, filter->rendered_since);
  const char *values[] = {filter->has_period ? from_text : NULL,
                          filter->has_period ? to_text : NULL, filter->agency_code,
                          filter->has_rendered_since ? since_text : NULL};
  return read_list(connection, "listing letters",
                   DRAFTS_SQL
                   " WHERE ($1::bigint IS NULL OR l.created_at >= to_timestamp($1))"
                   " AND ($2::bigint IS NULL OR l.created_at < to_timestamp($2))"
                   " AND ($3::text IS NULL OR l.agency_code = $3)"
                   " AND ($4::bigint IS NULL OR d.rendered_at >= to_timestamp($4))" DRAFTS_ORDER,
                   4, values, list, error);
}

enum status letter_pdf_list_missing(PGconn *connection, struct letter_draft_list *list,
                                    struct error *error) {
  return read_list(connection, "listing letters without their PDF",
                   "SELECT * FROM (" DRAFTS_SQL ") d WHERE NOT d.stored"
                   " ORDER BY d.agency_code, d.year, d.number, d.version",
                   0, NULL, list, error);
}

enum status letter_pdf_find(PGconn *connection, const struct letter_selector *selector,
                            struct letter_draft_list *list, struct error *error) {
  char year_text[32], number_text[32], version_text[32];
  snprintf(year_text, sizeof year_text, "%d", selector->year);
  snprintf(number_text, sizeof number_text, "%ld", selector->number);
  snprintf(version_text, sizeof version_text, "%" PRId64, selector->version);
  const char *values[] = {selector->dossier_code, selector->agency_code, year_text, number_text,
                          version_text};
  enum status status = read_list(
      connection, "finding a letter",
      DRAFTS_SQL " WHERE CASE WHEN $1::text IS NOT NULL THEN l.dossier_code = $1"
                 " ELSE l.agency_code = $2 AND l.year = $3::integer AND l.number = $4::integer END"
                 " AND CASE WHEN $5::integer = 0 THEN d.version = l.version"
                 " ELSE d.version = $5::integer END",
      5, values, list, error);
  if (status != STATUS_OK || list->count == 1)
    return status;
  letter_draft_list_free(list);
  char which[256], version[48] = "";
  if (selector->dossier_code != NULL)
    snprintf(which, sizeof which, "dossier %s", selector->dossier_code);
  else
    snprintf(which, sizeof which, "number %ld of %s in %d", selector->number, selector->agency_code,
             selector->year);
  if (selector->version != 0)
    snprintf(version, sizeof version, " in version %" PRId64, selector->version);
  return error_set(error, STATUS_INVALID, "no rendered letter for %s%s", which, version);
}

void letter_draft_list_free(struct letter_draft_list *list) {
  free(list->drafts);
  PQclear(list->rows);
  memset(list, 0, sizeof *list);
}

enum status letter_pdf_read(PGconn *connection, const struct letter_draft *draft,
                            unsigned char **pdf, size_t *size, struct error *error) {
  char id_text[32], version_text[32];
  snprintf(id_text, sizeof id_text, "%" PRId64, draft->letter_id);
  snprintf(version_text, sizeof version_text, "%" PRId64, draft->version);
  const char *values[] = {id_text, version_text};
  PGresult *result;
  *pdf = NULL;
  *size = 0;
  enum status status = sql_query_binary(connection, "reading a letter's PDF",
                                        "SELECT pdf FROM dunghen.letter_pdf"
                                        " WHERE letter_id = $1::bigint AND version = $2::integer",
                                        2, values, &result, error);
  if (status != STATUS_OK)
    return status;
  bool found = PQntuples(result) > 0;
  bool good = found && sql_checked_bytes(result, 0, 0, draft->sha256, pdf, size) &&
              (int64_t)*size == draft->bytes;
  PQclear(result);
  if (good)
    return STATUS_OK;
  free(*pdf);
  *pdf = NULL;
  *size = 0;
  if (!found)
    return error_set(error, STATUS_RUNTIME,
                     "letter %ld of %s in %d (version %" PRId64 ") has no PDF in the database",
                     draft->number, draft->agency_code, draft->year, draft->version);
  return error_set(error, STATUS_RUNTIME,
                   "letter %ld of %s in %d (version %" PRId64
                   "): the PDF in the database does not match its recorded sha256 and size",
                   draft->number, draft->agency_code, draft->year, draft->version);
}
