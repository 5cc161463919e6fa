/*
 * rules_diff.h: what replacing one rule set by another changes, in words an admin reads
 * (`dunghen preview`, and the log of a refused reload).
 *
 * A pure comparison of two loaded rule sets (rules/ruleset.h): the working week and hours, and
 * each day whose working status or reason changed (a day both sets leave to the weekly pattern
 * is not listed: the week's sentence covers it); procedures added or removed, renamed, or whose
 * duration (per channel), counting mode, cut-off, extension, supplement mode, end date or
 * versions (matched by their first day) changed; the ladder's due-soon time and its levels
 * added, removed or changed (title, episode, offset, on_delay_reason, action, recipients);
 * agencies added or removed, whether agencies are listed at all, and each agency's letterhead
 * texts, signer, number format, form and mail roles (the signer's name and the addresses are
 * not quoted: these sentences may reach a log). A procedure's field, level, source, confidence
 * and notes, and every file position, move nothing and are not compared. One sentence a change,
 * in a stable order (calendar by day, procedures by code, ladder, agencies by code), each with a
 * short machine-readable kind for JSON.
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
