#include "rules/ruleset.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/translate.h"

static int compare_codes(const void *left, const void *right) {
  return strcmp(*(const char *const *)left, *(const char *const *)right);
}

static enum status load_agencies(const char *directory, struct ruleset *set, struct error *error) {
  /* agencies.yaml is optional: without it the daemon accepts any agency code and renders no
   * letter (the jobs wait); a deployment that signs letters ships one. */
  char path[4096];
  struct error missing;
  if (rules_locate(directory, "agencies.yaml", path, sizeof path, &missing) != STATUS_OK)
    return STATUS_OK;
  enum status status = agencies_load(path, &set->agencies, error);
  if (status != STATUS_OK || set->agencies.count == 0)
    return status;
  set->agency_codes = calloc(set->agencies.count, sizeof *set->agency_codes);
  if (set->agency_codes == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory while loading the rules");
  for (size_t i = 0; i < set->agencies.count; i++)
    set->agency_codes[i] = set->agencies.agencies[i].code;
  set->agency_count = set->agencies.count;
  qsort(set->agency_codes, set->agency_count, sizeof *set->agency_codes, compare_codes);
  return STATUS_OK;
}

/*
 * Once any agency lists mail addresses, every role the ladder sends to (but the applicant, who
 * is not mailed) must have an address in at least one agency: otherwise that level's mail
 * would silently go nowhere. The error points at the role in the ladder.
 */
static enum status check_mail_roles(const struct ruleset *set, struct error *error) {
  bool any = false;
  for (size_t i = 0; i < set->agencies.count; i++)
    any |= set->agencies.agencies[i].mailbox_count > 0;
  if (!any)
    return STATUS_OK;
  for (size_t i = 0; i < set->ladder->count; i++) {
    const struct ladder_level *level = &set->ladder->levels[i];
    for (size_t j = 0; j < level->recipient_count; j++) {
      const char *role = level->recipients[j];
      bool defined = strcmp(role, "applicant") == 0;
      for (size_t k = 0; !defined && k < set->agencies.count; k++)
        defined = agency_mailbox(&set->agencies.agencies[k], role) != NULL;
      if (!defined)
        return error_at(error, set->ladder->file, level->recipient_lines[j],
                        level->recipient_columns[j],
                        _("level '%s' sends to role '%s', but no agency in %s gives that role a "
                          "mail address"),
                        level->name, role, set->agencies.file);
    }
  }
  return STATUS_OK;
}

enum status ruleset_load(const char *directory, int64_t today, struct ruleset **result,
                         struct error *error) {
  *result = NULL;
  struct ruleset *set = calloc(1, sizeof *set);
  if (set == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory while loading the rules");
  atomic_init(&set->references, 1);
  /* Every file is checked even when one before it failed: the error names all their errors. */
  struct error report, one;
  error_clear(&report);
  if (rules_load(directory, today, &set->rules, &one) != STATUS_OK)
    error_join(&report, &one);
  if (ladder_load_directory(directory, &set->ladder, &one) != STATUS_OK)
    error_join(&report, &one);
  if (load_agencies(directory, set, &one) != STATUS_OK)
    error_join(&report, &one);
  if (report.status == STATUS_OK && check_mail_roles(set, &one) != STATUS_OK)
    error_join(&report, &one);
  if (report.status != STATUS_OK) {
    ruleset_release(set);
    if (error != NULL)
      *error = report;
    return report.status;
  }
  *result = set;
  return STATUS_OK;
}

struct ruleset *ruleset_acquire(struct ruleset *set) {
  if (set != NULL)
    atomic_fetch_add_explicit(&set->references, 1, memory_order_relaxed);
  return set;
}

void ruleset_release(struct ruleset *set) {
  /* acq_rel: the last holder sees every other holder's reads finished before it frees. */
  if (set == NULL || atomic_fetch_sub_explicit(&set->references, 1, memory_order_acq_rel) != 1)
    return;
  if (set->rules != NULL)
    rules_free(set->rules);
  if (set->ladder != NULL)
    ladder_free(set->ladder);
  agencies_free(&set->agencies);
  free(set->agency_codes);
  free(set);
}
