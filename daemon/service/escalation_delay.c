#include "service/escalation_delay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/ladder_state.h"
#include "store/sql.h"

double escalation_delay_now(const struct clock *clock) {
  if (clock->simulated)
    return (double)clock_now(clock);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

enum status escalation_delay_observe(PGconn *connection, const struct calendar *calendar,
                                     const struct ladder *ladder, int64_t raised_at,
                                     double committed_at, int64_t *seen_id,
                                     struct metrics_histogram *histogram, struct error *error) {
  char raised_text[32], seen_text[32];
  snprintf(raised_text, sizeof raised_text, "%" PRId64, raised_at);
  snprintf(seen_text, sizeof seen_text, "%" PRId64, *seen_id);
  const char *values[] = {raised_text, seen_text};
  PGresult *result;
  /* escalation_log_raised_at is the index; the clock row by its primary key. */
  enum status status = sql_query(
      connection, "reading the escalations' delays",
      "SELECT e.level, dunghen.epoch(e.deadline), extract(epoch FROM c.source_updated_at)::float8,"
      " e.id FROM dunghen.escalation_log e LEFT JOIN dunghen.clock c ON c.code = e.dossier_code"
      " WHERE e.raised_at = to_timestamp($1::bigint) AND e.id > $2::bigint",
      2, values, &result, error);
  if (status != STATUS_OK)
    return status;
  for (int row = 0; row < PQntuples(result); row++) {
    int64_t id = sql_integer(result, row, 3, 0);
    if (id > *seen_id)
      *seen_id = id;
    double owed = -1;
    int index = ladder_find(ladder, PQgetvalue(result, row, 0));
    int64_t anchor = sql_integer(result, row, 1, INT64_MIN);
    if (index >= 0 && anchor != INT64_MIN) {
      int64_t due = ladder_offset_instant(calendar, &ladder->levels[index].offset, anchor);
      if (due != LADDER_NEVER && due <= raised_at)
        owed = (double)due;
    }
    const char *updated = sql_text(result, row, 2);
    if (updated != NULL && strtod(updated, NULL) > owed)
      owed = strtod(updated, NULL);
    if (owed >= 0)
      metrics_histogram_observe(histogram, committed_at - owed);
  }
  PQclear(result);
  return STATUS_OK;
}
