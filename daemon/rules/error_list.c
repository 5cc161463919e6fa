/*
 * error_list.c: gathers the errors of one rules file (see error_list.h).
 *
 * Only the ERROR_LIST_SHOWN first errors in file order are kept, whatever order the checks run
 * in (duplicates and overlaps are found after the items they refer to), so memory stays bounded
 * however broken a file is.
 */
#include "rules/error_list.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/translate.h"

struct error_list_entry {
  size_t line; /* 0 when the message names no place in the file */
  size_t column;
  size_t order;
  char text[ERROR_LINE_SIZE];
};

void error_list_init(struct error_list *list, const char *file) {
  memset(list, 0, sizeof *list);
  list->file = file;
  error_clear(&list->runtime);
}

/* Reads `FILE:LINE:COLUMN: ` at the start of `text`; false when it is not there. */
static bool read_position(const char *file, const char *text, size_t *line, size_t *column) {
  size_t length = strlen(file);
  if (strncmp(text, file, length) != 0 || text[length] != ':')
    return false;
  char *end;
  unsigned long long read_line = strtoull(text + length + 1, &end, 10);
  if (*end != ':')
    return false;
  unsigned long long read_column = strtoull(end + 1, &end, 10);
  if (*end != ':')
    return false;
  *line = (size_t)read_line;
  *column = (size_t)read_column;
  return true;
}

static bool before(const struct error_list_entry *left, const struct error_list_entry *right) {
  if (left->line != right->line)
    return left->line < right->line;
  if (left->column != right->column)
    return left->column < right->column;
  return left->order < right->order;
}

static int compare_entries(const void *left, const void *right) {
  return before(left, right) ? -1 : before(right, left) ? 1 : 0;
}

enum status error_list_note(struct error_list *list, enum status status,
                            const struct error *error) {
  if (status == STATUS_OK)
    return STATUS_OK;
  if (status != STATUS_INVALID) {
    if (list->runtime.status == STATUS_OK)
      list->runtime = *error;
    list->runtime.status = status;
    return status;
  }
  if (list->entries == NULL &&
      (list->entries = calloc(ERROR_LIST_SHOWN, sizeof *list->entries)) == NULL) {
    error_set(&list->runtime, STATUS_RUNTIME, "out of memory");
    return STATUS_RUNTIME;
  }
  struct error_list_entry entry = {.order = list->count++};
  if (!read_position(list->file, error->message, &entry.line, &entry.column))
    entry.line = entry.column = 0;
  struct error_list_entry *slot = NULL;
  if (list->kept < ERROR_LIST_SHOWN) {
    slot = &list->entries[list->kept++];
  } else {
    /* Full: the new error replaces the last one in file order, if it comes before it. */
    slot = &list->entries[0];
    for (size_t i = 1; i < list->kept; i++)
      if (before(slot, &list->entries[i]))
        slot = &list->entries[i];
    if (!before(&entry, slot))
      return STATUS_INVALID;
  }
  *slot = entry;
  snprintf(slot->text, sizeof slot->text, "%s", error->message);
  return STATUS_INVALID;
}

size_t error_list_count(const struct error_list *list) {
  return list->count;
}

enum status error_list_finish(struct error_list *list, struct error *error) {
  enum status status = STATUS_OK;
  if (list->runtime.status != STATUS_OK) {
    status = list->runtime.status;
    if (error != NULL)
      *error = list->runtime;
  } else if (list->count > 0) {
    status = STATUS_INVALID;
    qsort(list->entries, list->kept, sizeof *list->entries, compare_entries);
    /* Room is kept for the last line, which names the file and a count. */
    size_t reserve = strlen(list->file) + 48;
    size_t used = 0, shown = 0;
    char *message = error != NULL ? error->message : NULL;
    for (; message != NULL && shown < list->kept; shown++) {
      size_t length = strlen(list->entries[shown].text);
      if (shown > 0 && used + 1 + length + reserve >= ERROR_MESSAGE_SIZE)
        break;
      if (shown > 0)
        message[used++] = '\n';
      memcpy(message + used, list->entries[shown].text, length + 1);
      used += length;
    }
    if (message != NULL && shown < list->count)
      snprintf(message + used, ERROR_MESSAGE_SIZE - used,
               dngettext(DUNGHEN_GETTEXT_PACKAGE, "\n%s: %zu more error not shown",
                         "\n%s: %zu more errors not shown", list->count - shown),
               list->file, list->count - shown);
    if (error != NULL)
      error->status = STATUS_INVALID;
  }
  free(list->entries);
  list->entries = NULL;
  list->kept = 0;
  return status;
}
