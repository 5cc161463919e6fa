/*
 * rules_diff.h: what replacing one rule set by another changes, in words an admin reads
 * (`dunghen preview`, and the log of a refused reload).
 *
 * A pure comparison of two loaded rule sets (rules/ruleset.h): procedures whose duration,
 * counting mode, cut-off, extension, supplement mode or versions changed, or that were added
 * or removed; days off and make-up working days added or removed, and the working week and
 * hours; ladder levels added, removed or changed (offset, episode, action, recipients); agencies
 * added, removed or whose form changed. One sentence a change, in a stable order (calendar,
 * procedures by code, ladder, agencies), each with a short machine-readable kind for JSON.
 */
#ifndef DUNGHEN_RULES_DIFF_H
#define DUNGHEN_RULES_DIFF_H

#include <stddef.h>

#include "core/error.h"
#include "rules/ruleset.h"

struct rules_change {
  char *kind;     /* "calendar", "procedure", "ladder" or "agency" */
  char *subject;  /* the day (YYYY-MM-DD), procedure code, level name or agency code */
  char *sentence; /* e.g. "procedure 1.004227: duration 15wd -> 17wd" */
};

struct rules_diff {
  struct rules_change *changes;
  size_t count;
};

/* Fills `diff` (zeroed first; empty when the sets are equivalent). STATUS_RUNTIME only when
 * memory runs out. */
enum status rules_diff_compute(const struct ruleset *before, const struct ruleset *after,
                               struct rules_diff *diff, struct error *error);
void rules_diff_free(struct rules_diff *diff);

#endif
