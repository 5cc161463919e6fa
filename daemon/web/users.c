/*
 * users.c: the users file of `dunghen web` (see users.h).
 */
#include "web/users.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rules/yaml_tree.h"

bool web_user_name_valid(const char *name) {
  size_t length = strlen(name);
  if (length == 0 || length > WEB_USER_NAME_MAX)
    return false;
  for (const char *c = name; *c != '\0'; c++)
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '.' || *c == '_' || *c == '@' || *c == '-'))
      return false;
  return true;
}

void web_users_free(struct web_users *users) {
  for (size_t i = 0; i < users->count; i++) {
    free(users->users[i].name);
    free(users->users[i].display_name);
    free(users->users[i].agency_code);
    free(users->users[i].password_hash);
  }
  free(users->users);
  users->users = NULL;
  users->count = 0;
}

const struct web_user *web_users_find(const struct web_users *users, const char *name) {
  for (size_t i = 0; i < users->count; i++)
    if (strcmp(users->users[i].name, name) == 0)
      return &users->users[i];
  return NULL;
}

/* A required, non-empty string under `key`. */
static enum status read_required(const struct yaml_tree *tree, const struct yaml_tree_node *user,
                                 const char *key, const char **value, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(user, key);
  if (node == NULL)
    return yaml_tree_error(tree, user, error, "a user needs '%s'", key);
  if (yaml_tree_read_string(tree, node, value, error) != STATUS_OK)
    return STATUS_INVALID;
  if (**value == '\0')
    return yaml_tree_error(tree, node, error, "'%s' must not be empty", key);
  return STATUS_OK;
}

/* yescrypt as crypt(3) writes it: `$y$` PARAMS `$` SALT `$` HASH, in its base-64 alphabet. */
static bool yescrypt_hash(const char *hash) {
  if (strncmp(hash, "$y$", 3) != 0)
    return false;
  size_t dollars = 0;
  for (const char *c = hash + 3; *c != '\0'; c++) {
    if (*c == '$')
      dollars++;
    else if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
               *c == '.' || *c == '/'))
      return false;
  }
  return dollars == 2 && hash[strlen(hash) - 1] != '$';
}

static enum status read_user(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                             const struct agency_table *agencies, struct web_users *users,
                             struct error *error) {
  static const char *const known[] = {"name", "display_name", "agency", "password", NULL};
  if (yaml_tree_check_keys(tree, node, known, "a user", error) != STATUS_OK)
    return STATUS_INVALID;
  const char *name, *display_name, *agency, *password = NULL;
  if (read_required(tree, node, "name", &name, error) != STATUS_OK ||
      read_required(tree, node, "display_name", &display_name, error) != STATUS_OK ||
      read_required(tree, node, "agency", &agency, error) != STATUS_OK)
    return STATUS_INVALID;
  const struct yaml_tree_node *name_node = yaml_tree_get(node, "name");
  if (!web_user_name_valid(name))
    return yaml_tree_error(tree, name_node, error,
                           "user name '%s': 1 to %d letters, digits or . _ @ - (no spaces)", name,
                           WEB_USER_NAME_MAX);
  if (web_users_find(users, name) != NULL)
    return yaml_tree_error(tree, name_node, error, "user '%s' is listed twice", name);
  bool provincial = strcmp(agency, WEB_USERS_PROVINCIAL_OFFICE) == 0;
  if (!provincial && agencies != NULL && agencies->count > 0 &&
      agencies_find(agencies, agency) == NULL)
    return yaml_tree_error(tree, yaml_tree_get(node, "agency"), error,
                           "agency '%s' is not in %s (or write '%s' for the provincial office)",
                           agency, agencies->file, WEB_USERS_PROVINCIAL_OFFICE);
  const struct yaml_tree_node *password_node = yaml_tree_get(node, "password");
  if (password_node != NULL) {
    if (yaml_tree_read_string(tree, password_node, &password, error) != STATUS_OK)
      return STATUS_INVALID;
    if (!yescrypt_hash(password))
      return yaml_tree_error(tree, password_node, error,
                             "the password of '%s' is not a yescrypt hash ($y$...): make one "
                             "with `dunghen web --hash-password`",
                             name);
  }
  struct web_user *user = &users->users[users->count];
  memset(user, 0, sizeof *user);
  user->name = strdup(name);
  user->display_name = strdup(display_name);
  user->agency_code = provincial ? NULL : strdup(agency);
  user->password_hash = password != NULL ? strdup(password) : NULL;
  users->count++;
  if (user->name == NULL || user->display_name == NULL || (!provincial && !user->agency_code) ||
      (password != NULL && user->password_hash == NULL))
    return error_set(error, STATUS_RUNTIME, "out of memory while reading the users");
  return STATUS_OK;
}

static enum status read_tree(const struct yaml_tree *tree, const struct agency_table *agencies,
                             struct web_users *users, struct error *error) {
  static const char *const known[] = {"users", NULL};
  if (tree->root == NULL)
    return error_set(error, STATUS_INVALID, "%s: empty: list the users under 'users:'", tree->file);
  if (yaml_tree_check_keys(tree, tree->root, known, "the users file", error) != STATUS_OK)
    return STATUS_INVALID;
  const struct yaml_tree_node *list = yaml_tree_get(tree->root, "users");
  if (list == NULL)
    return yaml_tree_error(tree, tree->root, error, "list the users under 'users:'");
  if (yaml_tree_expect(tree, list, YAML_TREE_SEQUENCE, "users", error) != STATUS_OK)
    return STATUS_INVALID;
  if (list->count == 0)
    return yaml_tree_error(tree, list, error, "'users' lists nobody");
  users->users = calloc(list->count, sizeof *users->users);
  if (users->users == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory while reading the users");
  for (size_t i = 0; i < list->count; i++)
    if (read_user(tree, list->items[i], agencies, users, error) != STATUS_OK)
      return error->status;
  return STATUS_OK;
}

static enum status load_tree(struct yaml_tree *tree, enum status loaded,
                             const struct agency_table *agencies, struct web_users *users,
                             struct error *error) {
  memset(users, 0, sizeof *users);
  if (loaded != STATUS_OK)
    return loaded;
  enum status status = read_tree(tree, agencies, users, error);
  if (status != STATUS_OK)
    web_users_free(users);
  yaml_tree_free(tree);
  return status;
}

enum status web_users_load(const char *path, const struct agency_table *agencies,
                           struct web_users *users, struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status loaded = yaml_tree_load_file(path, &tree, error);
  return load_tree(tree, loaded, agencies, users, error);
}

enum status web_users_load_buffer(const char *name, const char *text,
                                  const struct agency_table *agencies, struct web_users *users,
                                  struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status loaded = yaml_tree_load_buffer(name, text, strlen(text), &tree, error);
  return load_tree(tree, loaded, agencies, users, error);
}
