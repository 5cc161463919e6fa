/*
 * report.h: the period's progress statistics (PRODUCT.md, "Statistics"; Decision 766/QĐ-TTg),
 * as plain figures: one row per group (agency, field, procedure or channel) and a total row.
 *
 * The counting itself is SQL over indexes (store/report.h): the database returns the figures
 * per agency, procedure or channel, and the core does the rest as pure functions of them: the
 * rows by field (procedures merged under their rules' field), the total, the on-time share and
 * the score, the notes that state the definitions and the decisions taken where PRODUCT.md is
 * silent, and the text, CSV and JSON renderings (letter/report_pdf.h draws the PDF).
 *
 * Every dossier received before the period's end and not closed before its start lands in
 * exactly one of done, in progress, withdrawn and unclassified, so for every row
 *   carried_over + in_period = done + in_progress + withdrawn + unclassified.
 * Strings in a report are owned by it (malloc) and freed by report_free().
 */
#ifndef DUNGHEN_CORE_REPORT_H
#define DUNGHEN_CORE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/error.h"

enum report_grouping {
  REPORT_BY_AGENCY,
  REPORT_BY_FIELD,
  REPORT_BY_PROCEDURE,
  REPORT_BY_CHANNEL,
};

enum report_format {
  REPORT_FORMAT_TEXT,
  REPORT_FORMAT_CSV,
  REPORT_FORMAT_JSON,
  REPORT_FORMAT_PDF,
};

/* The period [from 00:00, to + 1 day 00:00) local time, as day numbers (core/civil.h). */
struct report_period {
  int64_t from_day;
  int64_t to_day; /* inclusive */
};

/* The counts of one row; each dossier counts at most once in each of the four groups
 * (received, done, in progress, closed otherwise). */
struct report_figures {
  /* received */
  int64_t carried_over; /* received before the period, not finished or closed before it */
  int64_t received_online, received_direct, received_postal;
  int64_t received_other; /* a channel the source did not name (in_period, not by channel) */
  /* done: finished inside the period, judged against the statutory deadline */
  int64_t done_early, done_on_time, done_late;
  /* in progress at the period's end: on time (deadline not passed then) or overdue */
  int64_t progress_on_time, progress_overdue;
  /* withdrawn or rejected inside the period: neither done nor in progress */
  int64_t withdrawn;
  /* flagged dossiers (no deadline to judge by), neither done nor in progress */
  int64_t unclassified;
  /* accountability */
  int64_t letters;         /* apology letters issued (created) inside the period */
  int64_t missed_new_date; /* rescheduled, then finished after the new date or still open
                              past it at the period's end */
};

/* Dossier codes: the late dossiers (done late, or in progress overdue) without an apology
 * letter created before the period's end, sorted. */
struct report_codes {
  char **codes;
  size_t count;
};

struct report_group {
  char *key;   /* agency code, field, procedure code or channel ("online", "direct", ...) */
  char *label; /* what a reader sees: the agency's or procedure's name; may equal key */
  struct report_figures figures;
  struct report_codes late_without_letter;
};

struct report {
  struct report_period period;
  enum report_grouping grouping;
  char *agency;                /* the --agency filter, or NULL for every agency */
  struct report_group *groups; /* sorted by key */
  size_t group_count;
  struct report_group total; /* key and label "total" / "Tổng cộng" */
};

/* "agency", "field", "procedure", "channel"; STATUS_INVALID naming the word otherwise. */
enum status report_grouping_parse(const char *text, enum report_grouping *grouping,
                                  struct error *error);
const char *report_grouping_name(enum report_grouping grouping);

/* Sums of a row. */
int64_t report_in_period(const struct report_figures *figures);
int64_t report_received(const struct report_figures *figures); /* carried over + in period */
int64_t report_done(const struct report_figures *figures);
int64_t report_in_progress(const struct report_figures *figures);

/* The on-time share = (done early + done on time + in progress on time) / (done + in progress),
 * and the 766 score = share x 20. false (and nothing written) when the row has no dossier done
 * or in progress: the share is then undefined, printed as "-" and as JSON null. */
bool report_on_time_share(const struct report_figures *figures, double *share);

void report_figures_add(struct report_figures *sum, const struct report_figures *part);

/* Recomputes report->total from the groups (figures added, codes merged and sorted). */
enum status report_compute_total(struct report *report, struct error *error);

/* The notes printed under the table (Vietnamese, one sentence each): the definitions applied
 * and the decisions taken where PRODUCT.md leaves a case open. A NULL-terminated array of
 * static strings. */
const char *const *report_notes(void);

/* Renders the report as text (an aligned table), CSV (UTF-8, a Vietnamese header row, then
 * one row per group and the total) or JSON (ARCHITECTURE.md, `dunghen report`). Appends to
 * `out`; the buffer's `failed` flag reports memory. */
void report_format_text(const struct report *report, struct buffer *out);
void report_format_csv(const struct report *report, struct buffer *out);
void report_format_json(const struct report *report, struct buffer *out);

/* The table's numeric columns, as every rendering orders them (the 766 layout): the web view
 * (web/page_report.c) draws its HTML table from these, so it shows what `dunghen report` does.
 * report_column_head() is the Vietnamese head with '|' where the text table breaks it in two;
 * report_cell_text() a cell as a reader sees it (counts in decimal, "42,86%" for the share,
 * `undefined` when the row has nothing to judge). */
enum { REPORT_COLUMN_COUNT = 20, REPORT_COLUMN_SHARE = 15, REPORT_CELL_SIZE = 32 };
const char *report_column_head(size_t column);
void report_cell_text(const struct report_group *group, size_t column, const char *undefined,
                      char text[REPORT_CELL_SIZE]);
/* "Cơ quan", "Lĩnh vực", "Thủ tục", "Kênh nộp": the head of the label column. */
const char *report_grouping_head(enum report_grouping grouping);

void report_free(struct report *report);

#endif
