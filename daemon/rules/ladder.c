/*
 * ladder.c: loads and checks rules/ladder.yaml (see ladder.h for the model).
 *
 * File shape:
 *   due_soon: 1wd            # optional; how long before the deadline "due soon" starts
 *   levels:
 *     - level: due_soon      # [a-z][a-z0-9_]*, unique; stored in escalation_log.level
 *       title: due soon      # optional, defaults to the level with spaces
 *       episode: 1           # optional, 1 (default) or 2
 *       offset: -1wd         # 0, or a signed N followed by wd, wh or cd
 *       on_delay_reason: false
 *       action: notify       # notify (default) or letter
 *       recipients: [handling_agency, one_stop_unit]
 *
 * After an error, reading goes on with `due_soon` or the next level (rules/error_list.h); a level
 * stops at its first error.
 */
#include "rules/ladder.h"
#include "rules/rules.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/error_list.h"
#include "rules/translate.h"
#include "rules/yaml_tree.h"

const char *const ladder_roles[] = {
    "handling_agency",   "agency_head", "signer", "one_stop_unit",
    "provincial_office", "applicant",   NULL,
};

static const char *const top_keys[] = {"due_soon", "levels", NULL};
static const char *const level_keys[] = {"level",           "title",  "episode",    "offset",
                                         "on_delay_reason", "action", "recipients", NULL};
static const char *const action_names[] = {"notify", "letter", NULL};

enum { OFFSET_LIMIT = 1000 };

void ladder_free(struct ladder *ladder) {
  if (ladder == NULL)
    return;
  for (size_t i = 0; i < ladder->count; i++) {
    struct ladder_level *level = &ladder->levels[i];
    free(level->name);
    free(level->title);
    for (size_t j = 0; j < level->recipient_count; j++)
      free(level->recipients[j]);
    free(level->recipients);
    free(level->recipient_lines);
    free(level->recipient_columns);
  }
  free(ladder->levels);
  free(ladder->file);
  free(ladder);
}

static char *copy_text(const char *text) {
  size_t length = strlen(text);
  char *copy = malloc(length + 1);
  if (copy != NULL)
    memcpy(copy, text, length + 1);
  return copy;
}

/* `0`, or `[-+]N(wd|wh|cd)` with N <= OFFSET_LIMIT. */
static enum status read_offset(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                               bool allow_negative, struct duration *offset, struct error *error) {
  const char *text;
  enum status status = yaml_tree_read_string(tree, node, &text, error);
  if (status != STATUS_OK)
    return status;
  const char *cursor = text;
  int sign = 1;
  if (*cursor == '-' || *cursor == '+')
    sign = *cursor++ == '-' ? -1 : 1;
  if (!isdigit((unsigned char)*cursor))
    goto invalid;
  char *end;
  errno = 0;
  long amount = strtol(cursor, &end, 10);
  if (errno != 0 || amount > OFFSET_LIMIT)
    return yaml_tree_error(tree, node, error, "offset '%s' is out of range (at most %d)", text,
                           OFFSET_LIMIT);
  offset->amount = sign * (int64_t)amount;
  offset->unit = UNIT_WORKING_DAYS;
  if (*end == '\0' && amount == 0)
    return STATUS_OK;
  if (strcmp(end, "wd") == 0)
    offset->unit = UNIT_WORKING_DAYS;
  else if (strcmp(end, "wh") == 0)
    offset->unit = UNIT_WORKING_HOURS;
  else if (strcmp(end, "cd") == 0)
    offset->unit = UNIT_CALENDAR_DAYS;
  else
    goto invalid;
  if (offset->amount < 0 && !allow_negative)
    return yaml_tree_error(tree, node, error, "'%s' must not be negative", text);
  return STATUS_OK;
invalid:
  return yaml_tree_error(tree, node, error,
                         "'%s' is not an offset: write 0 or a number followed by wd (working "
                         "days), wh (working hours) or cd (calendar days), e.g. -1wd",
                         text);
}

static bool valid_level_name(const char *name) {
  if (!islower((unsigned char)name[0]))
    return false;
  for (const char *cursor = name; *cursor != '\0'; cursor++)
    if (!islower((unsigned char)*cursor) && !isdigit((unsigned char)*cursor) && *cursor != '_')
      return false;
  return strlen(name) <= 32;
}

