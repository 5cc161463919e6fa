#include "service/cluster.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { START_TIMEOUT_SECONDS = 60, STOP_TIMEOUT_SECONDS = 15 };

static const char *server_binary_directory(void) {
  const char *configured = getenv("DUNGHEN_PG_BINDIR");
  return configured != NULL && *configured != '\0' ? configured : "/usr/lib/postgresql/15/bin";
}

/* The user the server runs as: ourselves, or `postgres` when we are root. */
static enum status server_user(uid_t *uid, gid_t *gid, struct error *error) {
  *uid = geteuid();
  *gid = getegid();
  if (*uid != 0)
    return STATUS_OK;
  struct passwd *entry = getpwnam("postgres");
  if (entry == NULL)
    return error_set(error, STATUS_RUNTIME,
                     "running as root, and there is no 'postgres' user to run the private "
                     "PostgreSQL server as (install postgresql-15)");
  *uid = entry->pw_uid;
  *gid = entry->pw_gid;
  return STATUS_OK;
}

/* In a child: drop to the server user, send output to `log_path`, exec. Never returns. */
static void become_server_user_and_exec(uid_t uid, gid_t gid, const char *log_path,
                                        char *const arguments[]) {
  int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log >= 0) {
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
  }
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0)
    dup2(null, STDIN_FILENO);
  if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0))
    _exit(126);
  execv(arguments[0], arguments);
  _exit(127);
}

