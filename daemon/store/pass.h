/*
 * pass.h: one pass of the daemon over the database: sync, clock, escalation, letter queue.
 *
 * Plain blocking libpq, meant for a worker thread that owns its PGconn (the libevent loop never
 * calls these). Every decision about a dossier is core/dossier.h's (dossier_evaluate); the pass
 * finds the dossiers to evaluate, reads their facts, and writes what the evaluation says.
 * Stateless apart from the database: every function reads what it needs from the
 * `dunghen` schema (created by `dunghen migrate`, store/schema.h) and the two source views,
 * so several daemons may share one database. Work is done in transactions of at most
 * `batch_size` dossiers; each dossier is claimed with a transaction-scoped advisory lock taken
 * with pg_try_advisory_xact_lock(1684368999, hashtext(code)) (a dossier another instance holds
 * is left to it, counted in `skipped`, and keeps the watermark below it), and the unique keys
 * of `dunghen.escalation_log` (dossier_code, level, episode) and `dunghen.letter_log` make every
 * escalation and letter exactly-once across instances and retries. The first pass ever (no
 * watermark, no clock) is claimed by ranges of codes instead, shared by the instances
 * (store/pass_range.h). The daemon's own state of a
 * dossier (clock, escalations fired) is always read by a statement that starts after its lock
 * is held, so it includes whatever another instance committed before; the source row may be
 * read by the claiming statement itself (it changes under the daemon anyway, and a later change
 * has a later updated_at). A batch costs a handful of statements whatever its size: one that
 * finds, claims and reads the changed source rows (the due phase: find, then claim, then read),
 * one that reads their clocks, and one that writes clocks, escalations, letters and the
 * watermark. Escalations and letters are written in the same transaction as the state that
 * raised them and announced with NOTIFY dunghen_escalation / dunghen_letter (payload: the
 * number of rows that transaction added). Nothing is kept on the connection between calls (no
 * prepared statements, no temporary tables), so the caller may reset or replace it freely.
 *
 * The connection must be idle (no open transaction) on entry and is left idle on return, also on
 * failure (the failed batch is rolled back; batches committed before it stay committed, which is
 * safe because every step is idempotent). A dossier whose row is unusable is flagged in
 * `dunghen.clock` with its reason and reported (code and reason only, no personal data); the
 * pass carries on with the others. A failure of the database is STATUS_RUNTIME.
 */
#ifndef DUNGHEN_PASS_H
#define DUNGHEN_PASS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dossier.h"
#include "core/error.h"
#include "core/ladder.h"
#include "rules/agencies.h"
#include "rules/rules.h"

enum {
  PASS_DEFAULT_BATCH_SIZE = 2000,
  PASS_DEFAULT_OVERLAP_SECONDS = 60,
  PASS_MAX_REPORTED_FLAGS = 32, /* flags beyond this are counted, not listed */
  PASS_CODE_SIZE = 64,
  PASS_REASON_SIZE = DOSSIER_FLAG_SIZE,
  PASS_RANGE_RETRY_SECONDS = 5, /* next_due while other instances hold first-pass ranges */
  /* A range of the first pass holds this many batches' worth of dossiers: it writes only new
   * rows and takes no lock per dossier, so a longer transaction costs nothing while fewer
   * statements save ~10 % of the server's time (bench/RESULTS.md). */
  PASS_RANGE_BATCHES = 10,
};

