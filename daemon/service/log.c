#include "service/log.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char *const log_level_names[] = {"error", "warning", "info", "debug", NULL};

/* syslog priorities as sd-daemon(3) spells them: err, warning, info, debug. */
static const int journal_priorities[] = {3, 4, 6, 7};

/* JOURNAL_STREAM is `DEVICE:INODE` of the journal's socket; it is only ours if it names our fd. */
static bool stream_is_journal(FILE *stream) {
  const char *journal = getenv("JOURNAL_STREAM");
  if (journal == NULL || *journal == '\0')
    return false;
  unsigned long long device, inode;
  if (sscanf(journal, "%llu:%llu", &device, &inode) != 2)
    return false;
  struct stat info;
  if (fstat(fileno(stream), &info) != 0)
    return false;
  return (unsigned long long)info.st_dev == device && (unsigned long long)info.st_ino == inode;
}

void log_one_line(char *text) {
  char *out = text;
  bool space = false;
  for (const char *in = text; *in != '\0'; in++) {
    bool white = *in == ' ' || *in == '\n' || *in == '\t' || *in == '\r';
    if (white) {
      space = out != text;
      continue;
    }
    if (space)
      *out++ = ' ';
    space = false;
    *out++ = *in;
  }
  *out = '\0';
}

void log_lines(const struct log *log, enum log_level level, const char *context, const char *text) {
  for (const char *line = text;;) {
    const char *end = strchr(line, '\n');
    int length = (int)(end != NULL ? (size_t)(end - line) : strlen(line));
    if (context != NULL)
      log_message(log, level, "%s: %.*s", context, length, line);
    else
      log_message(log, level, "%.*s", length, line);
    if (end == NULL)
      break;
    line = end + 1;
  }
}

void log_init(struct log *log, FILE *stream, enum log_level level) {
  log->stream = stream;
  log->journal = stream_is_journal(stream);
  atomic_init(&log->level, (int)level);
}

void log_set_level(struct log *log, enum log_level level) {
  atomic_store(&log->level, (int)level);
}

bool log_enabled(const struct log *log, enum log_level level) {
  return (int)level <= atomic_load(&((struct log *)log)->level);
}

void log_message(const struct log *log, enum log_level level, const char *format, ...) {
  if (!log_enabled(log, level))
    return;
  char line[2048];
  size_t used;
  if (log->journal) {
    used = (size_t)snprintf(line, sizeof line, "<%d>", journal_priorities[level]);
  } else {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm broken;
    gmtime_r(&now.tv_sec, &broken);
    used = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &broken);
    used += (size_t)snprintf(line + used, sizeof line - used, ".%03ldZ %s: ", now.tv_nsec / 1000000,
                             log_level_names[level]);
  }
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(line + used, sizeof line - used, format, arguments);
  va_end(arguments);
  /* One line, one write: messages never carry their own newlines into the journal. */
  log_one_line(line + used);
  size_t length = strlen(line);
  if (length + 1 < sizeof line) {
    line[length++] = '\n';
    line[length] = '\0';
  } else {
    line[sizeof line - 2] = '\n';
  }
  fputs(line, log->stream);
  fflush(log->stream);
}
