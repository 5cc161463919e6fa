#include "service/rules_impact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/preview.h"

enum status rules_impact_side_init(struct rules_impact_side *side, struct ruleset *set,
                                   struct error *error) {
  memset(side, 0, sizeof *side);
  if (set->ladder->count > LADDER_MAX_LEVELS)
    return error_set(error, STATUS_INVALID, "the ladder has too many levels");
  side->set = ruleset_acquire(set);
  side->rules = (struct dossier_rules){
      .calendar = set->rules->calendar,
      .procedures = &set->rules->procedures,
      .ladder = set->ladder,
      .agency_codes = set->agency_codes,
      .agency_count = set->agency_count,
  };
  if (agencies_form_2018_codes(&set->agencies, &side->form_2018, &side->rules.form_2018_count,
                               error) != STATUS_OK) {
    rules_impact_side_free(side);
    return STATUS_RUNTIME;
  }
  side->rules.form_2018_agencies = side->form_2018;
  return STATUS_OK;
}

void rules_impact_side_free(struct rules_impact_side *side) {
  free(side->form_2018);
  ruleset_release(side->set);
  memset(side, 0, sizeof *side);
}

struct measure {
  const struct rules_impact_side *before, *after;
  int64_t now;
  const struct rules_impact_observer *observer;
  struct rules_impact *impact;
};

static void on_total(void *context, int64_t total) {
  struct measure *measure = context;
  if (measure->observer != NULL && measure->observer->total != NULL)
    measure->observer->total(measure->observer->context, total);
}

static enum status on_dossier(void *context, const struct dossier_facts *facts,
                              struct error *error) {
  struct measure *measure = context;
  struct dossier_evaluation before, after;
  dossier_evaluate(&measure->before->rules, facts, measure->now, &before);
  dossier_evaluate(&measure->after->rules, facts, measure->now, &after);
  struct preview_difference difference;
  preview_compare(measure->after->rules.calendar, measure->before->rules.ladder,
                  measure->after->rules.ladder, &before, &after, &difference);
  struct rules_impact *impact = measure->impact;
  impact->examined++;
  if (difference.differs) {
    impact->moved += difference.moved;
    impact->escalations += (size_t)difference.escalation_count;
    impact->letters += difference.letter;
  }
  if (measure->observer == NULL || measure->observer->dossier == NULL)
    return STATUS_OK;
  return measure->observer->dossier(measure->observer->context, facts, &difference, error);
}

enum status rules_impact_measure(PGconn *connection, const struct rules_impact_side *before,
                                 const struct rules_impact_side *after, int64_t now,
                                 const struct rules_impact_observer *observer,
                                 struct rules_impact *impact, struct error *error) {
  memset(impact, 0, sizeof *impact);
  struct measure measure = {before, after, now, observer, impact};
  struct preview_reader reader = {&measure, on_total, on_dossier};
  return preview_read(connection, &reader, error);
}

bool rules_impact_refusal(const struct rules_impact *impact, const struct config_reload *limits,
                          char *reason, size_t size) {
  bool letters = limits->max_letters > 0 && impact->letters > (size_t)limits->max_letters;
  bool escalations =
      limits->max_escalations > 0 && impact->escalations > (size_t)limits->max_escalations;
  if (size > 0)
    reason[0] = '\0';
  if (letters && escalations)
    snprintf(reason, size,
             "would queue %zu letters (limit %d) and raise %zu escalations (limit %d)",
             impact->letters, limits->max_letters, impact->escalations, limits->max_escalations);
  else if (letters)
    snprintf(reason, size, "would queue %zu letters (limit %d)", impact->letters,
             limits->max_letters);
  else if (escalations)
    snprintf(reason, size, "would raise %zu escalations (limit %d)", impact->escalations,
             limits->max_escalations);
  return letters || escalations;
}
