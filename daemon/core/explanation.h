/*
 * explanation.h: the derivation of a deadline as a list of text lines.
 *
 * deadline_compute() records every step it takes (effective start and why, each skipped
 * non-working day with its reason, each pause and restart, the result) so that
 * `dunghen deadline --explain` and the daemon's logs can show how a date was reached. The list
 * grows as needed; a failed allocation is remembered in `truncated` instead of failing the
 * computation (an explanation is an aid, never a reason to lose a deadline).
 */
#ifndef DUNGHEN_EXPLANATION_H
#define DUNGHEN_EXPLANATION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct explanation {
  char **lines;
  size_t count;
  size_t capacity;
  bool truncated; /* a line was lost to a failed allocation */
};

void explanation_init(struct explanation *explanation);
/* Appends one line, printf-style. A NULL explanation is allowed and ignored. */
void explanation_add(struct explanation *explanation, const char *format, ...) DUNGHEN_PRINTF(2, 3);
void explanation_free(struct explanation *explanation);

#endif
