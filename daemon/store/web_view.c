/*
 * web_view.c: the web view's read-only statements (see web_view.h).
 */
#include "store/web_view.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buffer.h"
#include "store/sql.h"

/* The deadline that runs now, as migration 014's indexes hold it: keep the three in step. */
#define DUE_SQL "coalesce(c.new_deadline, c.deadline, 'infinity'::timestamptz)"

/* The clock states of an open dossier: these rows have no finished_at (migration 7), which is
 * what the partial indexes of migration 014 hold. */
static const char *const open_states[] = {"on_track",      "due_soon", "overdue", "rescheduled",
                                          "overdue_again", "paused",   NULL};

static bool is_open_state(const char *state) {
  for (size_t index = 0; open_states[index] != NULL; index++)
    if (strcmp(open_states[index], state) == 0)
      return true;
  return false;
}

static bool has_value(const PGresult *result, int row, int column) {
  return !PQgetisnull(result, row, column);
}

static void format_integer(char text[32], int64_t value) {
  snprintf(text, 32, "%" PRId64, value);
}

/* ---- overview ---- */

enum status web_view_read_counts(PGconn *connection, const char *agency,
                                 struct web_view_counts *counts, struct error *error) {
  memset(counts, 0, sizeof *counts);
  const char *values[] = {agency};
  // clang-format off
  enum status status = sql_query(connection, "counting the agencies' dossiers",
      "WITH d AS (SELECT agency_code,"
      "   count(*) FILTER (WHERE state = 'on_track') AS on_track,"
      "   count(*) FILTER (WHERE state = 'due_soon') AS due_soon,"
      "   count(*) FILTER (WHERE state = 'overdue') AS overdue,"
      "   count(*) FILTER (WHERE state = 'rescheduled') AS rescheduled,"
      "   count(*) FILTER (WHERE state = 'overdue_again') AS overdue_again,"
      "   count(*) FILTER (WHERE state = 'paused') AS paused,"
      "   count(*) FILTER (WHERE state = 'flagged') AS flagged"
      "  FROM dunghen.clock WHERE finished_at IS NULL"
      "   AND ($1::text IS NULL OR agency_code = $1) GROUP BY agency_code),"
      " l AS (SELECT agency_code, count(*) AS waiting FROM dunghen.letter_log"
      "  WHERE state = 'rendered' AND ($1::text IS NULL OR agency_code = $1)"
      "  GROUP BY agency_code)"
      " SELECT coalesce(d.agency_code, l.agency_code), d.on_track, d.due_soon, d.overdue,"
      "  d.rescheduled, d.overdue_again, d.paused, d.flagged, l.waiting"
      " FROM d FULL JOIN l ON l.agency_code = d.agency_code"
      " ORDER BY 1 NULLS LAST",
      1, values, &counts->results[0], error);
  // clang-format on
  if (status != STATUS_OK)
    return status;
  PGresult *result = counts->results[0];
  int rows = PQntuples(result);
  counts->agencies = calloc((size_t)rows + 1, sizeof *counts->agencies);
  if (counts->agencies == NULL) {
    web_view_counts_free(counts);
    return error_set(error, STATUS_RUNTIME, "out of memory for the overview");
  }
  for (int row = 0; row < rows; row++) {
    counts->agencies[row] = (struct web_view_agency_counts){
        .agency_code = sql_text(result, row, 0),
        .on_track = sql_integer(result, row, 1, 0),
        .due_soon = sql_integer(result, row, 2, 0),
        .overdue = sql_integer(result, row, 3, 0),
        .rescheduled = sql_integer(result, row, 4, 0),
        .overdue_again = sql_integer(result, row, 5, 0),
        .paused = sql_integer(result, row, 6, 0),
        .flagged = sql_integer(result, row, 7, 0),
        .letters_waiting = sql_integer(result, row, 8, 0),
    };
  }
  counts->count = (size_t)rows;
  return STATUS_OK;
}

void web_view_counts_free(struct web_view_counts *counts) {
  free(counts->agencies);
  for (size_t index = 0; index < sizeof counts->results / sizeof counts->results[0]; index++)
    PQclear(counts->results[index]);
  memset(counts, 0, sizeof *counts);
}

