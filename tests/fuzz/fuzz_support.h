/*
 * fuzz_support.h: what every libFuzzer target in tests/fuzz shares.
 *
 * Each target defines LLVMFuzzerTestOneInput(): it feeds the bytes to one loader or one text
 * routine, then, when the input was accepted, exercises what was built (queries, expansion,
 * layout) so that a bad structure that loads cleanly is also caught. A target must never leak,
 * read out of bounds or trip UBSan, whatever the input; a rejected input is the normal case.
 */
#ifndef DUNGHEN_FUZZ_H
#define DUNGHEN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of the input (for APIs that take C strings); free() it. */
char *fuzz_string(const uint8_t *data, size_t size);

/*
 * Writes the input to an anonymous in-memory file and returns a path that opens it
 * (/proc/self/fd/N) for loaders that only take a path; *fd is closed by fuzz_file_close().
 * Aborts when the file cannot be made: that is the harness failing, not the code under test.
 */
const char *fuzz_file(const uint8_t *data, size_t size, int *fd, char *path, size_t path_size);
void fuzz_file_close(int fd);

/* Checks the contract every loader shares: a failure names `name:LINE:COLUMN: ` or is a
 * runtime error; aborts (a crash libFuzzer reports) when the message breaks it. */
void fuzz_check_message(const char *name, int status, const char *message);

#endif
