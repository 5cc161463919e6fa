/*
 * procedure.h: the model of the procedure catalogue (rules/procedures.yaml): procedures by TTHC
 * code, each with dated versions (what is in force on a day), and the one place a deadline
 * request is built from a version.
 *
 * The loader (rules/procedures.h) fills these; the core only reads them. Every caller that
 * needs a dossier's statutory deadline (the daemon's pass, `dunghen deadline --procedure`, the
 * demo) builds its request with procedure_deadline_request(), so the rules of the catalogue are
 * applied the same way everywhere: the channel's duration, the counting mode and cut-off, and
 * the `restart` supplement behaviour only when a pause was a wait for the applicant's
 * supplement (any other pause just stops the clock).
 */
#ifndef DUNGHEN_CORE_PROCEDURE_H
#define DUNGHEN_CORE_PROCEDURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/deadline.h"

/* The negative values are what a dossier's source row may say instead of a channel: nothing
 * (NULL or blank), or a name the daemon does not know. */
enum channel {
  CHANNEL_MISSING = -2,
  CHANNEL_UNKNOWN = -1,
  CHANNEL_DIRECT,
  CHANNEL_ONLINE,
  CHANNEL_POSTAL,
  CHANNEL_COUNT
};

/* The extension an apology proposes when the catalogue names none: 5 working days. */
enum { PROCEDURE_DEFAULT_EXTENSION_DAYS = 5 };

struct procedure_version {
  int64_t valid_from;  /* first day in force (day number); INT64_MIN when open */
  int64_t valid_until; /* first day no longer in force; INT64_MAX when open */
  struct duration durations[CHANNEL_COUNT];
  enum counting_mode counting;
  int cutoff; /* seconds since midnight, or NO_CUTOFF */
  enum supplement_mode supplement;
  struct duration extension; /* the extension an apology proposes (core/dossier.h) */
  char *source;              /* the published decision */
  char *confidence;          /* as in the reference data; NULL when verified */
  size_t line;               /* where the version starts in the file */
};

struct procedure {
  char *code; /* national TTHC code, e.g. 1.004227 */
  char *name;
  char *field;
  char *level;
  struct procedure_version *versions; /* sorted by valid_from, non-overlapping */
  size_t version_count;
  size_t line; /* where the procedure starts in the file */
};

struct procedure_table {
  struct procedure *items; /* sorted by code */
  size_t count;
};

/* The procedure with this code, or NULL. */
const struct procedure *procedures_find(const struct procedure_table *table, const char *code);
/* The version in force on `day`, or NULL. */
const struct procedure_version *procedure_version_at(const struct procedure *procedure,
                                                     int64_t day);
/* "direct", "online", "postal" to enum channel; CHANNEL_UNKNOWN (-1) for any other text. */
int channel_from_name(const char *name);
/* The name of a channel; "?" for CHANNEL_MISSING and CHANNEL_UNKNOWN. */
const char *channel_name(enum channel channel);

/*
 * The statutory deadline request of a dossier received at `received_at` through `channel`
 * under `version`, with its pauses (borrowed: they must outlive the request). `supplement_pause`
 * says whether one of the pauses was a wait for the applicant's supplement: only then does a
 * `restart` procedure restart its clock.
 */
void procedure_deadline_request(const struct procedure_version *version, enum channel channel,
                                int64_t received_at, const struct pause_interval *pauses,
                                size_t pause_count, bool supplement_pause,
                                struct deadline_request *request);

struct explanation;
/* The lines of an explanation that name the rule a deadline comes from (the procedure, the
 * version in force with its dates, file line and the channel's duration, its source and, when
 * not verified, its confidence): the first lines of `dunghen deadline --explain` and of the web
 * view's timeline. */
void procedure_explain_version(struct explanation *explanation, const struct procedure *procedure,
                               const struct procedure_version *version, enum channel channel);

#endif
