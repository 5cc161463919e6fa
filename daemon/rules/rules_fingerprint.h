/*
 * rules_fingerprint.h: a short digest of everything a dossier's clock depends on in the loaded
 * rules: the calendar (working hours, and which days are worked over its whole range), the
 * procedures with every version, the ladder and the list of known agency codes.
 *
 * The daemon stores it with each clock and in its sync state: a clock computed under other rules
 * (an edit, then a reload or a restart) is recomputed. Equal rules give the same fingerprint on
 * every host and build (FNV-1a over fixed-width integers and NUL-terminated strings), so the
 * algorithm may not change without every stored clock being recomputed once.
 */
#ifndef DUNGHEN_RULES_FINGERPRINT_H
#define DUNGHEN_RULES_FINGERPRINT_H

#include <stddef.h>

#include "core/ladder.h"
#include "rules/rules.h"

enum { RULES_FINGERPRINT_SIZE = 17 }; /* 16 hexadecimal digits and the NUL */

/* `agency_codes` (sorted, as the pass takes them) may be NULL: no list. */
void rules_fingerprint(const struct rules *rules, const struct ladder *ladder,
                       const char *const *agency_codes, size_t agency_count,
                       char fingerprint[RULES_FINGERPRINT_SIZE]);

#endif
