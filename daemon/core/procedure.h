/*
 * procedure.h: the model of one procedure version (what rules/procedures.yaml says in force on
 * a day) and the one place a deadline request is built from it.
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

enum channel { CHANNEL_DIRECT, CHANNEL_ONLINE, CHANNEL_POSTAL, CHANNEL_COUNT };

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

#endif