struct pass_context {
  PGconn *connection;          /* blocking, idle, owned by the calling thread */
  const struct rules *rules;   /* calendar and procedures (rules/rules.h) */
  const struct ladder *ladder; /* core/ladder.h, loaded by rules/ladder.h */
  int64_t now;                 /* the pass's "now", Unix seconds (injectable) */
  /* Dossiers per transaction; 0 means PASS_DEFAULT_BATCH_SIZE. Each claimed dossier holds one
   * advisory lock until its batch commits, and PostgreSQL's shared lock table holds about
   * max_locks_per_transaction x max_connections locks (6,400 by default) for all sessions:
   * with the defaults keep batch_size x daemons well below that, or the server answers "out of
   * shared memory". Past ~1,000 a larger batch gains little (bench/RESULTS.md). */
  size_t batch_size;
  int64_t overlap_seconds; /* re-read window behind the watermark; < 0 means the default */
  bool full;               /* ignore the watermark: examine every dossier of the source */
  /* Known agency codes, sorted by strcmp, to flag dossiers of an unknown agency; NULL accepts
   * any non-empty code. */
  const char *const *agency_codes;
  size_t agency_count;
  /* The agencies, for the letter's form (an agency's `form: 2018`); NULL: the 2025 form. */
  const struct agency_table *agencies;
};

struct pass_flag {
  char code[PASS_CODE_SIZE];     /* the dossier code (mã hồ sơ), not personal data */
  char reason[PASS_REASON_SIZE]; /* e.g. "unknown procedure 1.999999" */
};

struct pass_report {
  size_t read;            /* source rows fetched (the changed set, its overlap and the due ones) */
  size_t examined;        /* dossiers whose clock was recomputed (new, changed, or due by time) */
  size_t changed;         /* clock rows whose deadline, state, episode or next instant changed */
  size_t flagged;         /* dossiers newly flagged, or whose flag reason changed */
  size_t unflagged;       /* dossiers whose flag was cleared because their row became usable */
  size_t escalations;     /* rows added to dunghen.escalation_log */
  size_t letters;         /* letter jobs added to dunghen.letter_log (state 'pending') */
  size_t redrafts;        /* letters re-queued under their number: the delay reason arrived or
                             changed after they were drafted (the earlier draft is kept in
                             dunghen.letter_version) */
  size_t skipped;         /* dossiers left to another instance holding their lock */
  size_t deadlines_moved; /* pass_recompute_all: stored deadlines that changed */
  size_t batches;         /* transactions committed */
  size_t ranges;          /* ranges of a first pass this pass wrote (store/pass_range.h) */
  size_t ranges_waiting;  /* ranges of a first pass other instances still held at its end */
  int64_t next_due;       /* earliest stored next instant after the pass, INT64_MAX when none */
  struct pass_flag flags[PASS_MAX_REPORTED_FLAGS]; /* the first `flag_count` new flags */
  size_t flag_count;
};

/*
 * One pass at `context->now`: the dossiers of the source changed since the stored watermark
 * (minus the overlap; all of them when `full` or on the first pass) whose source row differs
 * from what was last processed, plus the dossiers whose stored next instant is <= now. Fills
 * `report` (zeroed first). Advances the watermark as batches commit. On the first pass ever,
 * takes ranges until none is left; while other instances still hold some (`ranges_waiting`),
 * skips the changed phase and sets `next_due` at most PASS_RANGE_RETRY_SECONDS ahead.
 */
enum status pass_run(const struct pass_context *context, struct pass_report *report,
                     struct error *error);

/* Adds the counts of `other` (another session's pass, service/pass_partner.h) to `report`;
 * its flags join the list while it has room (the others stay counted in `flagged`). The
 * instants (next_due) and ranges_waiting are left: they describe the state after one pass. */
void pass_report_add(struct pass_report *report, const struct pass_report *other);

/*
 * True in *pending while the first pass ever is still to be done by ranges (no watermark yet,
 * and a plan of ranges exists or no clock does): the moment when more sessions help, because
 * every dossier of the source is evaluated and written once (service/pass_partner.h).
 */
enum status pass_first_pending(PGconn *connection, bool *pending, struct error *error);
/*
 * After a rules reload: recomputes the clock of every dossier known to the daemon with the new
 * rules, in batches, raising whatever the new clocks make due at `context->now`. Reports
 * `deadlines_moved` (and the other counts). Also stores the rules fingerprint.
 */
enum status pass_recompute_all(const struct pass_context *context, struct pass_report *report,
                               struct error *error);

#endif
