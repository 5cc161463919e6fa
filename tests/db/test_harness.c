/*
 * The private cluster itself: the harness gave us a PostgreSQL on a private socket, from the
 * programs cluster_programs() chooses (no version is hard-coded), with a writable database,
 * and `cluster_start` can start a second cluster from the same programs and remove it again.
 */
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "demo/cluster.h"
#include "tap.h"

/* The major version that DIR/postgres --version reports ("postgres (PostgreSQL) 15.18 ..."). */
static int major_version(const char *programs) {
  char command[PATH_MAX + 32];
  snprintf(command, sizeof command, "'%s/postgres' --version", programs);
  FILE *output = popen(command, "r");
  if (output == NULL)
    return -1;
  char line[256] = "";
  char *got = fgets(line, sizeof line, output);
  pclose(output);
  const char *number = got != NULL ? strstr(line, ") ") : NULL;
  return number != NULL ? atoi(number + 2) : -1;
}

static PGresult *query(PGconn *connection, const char *sql) {
  return PQexec(connection, sql);
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (!tap_ok(conninfo != NULL, "DUNGHEN_TEST_DB is set by the harness"))
    return tap_finish();
  PGconn *connection = PQconnectdb(conninfo);
  tap_is_integer(PQstatus(connection), CONNECTION_OK, "connects over the private socket");
  char programs[PATH_MAX];
  struct error error;
  if (tap_is_integer(cluster_programs(programs, sizeof programs, &error), STATUS_OK,
                     "cluster_programs() finds the server programs"))
    tap_is_integer(PQserverVersion(connection) / 10000, major_version(programs),
                   "the server is the PostgreSQL of %s (%d)", programs,
                   PQserverVersion(connection));
  else
    tap_diagnostic("%s", error.message);
  PGresult *result = query(connection, "CREATE TABLE probe (id int); INSERT INTO probe VALUES (1)");
  tap_is_integer(PQresultStatus(result), PGRES_COMMAND_OK, "the test database is writable");
  PQclear(result);
  result = query(connection, "SHOW listen_addresses");
  tap_is_string(PQgetvalue(result, 0, 0), "", "no TCP listener");
  PQclear(result);
  PQfinish(connection);

  struct cluster second;
  tap_is_integer(cluster_start(&second, NULL, &error), STATUS_OK, "a second cluster starts");
  tap_is_string(second.programs, programs, "from the same programs");
  char directory[sizeof second.directory];
  strcpy(directory, second.directory);
  tap_ok(PQping(second.conninfo) == PQPING_OK, "and answers");
  cluster_stop(&second);
  struct stat info;
  tap_ok(stat(directory, &info) != 0, "cluster_stop removes its directory");
  return tap_finish();
}
