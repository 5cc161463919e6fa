/*
 * ruleset.h: everything the daemon loads from the rules directory, as one swappable unit.
 *
 * The calendar and procedures (rules/rules.h) and the escalation ladder (rules/ladder.h) are
 * loaded and validated together (every file, even after one fails, so the error names all their
 * errors, one a line); either the whole set loads or none of it does, so a reload
 * can validate a new set completely before it replaces the old one (validate, then swap).
 * agencies.yaml is optional: without it the pass accepts any agency code; with it, a dossier
 * of an agency it does not list is flagged.
 *
 * The daemon loads one set per start and per reload and shares it between its threads (the pass
 * worker, and the letter and mail kits): a loaded set has one reference, each further holder
 * takes one with ruleset_acquire(), and the set is freed when the last holder calls
 * ruleset_release(). The count is atomic, so holders in different threads need no lock; the
 * set itself is never written after ruleset_load(), so they may read it side by side. A thread
 * that holds a replaced set keeps it valid until it releases it.
 */
#ifndef DUNGHEN_RULESET_H
#define DUNGHEN_RULESET_H

#include <stdatomic.h>
#include <stdint.h>

#include "core/error.h"
#include "rules/agencies.h"
#include "rules/ladder.h"
#include "rules/rules.h"

struct ruleset {
  struct rules *rules;
  struct ladder *ladder;
  struct agency_table agencies; /* empty without agencies.yaml */
  const char **agency_codes;    /* sorted by strcmp (pass_context); NULL: any agency */
  size_t agency_count;
  atomic_int references; /* ruleset_acquire and ruleset_release only */
};

/* `today` is a day number (rules_load uses it to warn about missing yearly schedules). */
enum status ruleset_load(const char *directory, int64_t today, struct ruleset **set,
                         struct error *error);
/* Another holder of `set` (NULL: none); returns `set`. */
struct ruleset *ruleset_acquire(struct ruleset *set);
/* Drops one holder (NULL: nothing); the last one frees the set. */
void ruleset_release(struct ruleset *set);

#endif