/* ---- dossier list ---- */

/* `text` with LIKE's special characters escaped (the default escape, a backslash). */
static void add_like_escaped(struct buffer *buffer, const char *text) {
  for (; *text != '\0'; text++) {
    if (*text == '%' || *text == '_' || *text == '\\')
      buffer_add(buffer, "\\");
    buffer_append(buffer, text, 1);
  }
}

/* The list's statement and its parameters (`values` holds 8, `numbers` their texts). With
 * `exact`, the text is a whole code (the clock's primary key finds it); else a code prefix or a
 * part of the applicant's name, searched in the source view. */
static int list_sql(const struct web_view_list_query *query, bool exact, struct buffer *sql,
                    struct buffer *pattern, const char *values[8], char numbers[2][32]) {
  int count = 0;
  buffer_add(sql, "SELECT c.code, c.procedure_code, c.agency_code, c.state, c.episode,"
                  " dunghen.epoch(" DUE_SQL "), c.remaining_seconds, dunghen.epoch(c.received_at)"
                  " FROM dunghen.clock c WHERE true");
  /* An open dossier's rows are read through the partial indexes, which hold only those. */
  if (query->state != NULL && (strcmp(query->state, "open") == 0 || is_open_state(query->state)))
    buffer_add(sql, " AND c.finished_at IS NULL");
  if (query->state != NULL && strcmp(query->state, "open") != 0) {
    values[count++] = query->state;
    buffer_add_format(sql, " AND c.state = $%d", count);
  }
  if (query->agency != NULL) {
    values[count++] = query->agency;
    buffer_add_format(sql, " AND c.agency_code = $%d", count);
  }
  if (query->procedure != NULL) {
    values[count++] = query->procedure;
    buffer_add_format(sql, " AND c.procedure_code = $%d", count);
  }
  if (query->text != NULL && exact) {
    values[count++] = query->text;
    buffer_add_format(sql, " AND c.code = $%d", count);
  } else if (query->text != NULL) {
    add_like_escaped(pattern, query->text);
    values[count++] = pattern->data != NULL ? pattern->data : "";
    buffer_add_format(
        sql,
        " AND c.code IN (SELECT s.code FROM dunghen.dossier_source s"
        " WHERE s.code LIKE $%d || '%%' OR s.applicant_name ILIKE '%%' || $%d || '%%')",
        count, count);
  }
  if (query->after != NULL) {
    if (query->after->none) {
      values[count++] = NULL;
    } else {
      format_integer(numbers[0], query->after->deadline);
      values[count++] = numbers[0];
    }
    values[count++] = query->after->code;
    buffer_add_format(sql,
                      " AND (" DUE_SQL ", c.code) > (CASE WHEN $%d::bigint IS NULL THEN"
                      " 'infinity'::timestamptz ELSE to_timestamp($%d::bigint) END, $%d::text)",
                      count - 1, count - 1, count);
  }
  format_integer(numbers[1], (int64_t)query->limit + 1);
  values[count++] = numbers[1];
  buffer_add_format(sql, " ORDER BY " DUE_SQL ", c.code LIMIT $%d::bigint", count);
  return count;
}

static enum status run_list(PGconn *connection, const struct web_view_list_query *query, bool exact,
                            const char *prefix, PGresult **result, struct error *error) {
  const char *values[8];
  char numbers[2][32];
  struct buffer sql = {0}, pattern = {0};
  buffer_add(&sql, prefix);
  int count = list_sql(query, exact, &sql, &pattern, values, numbers);
  enum status status;
  if (sql.failed || pattern.failed)
    status = error_set(error, STATUS_RUNTIME, "out of memory for the dossier list");
  else
    status = sql_query(connection, "listing dossiers", sql.data, count, values, result, error);
  buffer_free(&sql);
  buffer_free(&pattern);
  return status;
}

