/*
 * procedure.c: lookups in the procedure catalogue and the deadline request (see procedure.h).
 */
#include "core/procedure.h"

#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/explanation.h"

static const char *const channel_names[CHANNEL_COUNT] = {"direct", "online", "postal"};

int channel_from_name(const char *name) {
  for (int channel = 0; channel < CHANNEL_COUNT; channel++)
    if (strcmp(name, channel_names[channel]) == 0)
      return channel;
  return CHANNEL_UNKNOWN;
}

const char *channel_name(enum channel channel) {
  return channel >= 0 && channel < CHANNEL_COUNT ? channel_names[channel] : "?";
}

static int compare_code(const void *key, const void *element) {
  const struct procedure *procedure = element;
  return strcmp(key, procedure->code);
}

const struct procedure *procedures_find(const struct procedure_table *table, const char *code) {
  if (table == NULL || table->count == 0 || code == NULL)
    return NULL;
  return bsearch(code, table->items, table->count, sizeof table->items[0], compare_code);
}

const struct procedure_version *procedure_version_at(const struct procedure *procedure,
                                                     int64_t day) {
  for (size_t i = 0; i < procedure->version_count; i++) {
    const struct procedure_version *version = &procedure->versions[i];
    if (version->valid_from <= day && day < version->valid_until)
      return version;
  }
  return NULL;
}

void procedure_deadline_request(const struct procedure_version *version, enum channel channel,
                                int64_t received_at, const struct pause_interval *pauses,
                                size_t pause_count, bool supplement_pause,
                                struct deadline_request *request) {
  *request = (struct deadline_request){
      .received_at = received_at,
      .duration = version->durations[channel],
      .counting = version->counting,
      .cutoff = version->cutoff,
      /* A `restart` procedure starts again only after the applicant's supplement: a pause of
       * another kind (a recorded hold) never gives the agency a fresh duration. */
      .supplement = supplement_pause ? version->supplement : SUPPLEMENT_PAUSE,
      .pauses = pauses,
      .pause_count = pause_count,
  };
}

void procedure_explain_version(struct explanation *explanation, const struct procedure *procedure,
                               const struct procedure_version *version, enum channel channel) {
  char from_date[16], until_date[16];
  const char *from = explanation_word(explanation, "(no start date)");
  const char *until = explanation_word(explanation, "(no end date)");
  char duration[DEADLINE_DURATION_TEXT_SIZE];
  if (version->valid_from != INT64_MIN) {
    civil_format_date(version->valid_from, from_date, sizeof from_date);
    from = from_date;
  }
  if (version->valid_until != INT64_MAX) {
    civil_format_date(version->valid_until - 1, until_date, sizeof until_date);
    until = until_date;
  }
  deadline_format_duration(&version->durations[channel], duration);
  explanation_add(explanation, "rule: procedure %s, %s (%s, level %s)", procedure->code,
                  procedure->name, procedure->field, procedure->level);
  explanation_add(explanation,
                  "rule version in force from %s to %s (file line %zu): %s for "
                  "channel %s",
                  from, until, version->line, duration, channel_name(channel));
  explanation_add(explanation, "rule source: %s", version->source);
  if (version->confidence != NULL)
    explanation_add(explanation,
                    "rule confidence: %s (not verified in two sources: check the "
                    "published decision)",
                    version->confidence);
}
