/*
 * spool_audit.h: the letters of a spool compared with the letters the database knows, and the
 * letter counters kept above every number the spool holds (service/spool_audit.h scans the
 * spool and reports; this module only runs the statement).
 *
 * Why: after a failover to an asynchronous standby the new primary may lack the last
 * transactions of the old one, letters included, while their PDFs are already in the spool
 * (and may have been handed out). Left alone, the letter counter would hand those numbers again
 * to other dossiers. spool_audit_compare() raises each counter (agency, year) to at least the
 * highest number of that agency and year in the spool, so no number of a PDF on disk is taken
 * again, and returns the spool's letters whose number the database gives to no letter
 * (`unknown`: lost with the old primary) or to another dossier (`reused`). One transaction,
 * blocking libpq.
 */
#ifndef DUNGHEN_STORE_SPOOL_AUDIT_H
#define DUNGHEN_STORE_SPOOL_AUDIT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* A PDF of the spool, as its path names it: <agency>/<year>/<number>_<name>.pdf. */
struct spool_audit_letter {
  const char *agency_code;
  int year;
  long number;
  const char *name;       /* the dossier code as the file name carries it (unsafe bytes '-') */
  const char *name_draft; /* `name` without a re-draft's ".vN", or NULL when it has none */
};

struct spool_audit_finding {
  char agency_code[160];
  int year;
  long number;
  char name[160];
  bool reused; /* false: unknown, no letter has the number; true: another dossier has it */
};

struct spool_audit_outcome {
  struct spool_audit_finding *findings; /* malloc'd; spool_audit_outcome_free */
  size_t count;
  size_t counters_raised; /* counters that were below a number of the spool */
};

enum status spool_audit_compare(PGconn *connection, const struct spool_audit_letter *letters,
                                size_t count, struct spool_audit_outcome *outcome,
                                struct error *error);
void spool_audit_outcome_free(struct spool_audit_outcome *outcome);

#endif