enum status web_view_explain_list(PGconn *connection, const struct web_view_list_query *query,
                                  char **plan, struct error *error) {
  *plan = NULL;
  PGresult *result = NULL;
  enum status status = run_list(connection, query, false, "EXPLAIN ", &result, error);
  if (status != STATUS_OK)
    return status;
  struct buffer text = {0};
  for (int row = 0; row < PQntuples(result); row++) {
    buffer_add(&text, PQgetvalue(result, row, 0));
    buffer_add(&text, "\n");
  }
  PQclear(result);
  if (text.failed || text.data == NULL) {
    buffer_free(&text);
    return error_set(error, STATUS_RUNTIME, "out of memory for a plan");
  }
  *plan = text.data;
  return STATUS_OK;
}

enum status web_view_read_list(PGconn *connection, const struct web_view_list_query *query,
                               struct web_view_list *list, struct error *error) {
  memset(list, 0, sizeof *list);
  /* A whole code is what officials paste most: looked up by key first, so that it answers
   * at once; only when no code is the text is the source searched (a scan of the view). */
  enum status status = run_list(connection, query, query->text != NULL, "", &list->result, error);
  if (status == STATUS_OK && query->text != NULL && PQntuples(list->result) == 0) {
    PQclear(list->result);
    list->result = NULL;
    status = run_list(connection, query, false, "", &list->result, error);
  }
  if (status != STATUS_OK)
    return status;
  PGresult *result = list->result;
  int rows = PQntuples(result);
  list->rows = calloc((size_t)rows + 1, sizeof *list->rows);
  if (list->rows == NULL) {
    web_view_list_free(list);
    return error_set(error, STATUS_RUNTIME, "out of memory for the dossier list");
  }
  size_t shown = (size_t)rows > query->limit ? query->limit : (size_t)rows;
  list->has_more = (size_t)rows > query->limit;
  for (size_t index = 0; index < shown; index++) {
    int row = (int)index;
    list->rows[index] = (struct web_view_list_row){
        .code = sql_text(result, row, 0),
        .procedure_code = sql_text(result, row, 1),
        .agency_code = sql_text(result, row, 2),
        .state = sql_text(result, row, 3),
        .episode = (int)sql_integer(result, row, 4, 1),
        .has_deadline = has_value(result, row, 5),
        .deadline = sql_integer(result, row, 5, 0),
        .has_remaining = has_value(result, row, 6),
        .remaining_seconds = sql_integer(result, row, 6, 0),
        .has_received = has_value(result, row, 7),
        .received_at = sql_integer(result, row, 7, 0),
    };
  }
  list->count = shown;
  return STATUS_OK;
}

void web_view_list_free(struct web_view_list *list) {
  free(list->rows);
  PQclear(list->result);
  memset(list, 0, sizeof *list);
}

/* ---- one dossier ---- */

enum { RESULT_CLOCK, RESULT_SOURCE, RESULT_PAUSES, RESULT_ESCALATIONS, RESULT_LETTERS };

// clang-format off
static const char *const dossier_sql[] = {
    [RESULT_CLOCK] =
        "SELECT code, agency_code, procedure_code, state, episode, dunghen.epoch(deadline),"
        " dunghen.epoch(new_deadline), dunghen.epoch(rescheduled_at), remaining_seconds,"
        " dunghen.epoch(computed_at), flagged_reason"
        " FROM dunghen.clock WHERE code = $1",
    [RESULT_SOURCE] =
        "SELECT code, agency_code, procedure_code, applicant_name, applicant_id,"
        " applicant_address, summary, channel, status, delay_reason,"
        " dunghen.epoch(received_at), dunghen.epoch(appointment_at), dunghen.epoch(finished_at)"
        " FROM dunghen.dossier_source WHERE code = $1 LIMIT 1",
    [RESULT_PAUSES] =
        "SELECT dunghen.epoch(paused_at), dunghen.epoch(resumed_at), kind"
        " FROM dunghen.dossier_pause_source WHERE code = $1"
        " ORDER BY paused_at NULLS FIRST, resumed_at NULLS LAST",
    [RESULT_ESCALATIONS] =
        "SELECT level, episode, dunghen.epoch(raised_at), reason,"
        " array_to_string(recipients, ', '), action, dunghen.epoch(deadline)"
        " FROM dunghen.escalation_log WHERE dossier_code = $1 ORDER BY raised_at, id",
    [RESULT_LETTERS] =
        "SELECT l.id, l.year, l.number, l.state, dunghen.epoch(l.created_at),"
        " dunghen.epoch(l.new_appointment_at), coalesce(l.reason_missing, false),"
        " d.version, d.current, dunghen.epoch(d.rendered_at), dunghen.epoch(d.superseded_at),"
        " d.bytes, EXISTS (SELECT 1 FROM dunghen.letter_pdf p"
        "  WHERE p.letter_id = l.id AND p.version = d.version)"
        " FROM dunghen.letter_log l"
        " LEFT JOIN LATERAL (SELECT l.version, true AS current, l.rendered_at,"
        "   NULL::timestamptz AS superseded_at, l.bytes WHERE l.state = 'rendered'"
        "  UNION ALL SELECT v.version, false, v.rendered_at, v.superseded_at, v.bytes"
        "  FROM dunghen.letter_version v WHERE v.letter_id = l.id) d ON true"
        " WHERE l.dossier_code = $1 ORDER BY l.id, d.version DESC",
};
// clang-format on

