/*
 * explanation.h: the derivation of a deadline as a list of text lines.
 *
 * deadline_compute() records every step it takes (effective start and why, each skipped
 * non-working day with its reason, each pause and restart, the result) so that
 * `dunghen deadline --explain` and the daemon's logs can show how a date was reached. The list
 * grows as needed; a failed allocation is remembered in `truncated` instead of failing the
 * computation (an explanation is an aid, never a reason to lose a deadline).
 *
 * The lines are written in English at the call sites and come out in the admin's language when
 * the caller sets `translation` (core/translation.h; NULL keeps the English): every format
 * passed to explanation_add() or explanation_count(), and every word passed to
 * explanation_word(), is a message of the catalogue (po/).
 */
#ifndef DUNGHEN_EXPLANATION_H
#define DUNGHEN_EXPLANATION_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/translation.h"

struct explanation {
  char **lines;
  size_t count;
  size_t capacity;
  bool truncated;                        /* a line was lost to a failed allocation */
  const struct translation *translation; /* NULL: English; set by the caller after init */
};

void explanation_init(struct explanation *explanation);
/* Appends one line, printf-style, the format translated first. A NULL explanation is allowed
 * and ignored. */
void explanation_add(struct explanation *explanation, const char *format, ...) DUNGHEN_PRINTF(2, 3);
/* The same with the format that goes with `count` (singular or plural, as the language has). */
void explanation_count(struct explanation *explanation, const char *singular, const char *plural,
                       unsigned long count, ...) DUNGHEN_PRINTF(3, 5);
/* A word or phrase for a line (a weekday, "none"), translated; a NULL explanation gives it back
 * as it is. */
const char *explanation_word(const struct explanation *explanation, const char *message)
    DUNGHEN_FORMAT_ARG(2);
void explanation_free(struct explanation *explanation);

#endif
