/*
 * log.h: the daemon's log, one line per event on stderr, journald-friendly.
 *
 * When stderr is the journal (systemd sets JOURNAL_STREAM to its device and inode) each line
 * starts with a `<N>` syslog priority and nothing else, since the journal stamps time and
 * unit itself; otherwise a line is `TIMESTAMP LEVEL: message`. Lines below the configured level
 * are dropped. One line is one write, so the loop and the worker thread may log at once; the
 * level may be changed from any thread (a reload). Callers keep personal data (names, ID
 * numbers, addresses) out of info and above: dossier codes and counts are fine.
 */
#ifndef DUNGHEN_LOG_H
#define DUNGHEN_LOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"

enum log_level { LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

struct log {
  FILE *stream;
  bool journal;     /* stream is the journal: `<N>` prefixes, no timestamps */
  atomic_int level; /* enum log_level; lines above it are dropped */
};

/* Logs to `stream` (stderr in the daemon); detects the journal from $JOURNAL_STREAM. */
void log_init(struct log *log, FILE *stream, enum log_level level);
void log_set_level(struct log *log, enum log_level level);
bool log_enabled(const struct log *log, enum log_level level);
void log_message(const struct log *log, enum log_level level, const char *format, ...)
    DUNGHEN_PRINTF(3, 4);

/* Logs each line of `text` (an error naming several failures, core/error.h) as a line of its
 * own, `CONTEXT: line`, or the bare line when `context` is NULL: one journal entry a failure. */
void log_lines(const struct log *log, enum log_level level, const char *context, const char *text);

/* Turns a multi-line message (libpq's) into one line: whitespace runs become one space, and
 * leading and trailing whitespace goes. For log lines, STATUS= and /healthz. */
void log_one_line(char *text);

/* "error", "warning", "info", "debug"; NULL-terminated, in enum order (for the config). */
extern const char *const log_level_names[];

#define log_error(log, ...) log_message((log), LOG_ERROR, __VA_ARGS__)
#define log_warning(log, ...) log_message((log), LOG_WARNING, __VA_ARGS__)
#define log_info(log, ...) log_message((log), LOG_INFO, __VA_ARGS__)
#define log_debug(log, ...) log_message((log), LOG_DEBUG, __VA_ARGS__)

#endif
