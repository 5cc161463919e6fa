/*
 * report.c: the period's progress figures counted by SQL (see report.h).
 *
 * One statement reads the clocks that matter to the period through two index ranges (see
 * migration 7): those that left processing at or after the period's start (clock_finished_at)
 * and those still open (clock_open_received_at), both received before the period's end. Each
 * clock is judged once, into exactly one cell, by the decisions that core/report.c's notes
 * state; a second statement counts the letters created in the period.
 */
#include "store/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "store/array.h"
#include "store/sql.h"

/*
 * $1 the period's start, $2 its end (exclusive), Unix seconds; $3 the agency, NULL for all
 * (the unnamed statement is planned with the values, so a NULL drops the condition).
 * `key` is the row's group: agency, procedure (field rows come by procedure and
 * rules/report_rules.h merges them) or channel ("other" when the source named none).
 * `cell` is where the clock lands:
 *   flagged                          unclassified (no deadline to judge by);
 *   left processing inside the period: its finished state (early, on time, late: the core's
 *                                    judgement against the statutory deadline, a stopped clock
 *                                    being on time), or withdrawn (closed);
 *   otherwise, open at the period's end: on time when paused, when its clock is stopped (no
 *                                    deadline) or when the deadline is not before the end;
 *                                    overdue when it is.
 * A late dossier (done late, in progress overdue) is without a letter when none was created
 * before the period's end (a join, not a probe per row: a month can hold a hundred thousand late
 * dossiers; a dossier has at most one letter); a rescheduled one missed its new date when it
 * finished inside the period after it, or was still open when that date came before the period's
 * end. The codes come unsorted: an aggregate with ORDER BY keeps PostgreSQL 15 from hashing the
 * groups, and sorting a month's rows costs more than sorting the codes here.
 */
/* clang-format off */
#define AGENCY_FILTER " AND ($3::text IS NULL OR c.agency_code = $3::text)"
#define FIGURES_SQL(key)                                                                       \
  "WITH judged AS (SELECT " key " AS key, c.code, c.channel,"                                 \
  "  c.received_at < to_timestamp($1::bigint) AS carried_over,"                               \
  "  CASE WHEN c.state = 'flagged' THEN 'unclassified'"                                       \
  "   WHEN c.finished_at < to_timestamp($2::bigint) THEN CASE c.state"                        \
  "    WHEN 'finished_early' THEN 'early' WHEN 'finished_on_time' THEN 'on_time'"             \
  "    WHEN 'finished_late' THEN 'late' ELSE 'withdrawn' END"                                 \
  "   WHEN c.state = 'paused' OR c.deadline IS NULL"                                          \
  "    OR c.deadline >= to_timestamp($2::bigint) THEN 'progress_on_time'"                     \
  "   ELSE 'overdue' END AS cell,"                                                            \
  "  c.finished_at, c.episode, c.new_deadline, l.dossier_code IS NOT NULL AS lettered"        \
  " FROM (SELECT * FROM dunghen.clock c WHERE c.finished_at >= to_timestamp($1::bigint)"      \
  "  AND c.received_at < to_timestamp($2::bigint)" AGENCY_FILTER                              \
  "  UNION ALL SELECT * FROM dunghen.clock c WHERE c.finished_at IS NULL"                     \
  "  AND c.received_at < to_timestamp($2::bigint)" AGENCY_FILTER ") c"                        \
  " LEFT JOIN dunghen.letter_log l ON l.dossier_code = c.code"                                \
  "  AND l.created_at < to_timestamp($2::bigint)),"                                           \
  " marked AS (SELECT j.*,"                                                                   \
  "  CASE WHEN j.cell IN ('late', 'overdue') THEN NOT j.lettered END AS without_letter,"      \
  "  j.episode = 2 AND CASE WHEN j.cell IN ('early', 'on_time', 'late')"                      \
  "   THEN j.finished_at > j.new_deadline"                                                    \
  "   WHEN j.cell IN ('progress_on_time', 'overdue')"                                         \
  "   THEN j.new_deadline < to_timestamp($2::bigint) END AS missed"                           \
  "  FROM judged j)"                                                                          \
  " SELECT key,"                                                                              \
  "  count(*) FILTER (WHERE carried_over),"                                                   \
  "  count(*) FILTER (WHERE NOT carried_over AND channel = 'online'),"                        \
  "  count(*) FILTER (WHERE NOT carried_over AND channel = 'direct'),"                        \
  "  count(*) FILTER (WHERE NOT carried_over AND channel = 'postal'),"                        \
  "  count(*) FILTER (WHERE NOT carried_over AND channel IS NULL),"                           \
  "  count(*) FILTER (WHERE cell = 'early'),"                                                 \
  "  count(*) FILTER (WHERE cell = 'on_time'),"                                               \
  "  count(*) FILTER (WHERE cell = 'late'),"                                                  \
  "  count(*) FILTER (WHERE cell = 'progress_on_time'),"                                      \
  "  count(*) FILTER (WHERE cell = 'overdue'),"                                               \
  "  count(*) FILTER (WHERE cell = 'withdrawn'),"                                             \
  "  count(*) FILTER (WHERE cell = 'unclassified'),"                                          \
  "  count(*) FILTER (WHERE missed),"                                                         \
  "  array_agg(code) FILTER (WHERE without_letter)"                                          \
  " FROM marked GROUP BY key"

