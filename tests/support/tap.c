#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int test_count;
static int failure_count;

static bool report(bool condition, const char *format, va_list arguments) TAP_PRINTF(2, 0);

/* A TAP line ends at its newline: a description that quotes a multi-line text (a program's
 * output, an HTTP body) is printed on one line, each line break as a space. */
static void print_one_line(const char *format, va_list arguments) {
  char text[4096];
  vsnprintf(text, sizeof text, format, arguments);
  for (char *c = text; *c != '\0'; c++)
    if (*c == '\n' || *c == '\r')
      *c = ' ';
  fputs(text, stdout);
}

static bool report(bool condition, const char *format, va_list arguments) {
  test_count++;
  if (!condition)
    failure_count++;
  printf("%s %d - ", condition ? "ok" : "not ok", test_count);
  print_one_line(format, arguments);
  putchar('\n');
  fflush(stdout);
  return condition;
}

bool tap_ok(bool condition, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  bool result = report(condition, format, arguments);
  va_end(arguments);
  return result;
}

bool tap_is_integer(long long got, long long expected, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  bool result = report(got == expected, format, arguments);
  va_end(arguments);
  if (!result)
    printf("#   got:      %lld\n#   expected: %lld\n", got, expected);
  return result;
}

bool tap_is_string(const char *got, const char *expected, const char *format, ...) {
  bool same = got != NULL && expected != NULL ? strcmp(got, expected) == 0 : got == expected;
  va_list arguments;
  va_start(arguments, format);
  bool result = report(same, format, arguments);
  va_end(arguments);
  if (!result)
    printf("#   got:      '%s'\n#   expected: '%s'\n", got ? got : "(null)",
           expected ? expected : "(null)");
  return result;
}

bool tap_contains(const char *haystack, const char *needle, const char *format, ...) {
  bool found = haystack != NULL && needle != NULL && strstr(haystack, needle) != NULL;
  va_list arguments;
  va_start(arguments, format);
  bool result = report(found, format, arguments);
  va_end(arguments);
  if (!result)
    printf("#   text:    '%.400s'\n#   lacks:   '%s'\n", haystack ? haystack : "(null)",
           needle ? needle : "(null)");
  return result;
}

/* Every line of a diagnostic starts with "# ", or TAP readers take it for output. */
void tap_diagnostic(const char *format, ...) {
  char text[16384];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(text, sizeof text, format, arguments);
  va_end(arguments);
  for (char *line = text; line != NULL && *line != '\0';) {
    char *end = strchr(line, '\n');
    printf("# %.*s\n", end != NULL ? (int)(end - line) : (int)strlen(line), line);
    line = end != NULL ? end + 1 : NULL;
  }
}

int tap_skip_all(const char *reason) {
  printf("1..0 # SKIP %s\n", reason);
  return 0;
}

int tap_finish(void) {
  printf("1..%d\n", test_count);
  if (failure_count > 0)
    printf("# %d of %d checks failed\n", failure_count, test_count);
  return failure_count > 0 ? 1 : 0;
}
