#include "demo/cluster.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "service/session.h"

enum { START_TIMEOUT_SECONDS = 60, STOP_TIMEOUT_SECONDS = 15 };

enum { VERSION_PARTS = 4 };

extern char **environ;

/* An executable regular file (root's access(X_OK) is true for a file with any x bit). */
static bool is_program(const char *directory, const char *name) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/%s", directory, name) >= (int)sizeof path)
    return false;
  struct stat info;
  return stat(path, &info) == 0 && S_ISREG(info.st_mode) && (info.st_mode & 0111) != 0 &&
         access(path, X_OK) == 0;
}

/* NULL when `directory` holds both server programs, else the name of the one it lacks. */
static const char *lacking_program(const char *directory) {
  if (!is_program(directory, "initdb"))
    return "initdb";
  if (!is_program(directory, "postgres"))
    return "postgres";
  return NULL;
}

static enum status copy_directory(const char *from, char *directory, size_t size,
                                  struct error *error) {
  size_t length = strlen(from);
  while (length > 1 && from[length - 1] == '/')
    length--;
  if (length >= size)
    return error_set(error, STATUS_RUNTIME, "the directory %s is too long", from);
  memcpy(directory, from, length);
  directory[length] = '\0';
  return STATUS_OK;
}

/*
 * Runs `pg_config --bindir` (no shell; stderr discarded) and keeps its one line of output in
 * `output`. False with what happened in `outcome` when the program is missing, fails, or
 * prints something that is not an absolute path.
 */
