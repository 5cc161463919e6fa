#include "store/retention.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "store/leadership.h"
#include "store/sql.h"

/* The closed states, as the partial index of migration 6 names them. */
#define CLOSED_STATES "('finished_early', 'finished_on_time', 'finished_late', 'closed')"

/* $1 the cut-off instant (Unix seconds), $2 the batch size; each returns the rows deleted. */
static const char escalations_sql[] =
    "WITH doomed AS (SELECT e.id FROM dunghen.clock c"
    "  JOIN dunghen.escalation_log e ON e.dossier_code = c.code"
    "  WHERE c.state IN " CLOSED_STATES " AND c.source_updated_at < to_timestamp($1::bigint)"
    "  LIMIT $2::integer),"
    " gone AS (DELETE FROM dunghen.escalation_log e USING doomed d WHERE e.id = d.id"
    "  RETURNING 1)"
    " SELECT count(*) FROM gone";

/* The advisory lock is the pass's: a clock a pass is working on stays. */
static const char clocks_sql[] =
    "WITH doomed AS (SELECT c.code FROM dunghen.clock c"
    "  WHERE c.state IN " CLOSED_STATES " AND c.source_updated_at < to_timestamp($1::bigint)"
    "  ORDER BY c.source_updated_at LIMIT $2::integer),"
    " gone AS (DELETE FROM dunghen.clock c USING doomed d WHERE c.code = d.code"
    "  AND c.state IN " CLOSED_STATES
    "  AND pg_try_advisory_xact_lock(1684368999, hashtext(c.code)) RETURNING 1)"
    " SELECT count(*) FROM gone";

static const char deliveries_sql[] =
    "WITH doomed AS (SELECT id FROM dunghen.delivery_log"
    "  WHERE state IN ('sent', 'failed', 'skipped', 'digested')"
    "  AND coalesce(sent_at, created_at) < to_timestamp($1::bigint) LIMIT $2::integer),"
    " gone AS (DELETE FROM dunghen.delivery_log d USING doomed x WHERE d.id = x.id RETURNING 1)"
    " SELECT count(*) FROM gone";

/* Outbox rows expanded before the cut-off whose deliveries are all gone. */
static const char outbox_sql[] =
    "WITH doomed AS (SELECT o.id FROM dunghen.outbox o"
    "  WHERE o.expanded_at < to_timestamp($1::bigint) AND NOT EXISTS"
    "   (SELECT 1 FROM dunghen.delivery_log d WHERE d.outbox_id = o.id) LIMIT $2::integer),"
    " gone AS (DELETE FROM dunghen.outbox o USING doomed x WHERE o.id = x.id RETURNING 1)"
    " SELECT count(*) FROM gone";

/* Deletes with `sql` in transactions of `batch` rows until a short one; adds to *deleted. */
static enum status delete_in_batches(PGconn *connection, const char *what, const char *sql,
                                     int64_t cutoff, int batch, size_t *deleted, size_t *batches,
                                     struct error *error) {
  char cutoff_text[32], batch_text[32];
  snprintf(cutoff_text, sizeof cutoff_text, "%lld", (long long)cutoff);
  snprintf(batch_text, sizeof batch_text, "%d", batch);
  const char *values[] = {cutoff_text, batch_text};
  for (int round = 0; round < RETENTION_MAX_BATCHES; round++) {
    PGresult *result = NULL;
    enum status status = sql_query(connection, what, sql, 2, values, &result, error);
    if (status != STATUS_OK)
      return status;
    int64_t count = sql_integer(result, 0, 0, 0);
    PQclear(result);
    *deleted += (size_t)count;
    (*batches)++;
    if (count < batch)
      break;
  }
  return STATUS_OK;
}

static int64_t days_before(int64_t now, int days) {
  return now - (int64_t)days * 86400;
}

enum status retention_run(PGconn *connection, const struct retention_policy *policy, int64_t now,
                          struct retention_report *report, struct error *error) {
  memset(report, 0, sizeof *report);
  int batch = policy->batch_size > 0 ? policy->batch_size : RETENTION_DEFAULT_BATCH_SIZE;
  bool deletes = policy->escalation_days > 0 || policy->clock_days > 0 || policy->delivery_days > 0;
  if (!deletes)
    return STATUS_OK;
  /* One runner among the daemons: the others' deletes would only wait on its row locks. */
  enum status status = leadership_claim(connection, LEADERSHIP_RETENTION, &report->leader, error);
  report->elected = status == STATUS_OK;
  if (status != STATUS_OK || !report->leader)
    return status;
  if (policy->escalation_days > 0)
    status = delete_in_batches(connection, "deleting old escalations", escalations_sql,
                               days_before(now, policy->escalation_days), batch,
                               &report->escalations, &report->batches, error);
  if (status == STATUS_OK && policy->clock_days > 0)
    status = delete_in_batches(connection, "deleting old clocks", clocks_sql,
                               days_before(now, policy->clock_days), batch, &report->clocks,
                               &report->batches, error);
  if (status == STATUS_OK && policy->delivery_days > 0)
    status = delete_in_batches(connection, "deleting old deliveries", deliveries_sql,
                               days_before(now, policy->delivery_days), batch, &report->deliveries,
                               &report->batches, error);
  if (status == STATUS_OK && policy->delivery_days > 0)
    status = delete_in_batches(connection, "deleting old outbox rows", outbox_sql,
                               days_before(now, policy->delivery_days), batch, &report->outbox,
                               &report->batches, error);
  return status;
}
