/*
 * report_rules.c: labels, rows by field and the total of a report (see report_rules.h).
 */
#include "rules/report_rules.h"

#include <stdlib.h>
#include <string.h>

/* What a reader sees for a key the database could not give (a flagged clock without it). */
#define UNKNOWN_AGENCY "(không rõ cơ quan)"
#define UNKNOWN_PROCEDURE "(không rõ thủ tục)"
#define UNKNOWN_FIELD "(không rõ lĩnh vực)"

static const struct {
  const char *key;
  const char *label;
} channel_labels[] = {
    {"online", "Trực tuyến"},
    {"direct", "Trực tiếp"},
    {"postal", "Bưu chính"},
    {"other", "Khác"},
};

/* Replaces the group's label; false when memory runs out. */
static bool set_label(struct report_group *group, const char *label) {
  char *copy = strdup(label);
  if (copy == NULL)
    return false;
  free(group->label);
  group->label = copy;
  return true;
}

static const char *label_of(const struct report *report, const char *key,
                            const struct procedure_table *procedures,
                            const struct agency_table *agencies) {
  switch (report->grouping) {
  case REPORT_BY_AGENCY: {
    if (key[0] == '\0')
      return UNKNOWN_AGENCY;
    const struct agency *agency = agencies != NULL ? agencies_find(agencies, key) : NULL;
    return agency != NULL ? agency->name : key;
  }
  case REPORT_BY_PROCEDURE: {
    if (key[0] == '\0')
      return UNKNOWN_PROCEDURE;
    const struct procedure *procedure = procedures_find(procedures, key);
    return procedure != NULL && procedure->name != NULL ? procedure->name : key;
  }
  case REPORT_BY_CHANNEL:
    for (size_t i = 0; i < sizeof channel_labels / sizeof channel_labels[0]; i++)
      if (strcmp(channel_labels[i].key, key) == 0)
        return channel_labels[i].label;
    return key;
  case REPORT_BY_FIELD:
  default:
    return key;
  }
}

/* The field a procedure row goes under. */
static const char *field_of(const struct procedure_table *procedures, const char *code) {
  const struct procedure *procedure = code[0] != '\0' ? procedures_find(procedures, code) : NULL;
  return procedure != NULL && procedure->field != NULL && procedure->field[0] != '\0'
             ? procedure->field
             : UNKNOWN_FIELD;
}

/* Moves the codes of `part` to the end of `into` (both lists stay owned once each). */
static bool move_codes(struct report_codes *into, struct report_codes *part) {
  if (part->count == 0)
    return true;
  char **grown = realloc(into->codes, (into->count + part->count) * sizeof(char *));
  if (grown == NULL)
    return false;
  into->codes = grown;
  memcpy(into->codes + into->count, part->codes, part->count * sizeof(char *));
  into->count += part->count;
  free(part->codes);
  part->codes = NULL;
  part->count = 0;
  return true;
}

static int compare_codes(const void *left, const void *right) {
  return strcmp(*(char *const *)left, *(char *const *)right);
}

static int compare_groups(const void *left, const void *right) {
  return strcmp(((const struct report_group *)left)->key,
                ((const struct report_group *)right)->key);
}

static void free_group(struct report_group *group) {
  free(group->key);
  free(group->label);
  for (size_t i = 0; i < group->late_without_letter.count; i++)
    free(group->late_without_letter.codes[i]);
  free(group->late_without_letter.codes);
}

/* The procedure rows merged into one row per field; the procedure rows are freed. */
static enum status merge_by_field(struct report *report, const struct procedure_table *procedures,
                                  struct error *error) {
  struct report_group *fields =
      calloc(report->group_count > 0 ? report->group_count : 1, sizeof *fields);
  if (fields == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report's fields");
  size_t field_count = 0;
  bool ok = true;
  for (size_t i = 0; ok && i < report->group_count; i++) {
    struct report_group *row = &report->groups[i];
    const char *field = field_of(procedures, row->key);
    struct report_group *into = NULL;
    for (size_t j = 0; j < field_count && into == NULL; j++)
      if (strcmp(fields[j].key, field) == 0)
        into = &fields[j];
    if (into == NULL) {
      into = &fields[field_count];
      into->key = strdup(field);
      into->label = strdup(field);
      ok = into->key != NULL && into->label != NULL;
      field_count++;
    }
    if (ok) {
      report_figures_add(&into->figures, &row->figures);
      ok = move_codes(&into->late_without_letter, &row->late_without_letter);
    }
  }
  for (size_t i = 0; i < report->group_count; i++)
    free_group(&report->groups[i]);
  free(report->groups);
  report->groups = fields;
  report->group_count = field_count;
  if (!ok)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report's fields");
  for (size_t i = 0; i < field_count; i++)
    if (fields[i].late_without_letter.count > 1)
      qsort(fields[i].late_without_letter.codes, fields[i].late_without_letter.count,
            sizeof(char *), compare_codes);
  return STATUS_OK;
}

enum status report_apply_rules(struct report *report, const struct procedure_table *procedures,
                               const struct agency_table *agencies, struct error *error) {
  if (report->grouping == REPORT_BY_FIELD) {
    enum status status = merge_by_field(report, procedures, error);
    if (status != STATUS_OK)
      return status;
  }
  for (size_t i = 0; i < report->group_count; i++) {
    struct report_group *group = &report->groups[i];
    if (!set_label(group, label_of(report, group->key, procedures, agencies)))
      return error_set(error, STATUS_RUNTIME, "out of memory for the report's labels");
  }
  if (report->group_count > 1)
    qsort(report->groups, report->group_count, sizeof *report->groups, compare_groups);
  return report_compute_total(report, error);
}
