/*
 * spool.h: where rendered letters land: `<spool>/<agency>/<year>/<name>.pdf`, written atomically.
 *
 * spool_write() writes to a temporary file beside the target (`.<name>.pdf.XXXXXX`), fsyncs it,
 * renames it over the target and fsyncs the directory, so a reader (or a crash) sees either no
 * file or the whole file, never a part. Files are 0640 and directories 0750 whatever the umask
 * (letters hold personal data). A failure leaves no file behind. Failures of the file system
 * (full, read-only, permission, I/O) are STATUS_RUNTIME and retryable: keep the job pending and
 * try again later; a bad agency code or name is STATUS_INVALID. Thread-safe (no shared state).
 */
#ifndef DUNGHEN_SPOOL_H
#define DUNGHEN_SPOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/sha256.h"

enum { SPOOL_PATH_SIZE = 4096 };

struct spool_result {
  char path[SPOOL_PATH_SIZE];   /* the final path */
  char sha256[SHA256_HEX_SIZE]; /* of the bytes written */
  size_t size;
  int system_error; /* errno of a STATUS_RUNTIME failure, else 0 */
};

/*
 * `agency_code` and `name` are 1-128 of [A-Za-z0-9._-], not starting with '.'; `year` is
 * 1900..9999. The spool directory and the agency and year directories are created as needed.
 * An existing file of the same name is replaced (rewriting a letter is idempotent).
 */
enum status spool_write(const char *spool_directory, const char *agency_code, int year,
                        const char *name, const void *data, size_t size,
                        struct spool_result *result, struct error *error);

/*
 * The file name (without ".pdf") of a letter's draft: the number first, so a directory listing
 * sorts like the register (`0042_CODE`); a re-draft gets `.vN` after the code, so every earlier
 * draft keeps its own file. Characters of the code outside [A-Za-z0-9._-] become '-'.
 */
void spool_letter_name(const char *dossier_code, long number, long version, char *name,
                       size_t size);
/* `<spool>/<agency>/<year>/<name>.pdf`, the path spool_write() writes; false when too long. */
bool spool_file_path(const char *spool_directory, const char *agency_code, int year,
                     const char *name, char *path, size_t size);

/*
 * Removes the temporary files a crash left in `<spool>/AGENCY/YEAR` (names starting with '.' and
 * containing ".pdf."), and reports how many went. Call it at start-up, before any writer runs.
 */
enum status spool_remove_leftovers(const char *spool_directory, size_t *removed,
                                   struct error *error);

#endif
