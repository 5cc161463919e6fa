#include "store/raised_escalations.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

enum status raised_escalations_read(PGconn *connection, int64_t raised_at, int64_t after_id,
                                    struct raised_escalations *raised, struct error *error) {
  memset(raised, 0, sizeof *raised);
  char raised_text[32], after_text[32];
  snprintf(raised_text, sizeof raised_text, "%" PRId64, raised_at);
  snprintf(after_text, sizeof after_text, "%" PRId64, after_id);
  const char *values[] = {raised_text, after_text};
  /* escalation_log_raised_at is the index; the clock row by its primary key. */
  enum status status = sql_query(
      connection, "reading the escalations' delays",
      "SELECT e.level, dunghen.epoch(e.deadline), extract(epoch FROM c.source_updated_at)::float8,"
      " e.id FROM dunghen.escalation_log e LEFT JOIN dunghen.clock c ON c.code = e.dossier_code"
      " WHERE e.raised_at = to_timestamp($1::bigint) AND e.id > $2::bigint",
      2, values, &raised->rows, error);
  if (status != STATUS_OK)
    return status;
  int count = PQntuples(raised->rows);
  raised->items = calloc(count > 0 ? (size_t)count : 1, sizeof *raised->items);
  if (raised->items == NULL) {
    raised_escalations_free(raised);
    return error_set(error, STATUS_RUNTIME, "reading the escalations' delays: out of memory");
  }
  for (int row = 0; row < count; row++) {
    const char *updated = sql_text(raised->rows, row, 2);
    raised->items[row] = (struct raised_escalation){
        .id = sql_integer(raised->rows, row, 3, 0),
        .level = PQgetvalue(raised->rows, row, 0),
        .has_deadline = sql_text(raised->rows, row, 1) != NULL,
        .deadline = sql_integer(raised->rows, row, 1, 0),
        .has_source_updated_at = updated != NULL,
        .source_updated_at = updated != NULL ? strtod(updated, NULL) : 0,
    };
  }
  raised->count = (size_t)count;
  return STATUS_OK;
}

void raised_escalations_free(struct raised_escalations *raised) {
  free(raised->items);
  PQclear(raised->rows);
  memset(raised, 0, sizeof *raised);
}
