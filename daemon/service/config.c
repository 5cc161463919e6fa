#include "service/config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dunghen-config.h"
#include "rules/yaml_tree.h"

static enum status out_of_memory(struct error *error) {
  return error_set(error, STATUS_RUNTIME, "out of memory while reading the config");
}

enum status config_set_string(char **field, const char *value, struct error *error) {
  char *copy = NULL;
  if (value != NULL && (copy = strdup(value)) == NULL)
    return out_of_memory(error);
  free(*field);
  *field = copy;
  return STATUS_OK;
}

void config_free(struct config *config) {
  free(config->file);
  free(config->conninfo);
  free(config->rules_directory);
  free(config->letters_directory);
  free(config->spool_directory);
  free(config->font_directory);
  free(config->http_address);
  memset(config, 0, sizeof *config);
}

enum status config_defaults(struct config *config, struct error *error) {
  memset(config, 0, sizeof *config);
  config->connect_timeout = CONFIG_DEFAULT_CONNECT_TIMEOUT;
  config->ping_interval = CONFIG_DEFAULT_PING_INTERVAL;
  config->http_enabled = true;
  config->http_port = CONFIG_DEFAULT_HTTP_PORT;
  config->poll_interval = CONFIG_DEFAULT_POLL_INTERVAL;
  config->overlap = CONFIG_DEFAULT_OVERLAP;
  config->batch_size = CONFIG_DEFAULT_BATCH_SIZE;
  config->log_level = LOG_INFO;
  if (config_set_string(&config->spool_directory, CONFIG_DEFAULT_SPOOL, error) != STATUS_OK ||
      config_set_string(&config->http_address, "127.0.0.1", error) != STATUS_OK) {
    config_free(config);
    return STATUS_RUNTIME;
  }
  return STATUS_OK;
}

/*
 * The readers report `FILE:LINE:COLUMN: message`; a config error also names the key, so the
 * key goes between the location and the message.
 */
static enum status name_the_key(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                const char *key, struct error *error) {
  char location[512];
  int length = snprintf(location, sizeof location, "%s:%zu:%zu: ", tree->file, node->line,
                        node->column);
  const char *message = error->message;
  if (length > 0 && strncmp(message, location, (size_t)length) == 0)
    message += length;
  char copy[ERROR_MESSAGE_SIZE];
  snprintf(copy, sizeof copy, "%s", message);
  return yaml_tree_error(tree, node, error, "%s: %s", key, copy);
}

static enum status read_integer(const struct yaml_tree *tree, const struct yaml_tree_node *section,
                                const char *section_name, const char *key, int64_t minimum,
                                int64_t maximum, int *value, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(section, key);
  if (node == NULL)
    return STATUS_OK;
  int64_t read;
  char name[64];
  snprintf(name, sizeof name, "%s.%s", section_name, key);
  if (yaml_tree_read_integer(tree, node, minimum, maximum, &read, error) != STATUS_OK)
    return name_the_key(tree, node, name, error);
  *value = (int)read;
  return STATUS_OK;
}

/* A non-empty string; `path` also refuses relative paths (the daemon's cwd is /). */
static enum status read_text(const struct yaml_tree *tree, const struct yaml_tree_node *section,
                             const char *section_name, const char *key, bool path, char **value,
                             struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(section, key);
  if (node == NULL)
    return STATUS_OK;
  char name[64];
  snprintf(name, sizeof name, "%s.%s", section_name, key);
  const char *text;
  if (yaml_tree_read_string(tree, node, &text, error) != STATUS_OK)
    return name_the_key(tree, node, name, error);
  if (*text == '\0')
    return yaml_tree_error(tree, node, error, "%s: must not be empty", name);
  if (path && text[0] != '/')
    return yaml_tree_error(tree, node, error, "%s: '%s' is not an absolute path", name, text);
  return config_set_string(value, text, error);
}

static enum status read_section(const struct yaml_tree *tree, const char *name,
                                const char *const *known, const struct yaml_tree_node **section,
                                struct error *error) {
  *section = yaml_tree_get(tree->root, name);
  if (*section == NULL)
    return STATUS_OK;
  return yaml_tree_check_keys(tree, *section, known, name, error);
}

static enum status read_database(const struct yaml_tree *tree, struct config *config,
                                 struct error *error) {
  static const char *const known[] = {"conninfo", "connect_timeout", "ping_interval", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "database", known, &section, error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "database", "conninfo", false, &config->conninfo, error);
  if (status == STATUS_OK && section != NULL)
    status = read_integer(tree, section, "database", "connect_timeout", 1, 3600,
                          &config->connect_timeout, error);
  if (status == STATUS_OK && section != NULL)
    status = read_integer(tree, section, "database", "ping_interval", 1, 3600,
                          &config->ping_interval, error);
  return status;
}

