/*
 * service/sendmail.h: the message reaches the program's stdin whole, argv reaches it verbatim
 * (no shell in between), its exit status and stderr are reported, a program that hangs is
 * killed at the timeout, a missing program is an error, and the child does not inherit the
 * daemon's ignored SIGPIPE. /bin/sh is the program under our control here.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/sendmail.h"
#include "tap.h"

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static enum status run_shell(const char *script, const char *argument, const char *message,
                             size_t length, int timeout, struct sendmail_result *result,
                             struct error *error) {
  char *arguments[] = {"-c", (char *)script, "sh", (char *)argument, NULL};
  return sendmail_run("/bin/sh", arguments, message, length, timeout, result, error);
}

static void test_whole_message(void) {
  char path[] = "/tmp/dunghen-sendmail-XXXXXX";
  int descriptor = mkstemp(path);
  close(descriptor);
  size_t length = 3 << 20; /* far more than a pipe holds: the poll loop must feed it */
  char *message = malloc(length);
  for (size_t i = 0; i < length; i++)
    message[i] = (char)('a' + i % 26);
  struct sendmail_result result;
  struct error error;
  tap_is_integer(run_shell("cat > \"$1\"", path, message, length, 20, &result, &error), STATUS_OK,
                 "a 3 MB message is sent");
  tap_is_integer(result.exit_status, 0, "exit status 0");
  FILE *file = fopen(path, "rb");
  char *copy = malloc(length + 1);
  size_t got = file != NULL ? fread(copy, 1, length + 1, file) : 0;
  if (file != NULL)
    fclose(file);
  tap_ok(got == length && memcmp(copy, message, length) == 0,
         "the program read it whole (%zu bytes)", got);
  free(copy);
  free(message);
  unlink(path);
}

static void test_failures(void) {
  struct sendmail_result result;
  struct error error;
  const char *message = "Subject: x\n\nbody\n";
  tap_is_integer(run_shell("cat > /dev/null; echo 'relay says 451' >&2; exit 75", NULL, message,
                           strlen(message), 20, &result, &error),
                 STATUS_RUNTIME, "a non-zero exit fails");
  tap_is_integer(result.exit_status, 75, "with its exit status");
  tap_is_string(error.message, "/bin/sh exited with status 75: relay says 451",
                "and its stderr in the error");

  tap_is_integer(run_shell("printf '%s|' \"$1\" >&2; exit 3", "$(id); rm -rf / `x` \"q\"", message,
                           strlen(message), 20, &result, &error),
                 STATUS_RUNTIME, "arguments with shell syntax");
  tap_is_string(error.message, "/bin/sh exited with status 3: $(id); rm -rf / `x` \"q\"|",
                "reach the program verbatim, as one argument");

  double started = seconds_now();
  tap_is_integer(run_shell("exec sleep 30", NULL, message, strlen(message), 1, &result, &error),
                 STATUS_RUNTIME, "a program that hangs fails");
  double took = seconds_now() - started;
  tap_ok(result.timed_out && took < 10, "killed at the timeout (%.1f s)", took);
  tap_is_string(error.message, "/bin/sh took longer than 1 s and was killed", "and says so");

  char *none[] = {"-t", "-i", NULL};
  tap_is_integer(
      sendmail_run("/nonexistent/sendmail", none, message, strlen(message), 20, &result, &error),
      STATUS_RUNTIME, "a missing program fails");
  tap_is_string(error.message,
                "/nonexistent/sendmail exited with status 127: sendmail: cannot execute the "
                "program",
                "and says it could not run");
}

/* The daemon ignores SIGPIPE; a program that writes to a closed pipe must still die of it. */
static void test_sigpipe(void) {
  struct sendmail_result result;
  struct error error;
  const char *message = "x\n";
  run_shell("grep '^SigIgn' /proc/self/status >&2; exit 1", NULL, message, strlen(message), 20,
            &result, &error);
  const char *mask = strstr(error.message, "SigIgn:");
  unsigned long long ignored = mask != NULL ? strtoull(mask + 7, NULL, 16) : ~0ull;
  tap_ok(mask != NULL && (ignored & (1ull << (SIGPIPE - 1))) == 0,
         "the program starts with SIGPIPE at its default (%s)", mask != NULL ? mask : "?");
}

int main(void) {
  /* As the daemon does (service/loop.c): a program that exits before reading its message (the
   * missing program below) must fail the send with EPIPE, not kill the sender. */
  signal(SIGPIPE, SIG_IGN);
  test_whole_message();
  test_failures();
  test_sigpipe();
  return tap_finish();
}
