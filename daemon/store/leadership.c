/*
 * leadership.c: a job's runner elected by a session-level advisory lock (see leadership.h).
 */
#include "store/leadership.h"

#include <stdio.h>
#include <string.h>

#include "store/sql.h"

/* Two int4 keys show in pg_locks as classid, objid and objsubid 2. CASE evaluates the lock
 * only when the session does not hold it, so that it never stacks. */
static const char claim_sql[] =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
    "  AND pid = pg_backend_pid() AND granted AND classid = $1::integer::oid"
    "  AND objid = $2::integer::oid AND objsubid = 2)"
    " THEN 1 WHEN pg_try_advisory_lock($1::integer, $2::integer) THEN 1 ELSE 0 END";

const char *leadership_job_name(enum leadership_job job) {
  return job == LEADERSHIP_REPORT ? "report" : "retention";
}

enum status leadership_claim(PGconn *connection, enum leadership_job job, bool *leader,
                             struct error *error) {
  *leader = false;
  char class_text[32], job_text[32];
  snprintf(class_text, sizeof class_text, "%d", (int)LEADERSHIP_CLASS);
  snprintf(job_text, sizeof job_text, "%d", (int)job);
  const char *values[] = {class_text, job_text};
  char what[64];
  snprintf(what, sizeof what, "electing the %s runner", leadership_job_name(job));
  PGresult *result = NULL;
  enum status status = sql_query(connection, what, claim_sql, 2, values, &result, error);
  if (status != STATUS_OK)
    return status;
  *leader = sql_integer(result, 0, 0, 0) == 1;
  PQclear(result);
  return STATUS_OK;
}
