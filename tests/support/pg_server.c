#include "pg_server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "demo/cluster.h"

int pg_server_run_program(const char *log_path, char *const arguments[]) {
  fflush(NULL);
  pid_t child = fork();
  if (child < 0)
    return -1;
  if (child == 0) {
    int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    if (geteuid() == 0) {
      struct passwd *user = getpwnam("postgres");
      if (user == NULL || setgroups(0, NULL) != 0 || setgid(user->pw_gid) != 0 ||
          setuid(user->pw_uid) != 0)
        _exit(126);
    }
    execv(arguments[0], arguments);
    _exit(127);
  }
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Output appended to DIR/pg_ctl.log. */
static int run_as_server_user(const struct pg_server *server, char *const arguments[]) {
  char log_path[PATH_MAX + 16];
  snprintf(log_path, sizeof log_path, "%s/pg_ctl.log", server->directory);
  return pg_server_run_program(log_path, arguments);
}

static int pg_ctl(const struct pg_server *server, const char *action, const char *mode) {
  char binary[PATH_MAX + 8], data[PATH_MAX + 8], log[PATH_MAX + 16], options[PATH_MAX + 200];
  snprintf(binary, sizeof binary, "%s/pg_ctl", server->programs);
  snprintf(data, sizeof data, "%s/data", server->directory);
  snprintf(log, sizeof log, "%s/server.log", server->directory);
  snprintf(options, sizeof options,
           "-p 5432 -c unix_socket_directories=%s -c listen_addresses= -c fsync=off "
           "-c max_connections=40",
           server->directory);
  if (strcmp(action, "start") == 0) {
    char *arguments[] = {binary,  "-D", data, "-l", log,     "-o",
                         options, "-w", "-t", "60", "start", NULL};
    return run_as_server_user(server, arguments);
  }
  char *arguments[] = {binary, "-D", data, "-m", (char *)mode, "-w", "-t", "60", "stop", NULL};
  return run_as_server_user(server, arguments);
}

/* The guardian waits for the test's end of the pipe to close, then cleans up. */
static void guard(struct pg_server *server, int pipe_read) {
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  char byte;
  for (;;) {
    ssize_t got = read(pipe_read, &byte, 1);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
  }
  pg_ctl(server, "stop", "immediate");
  char command[PATH_MAX + 16];
  snprintf(command, sizeof command, "rm -rf '%s'", server->directory);
  int ignored = system(command);
  (void)ignored;
  _exit(0);
}

bool pg_server_create(struct pg_server *server) {
  memset(server, 0, sizeof *server);
  server->guardian_pipe = -1;
  struct error error;
  if (cluster_programs(server->programs, sizeof server->programs, &error) != STATUS_OK) {
    fprintf(stderr, "pg_server: %s\n", error.message);
    return false;
  }
  const char *parent = getenv("TMPDIR");
  snprintf(server->directory, sizeof server->directory, "%s/dunghen-pgr-XXXXXX",
           parent != NULL && *parent != '\0' ? parent : "/tmp");
  if (mkdtemp(server->directory) == NULL) {
    perror("pg_server: mkdtemp");
    return false;
  }
  if (geteuid() == 0) {
    struct passwd *user = getpwnam("postgres");
    if (user == NULL || chown(server->directory, user->pw_uid, user->pw_gid) != 0) {
      fprintf(stderr, "pg_server: cannot hand %s to the postgres user\n", server->directory);
      return false;
    }
  }
  snprintf(server->conninfo, sizeof server->conninfo,
           "host=%s port=5432 user=postgres dbname=postgres", server->directory);
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0)
    return false;
  fflush(NULL);
  server->guardian = fork();
  if (server->guardian == 0) {
    close(ends[1]);
    guard(server, ends[0]);
  }
  close(ends[0]);
  server->guardian_pipe = ends[1];
  char binary[PATH_MAX + 8], data[PATH_MAX + 8];
  snprintf(binary, sizeof binary, "%s/initdb", server->programs);
  snprintf(data, sizeof data, "%s/data", server->directory);
  char *arguments[] = {binary,      "-D",    data, "-U",   "postgres",
                       "-A",        "trust", "-E", "UTF8", "--locale=C.UTF-8",
                       "--no-sync", NULL};
  if (run_as_server_user(server, arguments) != 0) {
    fprintf(stderr, "pg_server: initdb failed; see %s/pg_ctl.log\n", server->directory);
    return false;
  }
  return pg_server_start(server);
}

bool pg_server_start(struct pg_server *server) {
  if (pg_ctl(server, "start", NULL) != 0) {
    fprintf(stderr, "pg_server: start failed; see %s/server.log\n", server->directory);
    return false;
  }
  for (int tick = 0; tick < 600; tick++) {
    if (PQping(server->conninfo) == PQPING_OK)
      return true;
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return false;
}

bool pg_server_stop(struct pg_server *server) {
  return pg_ctl(server, "stop", "fast") == 0;
}

void pg_server_destroy(struct pg_server *server) {
  if (server->guardian_pipe >= 0)
    close(server->guardian_pipe);
  server->guardian_pipe = -1;
  if (server->guardian > 0)
    while (waitpid(server->guardian, NULL, 0) < 0 && errno == EINTR)
      ;
  server->guardian = -1;
}