static enum status run_initdb(const char *directory, uid_t uid, gid_t gid, struct error *error) {
  char binary[PATH_MAX], data[PATH_MAX], log[PATH_MAX];
  snprintf(binary, sizeof binary, "%s/initdb", server_binary_directory());
  snprintf(data, sizeof data, "%s/data", directory);
  snprintf(log, sizeof log, "%s/initdb.log", directory);
  char *arguments[] = {binary, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                       "--locale=C.UTF-8", "--no-sync", NULL};
  pid_t child = fork();
  if (child < 0)
    return error_set(error, STATUS_RUNTIME, "fork: %s", strerror(errno));
  if (child == 0)
    become_server_user_and_exec(uid, gid, log, arguments);
  int wait_status;
  while (waitpid(child, &wait_status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0)
    return error_set(error, STATUS_RUNTIME, "initdb failed (exit %d); see %s",
                     WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1, log);
  return STATUS_OK;
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk) {
  (void)info;
  (void)flag;
  (void)walk;
  remove(path);
  return 0;
}

static void remove_tree(const char *directory) {
  nftw(directory, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Waits up to `seconds` for the server to exit; true when it did. */
static bool wait_for_exit(pid_t server, int seconds) {
  for (int tick = 0; tick < seconds * 20; tick++) {
    pid_t done = waitpid(server, NULL, WNOHANG);
    if (done == server || (done < 0 && errno == ECHILD))
      return true;
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return false;
}

/*
 * The guardian: parent of the server, child of the caller. It sleeps on the pipe; end of file
 * means the caller is done or dead, so it stops the server (fast shutdown, then kill) and
 * removes the directory. A 'k' byte on the pipe means keep: it leaves without stopping.
 */
static void guard(int pipe_read, pid_t server, const char *directory) {
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  for (;;) {
    struct pollfd watch = {.fd = pipe_read, .events = POLLIN};
    int ready = poll(&watch, 1, 500);
    if (ready > 0) {
      char byte;
      ssize_t got = read(pipe_read, &byte, 1);
      if (got == 1 && byte == 'k')
        _exit(0);
      if (got == 0 || (got < 0 && errno != EINTR))
        break;
    }
    if (waitpid(server, NULL, WNOHANG) == server) {
      server = -1;
      break;
    }
  }
  if (server > 0) {
    kill(server, SIGINT);
    if (!wait_for_exit(server, STOP_TIMEOUT_SECONDS)) {
      kill(server, SIGKILL);
      wait_for_exit(server, STOP_TIMEOUT_SECONDS);
    }
  }
  remove_tree(directory);
  _exit(0);
}

static pid_t spawn_server(const char *directory, uid_t uid, gid_t gid) {
  char binary[PATH_MAX], data[PATH_MAX], log[PATH_MAX], socket_option[PATH_MAX + 32];
  snprintf(binary, sizeof binary, "%s/postgres", server_binary_directory());
  snprintf(data, sizeof data, "%s/data", directory);
  snprintf(log, sizeof log, "%s/server.log", directory);
  snprintf(socket_option, sizeof socket_option, "unix_socket_directories=%s", directory);
  char *arguments[] = {binary, "-D", data, "-p", "5432", "-c", socket_option,
                       "-c", "listen_addresses=", "-c", "fsync=off", "-c",
                       "full_page_writes=off", "-c", "synchronous_commit=off", "-c",
                       "max_connections=60", NULL};
  pid_t server = fork();
  if (server == 0) {
    setpgid(0, 0); /* a terminal's Ctrl-C goes to the guardian's decision, not the server */
    become_server_user_and_exec(uid, gid, log, arguments);
  }
  return server;
}

static enum status wait_until_ready(const struct cluster *cluster, struct error *error) {
  for (int tick = 0; tick < START_TIMEOUT_SECONDS * 10; tick++) {
    if (PQping(cluster->conninfo) == PQPING_OK)
      return STATUS_OK;
    int status;
    if (waitpid(cluster->guardian, &status, WNOHANG) == cluster->guardian)
      return error_set(error, STATUS_RUNTIME,
                       "the private PostgreSQL server exited at start; see %s/server.log",
                       cluster->directory);
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return error_set(error, STATUS_RUNTIME, "the private PostgreSQL server did not start in %d s",
                   START_TIMEOUT_SECONDS);
}

static enum status make_directory(struct cluster *cluster, const char *parent, uid_t uid,
                                  gid_t gid, struct error *error) {
  if (parent == NULL) {
    parent = getenv("TMPDIR");
    if (parent == NULL || *parent == '\0')
      parent = "/tmp";
  }
  snprintf(cluster->directory, sizeof cluster->directory, "%s/dunghen-pg-XXXXXX", parent);
  if (mkdtemp(cluster->directory) == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot create a directory in %s: %s", parent,
                     strerror(errno));
  if (geteuid() == 0 && chown(cluster->directory, uid, gid) != 0) {
    int saved = errno;
    rmdir(cluster->directory);
    return error_set(error, STATUS_RUNTIME, "chown %s: %s", cluster->directory,
                     strerror(saved));
  }
  return STATUS_OK;
}

enum status cluster_start(struct cluster *cluster, const char *parent, struct error *error) {
  memset(cluster, 0, sizeof *cluster);
  cluster->guardian = -1;
  cluster->guardian_pipe = -1;
  uid_t uid;
  gid_t gid;
  enum status status = server_user(&uid, &gid, error);
  if (status != STATUS_OK)
    return status;
  status = make_directory(cluster, parent, uid, gid, error);
  if (status != STATUS_OK)
    return status;
  status = run_initdb(cluster->directory, uid, gid, error);
  if (status != STATUS_OK) {
    remove_tree(cluster->directory);
    return status;
  }
  snprintf(cluster->conninfo, sizeof cluster->conninfo,
           "host=%s port=5432 user=postgres dbname=postgres", cluster->directory);
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) {
    remove_tree(cluster->directory);
    return error_set(error, STATUS_RUNTIME, "pipe: %s", strerror(errno));
  }
  fflush(NULL);
  pid_t guardian = fork();
  if (guardian < 0) {
    remove_tree(cluster->directory);
    return error_set(error, STATUS_RUNTIME, "fork: %s", strerror(errno));
  }
  if (guardian == 0) {
    close(ends[1]);
    setpgid(0, 0);
    pid_t server = spawn_server(cluster->directory, uid, gid);
    if (server < 0) {
      remove_tree(cluster->directory);
      _exit(1);
    }
    guard(ends[0], server, cluster->directory);
  }
  close(ends[0]);
  cluster->guardian = guardian;
  cluster->guardian_pipe = ends[1];
  status = wait_until_ready(cluster, error);
  if (status != STATUS_OK)
    cluster_stop(cluster);
  return status;
}

void cluster_stop(struct cluster *cluster) {
  if (cluster->guardian_pipe >= 0) {
    close(cluster->guardian_pipe);
    cluster->guardian_pipe = -1;
  }
  if (cluster->guardian > 0) {
    while (waitpid(cluster->guardian, NULL, 0) < 0 && errno == EINTR)
      ;
    cluster->guardian = -1;
  }
}

void cluster_keep(struct cluster *cluster) {
  if (cluster->guardian_pipe >= 0) {
    ssize_t written = write(cluster->guardian_pipe, "k", 1);
    (void)written;
  }
  cluster_stop(cluster);
}
