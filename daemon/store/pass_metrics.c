/*
 * pass_metrics.c: the passes' results as /metrics reads them (see pass_metrics.h).
 */
#include "store/pass_metrics.h"

#include <stdio.h>
#include <string.h>

#include "core/ladder_state.h"
#include "store/sql.h"

enum status pass_next_due(PGconn *connection, int64_t *next_due, struct error *error) {
  PGresult *result;
  enum status status = sql_query(connection, "reading the next due instant",
                                 "SELECT dunghen.epoch(min(next_instant)) FROM dunghen.clock", 0,
                                 NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  *next_due = sql_integer(result, 0, 0, INT64_MAX);
  PQclear(result);
  return STATUS_OK;
}

static void add_count(struct pass_count *counts, size_t *count, const char *name, int64_t value) {
  for (size_t i = 0; i < *count; i++)
    if (strcmp(counts[i].name, name) == 0) {
      counts[i].value += value;
      return;
    }
  if (*count == PASS_MAX_METRIC_NAMES)
    return;
  snprintf(counts[*count].name, sizeof counts[*count].name, "%s", name);
  counts[*count].value = value;
  (*count)++;
}

enum status pass_metrics_read(PGconn *connection, struct pass_metrics *metrics,
                              struct error *error) {
  memset(metrics, 0, sizeof *metrics);
  metrics->next_due = INT64_MAX;
  for (int state = 0; state < DOSSIER_STATE_COUNT; state++)
    add_count(metrics->states, &metrics->state_count, dossier_state_name((enum dossier_state)state),
              0);
  PGresult *result;
  /* Sorted by name, so that an agency's three counters come together and the agencies in
   * order; an agency whose counters are all zero is left out. */
  enum status status = sql_query(
      connection, "reading metrics",
      "SELECT CASE kind WHEN 'state' THEN 's' WHEN 'level' THEN 'l' WHEN 'letter' THEN 'm'"
      " WHEN 'agency_open' THEN 'o' WHEN 'agency_overdue' THEN 'd' ELSE 'a' END, name,"
      " sum(delta) FROM dunghen.metric_delta GROUP BY kind, name"
      " HAVING kind NOT LIKE 'agency%' OR sum(delta) <> 0"
      " UNION ALL SELECT 'p', '', dunghen.epoch(last_pass_at) FROM dunghen.sync_state"
      " UNION ALL SELECT 'n', '', dunghen.epoch(min(next_instant)) FROM dunghen.clock"
      " UNION ALL SELECT 'v', '', max(version) FROM dunghen.schema_version"
      " ORDER BY 2, 1",
      0, NULL, &result, error);
  if (status != STATUS_OK)
    return status;
  const char *previous_agency = NULL;
  for (int row = 0; row < PQntuples(result); row++) {
    char kind = PQgetvalue(result, row, 0)[0];
    const char *name = PQgetvalue(result, row, 1);
    int64_t value = sql_integer(result, row, 2, INT64_MIN);
    if (kind == 'o' || kind == 'd' || kind == 'a') {
      struct pass_agency_count *agency =
          metrics->agency_count > 0 ? &metrics->agencies[metrics->agency_count - 1] : NULL;
      bool same = previous_agency != NULL && strcmp(previous_agency, name) == 0;
      previous_agency = name;
      if (!same && metrics->agency_count < PASS_MAX_METRIC_AGENCIES) {
        agency = &metrics->agencies[metrics->agency_count++];
        snprintf(agency->code, sizeof agency->code, "%s", name);
      } else if (!same) {
        metrics->agencies_left_out++;
      }
      if (agency == NULL || strcmp(agency->code, name) != 0)
        continue;
      if (kind == 'o')
        agency->open = value;
      else if (kind == 'd')
        agency->overdue = value;
      else
        agency->letters_pending = value;
    } else if (kind == 's') {
      add_count(metrics->states, &metrics->state_count, name, value);
      if (strcmp(name, "flagged") == 0)
        metrics->flagged = value;
    } else if (kind == 'l') {
      add_count(metrics->levels, &metrics->level_count, name, value);
    } else if (kind == 'm') {
      if (strcmp(name, "pending") == 0)
        metrics->letters_pending = value;
      else if (strcmp(name, "rendered") == 0)
        metrics->letters_rendered = value;
      else if (strcmp(name, "failed") == 0)
        metrics->letters_failed = value;
      else if (strcmp(name, "signed") == 0)
        metrics->letters_signed = value;
    } else if (kind == 'p') {
      metrics->last_pass_at = value == INT64_MIN ? 0 : value;
    } else if (kind == 'n') {
      metrics->next_due = value == INT64_MIN ? INT64_MAX : value;
    } else if (kind == 'v') {
      metrics->schema_version = value == INT64_MIN ? 0 : (int)value;
    }
  }
  PQclear(result);
  return STATUS_OK;
}
