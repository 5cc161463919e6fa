/*
 * procedures.h: loading the procedure catalogue (rules/procedures.yaml): statutory times per
 * TTHC code, into the core's model (core/procedure.h).
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

enum status procedures_load_file(const char *path, struct procedure_table *table,
                                 struct error *error);
/* The same from memory; `name` is the file name used in messages. */
enum status procedures_load_buffer(const char *name, const char *data, size_t size,
                                   struct procedure_table *table, struct error *error);
void procedures_free(struct procedure_table *table);

/* The catalogue code nearest to `code` (for "did you mean"), or NULL when none is close. */
const char *procedures_suggest(const struct procedure_table *table, const char *code);

#endif
