/*
 * with-cluster: runs one command against a private PostgreSQL cluster.
 *
 *   with-cluster COMMAND [ARGUMENTS...]
 *
 * Starts a cluster (demo/cluster.h), creates the database `dunghen_test`, exports
 * DUNGHEN_TEST_DB (a conninfo) and the libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE,
 * runs the command and returns its exit status. The cluster is removed afterwards, also when
 * the command fails, this program is interrupted, or it is killed (the cluster's guardian sees
 * the pipe close). The `db` and `e2e` suites run their programs through it.
 */
#include <errno.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demo/cluster.h"

static volatile sig_atomic_t child_pid;

static void forward_signal(int signal_number) {
  if (child_pid > 0)
    kill(child_pid, signal_number);
}

static int create_database(const char *conninfo) {
  PGconn *connection = PQconnectdb(conninfo);
  if (PQstatus(connection) != CONNECTION_OK) {
    fprintf(stderr, "with-cluster: %s", PQerrorMessage(connection));
    PQfinish(connection);
    return -1;
  }
  PGresult *result = PQexec(connection, "CREATE DATABASE dunghen_test");
  int ok = PQresultStatus(result) == PGRES_COMMAND_OK ? 0 : -1;
  if (ok != 0)
    fprintf(stderr, "with-cluster: %s", PQerrorMessage(connection));
  PQclear(result);
  PQfinish(connection);
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: with-cluster COMMAND [ARGUMENTS...]\n");
    return 2;
  }
  struct cluster cluster;
  struct error error;
  if (cluster_start(&cluster, NULL, &error) != STATUS_OK) {
    fprintf(stderr, "with-cluster: %s\n", error.message);
    return 1;
  }
  if (create_database(cluster.conninfo) != 0) {
    cluster_stop(&cluster);
    return 1;
  }
  char conninfo[sizeof cluster.conninfo + 64];
  snprintf(conninfo, sizeof conninfo, "host=%s port=5432 user=postgres dbname=dunghen_test",
           cluster.directory);
  setenv("DUNGHEN_TEST_DB", conninfo, 1);
  setenv("PGHOST", cluster.directory, 1);
  setenv("PGPORT", "5432", 1);
  setenv("PGUSER", "postgres", 1);
  setenv("PGDATABASE", "dunghen_test", 1);

  struct sigaction action = {.sa_handler = forward_signal};
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, NULL);
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGHUP, &action, NULL);

  pid_t child = fork();
  if (child == 0) {
    execvp(argv[1], argv + 1);
    fprintf(stderr, "with-cluster: cannot run %s: %s\n", argv[1], strerror(errno));
    _exit(127);
  }
  child_pid = child;
  int status = 1;
  while (child > 0 && waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  cluster_stop(&cluster);
  if (child < 0)
    return 1;
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
