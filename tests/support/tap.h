/*
 * tap.h: Test Anything Protocol output for the C test programs.
 *
 * meson runs every test binary with `protocol: 'tap'` and counts each `ok`/`not ok` line.
 * A test program calls the checks below and ends with `return tap_finish();`, which prints the
 * plan and returns non-zero when any check failed. Failures print the values that differed as
 * `#` diagnostics, so a failing run says why without a debugger.
 */
#ifndef DUNGHEN_TAP_H
#define DUNGHEN_TAP_H

#include <stdbool.h>

#if defined(__GNUC__)
#define TAP_PRINTF(format_index, first) __attribute__((format(printf, format_index, first)))
#else
#define TAP_PRINTF(format_index, first)
#endif

bool tap_ok(bool condition, const char *format, ...) TAP_PRINTF(2, 3);
bool tap_is_integer(long long got, long long expected, const char *format, ...) TAP_PRINTF(3, 4);
bool tap_is_string(const char *got, const char *expected, const char *format, ...) TAP_PRINTF(3, 4);
/* Passes when `haystack` contains `needle`. */
bool tap_contains(const char *haystack, const char *needle, const char *format, ...)
    TAP_PRINTF(3, 4);
void tap_diagnostic(const char *format, ...) TAP_PRINTF(1, 2);
/* Skips the whole program (e.g. a missing tool) with a stated reason; returns 77-free 0. */
int tap_skip_all(const char *reason);
/* Prints the plan; returns 0 when every check passed, 1 otherwise. */
int tap_finish(void);

#endif
