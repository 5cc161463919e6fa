/*
 * cluster.h: a private, throw-away PostgreSQL cluster (tests and `dunghen demo`).
 *
 * cluster_start() runs initdb in a new temporary directory, starts the server with its Unix
 * socket in that directory and no TCP listener, and waits until it accepts connections. When
 * started as root it runs the server as the unprivileged `postgres` user, because initdb refuses
 * root. A guardian process owns the server: it stops it and removes the directory as soon as
 * the process that started the cluster closes its end of a pipe, which also happens when that
 * process crashes or is killed. So no run leaves a server behind. cluster_stop() is the normal
 * way out; cluster_keep() lets the server outlive the caller (for `demo --keep`).
 *
 * The server programs come from the first directory that holds both `initdb` and `postgres`,
 * executable (cluster_find_programs): $DUNGHEN_PG_BINDIR when set (and then only that one: a
 * wrong override is an error, never silently replaced); else what `pg_config --bindir` prints;
 * else the newest /usr/lib/postgresql/VERSION/bin, versions compared as numbers (16 > 9.6).
 * No PostgreSQL version is assumed. When none qualifies, the error names every place tried.
 */
#ifndef DUNGHEN_CLUSTER_H
#define DUNGHEN_CLUSTER_H

#include <limits.h>
#include <sys/types.h>

#include "core/error.h"

struct cluster {
  char directory[PATH_MAX];
  char programs[PATH_MAX];       /* the directory of initdb and postgres */
  char conninfo[PATH_MAX + 128]; /* host=DIR port=5432 user=postgres dbname=postgres */
  pid_t guardian;
  int guardian_pipe; /* write end; closing it stops the cluster */
};

/* Where to look for the server programs; a NULL or empty field skips that step. */
struct cluster_program_search {
  const char *override;      /* the value of $DUNGHEN_PG_BINDIR */
  const char *pg_config;     /* the program asked for `--bindir` (found through $PATH) */
  const char *versions_root; /* holds VERSION/bin directories: /usr/lib/postgresql */
};

/* Fills `directory` (of `size` bytes) with the chosen directory, without a trailing slash.
 * STATUS_RUNTIME when no place holds the programs, or the override does not. */
enum status cluster_find_programs(const struct cluster_program_search *search, char *directory,
                                  size_t size, struct error *error);
/* cluster_find_programs() with $DUNGHEN_PG_BINDIR, `pg_config` and /usr/lib/postgresql. */
enum status cluster_programs(char *directory, size_t size, struct error *error);

/* `parent` is where the temporary directory goes; NULL means $TMPDIR or /tmp. */
enum status cluster_start(struct cluster *cluster, const char *parent, struct error *error);
/* Stops the server and removes its directory; safe to call twice. */
void cluster_stop(struct cluster *cluster);
/* Leaves the server running and its directory in place; the caller may exit. */
void cluster_keep(struct cluster *cluster);

#endif
