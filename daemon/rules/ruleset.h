/*
 * ruleset.h: everything the daemon loads from the rules directory, as one swappable unit.
 *
 * The calendar and procedures (rules/rules.h) and the escalation ladder (rules/ladder.h) are
 * loaded and validated together; either the whole set loads or none of it does, so a reload
 * can validate a new set completely before it replaces the old one (validate, then swap).
 * agencies.yaml is optional: without it the pass accepts any agency code; with it, a dossier
 * of an agency it does not list is flagged.
 */
#ifndef DUNGHEN_RULESET_H
#define DUNGHEN_RULESET_H

#include <stdint.h>

#include "core/error.h"
#include "rules/agencies.h"
#include "rules/ladder.h"
#include "rules/rules.h"

struct ruleset {
  struct rules *rules;
  struct ladder *ladder;
  struct agency_table agencies;      /* empty without agencies.yaml */
  const char **agency_codes;         /* sorted by strcmp (pass_context); NULL: any agency */
  size_t agency_count;
};

/* `today` is a day number (rules_load uses it to warn about missing yearly schedules). */
enum status ruleset_load(const char *directory, int64_t today, struct ruleset **set,
                         struct error *error);
void ruleset_free(struct ruleset *set);

#endif
