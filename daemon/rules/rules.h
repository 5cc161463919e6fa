/*
 * rules.h: the whole rules set an admin keeps in one directory, loaded and validated at once.
 *
 * rules_load() reads the directory's files (calendar.yaml, procedures.yaml, and the files other
 * modules own: ladder, agencies), checks them, builds the frozen calendar, and returns a set that
 * is always usable, or fails naming every error, one `FILE:LINE:COLUMN: message` a line, file
 * by file (at most ERROR_LIST_SHOWN a file, rules/error_list.h). A loaded set
 * is immutable: a reload loads a new set and swaps it in whole (validate, then swap).
 */
#ifndef DUNGHEN_RULES_H
#define DUNGHEN_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/error.h"
#include "rules/procedures.h"

enum { RULES_MAX_WARNINGS = 64 };

struct rules {
  char *directory;
  struct calendar *calendar;
  struct procedure_table procedures;
  int first_announced_year; /* years with an announced schedule, e.g. 2023..2026 */
  int last_announced_year;
  size_t holiday_count; /* statutory holiday definitions */
  char *warnings[RULES_MAX_WARNINGS];
  size_t warning_count;
};

/* `today` (a day number) decides which missing yearly schedules deserve a warning.
 * `directory` may be a search path (rules_locate). */
enum status rules_load(const char *directory, int64_t today, struct rules **rules,
                       struct error *error);

/*
 * Where the rules file `name` (e.g. "calendar.yaml") is: the first directory of `search_path`
 * (directories separated by ':') that holds it. So `/etc/dunghen/rules:/usr/share/dunghen/rules`
 * lets an admin override one file and keep the shipped others. Fails with STATUS_INVALID naming
 * the directories searched when none has it.
 */
enum status rules_locate(const char *search_path, const char *name, char *path, size_t size,
                         struct error *error);
void rules_free(struct rules *rules);

#endif
