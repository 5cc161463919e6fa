/*
 * web_view.h: what the pages of `dunghen web` read (web/page_*.c), read-only: every statement
 * of the web view, and no other.
 *
 * Each reader runs its queries on the web role's session and returns plain rows whose texts
 * point into results the returned struct owns until its *_free(). Instants are Unix seconds.
 * `agency` arguments restrict to one agency's rows (NULL: every agency); the caller decides
 * access, this module only filters. Blocking libpq.
 *
 * The dossier list is ordered by the deadline that runs now (the new date once rescheduled,
 * else the statutory deadline; none, as while paused or flagged, sorts last), then by code:
 * the order of working time left, soonest and most overdue first. Pages are keyset pages: the
 * next one starts after the (deadline, code) of the last row shown, so a page costs the same
 * wherever it is, through the indexes of migration 014.
 */
#ifndef DUNGHEN_STORE_WEB_VIEW_H
#define DUNGHEN_STORE_WEB_VIEW_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* ---- overview ---- */

/* One agency's open dossiers by clock state, and its letters waiting to be signed. */
struct web_view_agency_counts {
  const char *agency_code; /* NULL: dossiers whose source names no agency */
  int64_t on_track, due_soon, overdue, rescheduled, overdue_again, paused, flagged;
  int64_t letters_waiting; /* rendered letters (issue 20 adds their signature) */
};

struct web_view_counts {
  struct web_view_agency_counts *agencies; /* sorted by agency code */
  size_t count;
  PGresult *results[2];
};

enum status web_view_read_counts(PGconn *connection, const char *agency,
                                 struct web_view_counts *counts, struct error *error);
void web_view_counts_free(struct web_view_counts *counts);

/* ---- dossier list ---- */

/* Where a keyset page starts: after this deadline (`none`: past every dated row) and code. */
struct web_view_cursor {
  bool none;
  int64_t deadline;
  const char *code;
};

struct web_view_list_query {
  const char *state;  /* a clock state name, "open" (every state of an open dossier), NULL: all */
  const char *agency; /* NULL: every agency */
  const char *procedure; /* NULL: every procedure */
  /* NULL: none; else a whole code (looked up by key), or failing that a code prefix or a part
   * of the applicant's name (a scan of the source view: not under the list's time target) */
  const char *text;
  const struct web_view_cursor *after; /* NULL: the first page */
  size_t limit;                        /* rows wanted; one more is read to know of a next page */
};

struct web_view_list_row {
  const char *code;
  const char *procedure_code;
  const char *agency_code;
  const char *state;
  int episode;
  bool has_deadline;
  int64_t deadline; /* the deadline that runs now: the new date in episode 2 */
  bool has_remaining;
  int64_t remaining_seconds; /* while paused: working time left when the clock restarts */
  bool has_received;
  int64_t received_at;
};

struct web_view_list {
  struct web_view_list_row *rows;
  size_t count;
  bool has_more; /* another page follows the last row */
  PGresult *result;
};

enum status web_view_read_list(PGconn *connection, const struct web_view_list_query *query,
                               struct web_view_list *list, struct error *error);
void web_view_list_free(struct web_view_list *list);
/* The plan PostgreSQL chooses for the list `query` (EXPLAIN, one line a row, malloc'ed): the
 * tests and bench/web.c check that a page is an index range scan. */
enum status web_view_explain_list(PGconn *connection, const struct web_view_list_query *query,
                                  char **plan, struct error *error);

/* ---- one dossier ---- */

struct web_view_pause {
  bool has_from, has_to;
  int64_t from, to;
  const char *kind;
};

struct web_view_escalation {
  const char *level;
  int episode;
  int64_t raised_at;
  const char *reason;     /* as the daemon stored it (English: its log's language) */
  const char *recipients; /* the roles, comma-separated */
  bool has_deadline;
  int64_t deadline; /* the deadline of the episode the level was raised in */
  const char *action;
};

struct web_view_letter_draft {
  int64_t version;
  bool current;
  bool stored; /* its bytes are in dunghen.letter_pdf: it can be downloaded */
  bool has_rendered;
  int64_t rendered_at;
  bool has_superseded;
  int64_t superseded_at;
  int64_t bytes;
};

struct web_view_letter {
  int64_t id;
  int year;
  long number;
  const char *state;
  int64_t created_at;
  bool has_new_appointment;
  int64_t new_appointment_at;
  bool reason_missing;
  struct web_view_letter_draft *drafts; /* newest version first */
  size_t draft_count;
};

struct web_view_dossier {
  bool found; /* false: no clock and no source row has this code */
  /* dunghen.clock (has_clock false when the daemon has not seen the dossier yet) */
  bool has_clock;
  const char *code;
  const char *agency_code;
  const char *procedure_code;
  const char *state;
  int episode;
  bool has_deadline, has_new_deadline, has_rescheduled, has_remaining, has_computed;
  int64_t deadline, new_deadline, rescheduled_at, remaining_seconds, computed_at;
  const char *flagged_reason;
  /* dunghen.dossier_source (has_source false when the source no longer lists it) */
  bool has_source;
  const char *applicant_name, *applicant_id, *applicant_address, *summary;
  const char *channel, *status, *delay_reason;
  bool has_received, has_appointment, has_finished;
  int64_t received_at, appointment_at, finished_at;
  struct web_view_pause *pauses; /* by paused_at */
  size_t pause_count;
  struct web_view_escalation *escalations; /* by raised_at */
  size_t escalation_count;
  struct web_view_letter *letters;
  size_t letter_count;
  PGresult *results[6];
};

/* Reads everything the dossier page shows, in one REPEATABLE READ READ ONLY snapshot. */
enum status web_view_read_dossier(PGconn *connection, const char *code,
                                  struct web_view_dossier *dossier, struct error *error);
void web_view_dossier_free(struct web_view_dossier *dossier);

/* ---- one letter draft ---- */

/* The agency of a letter draft and what letter_pdf_read() needs to check its bytes: found is
 * false when the letter or the version does not exist, or was never rendered. */
struct web_view_draft {
  bool found;
  bool stored;
  int64_t letter_id, version;
  const char *dossier_code;
  const char *agency_code;
  int year;
  long number;
  const char *sha256;
  int64_t bytes;
  PGresult *result;
};

enum status web_view_read_draft(PGconn *connection, int64_t letter_id, int64_t version,
                                struct web_view_draft *draft, struct error *error);
void web_view_draft_free(struct web_view_draft *draft);

#endif
