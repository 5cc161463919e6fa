/*
 * ladder.h: loading the escalation ladder (rules/ladder.yaml) into the core's model
 * (core/ladder.h: levels, episodes, offsets, actions, recipients).
 *
 * Loaded with rules/yaml_tree.h and checked against the model's limits (at most
 * LADDER_MAX_LEVELS levels, episodes 1 and 2, one letter level, in episode 1, known roles);
 * every error is `FILE:LINE:COLUMN: message`. A loaded ladder is immutable and may be shared
 * between threads.
 */
#ifndef DUNGHEN_LADDER_H
#define DUNGHEN_LADDER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/ladder.h"

/* Loads `path`; on failure *ladder is NULL. */
enum status ladder_load_file(const char *path, struct ladder **ladder, struct error *error);
/* The same from memory; `name` is the file name used in messages. */
enum status ladder_load_buffer(const char *name, const char *data, size_t size,
                               struct ladder **ladder, struct error *error);
/* Loads DIRECTORY/ladder.yaml. */
enum status ladder_load_directory(const char *directory, struct ladder **ladder,
                                  struct error *error);
void ladder_free(struct ladder *ladder);
/* The recognised role names, NULL-terminated. */
extern const char *const ladder_roles[];

#endif
