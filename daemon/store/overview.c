#include "store/overview.h"

#include <stdlib.h>
#include <string.h>

#include "store/sql.h"

enum { STATES, LEVELS, LATE };

static const char states_sql[] =
    "SELECT state, count(*) FROM dunghen.clock GROUP BY state ORDER BY count(*) DESC, state";
static const char levels_sql[] =
    "SELECT level, count(*) FROM dunghen.escalation_log GROUP BY level ORDER BY min(id)";
/* An overdue one first: its explanation shows the most. */
static const char late_sql[] =
    "SELECT s.code, s.procedure_code, s.channel,"
    " to_char(s.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI'),"
    " (SELECT string_agg(to_char(p.paused_at AT TIME ZONE 'Asia/Ho_Chi_Minh',"
    "   'YYYY-MM-DD\"T\"HH24:MI') || '/' || coalesce(to_char(p.resumed_at AT TIME ZONE"
    "   'Asia/Ho_Chi_Minh', 'YYYY-MM-DD\"T\"HH24:MI'), 'open'), ' ')"
    "  FROM dunghen.dossier_pause_source p WHERE p.code = s.code)"
    " FROM dunghen.clock c JOIN dunghen.dossier_source s ON s.code = c.code"
    " WHERE c.state IN ('overdue', 'rescheduled', 'overdue_again', 'finished_late')"
    " ORDER BY (c.state = 'overdue') DESC, c.code LIMIT 1";

static enum status read_counts(const PGresult *rows, struct overview_count **counts, size_t *count,
                               struct error *error) {
  int total = PQntuples(rows);
  *counts = calloc(total > 0 ? (size_t)total : 1, sizeof **counts);
  if (*counts == NULL)
    return error_set(error, STATUS_RUNTIME, "summary: out of memory");
  for (int row = 0; row < total; row++)
    (*counts)[row] = (struct overview_count){sql_text(rows, row, 0), sql_integer(rows, row, 1, 0)};
  *count = (size_t)total;
  return STATUS_OK;
}

enum status overview_read(PGconn *connection, struct overview *overview, struct error *error) {
  memset(overview, 0, sizeof *overview);
  const char *const queries[] = {[STATES] = states_sql, [LEVELS] = levels_sql, [LATE] = late_sql};
  enum status status = STATUS_OK;
  for (size_t i = 0; status == STATUS_OK && i < sizeof queries / sizeof queries[0]; i++)
    status = sql_query(connection, "summary", queries[i], 0, NULL, &overview->results[i], error);
  if (status == STATUS_OK)
    status =
        read_counts(overview->results[STATES], &overview->states, &overview->state_count, error);
  if (status == STATUS_OK)
    status =
        read_counts(overview->results[LEVELS], &overview->levels, &overview->level_count, error);
  if (status != STATUS_OK) {
    overview_free(overview);
    return status;
  }
  const PGresult *late = overview->results[LATE];
  overview->has_late_dossier = PQntuples(late) == 1;
  if (overview->has_late_dossier)
    overview->late = (struct overview_late_dossier){
        .code = sql_text(late, 0, 0),
        .procedure_code = sql_text(late, 0, 1),
        .channel = sql_text(late, 0, 2),
        .received = sql_text(late, 0, 3),
        .pauses = sql_text(late, 0, 4),
    };
  return STATUS_OK;
}

void overview_free(struct overview *overview) {
  free(overview->states);
  free(overview->levels);
  for (size_t i = 0; i < sizeof overview->results / sizeof overview->results[0]; i++)
    PQclear(overview->results[i]);
  memset(overview, 0, sizeof *overview);
}