static void read_clock(struct web_view_dossier *dossier) {
  const PGresult *result = dossier->results[RESULT_CLOCK];
  if (PQntuples(result) == 0)
    return;
  dossier->has_clock = true;
  dossier->code = sql_text(result, 0, 0);
  dossier->agency_code = sql_text(result, 0, 1);
  dossier->procedure_code = sql_text(result, 0, 2);
  dossier->state = sql_text(result, 0, 3);
  dossier->episode = (int)sql_integer(result, 0, 4, 1);
  dossier->has_deadline = has_value(result, 0, 5);
  dossier->deadline = sql_integer(result, 0, 5, 0);
  dossier->has_new_deadline = has_value(result, 0, 6);
  dossier->new_deadline = sql_integer(result, 0, 6, 0);
  dossier->has_rescheduled = has_value(result, 0, 7);
  dossier->rescheduled_at = sql_integer(result, 0, 7, 0);
  dossier->has_remaining = has_value(result, 0, 8);
  dossier->remaining_seconds = sql_integer(result, 0, 8, 0);
  dossier->has_computed = has_value(result, 0, 9);
  dossier->computed_at = sql_integer(result, 0, 9, 0);
  dossier->flagged_reason = sql_text(result, 0, 10);
}

static void read_source(struct web_view_dossier *dossier) {
  const PGresult *result = dossier->results[RESULT_SOURCE];
  if (PQntuples(result) == 0)
    return;
  dossier->has_source = true;
  if (!dossier->has_clock) {
    dossier->code = sql_text(result, 0, 0);
    dossier->agency_code = sql_text(result, 0, 1);
    dossier->procedure_code = sql_text(result, 0, 2);
  }
  dossier->applicant_name = sql_text(result, 0, 3);
  dossier->applicant_id = sql_text(result, 0, 4);
  dossier->applicant_address = sql_text(result, 0, 5);
  dossier->summary = sql_text(result, 0, 6);
  dossier->channel = sql_text(result, 0, 7);
  dossier->status = sql_text(result, 0, 8);
  dossier->delay_reason = sql_text(result, 0, 9);
  dossier->has_received = has_value(result, 0, 10);
  dossier->received_at = sql_integer(result, 0, 10, 0);
  dossier->has_appointment = has_value(result, 0, 11);
  dossier->appointment_at = sql_integer(result, 0, 11, 0);
  dossier->has_finished = has_value(result, 0, 12);
  dossier->finished_at = sql_integer(result, 0, 12, 0);
}

