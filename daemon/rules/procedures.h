/*
 * procedures.h: the procedure catalogue (rules/procedures.yaml): statutory times per TTHC code.
 *
 * Each procedure has dated versions; a dossier uses the version in force on its receipt day.
 * Per version: a duration per channel, the counting mode, an optional cut-off, the supplement
 * behaviour, the extension proposed in an apology, and the published source. Defaults are
 * written once at the top of the file and apply where a procedure says nothing.
 */
#ifndef DUNGHEN_PROCEDURES_H
#define DUNGHEN_PROCEDURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/deadline.h"
#include "core/error.h"
#include "core/procedure.h"

struct procedure {
  char *code; /* national TTHC code, e.g. 1.004227 */
  char *name;
  char *field;
  char *level;
  struct procedure_version *versions; /* sorted by valid_from, non-overlapping */
  size_t version_count;
  size_t line; /* where the procedure starts in the file */
};

struct procedure_table {
  struct procedure *items; /* sorted by code */
  size_t count;
};

enum status procedures_load_file(const char *path, struct procedure_table *table,
                                 struct error *error);
/* The same from memory; `name` is the file name used in messages. */
enum status procedures_load_buffer(const char *name, const char *data, size_t size,
                                   struct procedure_table *table, struct error *error);
void procedures_free(struct procedure_table *table);
const struct procedure *procedures_find(const struct procedure_table *table, const char *code);
/* The version in force on `day`, or NULL. */
const struct procedure_version *procedure_version_at(const struct procedure *procedure,
                                                     int64_t day);
/* "direct", "online", "postal" to enum channel; -1 when unknown. */
int channel_from_name(const char *name);
const char *channel_name(enum channel channel);

/* The catalogue code nearest to `code` (for "did you mean"), or NULL when none is close. */
const char *procedures_suggest(const struct procedure_table *table, const char *code);

#endif