/* Letters created in the period, under their dossier's group (a letter whose clock is gone
 * keeps its agency). */
#define LETTERS_SQL(key)                                                                       \
  "SELECT " key " AS key, count(*) FROM dunghen.letter_log l"                                 \
  " LEFT JOIN dunghen.clock c ON c.code = l.dossier_code"                                     \
  " WHERE l.created_at >= to_timestamp($1::bigint)"                                           \
  "  AND l.created_at < to_timestamp($2::bigint)"                                             \
  "  AND ($3::text IS NULL OR coalesce(c.agency_code, l.agency_code) = $3::text)"             \
  " GROUP BY 1"

static const char *const figures_sql[] = {
    [REPORT_BY_AGENCY] = FIGURES_SQL("coalesce(c.agency_code, '')"),
    [REPORT_BY_FIELD] = FIGURES_SQL("coalesce(c.procedure_code, '')"),
    [REPORT_BY_PROCEDURE] = FIGURES_SQL("coalesce(c.procedure_code, '')"),
    [REPORT_BY_CHANNEL] = FIGURES_SQL("coalesce(c.channel, 'other')"),
};
static const char *const letters_sql[] = {
    [REPORT_BY_AGENCY] = LETTERS_SQL("coalesce(c.agency_code, l.agency_code, '')"),
    [REPORT_BY_FIELD] = LETTERS_SQL("coalesce(c.procedure_code, '')"),
    [REPORT_BY_PROCEDURE] = LETTERS_SQL("coalesce(c.procedure_code, '')"),
    [REPORT_BY_CHANNEL] = LETTERS_SQL("coalesce(c.channel, 'other')"),
};
/* clang-format on */

enum {
  COLUMN_KEY,
  COLUMN_CARRIED_OVER,
  COLUMN_ONLINE,
  COLUMN_DIRECT,
  COLUMN_POSTAL,
  COLUMN_OTHER,
  COLUMN_EARLY,
  COLUMN_ON_TIME,
  COLUMN_LATE,
  COLUMN_PROGRESS_ON_TIME,
  COLUMN_OVERDUE,
  COLUMN_WITHDRAWN,
  COLUMN_UNCLASSIFIED,
  COLUMN_MISSED,
  COLUMN_CODES,
};

/* The group with `key`, added (zeroed, label = key) when the report has none yet; NULL when
 * memory runs out. Groups are few (agencies, procedures): a linear search is enough. */
static struct report_group *group_for(struct report *report, const char *key) {
  for (size_t i = 0; i < report->group_count; i++)
    if (strcmp(report->groups[i].key, key) == 0)
      return &report->groups[i];
  struct report_group *grown =
      realloc(report->groups, (report->group_count + 1) * sizeof *report->groups);
  if (grown == NULL)
    return NULL;
  report->groups = grown;
  struct report_group *group = &report->groups[report->group_count];
  memset(group, 0, sizeof *group);
  group->key = strdup(key);
  group->label = strdup(key);
  if (group->key == NULL || group->label == NULL) {
    free(group->key);
    free(group->label);
    return NULL;
  }
  report->group_count++;
  return group;
}

static int compare_codes(const void *left, const void *right) {
  return strcmp(*(char *const *)left, *(char *const *)right);
}

/* The codes of an array literal into the group's list, sorted bytewise as the core sorts;
 * false when memory runs out. */
static bool read_codes(const char *literal, struct report_codes *codes) {
  if (literal == NULL)
    return true;
  char *area = malloc(strlen(literal) + 1);
  if (area == NULL)
    return false;
  size_t count = 0;
  struct array_reader reader;
  const char *code;
  array_reader_open(&reader, literal, area);
  while (array_reader_next(&reader, &code))
    count++;
  codes->codes = calloc(count > 0 ? count : 1, sizeof(char *));
  bool ok = codes->codes != NULL;
  array_reader_open(&reader, literal, area);
  while (ok && array_reader_next(&reader, &code)) {
    char *copy = strdup(code != NULL ? code : "");
    ok = copy != NULL;
    if (ok)
      codes->codes[codes->count++] = copy;
  }
  free(area);
  if (ok && codes->count > 1)
    qsort(codes->codes, codes->count, sizeof(char *), compare_codes);
  return ok;
}

