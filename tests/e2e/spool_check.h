/*
 * spool_check.h: the letter spool against dunghen.letter_log, for the e2e and faults suites.
 *
 * spool_check() walks SPOOL/AGENCY/YEAR/FILE and reports as TAP checks (named with `label`)
 * that every rendered row has its PDF with the recorded sha256 and size, that no PDF lacks its
 * row, that no temporary file (`.NAME.pdf.*`) is left, and that files are 0640 and directories
 * 0750 (the spool directory itself is the admin's). True when all hold.
 */
#ifndef DUNGHEN_TEST_SPOOL_CHECK_H
#define DUNGHEN_TEST_SPOOL_CHECK_H

#include <libpq-fe.h>
#include <stdbool.h>

bool spool_check(PGconn *db, const char *spool, const char *label);
/* True when the file at `path` has `bytes` bytes and the sha256 `sha256` (hex). */
bool spool_check_file_matches(const char *path, const char *sha256, long long bytes);
/* Temporary files (`.NAME.pdf.*`) in the spool. */
int spool_check_leftovers(const char *spool);

#endif
