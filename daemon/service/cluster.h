/*
 * cluster.h: a private, throw-away PostgreSQL 15 cluster (tests and `dunghen demo`).
 *
 * cluster_start() runs initdb in a new temporary directory, starts the server with its Unix
 * socket in that directory and no TCP listener, and waits until it accepts connections. When
 * started as root it runs the server as the unprivileged `postgres` user, because initdb refuses
 * root. A guardian process owns the server: it stops it and removes the directory as soon as
 * the process that started the cluster closes its end of a pipe, which also happens when that
 * process crashes or is killed. So no run leaves a server behind. cluster_stop() is the normal
 * way out; cluster_keep() lets the server outlive the caller (for `demo --keep`).
 */
#ifndef DUNGHEN_CLUSTER_H
#define DUNGHEN_CLUSTER_H

#include <limits.h>
#include <sys/types.h>

#include "core/error.h"

struct cluster {
  char directory[PATH_MAX];
  char conninfo[PATH_MAX + 128]; /* host=DIR port=5432 user=postgres dbname=postgres */
  pid_t guardian;
  int guardian_pipe; /* write end; closing it stops the cluster */
};

/* `parent` is where the temporary directory goes; NULL means $TMPDIR or /tmp. */
enum status cluster_start(struct cluster *cluster, const char *parent, struct error *error);
/* Stops the server and removes its directory; safe to call twice. */
void cluster_stop(struct cluster *cluster);
/* Leaves the server running and its directory in place; the caller may exit. */
void cluster_keep(struct cluster *cluster);

#endif