static bool read_lists(struct web_view_dossier *dossier) {
  const PGresult *pauses = dossier->results[RESULT_PAUSES];
  const PGresult *escalations = dossier->results[RESULT_ESCALATIONS];
  const PGresult *letters = dossier->results[RESULT_LETTERS];
  int pause_rows = PQntuples(pauses), escalation_rows = PQntuples(escalations);
  int letter_rows = PQntuples(letters);
  dossier->pauses = calloc((size_t)pause_rows + 1, sizeof *dossier->pauses);
  dossier->escalations = calloc((size_t)escalation_rows + 1, sizeof *dossier->escalations);
  dossier->letters = calloc((size_t)letter_rows + 1, sizeof *dossier->letters);
  struct web_view_letter_draft *drafts = calloc((size_t)letter_rows + 1, sizeof *drafts);
  if (dossier->pauses == NULL || dossier->escalations == NULL || dossier->letters == NULL ||
      drafts == NULL) {
    free(drafts);
    return false;
  }
  for (int row = 0; row < pause_rows; row++)
    dossier->pauses[row] = (struct web_view_pause){
        .has_from = has_value(pauses, row, 0),
        .from = sql_integer(pauses, row, 0, 0),
        .has_to = has_value(pauses, row, 1),
        .to = sql_integer(pauses, row, 1, 0),
        .kind = sql_text(pauses, row, 2),
    };
  dossier->pause_count = (size_t)pause_rows;
  for (int row = 0; row < escalation_rows; row++)
    dossier->escalations[row] = (struct web_view_escalation){
        .level = sql_text(escalations, row, 0),
        .episode = (int)sql_integer(escalations, row, 1, 1),
        .raised_at = sql_integer(escalations, row, 2, 0),
        .reason = sql_text(escalations, row, 3),
        .recipients = sql_text(escalations, row, 4),
        .action = sql_text(escalations, row, 5),
        .has_deadline = has_value(escalations, row, 6),
        .deadline = sql_integer(escalations, row, 6, 0),
    };
  dossier->escalation_count = (size_t)escalation_rows;
  /* The letters' rows come by letter, newest draft first: one letter per run of ids, its
   * drafts in one array that the letters share (the first letter owns it). */
  size_t draft_count = 0;
  for (int row = 0; row < letter_rows; row++) {
    int64_t id = sql_integer(letters, row, 0, 0);
    struct web_view_letter *letter = NULL;
    if (dossier->letter_count > 0 && dossier->letters[dossier->letter_count - 1].id == id)
      letter = &dossier->letters[dossier->letter_count - 1];
    if (letter == NULL) {
      letter = &dossier->letters[dossier->letter_count++];
      *letter = (struct web_view_letter){
          .id = id,
          .year = (int)sql_integer(letters, row, 1, 0),
          .number = (long)sql_integer(letters, row, 2, 0),
          .state = sql_text(letters, row, 3),
          .created_at = sql_integer(letters, row, 4, 0),
          .has_new_appointment = has_value(letters, row, 5),
          .new_appointment_at = sql_integer(letters, row, 5, 0),
          .reason_missing = strcmp(PQgetvalue(letters, row, 6), "t") == 0,
          .drafts = &drafts[draft_count],
      };
    }
    if (!has_value(letters, row, 7))
      continue;
    drafts[draft_count++] = (struct web_view_letter_draft){
        .version = sql_integer(letters, row, 7, 0),
        .current = strcmp(PQgetvalue(letters, row, 8), "t") == 0,
        .has_rendered = has_value(letters, row, 9),
        .rendered_at = sql_integer(letters, row, 9, 0),
        .has_superseded = has_value(letters, row, 10),
        .superseded_at = sql_integer(letters, row, 10, 0),
        .bytes = sql_integer(letters, row, 11, 0),
        .stored = strcmp(PQgetvalue(letters, row, 12), "t") == 0,
    };
    letter->draft_count++;
  }
  if (dossier->letter_count == 0)
    free(drafts);
  return true;
}

