/*
 * The private cluster itself: the harness gave us PostgreSQL 15 on a private socket, with a
 * writable database, and `cluster_start` can start a second cluster and remove it again.
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "service/cluster.h"
#include "tap.h"

static PGresult *query(PGconn *connection, const char *sql) {
  return PQexec(connection, sql);
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (!tap_ok(conninfo != NULL, "DUNGHEN_TEST_DB is set by the harness"))
    return tap_finish();
  PGconn *connection = PQconnectdb(conninfo);
  tap_is_integer(PQstatus(connection), CONNECTION_OK, "connects over the private socket");
  tap_ok(PQserverVersion(connection) / 10000 == 15, "server is PostgreSQL 15 (%d)",
         PQserverVersion(connection));
  PGresult *result = query(connection, "CREATE TABLE probe (id int); INSERT INTO probe VALUES (1)");
  tap_is_integer(PQresultStatus(result), PGRES_COMMAND_OK, "the test database is writable");
  PQclear(result);
  result = query(connection, "SHOW listen_addresses");
  tap_is_string(PQgetvalue(result, 0, 0), "", "no TCP listener");
  PQclear(result);
  PQfinish(connection);

  struct cluster second;
  struct error error;
  tap_is_integer(cluster_start(&second, NULL, &error), STATUS_OK, "a second cluster starts");
  char directory[sizeof second.directory];
  strcpy(directory, second.directory);
  tap_ok(PQping(second.conninfo) == PQPING_OK, "and answers");
  cluster_stop(&second);
  struct stat info;
  tap_ok(stat(directory, &info) != 0, "cluster_stop removes its directory");
  return tap_finish();
}
