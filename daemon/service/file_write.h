/*
 * file_write.h: a file written whole or not at all, for the outputs a reader opens while the
 * program may still be writing or may crash: `dunghen report --out`, the demo's report, the
 * letters a command exports. A temporary file beside the target (`.NAME.XXXXXX`, so the same file
 * system and no partial target ever), its mode set whatever the umask (these files hold personal
 * data or official figures: 0640), its data fsynced, then renamed over the target. The letter
 * spool (service/spool.h) adds its own directories and messages around the same steps.
 */
#ifndef DUNGHEN_SERVICE_FILE_WRITE_H
#define DUNGHEN_SERVICE_FILE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/error.h"

enum { FILE_WRITE_MODE = 0640 };

/* Writes `data` to `path`; STATUS_RUNTIME naming the path and the system's reason otherwise,
 * leaving no temporary file behind. */
enum status file_write_atomically(const char *path, const void *data, size_t size, mode_t mode,
                                  struct error *error);

/* write(2) until every byte is written, retrying after EINTR; false with errno set otherwise. */
bool file_write_all(int descriptor, const void *data, size_t size);

#endif
