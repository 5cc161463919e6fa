/*
 * rules_impact.h: what replacing one rule set by another would do to the open dossiers, counted
 * the one way both `dunghen preview` and the reload guard count it (docs/PREVIEW.md).
 *
 * Every open dossier (store/preview.h: one read-only snapshot, in batches) is evaluated under
 * both sets at `now` (dossier_evaluate, as the pass does) and the two evaluations compared
 * (core/preview.h). The counts are those of the preview's summary: examined, moved (deadline or
 * working time left), escalations due at once under the new rules, and letters that would be
 * queued at once. An observer may see each dossier and its difference (the preview keeps the
 * listing and the groups); the guard needs only the counts. rules_impact_refusal() says whether
 * the counts exceed a reload's limits (config.h, `reload:`), and why, in words.
 */
#ifndef DUNGHEN_RULES_IMPACT_H
#define DUNGHEN_RULES_IMPACT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dossier.h"
#include "core/error.h"
#include "core/preview.h"
#include "rules/ruleset.h"
#include "service/config.h"

/* One rule set as the core evaluates it (what the pass's context gives the core). */
struct rules_impact_side {
  struct ruleset *set; /* a reference of its own */
  struct dossier_rules rules;
  const char **form_2018; /* owned: the agencies whose letters take the 2018 form, sorted */
};

/* Takes a reference to `set`; on failure the side holds nothing. */
enum status rules_impact_side_init(struct rules_impact_side *side, struct ruleset *set,
                                   struct error *error);
void rules_impact_side_free(struct rules_impact_side *side);

struct rules_impact {
  size_t examined;    /* open dossiers evaluated */
  size_t moved;       /* whose deadline (or working time left) moves */
  size_t escalations; /* levels due at once under the new rules */
  size_t letters;     /* dossiers for which an apology letter would be queued at once */
};

struct rules_impact_observer {
  void *context;
  /* The number of open dossiers, before the first one. NULL: not wanted. */
  void (*total)(void *context, int64_t total);
  /* Every dossier, after it was counted; `facts` are valid only during the call. Anything but
   * STATUS_OK stops the read with that status. NULL: not wanted. */
  enum status (*dossier)(void *context, const struct dossier_facts *facts,
                         const struct preview_difference *difference, struct error *error);
};

/* Counts what `after` would do instead of `before` at `now`; `observer` may be NULL. Writes
 * nothing. STATUS_RUNTIME when the database fails (the counts are then partial). */
enum status rules_impact_measure(PGconn *connection, const struct rules_impact_side *before,
                                 const struct rules_impact_side *after, int64_t now,
                                 const struct rules_impact_observer *observer,
                                 struct rules_impact *impact, struct error *error);

/* True when `impact` exceeds `limits` (0: no limit); `reason` then says by how much, e.g.
 * "would queue 340 letters (limit 20)", or both, joined by " and ". */
bool rules_impact_refusal(const struct rules_impact *impact, const struct config_reload *limits,
                          char *reason, size_t size);

#endif