static enum status read_recipients(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                   struct ladder_level *level, struct error *error) {
  enum status status = yaml_tree_expect(tree, node, YAML_TREE_SEQUENCE, "recipients", error);
  if (status != STATUS_OK)
    return status;
  if (node->count == 0)
    return yaml_tree_error(tree, node, error, "recipients must name at least one role");
  level->recipients = calloc(node->count, sizeof *level->recipients);
  level->recipient_lines = calloc(node->count, sizeof *level->recipient_lines);
  level->recipient_columns = calloc(node->count, sizeof *level->recipient_columns);
  if (level->recipients == NULL || level->recipient_lines == NULL ||
      level->recipient_columns == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  for (size_t i = 0; i < node->count; i++) {
    int role;
    status = yaml_tree_read_choice(tree, node->items[i], ladder_roles, &role, error);
    if (status != STATUS_OK)
      return status;
    for (size_t j = 0; j < i; j++)
      if (strcmp(level->recipients[j], ladder_roles[role]) == 0)
        return yaml_tree_error(tree, node->items[i], error, "role '%s' is listed twice",
                               ladder_roles[role]);
    level->recipients[i] = copy_text(ladder_roles[role]);
    level->recipient_lines[i] = node->items[i]->line;
    level->recipient_columns[i] = node->items[i]->column;
    if (level->recipients[i] == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory");
    level->recipient_count = i + 1;
  }
  return STATUS_OK;
}

static enum status read_level(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                              struct ladder_level *level, struct error *error) {
  enum status status = yaml_tree_check_keys(tree, node, level_keys, N_("a ladder level"), error);
  if (status != STATUS_OK)
    return status;
  level->line = node->line;
  const struct yaml_tree_node *name_node = yaml_tree_get(node, "level");
  if (name_node == NULL)
    return yaml_tree_error(tree, node, error, "a ladder level needs 'level' (its name)");
  const char *name;
  status = yaml_tree_read_string(tree, name_node, &name, error);
  if (status != STATUS_OK)
    return status;
  if (!valid_level_name(name))
    return yaml_tree_error(tree, name_node, error,
                           "level name '%s' must be lower case letters, digits and '_' "
                           "(at most 32), starting with a letter",
                           name);
  level->name = copy_text(name);
  const struct yaml_tree_node *title_node = yaml_tree_get(node, "title");
  if (title_node != NULL) {
    const char *title;
    status = yaml_tree_read_string(tree, title_node, &title, error);
    if (status != STATUS_OK)
      return status;
    level->title = copy_text(title);
  } else {
    level->title = copy_text(name);
    for (char *cursor = level->title; cursor != NULL && *cursor != '\0'; cursor++)
      if (*cursor == '_')
        *cursor = ' ';
  }
  if (level->name == NULL || level->title == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  level->episode = 1;
  const struct yaml_tree_node *episode_node = yaml_tree_get(node, "episode");
  if (episode_node != NULL) {
    int64_t episode;
    status = yaml_tree_read_integer(tree, episode_node, 1, LADDER_MAX_EPISODE, &episode, error);
    if (status != STATUS_OK)
      return status;
    level->episode = (int)episode;
  }
  const struct yaml_tree_node *offset_node = yaml_tree_get(node, "offset");
  if (offset_node == NULL)
    return yaml_tree_error(tree, node, error, "level '%s' needs an 'offset' (e.g. 0 or -1wd)",
                           name);
  status = read_offset(tree, offset_node, true, &level->offset, error);
  if (status != STATUS_OK)
    return status;
  const struct yaml_tree_node *reason_node = yaml_tree_get(node, "on_delay_reason");
  if (reason_node != NULL) {
    status = yaml_tree_read_boolean(tree, reason_node, &level->on_delay_reason, error);
    if (status != STATUS_OK)
      return status;
  }
  level->action = LADDER_NOTIFY;
  const struct yaml_tree_node *action_node = yaml_tree_get(node, "action");
  if (action_node != NULL) {
    int action;
    status = yaml_tree_read_choice(tree, action_node, action_names, &action, error);
    if (status != STATUS_OK)
      return status;
    level->action = (enum ladder_action)action;
    if (level->action == LADDER_LETTER && level->episode != 1)
      return yaml_tree_error(tree, action_node, error,
                             "a letter can only be sent in episode 1: the return date may be "
                             "rescheduled only once");
  }
  const struct yaml_tree_node *recipients = yaml_tree_get(node, "recipients");
  if (recipients == NULL)
    return yaml_tree_error(tree, node, error, "level '%s' needs 'recipients'", name);
  return read_recipients(tree, recipients, level, error);
}

static enum status read_levels(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                               struct ladder *ladder, struct error_list *errors) {
  struct error one;
  struct error *error = &one;
  enum status status = yaml_tree_expect(tree, node, YAML_TREE_SEQUENCE, "levels", error);
  if (status != STATUS_OK)
    return error_list_note(errors, status, error);
  if (node->count == 0)
    return error_list_note(
        errors, yaml_tree_error(tree, node, error, "the ladder needs at least one level"), error);
  if (node->count > LADDER_MAX_LEVELS)
    return error_list_note(errors,
                           yaml_tree_error(tree, node->items[LADDER_MAX_LEVELS], error,
                                           "too many levels (at most %d)", LADDER_MAX_LEVELS),
                           error);
  ladder->levels = calloc(node->count, sizeof *ladder->levels);
  if (ladder->levels == NULL)
    return error_list_note(errors, error_set(error, STATUS_RUNTIME, "out of memory"), error);
  const struct yaml_tree_node *letter = NULL;
  for (size_t i = 0; i < node->count; i++) {
    ladder->count = i + 1;
    status = read_level(tree, node->items[i], &ladder->levels[i], error);
    if (status == STATUS_OK)
      for (size_t j = 0; j < i && status == STATUS_OK; j++)
        if (ladder->levels[j].name != NULL &&
            strcmp(ladder->levels[j].name, ladder->levels[i].name) == 0)
          status = yaml_tree_error(tree, yaml_tree_get(node->items[i], "level"), error,
                                   "level '%s' is defined twice (first on line %zu)",
                                   ladder->levels[i].name, ladder->levels[j].line);
    if (status == STATUS_OK && ladder->levels[i].action == LADDER_LETTER) {
      if (letter != NULL)
        status = yaml_tree_error(tree, yaml_tree_get(node->items[i], "action"), error,
                                 "only one level may send the letter (already on line %zu)",
                                 letter->line);
      else
        letter = node->items[i];
    }
    if (error_list_note(errors, status, error) == STATUS_RUNTIME)
      return STATUS_RUNTIME;
  }
  return STATUS_OK;
}

static enum status read_parts(const struct yaml_tree *tree, struct ladder *ladder,
                              struct error_list *errors) {
  struct error one;
  enum status status = error_list_note(
      errors, yaml_tree_check_keys(tree, tree->root, top_keys, N_("the ladder"), &one), &one);
  if (status != STATUS_OK)
    return status;
  ladder->due_soon.amount = 1;
  ladder->due_soon.unit = UNIT_WORKING_DAYS;
  const struct yaml_tree_node *due_soon = yaml_tree_get(tree->root, "due_soon");
  if (due_soon != NULL &&
      error_list_note(errors, read_offset(tree, due_soon, false, &ladder->due_soon, &one), &one) ==
          STATUS_RUNTIME)
    return STATUS_RUNTIME;
  const struct yaml_tree_node *levels = yaml_tree_get(tree->root, "levels");
  if (levels == NULL)
    return error_list_note(
        errors, yaml_tree_error(tree, tree->root, &one, "the ladder needs 'levels'"), &one);
  return read_levels(tree, levels, ladder, errors);
}

static enum status read_ladder(const struct yaml_tree *tree, struct ladder *ladder,
                               struct error *error) {
  if (tree->root == NULL)
    return error_at(error, tree->file, 1, 1, _("the ladder file is empty"));
  struct error_list errors;
  error_list_init(&errors, tree->file);
  read_parts(tree, ladder, &errors);
  return error_list_finish(&errors, error);
}

/* Takes the tree (loaded or not) and frees it: the file and buffer loaders share this. */
static enum status load_tree(struct yaml_tree *tree, enum status status, const char *name,
                             struct ladder **ladder, struct error *error) {
  *ladder = NULL;
  if (status != STATUS_OK)
    return status;
  struct ladder *loaded = calloc(1, sizeof *loaded);
  if (loaded == NULL || (loaded->file = copy_text(name)) == NULL) {
    free(loaded);
    yaml_tree_free(tree);
    return error_set(error, STATUS_RUNTIME, "out of memory");
  }
  status = read_ladder(tree, loaded, error);
  yaml_tree_free(tree);
  if (status != STATUS_OK) {
    ladder_free(loaded);
    return status;
  }
  *ladder = loaded;
  return STATUS_OK;
}

enum status ladder_load_file(const char *path, struct ladder **ladder, struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status status = yaml_tree_load_file(path, &tree, error);
  return load_tree(tree, status, path, ladder, error);
}

enum status ladder_load_buffer(const char *name, const char *data, size_t size,
                               struct ladder **ladder, struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status status = yaml_tree_load_buffer(name, data, size, &tree, error);
  return load_tree(tree, status, name, ladder, error);
}

enum status ladder_load_directory(const char *directory, struct ladder **ladder,
                                  struct error *error) {
  char path[PATH_MAX];
  *ladder = NULL;
  enum status status = rules_locate(directory, "ladder.yaml", path, sizeof path, error);
  if (status != STATUS_OK)
    return status;
  return ladder_load_file(path, ladder, error);
}
