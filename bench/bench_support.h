/*
 * bench_support.h: what the database benchmarks (pass, preview, report, web) share: a clock
 * for wall time, a statement that must succeed, the baseline every figure is a ratio to (COPY
 * of the source view, warm), the load of N open dossiers into the reference schema and a first
 * full pass over them.
 *
 * The dossiers: four procedures of 3-7 working days, ten agencies (AG0..AG9), three channels,
 * received over the 7 days before 2025-03-31, status processing. A benchmark is a program, not
 * a test: any failure prints its cause and exits 1.
 */
#ifndef DUNGHEN_BENCH_SUPPORT_H
#define DUNGHEN_BENCH_SUPPORT_H

#include <libpq-fe.h>
#include <stdint.h>

struct rules;
struct ladder;

/* Monotonic seconds. */
double bench_seconds_now(void);
/* Runs `sql`; on failure prints the statement and the server's message, then exits 1. */
void bench_must(PGconn *connection, const char *sql);
/* Seconds to COPY dunghen.dossier_source to the client; its size in *bytes (may be NULL). */
double bench_copy_baseline(PGconn *connection, long *bytes);
/* CPU seconds used so far by the server process serving `connection` (same machine), from
 * /proc: with other jobs on the machine, wall time alone says little. -1 when unreadable. */
double bench_server_cpu(PGconn *connection);
/* For qsort over doubles (medians). */
int bench_compare_doubles(const void *left, const void *right);
/* Migrates the daemon's schema, installs the reference schema and loads `count` dossiers;
 * prints how long the load took. */
void bench_load_dossiers(PGconn *connection, long count);
/* A full pass at `now` (store/pass.h) over what was loaded; prints its time and what it wrote. */
void bench_first_pass(PGconn *connection, const struct rules *rules, const struct ladder *ladder,
                      int64_t now);

#endif