static enum status read_figures(PGconn *connection, const struct report_query *query,
                                const char *const *values, struct report *report,
                                struct error *error) {
  PGresult *result;
  enum status status = sql_query(connection, "counting the report's dossiers",
                                 figures_sql[query->grouping], 3, values, &result, error);
  if (status != STATUS_OK)
    return status;
  for (int row = 0; row < PQntuples(result); row++) {
    struct report_group *group = group_for(report, PQgetvalue(result, row, COLUMN_KEY));
    if (group == NULL) {
      PQclear(result);
      return error_set(error, STATUS_RUNTIME, "out of memory for the report");
    }
    struct report_figures *figures = &group->figures;
    figures->carried_over = sql_integer(result, row, COLUMN_CARRIED_OVER, 0);
    figures->received_online = sql_integer(result, row, COLUMN_ONLINE, 0);
    figures->received_direct = sql_integer(result, row, COLUMN_DIRECT, 0);
    figures->received_postal = sql_integer(result, row, COLUMN_POSTAL, 0);
    figures->received_other = sql_integer(result, row, COLUMN_OTHER, 0);
    figures->done_early = sql_integer(result, row, COLUMN_EARLY, 0);
    figures->done_on_time = sql_integer(result, row, COLUMN_ON_TIME, 0);
    figures->done_late = sql_integer(result, row, COLUMN_LATE, 0);
    figures->progress_on_time = sql_integer(result, row, COLUMN_PROGRESS_ON_TIME, 0);
    figures->progress_overdue = sql_integer(result, row, COLUMN_OVERDUE, 0);
    figures->withdrawn = sql_integer(result, row, COLUMN_WITHDRAWN, 0);
    figures->unclassified = sql_integer(result, row, COLUMN_UNCLASSIFIED, 0);
    figures->missed_new_date = sql_integer(result, row, COLUMN_MISSED, 0);
    if (!read_codes(sql_text(result, row, COLUMN_CODES), &group->late_without_letter)) {
      PQclear(result);
      return error_set(error, STATUS_RUNTIME, "out of memory for the report");
    }
  }
  PQclear(result);
  return STATUS_OK;
}

static enum status read_letters(PGconn *connection, const struct report_query *query,
                                const char *const *values, struct report *report,
                                struct error *error) {
  PGresult *result;
  enum status status = sql_query(connection, "counting the report's letters",
                                 letters_sql[query->grouping], 3, values, &result, error);
  if (status != STATUS_OK)
    return status;
  for (int row = 0; row < PQntuples(result); row++) {
    struct report_group *group = group_for(report, PQgetvalue(result, row, 0));
    if (group == NULL) {
      PQclear(result);
      return error_set(error, STATUS_RUNTIME, "out of memory for the report");
    }
    group->figures.letters = sql_integer(result, row, 1, 0);
  }
  PQclear(result);
  return STATUS_OK;
}

static int compare_groups(const void *left, const void *right) {
  return strcmp(((const struct report_group *)left)->key,
                ((const struct report_group *)right)->key);
}

enum status report_read(PGconn *connection, const struct report_query *query, struct report *report,
                        struct error *error) {
  report->period = query->period;
  report->grouping = query->grouping;
  if (query->agency != NULL && (report->agency = strdup(query->agency)) == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report");
  char start[24], end[24];
  snprintf(start, sizeof start, "%lld",
           (long long)civil_instant_from_local(query->period.from_day, 0));
  snprintf(end, sizeof end, "%lld",
           (long long)civil_instant_from_local(query->period.to_day + 1, 0));
  const char *values[] = {start, end, query->agency};
  /* One snapshot for both statements; nothing is written. jit off: compiling these plans
   * costs more than running them over a month's clocks. work_mem: a quarter by procedure hashes
   * hundreds of groups, each with its list of late codes; the default 4 MB would spill them. */
  enum status status = sql_exec(connection, "starting the report",
                                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
                                " SET LOCAL jit = off; SET LOCAL work_mem = '64MB'",
                                error);
  if (status != STATUS_OK)
    return status;
  status = read_figures(connection, query, values, report, error);
  if (status == STATUS_OK)
    status = read_letters(connection, query, values, report, error);
  if (status == STATUS_OK)
    status = sql_exec(connection, "ending the report", "COMMIT", error);
  if (status != STATUS_OK) {
    sql_rollback(connection);
    return status;
  }
  if (report->group_count > 1)
    qsort(report->groups, report->group_count, sizeof *report->groups, compare_groups);
  return STATUS_OK;
}

enum status report_agency_seen(PGconn *connection, const char *agency, bool *seen,
                               struct error *error) {
  const char *values[] = {agency};
  PGresult *result;
  enum status status =
      sql_query(connection, "looking for the agency's dossiers",
                "SELECT EXISTS (SELECT 1 FROM dunghen.clock WHERE agency_code = $1)", 1, values,
                &result, error);
  if (status != STATUS_OK)
    return status;
  *seen = PQgetvalue(result, 0, 0)[0] == 't';
  PQclear(result);
  return STATUS_OK;
}
