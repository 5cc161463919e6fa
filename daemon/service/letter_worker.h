/*
 * letter_worker.h: the thread that renders apology letters, so neither the event loop nor the
 * pass worker ever waits for a PDF.
 *
 * On the worker skeleton (service/worker_thread.h: its own blocking session, requests, backoff,
 * snapshots, stop) with its own renderer (letter/letter.h: one per thread), it renders the
 * 'pending' rows of dunghen.letter_log with letter_jobs_run() in chunks of one transaction
 * each, publishing a snapshot after every chunk (counts by state, the spool's problem). It is
 * woken at start (after removing the spool's crash leftovers), when the pass worker queued
 * letters, on NOTIFY dunghen_letter (another instance may have queued them) and after a
 * reconnect. The database is the record of every letter (store/letter_pdf.h), the spool an
 * export: a spool that refuses files (full, read-only) does not hold letters back; they are
 * rendered and stored, and the files the spool missed are written from the database
 * (service/letter_export.h) once it accepts them again, tried with a backoff (0.5 s doubling to
 * 30 s) and on every wake-up. That catch-up lives in memory: after a restart in between,
 * `dunghen letters export` writes them. A database failure is retried with the skeleton's
 * backoff (0.25 s to 30 s).
 * Without agencies.yaml in the rules nothing is rendered: the jobs wait, and are counted.
 * letter_worker_stop() lets the running transaction finish; the loop hears `stopped`.
 */
#ifndef DUNGHEN_LETTER_WORKER_H
#define DUNGHEN_LETTER_WORKER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "letter/letter.h"
#include "rules/ruleset.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"
#include "service/metrics_histogram.h"
#include "service/worker_thread.h"

/* What the thread renders with, loaded and checked by the loop and handed over whole. */
struct letter_kit {
  struct letter_library *library;   /* the templates */
  struct letter_renderer *renderer; /* the fonts; used by the letter thread only */
  struct ruleset *rules;            /* agencies (letterheads) and procedure names; shared */
};

/*
 * Loads the templates of `letters_directory` and the fonts as `options` say (NULL: the
 * defaults), and takes a reference to `rules` (the set the loop loaded for this start or
 * reload): the check at start and at reload that the daemon can render at all (a missing or
 * broken font or template is an error here, not at the first letter).
 */
enum status letter_kit_load(const char *letters_directory, struct ruleset *rules,
                            const struct letter_options *options, struct letter_kit **kit,
                            struct error *error);
void letter_kit_free(struct letter_kit *kit);

struct letter_worker_settings {
  const char *conninfo; /* NULL: the PG* environment */
  int connect_timeout;
  struct config_timeouts timeouts;
  const char *spool_directory;
};

struct letter_worker_snapshot {
  struct worker_thread_snapshot thread; /* stopped, busy, problem (database or rendering)... */
  bool counts_valid;                    /* the counts below have been read at least once */
  bool agencies_missing;                /* no agencies.yaml: jobs wait */
  char spool_problem[512]; /* why the spool refuses files ("spool: ..."); "" when it accepts */
  int64_t pending;         /* dunghen.letter_log by state, as last counted */
  int64_t rendered;
  int64_t failed;
  int64_t signed_count;    /* taken back signed (`letters take-signed`) */
  int64_t blocked;         /* letter files the spool refused, not yet written from the database */
  uint64_t rendered_total; /* by this process */
  uint64_t failed_total;
  uint64_t warnings_total; /* text replaced while rendering */
  uint64_t spool_refusals; /* chunks whose files the spool refused */
  uint64_t leftovers_removed;
  struct metrics_histogram render_seconds; /* each letter_render() of this process */
};

struct letter_worker;

/* Takes ownership of `kit`. `on_publish` runs in the loop after every published snapshot.
 * `clock` dates the letters rendered (rendered_at). */
struct letter_worker *letter_worker_new(struct event_base *base,
                                        const struct letter_worker_settings *settings,
                                        struct letter_kit *kit, const struct clock *clock,
                                        const struct log *log, void (*on_publish)(void *context),
                                        void *context, struct error *error);
enum status letter_worker_start(struct letter_worker *worker, struct error *error);
/* Asks for a look at the pending jobs soon (coalesced). */
void letter_worker_request(struct letter_worker *worker);
/* Hands over a new kit (ownership passes), swapped in between two chunks. */
void letter_worker_replace_kit(struct letter_worker *worker, struct letter_kit *kit);
/* A new conninfo or timeout reconnects before the next chunk; a new spool is used from then. */
void letter_worker_update_settings(struct letter_worker *worker,
                                   const struct letter_worker_settings *settings);
void letter_worker_snapshot(struct letter_worker *worker, struct letter_worker_snapshot *snapshot);
/* Asks the thread to finish its current chunk and exit; does not wait. */
void letter_worker_stop(struct letter_worker *worker);
/* Joins the thread (call after `stopped` was seen, or it waits) and frees everything. */
void letter_worker_free(struct letter_worker *worker);

#endif