enum status web_view_read_dossier(PGconn *connection, const char *code,
                                  struct web_view_dossier *dossier, struct error *error) {
  memset(dossier, 0, sizeof *dossier);
  const char *values[] = {code};
  enum status status = sql_exec(connection, "starting the dossier page",
                                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", error);
  if (status != STATUS_OK)
    return status;
  static const char *const what[] = {
      [RESULT_CLOCK] = "reading the dossier's clock",
      [RESULT_SOURCE] = "reading the dossier's source row",
      [RESULT_PAUSES] = "reading the dossier's pauses",
      [RESULT_ESCALATIONS] = "reading the dossier's escalations",
      [RESULT_LETTERS] = "reading the dossier's letters",
  };
  for (size_t index = 0; index < sizeof dossier_sql / sizeof dossier_sql[0]; index++) {
    status = sql_query(connection, what[index], dossier_sql[index], 1, values,
                       &dossier->results[index], error);
    if (status != STATUS_OK)
      break;
    /* Nothing else to read about a code that neither the clock nor the source knows. */
    if (index == RESULT_SOURCE && PQntuples(dossier->results[RESULT_CLOCK]) == 0 &&
        PQntuples(dossier->results[RESULT_SOURCE]) == 0)
      break;
  }
  if (status == STATUS_OK)
    status = sql_exec(connection, "ending the dossier page", "COMMIT", error);
  if (status != STATUS_OK) {
    sql_rollback(connection);
    web_view_dossier_free(dossier);
    return status;
  }
  read_clock(dossier);
  read_source(dossier);
  dossier->found = dossier->has_clock || dossier->has_source;
  if (dossier->found && !read_lists(dossier)) {
    web_view_dossier_free(dossier);
    return error_set(error, STATUS_RUNTIME, "out of memory for the dossier page");
  }
  return STATUS_OK;
}

void web_view_dossier_free(struct web_view_dossier *dossier) {
  free(dossier->pauses);
  free(dossier->escalations);
  if (dossier->letters != NULL && dossier->letter_count > 0)
    free(dossier->letters[0].drafts);
  free(dossier->letters);
  for (size_t index = 0; index < sizeof dossier->results / sizeof dossier->results[0]; index++)
    PQclear(dossier->results[index]);
  memset(dossier, 0, sizeof *dossier);
}

/* ---- one letter draft ---- */

enum status web_view_read_draft(PGconn *connection, int64_t letter_id, int64_t version,
                                struct web_view_draft *draft, struct error *error) {
  memset(draft, 0, sizeof *draft);
  char id_text[32], version_text[32];
  format_integer(id_text, letter_id);
  format_integer(version_text, version);
  const char *values[] = {id_text, version_text};
  // clang-format off
  enum status status = sql_query(connection, "finding a letter's draft",
      "SELECT d.letter_id, d.version, l.dossier_code, l.agency_code, l.year, l.number,"
      " d.sha256, d.bytes, EXISTS (SELECT 1 FROM dunghen.letter_pdf p"
      "  WHERE p.letter_id = d.letter_id AND p.version = d.version)"
      " FROM (SELECT id AS letter_id, version, sha256, bytes FROM dunghen.letter_log"
      "  WHERE id = $1::bigint AND version = $2::integer AND state = 'rendered'"
      "  UNION ALL SELECT letter_id, version, sha256, bytes FROM dunghen.letter_version"
      "  WHERE letter_id = $1::bigint AND version = $2::integer AND sha256 IS NOT NULL) d"
      " JOIN dunghen.letter_log l ON l.id = d.letter_id LIMIT 1",
      2, values, &draft->result, error);
  // clang-format on
  if (status != STATUS_OK)
    return status;
  const PGresult *result = draft->result;
  if (PQntuples(result) == 0)
    return STATUS_OK;
  draft->found = true;
  draft->letter_id = sql_integer(result, 0, 0, 0);
  draft->version = sql_integer(result, 0, 1, 0);
  draft->dossier_code = sql_text(result, 0, 2);
  draft->agency_code = sql_text(result, 0, 3);
  draft->year = (int)sql_integer(result, 0, 4, 0);
  draft->number = (long)sql_integer(result, 0, 5, 0);
  draft->sha256 = sql_text(result, 0, 6);
  draft->bytes = sql_integer(result, 0, 7, 0);
  draft->stored = strcmp(PQgetvalue(result, 0, 8), "t") == 0;
  return STATUS_OK;
}

void web_view_draft_free(struct web_view_draft *draft) {
  PQclear(draft->result);
  memset(draft, 0, sizeof *draft);
}
