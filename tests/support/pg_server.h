/*
 * pg_server.h: a private PostgreSQL that a test can stop and start again (tests only).
 *
 * demo/cluster.h's cluster cannot restart: its guardian removes the directory as soon as the
 * server exits. This one is driven by pg_ctl, so the server may go down and come back on the
 * same socket and data while the daemon under test keeps running. A guardian process stops
 * the server (immediate mode) and removes the directory when the test exits or dies, so no run
 * leaves a server behind. As root, the server runs as the `postgres` user (initdb refuses root).
 * The programs (initdb, pg_ctl) come from the directory demo/cluster.h's cluster_programs()
 * chooses, as for the demo's cluster.
 */
#ifndef DUNGHEN_PG_SERVER_H
#define DUNGHEN_PG_SERVER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

struct pg_server {
  char directory[PATH_MAX];
  char programs[PATH_MAX];       /* initdb, pg_ctl: cluster_programs() */
  char conninfo[PATH_MAX + 128]; /* host=DIR port=5432 user=postgres dbname=postgres */
  pid_t guardian;
  int guardian_pipe;
};

/* initdb, start, wait until it answers; false (with a message on stderr) on failure. */
bool pg_server_create(struct pg_server *server);
/* pg_ctl stop -m fast (connections are cut, the socket disappears). */
bool pg_server_stop(struct pg_server *server);
/* pg_ctl start -w. */
bool pg_server_start(struct pg_server *server);
/* Stops for good and removes the directory. */
void pg_server_destroy(struct pg_server *server);

/* Runs a server program (initdb, pg_ctl, pg_basebackup: a full path) as the server user, its
 * output appended to `log_path`; its exit status, or -1. For tests that run servers of their
 * own (tests/faults/test_failover.c: a primary and a standby). */
int pg_server_run_program(const char *log_path, char *const arguments[]);

#endif
