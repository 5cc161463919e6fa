/*
 * procedure.c: lookups in the procedure catalogue and the deadline request (see procedure.h).
 */
#include "core/procedure.h"

#include <stdlib.h>
#include <string.h>

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