static bool ask_pg_config(const char *program, char *output, size_t size, char *outcome,
                          size_t outcome_size) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) {
    snprintf(outcome, outcome_size, "%s --bindir: pipe: %s", program, strerror(errno));
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  char *arguments[] = {(char *)program, "--bindir", NULL};
  pid_t child;
  int failure = posix_spawnp(&child, program, &actions, NULL, arguments, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(ends[1]);
  if (failure != 0) {
    close(ends[0]);
    snprintf(outcome, outcome_size, "%s: %s", program,
             failure == ENOENT ? "not found" : strerror(failure));
    return false;
  }
  size_t used = 0;
  for (;;) {
    char chunk[256];
    ssize_t got = read(ends[0], chunk, sizeof chunk);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      break;
    size_t room = size - 1 - used;
    size_t take = (size_t)got < room ? (size_t)got : room;
    memcpy(output + used, chunk, take);
    used += take;
  }
  close(ends[0]);
  output[used] = '\0';
  int wait_status;
  while (waitpid(child, &wait_status, 0) < 0 && errno == EINTR)
    ;
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    snprintf(outcome, outcome_size, "%s --bindir failed (exit %d)", program,
             WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
    return false;
  }
  output[strcspn(output, "\r\n")] = '\0';
  if (output[0] != '/') {
    snprintf(outcome, outcome_size, "%s --bindir printed no absolute path", program);
    return false;
  }
  return true;
}

/* A directory name made of numbers joined by dots ("15", "9.6"), read into `parts`. */
static bool parse_version(const char *name, unsigned long parts[VERSION_PARTS]) {
  memset(parts, 0, VERSION_PARTS * sizeof parts[0]);
  const char *cursor = name;
  for (int index = 0; index < VERSION_PARTS; index++) {
    if (*cursor < '0' || *cursor > '9')
      return false;
    char *end;
    errno = 0;
    parts[index] = strtoul(cursor, &end, 10);
    if (errno != 0)
      return false;
    if (*end == '\0')
      return true;
    if (*end != '.')
      return false;
    cursor = end + 1;
  }
  return false;
}

static int compare_versions(const unsigned long left[VERSION_PARTS],
                            const unsigned long right[VERSION_PARTS]) {
  for (int index = 0; index < VERSION_PARTS; index++)
    if (left[index] != right[index])
      return left[index] < right[index] ? -1 : 1;
  return 0;
}

/*
 * The newest ROOT/VERSION/bin that holds both programs, into `directory`. False with what
 * was seen in `outcome` otherwise.
 */
static bool newest_version(const char *root, char *directory, size_t size, char *outcome,
                           size_t outcome_size) {
  DIR *listing = opendir(root);
  if (listing == NULL) {
    snprintf(outcome, outcome_size, "%s: %s", root, strerror(errno));
    return false;
  }
  unsigned long best[VERSION_PARTS] = {0};
  bool found = false;
  int versions = 0;
  struct dirent *entry;
  while ((entry = readdir(listing)) != NULL) {
    unsigned long version[VERSION_PARTS];
    if (!parse_version(entry->d_name, version))
      continue;
    versions++;
    char candidate[PATH_MAX];
    if (snprintf(candidate, sizeof candidate, "%s/%s/bin", root, entry->d_name) >=
        (int)sizeof candidate)
      continue;
    if (lacking_program(candidate) != NULL)
      continue;
    if (found && compare_versions(version, best) <= 0)
      continue;
    if (strlen(candidate) >= size)
      continue;
    memcpy(best, version, sizeof best);
    memcpy(directory, candidate, strlen(candidate) + 1);
    found = true;
  }
  closedir(listing);
  if (!found)
    snprintf(outcome, outcome_size, "%s/VERSION/bin: %s", root,
             versions == 0 ? "no version installed" : "no version has initdb and postgres");
  return found;
}

enum status cluster_find_programs(const struct cluster_program_search *search, char *directory,
                                  size_t size, struct error *error) {
  if (search->override != NULL && *search->override != '\0') {
    const char *lacking = lacking_program(search->override);
    if (lacking != NULL)
      return error_set(error, STATUS_RUNTIME, "DUNGHEN_PG_BINDIR=%s has no executable %s",
                       search->override, lacking);
    return copy_directory(search->override, directory, size, error);
  }
  char pg_config_outcome[PATH_MAX + 128] = "pg_config not asked";
  if (search->pg_config != NULL && *search->pg_config != '\0') {
    char printed[PATH_MAX];
    if (ask_pg_config(search->pg_config, printed, sizeof printed, pg_config_outcome,
                      sizeof pg_config_outcome)) {
      const char *lacking = lacking_program(printed);
      if (lacking == NULL)
        return copy_directory(printed, directory, size, error);
      snprintf(pg_config_outcome, sizeof pg_config_outcome, "%s --bindir: %s has no %s",
               search->pg_config, printed, lacking);
    }
  }
  char versions_outcome[PATH_MAX + 64] = "no versions directory";
  if (search->versions_root != NULL && *search->versions_root != '\0' &&
      newest_version(search->versions_root, directory, size, versions_outcome,
                     sizeof versions_outcome))
    return STATUS_OK;
  return error_set(error, STATUS_RUNTIME,
                   "PostgreSQL's server programs (initdb, postgres) not found: %s; %s "
                   "(install postgresql, or set DUNGHEN_PG_BINDIR)",
                   pg_config_outcome, versions_outcome);
}

enum status cluster_programs(char *directory, size_t size, struct error *error) {
  struct cluster_program_search search = {
      .override = getenv("DUNGHEN_PG_BINDIR"),
      .pg_config = "pg_config",
      .versions_root = "/usr/lib/postgresql",
  };
  return cluster_find_programs(&search, directory, size, error);
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
                     "PostgreSQL server as (install postgresql)");
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

static enum status run_initdb(const char *programs, const char *directory, uid_t uid, gid_t gid,
                              struct error *error) {
  char binary[PATH_MAX + 8], data[PATH_MAX], log[PATH_MAX];
  snprintf(binary, sizeof binary, "%s/initdb", programs);
  snprintf(data, sizeof data, "%s/data", directory);
  snprintf(log, sizeof log, "%s/initdb.log", directory);
  /* clang-format off */
  char *arguments[] = {binary, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                       "--locale=C.UTF-8", "--no-sync", NULL};
  /* clang-format on */
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

static pid_t spawn_server(const char *programs, const char *directory, uid_t uid, gid_t gid) {
  char binary[PATH_MAX + 16], data[PATH_MAX], log[PATH_MAX], socket_option[PATH_MAX + 32];
  snprintf(binary, sizeof binary, "%s/postgres", programs);
  snprintf(data, sizeof data, "%s/data", directory);
  snprintf(log, sizeof log, "%s/server.log", directory);
  snprintf(socket_option, sizeof socket_option, "unix_socket_directories=%s", directory);
  /* clang-format off */
  char *arguments[] = {binary, "-D", data, "-p", "5432", "-c", socket_option,
                       "-c", "listen_addresses=", "-c", "fsync=off", "-c",
                       "full_page_writes=off", "-c", "synchronous_commit=off", "-c",
                       "max_connections=60", NULL};
  /* clang-format on */
  pid_t server = fork();
  if (server == 0) {
    setpgid(0, 0); /* a terminal's Ctrl-C goes to the guardian's decision, not the server */
    become_server_user_and_exec(uid, gid, log, arguments);
  }
  return server;
}

static enum status wait_until_ready(const struct cluster *cluster, struct error *error) {
  for (int tick = 0; tick < START_TIMEOUT_SECONDS * 10; tick++) {
    if (session_server_accepts(cluster->conninfo))
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

static enum status make_directory(struct cluster *cluster, const char *parent, uid_t uid, gid_t gid,
                                  struct error *error) {
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
    return error_set(error, STATUS_RUNTIME, "chown %s: %s", cluster->directory, strerror(saved));
  }
  return STATUS_OK;
}

enum status cluster_start(struct cluster *cluster, const char *parent, struct error *error) {
  memset(cluster, 0, sizeof *cluster);
  cluster->guardian = -1;
  cluster->guardian_pipe = -1;
  uid_t uid;
  gid_t gid;
  enum status status = cluster_programs(cluster->programs, sizeof cluster->programs, error);
  if (status != STATUS_OK)
    return status;
  status = server_user(&uid, &gid, error);
  if (status != STATUS_OK)
    return status;
  status = make_directory(cluster, parent, uid, gid, error);
  if (status != STATUS_OK)
    return status;
  status = run_initdb(cluster->programs, cluster->directory, uid, gid, error);
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
    pid_t server = spawn_server(cluster->programs, cluster->directory, uid, gid);
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
