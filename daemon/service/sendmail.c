/*
 * sendmail.c: fork + execve, a poll() loop that feeds stdin and drains stderr under one deadline,
 * then reaping (killing the child when the deadline passes).
 */
#include "service/sendmail.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "service/clock.h"

extern char **environ;

enum { STDERR_KEEP = 1024 };

static void close_pair(int pipe_ends[2]) {
  for (int i = 0; i < 2; i++)
    if (pipe_ends[i] >= 0)
      close(pipe_ends[i]);
}

/*
 * fork + execve rather than posix_spawn: the child asks (PR_SET_PDEATHSIG) to be killed when
 * the daemon dies, so a SIGKILLed daemon leaves no sendmail finishing a message whose delivery
 * row was rolled back (the restart sends it again, and it would arrive twice). Between fork and
 * execve the child only makes system calls (async-signal-safe).
 */
static enum status spawn(const char *program, char *const *arguments, int input[2], int errors[2],
                         pid_t *pid, struct error *error) {
  size_t count = 0;
  while (arguments[count] != NULL)
    count++;
  char **argv = calloc(count + 2, sizeof *argv);
  if (argv == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory starting sendmail");
  argv[0] = (char *)program;
  for (size_t i = 0; i < count; i++)
    argv[i + 1] = arguments[i];
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  pid_t parent = getpid();
  *pid = fork();
  if (*pid == 0) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
      _exit(127);
    /* The daemon ignores SIGPIPE, and an ignored signal stays ignored across execve. */
    signal(SIGPIPE, SIG_DFL);
    if (dup2(input[0], STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
        dup2(errors[1], STDERR_FILENO) < 0)
      _exit(127);
    execve(program, argv, environ);
    static const char message[] = "sendmail: cannot execute the program\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    _exit(127);
  }
  int failed = errno;
  if (null >= 0)
    close(null);
  free(argv);
  if (*pid < 0)
    return error_set(error, STATUS_RUNTIME, "cannot start %s: %s", program, strerror(failed));
  return STATUS_OK;
}

/* Feeds the message and keeps stderr until both are done or the deadline passes. */
static bool exchange(int input, int errors, const char *message, size_t length, double deadline,
                     char *kept, size_t *kept_length) {
  size_t written = 0;
  bool input_open = true, errors_open = true;
  if (length == 0) {
    close(input);
    input_open = false;
  }
  while (input_open || errors_open) {
    double left = deadline - clock_monotonic_seconds();
    if (left <= 0) {
      if (input_open)
        close(input);
      return false;
    }
    struct pollfd fds[2] = {{input_open ? input : -1, POLLOUT, 0},
                            {errors_open ? errors : -1, POLLIN, 0}};
    int ready = poll(fds, 2, (int)(left * 1000) + 1);
    if (ready < 0 && errno != EINTR) {
      if (input_open)
        close(input);
      return false;
    }
    if (ready <= 0)
      continue;
    if (input_open && (fds[0].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t sent = write(input, message + written, length - written);
      if (sent > 0)
        written += (size_t)sent;
      if (sent < 0 && errno != EAGAIN && errno != EINTR)
        written = length; /* the child closed its stdin (EPIPE): its exit status will tell */
      if (written >= length) {
        close(input);
        input_open = false;
      }
    }
    if (errors_open && (fds[1].revents & (POLLIN | POLLERR | POLLHUP)) != 0) {
      char chunk[512];
      ssize_t got = read(errors, chunk, sizeof chunk);
      if (got > 0 && *kept_length + 1 < STDERR_KEEP) {
        size_t take = (size_t)got < STDERR_KEEP - 1 - *kept_length ? (size_t)got
                                                                   : STDERR_KEEP - 1 - *kept_length;
        memcpy(kept + *kept_length, chunk, take);
        *kept_length += take;
      }
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
        errors_open = false;
    }
  }
  return true;
}

/* Waits for the child until the deadline, then kills it. */
static int reap(pid_t pid, double deadline, bool *timed_out) {
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid)
      return status;
    if (done < 0 && errno != EINTR)
      return -1;
    if (clock_monotonic_seconds() >= deadline) {
      *timed_out = true;
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return status;
    }
    struct timespec pause = {0, 1000 * 1000}; /* 1 ms: the row commits right after */
    nanosleep(&pause, NULL);
  }
}

/* One line of the child's stderr, for the delivery log: control characters become spaces. */
static void describe_stderr(char *kept, size_t length) {
  kept[length] = '\0';
  while (length > 0 && (kept[length - 1] == '\n' || kept[length - 1] == ' '))
    kept[--length] = '\0';
  for (size_t i = 0; i < length; i++)
    if ((unsigned char)kept[i] < 0x20)
      kept[i] = ' ';
}

enum status sendmail_run(const char *program, char *const *arguments, const char *message,
                         size_t length, int timeout, struct sendmail_result *result,
                         struct error *error) {
  result->exit_status = -1;
  result->timed_out = false;
  int input[2] = {-1, -1}, errors[2] = {-1, -1};
  if (pipe2(input, O_CLOEXEC) != 0 || pipe2(errors, O_CLOEXEC) != 0) {
    close_pair(input);
    close_pair(errors);
    return error_set(error, STATUS_RUNTIME, "cannot make pipes for sendmail: %s", strerror(errno));
  }
  pid_t pid = -1;
  enum status status = spawn(program, arguments, input, errors, &pid, error);
  close(input[0]);
  close(errors[1]);
  if (status != STATUS_OK) {
    close(input[1]);
    close(errors[0]);
    return status;
  }
  fcntl(input[1], F_SETFL, O_NONBLOCK);
  double deadline = clock_monotonic_seconds() + timeout;
  char kept[STDERR_KEEP];
  size_t kept_length = 0;
  bool finished = exchange(input[1], errors[0], message, length, deadline, kept, &kept_length);
  close(errors[0]);
  int wait_status = reap(pid, finished ? deadline : clock_monotonic_seconds(), &result->timed_out);
  describe_stderr(kept, kept_length);
  if (result->timed_out)
    return error_set(error, STATUS_RUNTIME, "%s took longer than %d s and was killed%s%s", program,
                     timeout, kept_length > 0 ? ": " : "", kept);
  if (wait_status < 0)
    return error_set(error, STATUS_RUNTIME, "%s: cannot wait for it", program);
  if (WIFSIGNALED(wait_status))
    return error_set(error, STATUS_RUNTIME, "%s was killed by signal %d%s%s", program,
                     WTERMSIG(wait_status), kept_length > 0 ? ": " : "", kept);
  result->exit_status = WEXITSTATUS(wait_status);
  if (result->exit_status != 0)
    return error_set(error, STATUS_RUNTIME, "%s exited with status %d%s%s", program,
                     result->exit_status, kept_length > 0 ? ": " : "", kept);
  return STATUS_OK;
}
