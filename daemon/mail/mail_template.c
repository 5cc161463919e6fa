#include "mail/mail_template.h"

#include <stdio.h>
#include <string.h>

#include "rules/translate.h"
#include "rules/yaml_tree.h"

const char *const mail_template_files[] = {"mail-escalation.yaml", "mail-letter.yaml",
                                           "mail-digest.yaml", "mail-report.yaml", NULL};

static const char *const mail_names[MAIL_PLACEHOLDER_COUNT - PLACEHOLDER_COUNT] = {
    [PLACEHOLDER_LEVEL_TITLE - PLACEHOLDER_COUNT] = "level_title",
    [PLACEHOLDER_ACTION - PLACEHOLDER_COUNT] = "action",
    [PLACEHOLDER_STATE - PLACEHOLDER_COUNT] = "state",
    [PLACEHOLDER_DEADLINE_DATE - PLACEHOLDER_COUNT] = "deadline_date",
    [PLACEHOLDER_DEADLINE_TIME - PLACEHOLDER_COUNT] = "deadline_time",
    [PLACEHOLDER_ROLE - PLACEHOLDER_COUNT] = "role",
    [PLACEHOLDER_DOSSIER_COUNT - PLACEHOLDER_COUNT] = "dossier_count",
    [PLACEHOLDER_DOSSIER_LIST - PLACEHOLDER_COUNT] = "dossier_list",
    [PLACEHOLDER_PERIOD - PLACEHOLDER_COUNT] = "period",
    [PLACEHOLDER_RECEIVED_TOTAL - PLACEHOLDER_COUNT] = "received_total",
    [PLACEHOLDER_DONE_TOTAL - PLACEHOLDER_COUNT] = "done_total",
    [PLACEHOLDER_IN_PROGRESS_TOTAL - PLACEHOLDER_COUNT] = "in_progress_total",
    [PLACEHOLDER_ON_TIME_SHARE - PLACEHOLDER_COUNT] = "on_time_share",
    [PLACEHOLDER_SCORE - PLACEHOLDER_COUNT] = "score",
};

static const struct template_extension mail_extension = {mail_names, MAIL_PLACEHOLDER_COUNT -
                                                                         PLACEHOLDER_COUNT};

const char *mail_placeholder_name(int placeholder) {
  if (placeholder >= 0 && placeholder < PLACEHOLDER_COUNT)
    return letter_placeholder_name((enum letter_placeholder)placeholder);
  if (placeholder >= PLACEHOLDER_COUNT && placeholder < MAIL_PLACEHOLDER_COUNT)
    return mail_names[placeholder - PLACEHOLDER_COUNT];
  return "?";
}

/* Adds the plain words of `levels`, `states`, `roles`, `notes` under "level.N.title" and so
 * on. */
static enum status read_words(const struct template_source *source,
                              const struct yaml_tree_node *root, const char *section,
                              struct letter_template *result, struct error *error) {
  static const char *const level_keys[] = {"title", "action", NULL};
  const struct yaml_tree *tree = template_source_tree(source);
  const struct yaml_tree_node *node = yaml_tree_get(root, section);
  if (node == NULL)
    return STATUS_OK;
  enum status status = yaml_tree_expect(tree, node, YAML_TREE_MAPPING, section, error);
  bool levels = strcmp(section, "levels") == 0;
  for (size_t i = 0; status == STATUS_OK && i < node->count; i++) {
    const char *name = node->pairs[i].key->text;
    const struct yaml_tree_node *value = node->pairs[i].value;
    char key[160];
    const char *text;
    if (!levels) {
      const char *prefix = strcmp(section, "states") == 0  ? "state"
                           : strcmp(section, "notes") == 0 ? "note"
                                                           : "role";
      snprintf(key, sizeof key, "%s.%.100s", prefix, name);
      if ((status = yaml_tree_read_string(tree, value, &text, error)) == STATUS_OK &&
          (status = template_check_printable(source, value, error)) == STATUS_OK)
        status = template_add_word(result, key, text, error);
      continue;
    }
    if ((status = yaml_tree_check_keys(tree, value, level_keys, N_("a level's words"), error)) !=
        STATUS_OK)
      break;
    for (size_t j = 0; status == STATUS_OK && level_keys[j] != NULL; j++) {
      const struct yaml_tree_node *word = yaml_tree_get(value, level_keys[j]);
      if (word == NULL)
        continue;
      snprintf(key, sizeof key, "level.%.100s.%s", name, level_keys[j]);
      if ((status = yaml_tree_read_string(tree, word, &text, error)) == STATUS_OK &&
          (status = template_check_printable(source, word, error)) == STATUS_OK)
        status = template_add_word(result, key, text, error);
    }
  }
  return status;
}

static enum status compile_mail(const struct template_source *source,
                                struct letter_template *result, struct error *error) {
  static const char *const known[] = {"description", "subject", "body",  "levels",
                                      "states",      "roles",   "notes", NULL};
  const struct yaml_tree *tree = template_source_tree(source);
  const struct yaml_tree_node *root = tree->root;
  if (root == NULL)
    return error_at(error, tree->file, 1, 1, "empty mail template");
  enum status status = yaml_tree_check_keys(tree, root, known, N_("mail template"), error);
  if (status != STATUS_OK)
    return status;
  if ((result->description = strdup("")) == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading a mail template");
  const struct yaml_tree_node *subject = yaml_tree_get(root, "subject");
  if (subject != NULL && subject->kind == YAML_TREE_SCALAR &&
      strpbrk(subject->text, "\r\n") != NULL)
    return yaml_tree_error(tree, subject, error,
                           "the subject must be one line (a line break would end the header)");
  if ((status = template_compile_key(source, root, "subject", true, &result->title, error)) !=
      STATUS_OK)
    return status;
  if ((status = template_compile_list(source, root, "body", true, &result->paragraphs,
                                      &result->paragraph_count, error)) != STATUS_OK)
    return status;
  const char *sections[] = {"levels", "states", "roles", "notes"};
  for (size_t i = 0; status == STATUS_OK && i < sizeof sections / sizeof sections[0]; i++)
    status = read_words(source, root, sections[i], result, error);
  return status;
}

enum status mail_template_load(const char *path, struct letter_template **template_out,
                               struct error *error) {
  return template_load(path, &mail_extension, compile_mail, template_out, error);
}

const char *mail_template_word(const struct letter_template *template_in, const char *key,
                               const char *fallback) {
  for (size_t i = 0; i < template_in->word_count; i++)
    if (strcmp(template_in->word_keys[i], key) == 0)
      return template_in->word_values[i];
  return fallback;
}
