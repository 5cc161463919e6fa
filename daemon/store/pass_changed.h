/*
 * pass_changed.h: the changed phase of a pass (store/pass.h), internal to the pass: the source
 * rows changed since the watermark, in batches (store/pass_batch.h) of at most the pass's
 * batch size, each batch storing how far it got.
 *
 * The phase starts at the watermark minus the overlap (from the start when the pass is `full`
 * or on the first pass ever). Rows older than the phase's start minus the overlap are all
 * committed and seen by the end of the phase (the overlap bounds how long a writing transaction
 * may run), so the next pass can start there even when no newer row moved the watermark. A row
 * another instance holds is left to it and holds the watermark just below it.
 */
#ifndef DUNGHEN_PASS_CHANGED_H
#define DUNGHEN_PASS_CHANGED_H

#include <stdint.h>

#include "core/error.h"
#include "store/pass_batch.h"

/* `watermark_us`: the stored watermark in microseconds ("" when never set); `started_us`: the
 * server's clock read before the phase. */
enum status pass_changed_phase(struct pass *pass, const char *watermark_us, int64_t started_us,
                               struct error *error);

#endif
