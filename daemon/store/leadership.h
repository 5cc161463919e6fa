/*
 * leadership.h: which daemon runs the work that only one instance may run at a time (the
 * scheduled report, retention), elected through PostgreSQL.
 *
 * The elected daemon holds a session-level advisory lock, pg_try_advisory_lock(LEADERSHIP_CLASS,
 * job), on the connection of the thread that runs the job. It is never released by hand: the
 * server drops it when that session ends, whatever ended it (SIGTERM, SIGKILL and the kernel
 * closing the socket, pg_terminate_backend, a server restart, TCP keepalives giving up on a
 * vanished host). The next instance that asks, on its next round, wins it: the handover needs no
 * clock, no expiry to tune and no table, and cannot leave two leaders while the old session
 * lives. Why not a lease row with an expiry: a lease needs a renewal thread and a margin during
 * which nobody leads, and a daemon stalled past its lease would run on beside its successor;
 * with the lock, a stalled daemon keeps its session and the lock, and nobody else runs.
 * The lock stacks when taken twice on one session, so leadership_claim() first asks pg_locks
 * whether its own session holds it already and takes it only when not: asking every round is
 * idempotent. Locks of a session survive its transactions' commits and rollbacks. Unsupported
 * behind a pooler in transaction mode (the lock would stay on a server session another client
 * gets). Blocking libpq; call from the thread that owns `connection`.
 */
#ifndef DUNGHEN_LEADERSHIP_H
#define DUNGHEN_LEADERSHIP_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/error.h"

/* The advisory lock's first key: beside the pass's claims (1684368999, hashtext(code)). */
enum { LEADERSHIP_CLASS = 1684369000 };

enum leadership_job { LEADERSHIP_REPORT = 1, LEADERSHIP_RETENTION = 2 };

/* The job's name in /metrics and /healthz: "report", "retention". */
const char *leadership_job_name(enum leadership_job job);

/* Whether this session leads `job` after the call: it held the lock already, or took it now. */
enum status leadership_claim(PGconn *connection, enum leadership_job job, bool *leader,
                             struct error *error);

#endif