static enum status read_paths(const struct yaml_tree *tree, struct config *config,
                              struct error *error) {
  static const char *const known[] = {"rules", "letters", "spool", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "paths", known, &section, error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "paths", "rules", true, &config->rules_directory, error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "paths", "letters", true, &config->letters_directory,
                       error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "paths", "spool", true, &config->spool_directory, error);
  return status;
}

static enum status read_letters(const struct yaml_tree *tree, struct config *config,
                                struct error *error) {
  static const char *const known[] = {"true_italic", "fonts", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "letters", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  const struct yaml_tree_node *italic = yaml_tree_get(section, "true_italic");
  if (italic != NULL &&
      yaml_tree_read_boolean(tree, italic, &config->true_italic, error) != STATUS_OK)
    return name_the_key(tree, italic, "letters.true_italic", error);
  return read_text(tree, section, "letters", "fonts", true, &config->font_directory, error);
}

static enum status read_http(const struct yaml_tree *tree, struct config *config,
                             struct error *error) {
  static const char *const known[] = {"enabled", "address", "port", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "http", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  const struct yaml_tree_node *enabled = yaml_tree_get(section, "enabled");
  if (enabled != NULL &&
      yaml_tree_read_boolean(tree, enabled, &config->http_enabled, error) != STATUS_OK)
    return name_the_key(tree, enabled, "http.enabled", error);
  status = read_text(tree, section, "http", "address", false, &config->http_address, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "http", "port", 0, 65535, &config->http_port, error);
  return status;
}

static enum status read_sync(const struct yaml_tree *tree, struct config *config,
                             struct error *error) {
  static const char *const known[] = {"poll_interval", "overlap", "batch_size", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "sync", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  status = read_integer(tree, section, "sync", "poll_interval", 1, 86400,
                        &config->poll_interval, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "sync", "overlap", 0, 86400, &config->overlap, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "sync", "batch_size", 1, 1000000, &config->batch_size,
                          error);
  return status;
}

static enum status read_log(const struct yaml_tree *tree, struct config *config,
                            struct error *error) {
  static const char *const known[] = {"level", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "log", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  const struct yaml_tree_node *level = yaml_tree_get(section, "level");
  if (level == NULL)
    return STATUS_OK;
  int index;
  if (yaml_tree_read_choice(tree, level, log_level_names, &index, error) != STATUS_OK)
    return name_the_key(tree, level, "log.level", error);
  config->log_level = (enum log_level)index;
  return STATUS_OK;
}

static enum status read_tree(const struct yaml_tree *tree, struct config *config,
                             struct error *error) {
  if (tree->root == NULL)
    return STATUS_OK; /* an empty file: all defaults */
  static const char *const known[] = {"database", "paths", "letters", "http", "sync", "log",
                                      NULL};
  enum status status = yaml_tree_check_keys(tree, tree->root, known, "the config", error);
  if (status == STATUS_OK)
    status = read_database(tree, config, error);
  if (status == STATUS_OK)
    status = read_paths(tree, config, error);
  if (status == STATUS_OK)
    status = read_letters(tree, config, error);
  if (status == STATUS_OK)
    status = read_http(tree, config, error);
  if (status == STATUS_OK)
    status = read_sync(tree, config, error);
  if (status == STATUS_OK)
    status = read_log(tree, config, error);
  if (status == STATUS_OK)
    status = config_set_string(&config->file, tree->file, error);
  return status;
}

static enum status load_tree(struct yaml_tree *tree, enum status loaded, struct config *config,
                             struct error *error) {
  if (loaded != STATUS_OK)
    return loaded;
  enum status status = config_defaults(config, error);
  if (status == STATUS_OK) {
    status = read_tree(tree, config, error);
    if (status != STATUS_OK)
      config_free(config);
  }
  yaml_tree_free(tree);
  return status;
}

enum status config_load(const char *path, struct config *config, struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status loaded = yaml_tree_load_file(path, &tree, error);
  return load_tree(tree, loaded, config, error);
}

enum status config_load_buffer(const char *name, const char *text, struct config *config,
                               struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status loaded = yaml_tree_load_buffer(name, text, strlen(text), &tree, error);
  return load_tree(tree, loaded, config, error);
}
