/*
 * rules_fingerprint.c: the rules' digest (see rules_fingerprint.h).
 */
#include "rules/rules_fingerprint.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void hash_bytes(uint64_t *hash, const void *data, size_t size) {
  const unsigned char *bytes = data;
  for (size_t i = 0; i < size; i++) {
    *hash ^= bytes[i];
    *hash *= UINT64_C(1099511628211);
  }
}

static void hash_integer(uint64_t *hash, int64_t value) {
  hash_bytes(hash, &value, sizeof value);
}

static void hash_string(uint64_t *hash, const char *value) {
  hash_bytes(hash, value != NULL ? value : "", value != NULL ? strlen(value) + 1 : 1);
}

static void hash_duration(uint64_t *hash, const struct duration *duration) {
  hash_integer(hash, duration->amount);
  hash_integer(hash, duration->unit);
}

static void hash_calendar(uint64_t *hash, const struct calendar *calendar) {
  const struct working_hours *hours = calendar_hours(calendar);
  for (int i = 0; i < hours->count; i++) {
    hash_integer(hash, hours->intervals[i].start);
    hash_integer(hash, hours->intervals[i].end);
  }
  /* One bit a day, 64 days a word: the whole range costs a few hundred hash steps. */
  uint64_t word = 0;
  for (int64_t day = calendar_first_day(calendar); day <= calendar_last_day(calendar); day++) {
    word = word << 1 | (calendar_is_working_day(calendar, day) ? 1 : 0);
    if ((day & 63) == 63)
      hash_integer(hash, (int64_t)word);
  }
  hash_integer(hash, (int64_t)word);
}

static void hash_procedures(uint64_t *hash, const struct procedure_table *table) {
  for (size_t i = 0; i < table->count; i++) {
    const struct procedure *procedure = &table->items[i];
    hash_string(hash, procedure->code);
    for (size_t j = 0; j < procedure->version_count; j++) {
      const struct procedure_version *version = &procedure->versions[j];
      hash_integer(hash, version->valid_from);
      hash_integer(hash, version->valid_until);
      for (int channel = 0; channel < CHANNEL_COUNT; channel++)
        hash_duration(hash, &version->durations[channel]);
      hash_integer(hash, version->counting);
      hash_integer(hash, version->cutoff);
      hash_integer(hash, version->supplement);
      hash_duration(hash, &version->extension);
    }
  }
}

static void hash_ladder(uint64_t *hash, const struct ladder *ladder) {
  hash_duration(hash, &ladder->due_soon);
  for (size_t i = 0; i < ladder->count; i++) {
    const struct ladder_level *level = &ladder->levels[i];
    hash_string(hash, level->name);
    hash_integer(hash, level->episode);
    hash_duration(hash, &level->offset);
    hash_integer(hash, level->on_delay_reason);
    hash_integer(hash, level->action);
  }
}

void rules_fingerprint(const struct rules *rules, const struct ladder *ladder,
                       const char *const *agency_codes, size_t agency_count,
                       char fingerprint[RULES_FINGERPRINT_SIZE]) {
  uint64_t hash = UINT64_C(14695981039346656037);
  hash_calendar(&hash, rules->calendar);
  hash_procedures(&hash, &rules->procedures);
  hash_ladder(&hash, ladder);
  for (size_t i = 0; agency_codes != NULL && i < agency_count; i++)
    hash_string(&hash, agency_codes[i]);
  snprintf(fingerprint, RULES_FINGERPRINT_SIZE, "%016" PRIx64, hash);
}
