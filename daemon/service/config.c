#include "service/config.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "dunghen-config.h"
#include "rules/agencies.h"
#include "rules/ladder.h"
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

static void free_list(char **list) {
  for (size_t i = 0; list != NULL && list[i] != NULL; i++)
    free(list[i]);
  free(list);
}

bool config_list_has(char *const *list, const char *name) {
  for (size_t i = 0; list != NULL && list[i] != NULL; i++)
    if (strcmp(list[i], name) == 0)
      return true;
  return false;
}

/* A NULL-terminated copy of `count` strings; NULL when out of memory. */
static char **copy_list(const char *const *items, size_t count) {
  char **list = calloc(count + 1, sizeof *list);
  for (size_t i = 0; list != NULL && i < count; i++)
    if ((list[i] = strdup(items[i])) == NULL) {
      free_list(list);
      return NULL;
    }
  return list;
}

void config_mail_free(struct config_mail *mail) {
  free(mail->from);
  free(mail->from_name);
  free(mail->message_id_host);
  free(mail->sendmail);
  free_list(mail->arguments);
  free_list(mail->digest_roles);
  free_list(mail->digest_levels);
  memset(mail, 0, sizeof *mail);
}

static char *copy_or_null(const char *text, bool *failed) {
  if (text == NULL)
    return NULL;
  char *copy = strdup(text);
  *failed |= copy == NULL;
  return copy;
}

enum status config_mail_copy(const struct config_mail *from, struct config_mail *to,
                             struct error *error) {
  bool failed = false;
  *to = *from;
  to->from = copy_or_null(from->from, &failed);
  to->from_name = copy_or_null(from->from_name, &failed);
  to->message_id_host = copy_or_null(from->message_id_host, &failed);
  to->sendmail = copy_or_null(from->sendmail, &failed);
  to->arguments = copy_list((const char *const *)from->arguments, from->argument_count);
  to->digest_roles = copy_list((const char *const *)from->digest_roles, from->digest_role_count);
  to->digest_levels = copy_list((const char *const *)from->digest_levels, from->digest_level_count);
  if (failed || to->arguments == NULL || to->digest_roles == NULL || to->digest_levels == NULL) {
    config_mail_free(to);
    return out_of_memory(error);
  }
  return STATUS_OK;
}

void config_reports_free(struct config_reports *reports) {
  free_list(reports->roles);
  free(reports->issuer);
  memset(reports, 0, sizeof *reports);
}

enum status config_reports_copy(const struct config_reports *from, struct config_reports *to,
                                struct error *error) {
  bool failed = false;
  *to = *from;
  to->issuer = copy_or_null(from->issuer, &failed);
  to->roles = copy_list((const char *const *)from->roles, from->role_count);
  if (failed || to->roles == NULL) {
    config_reports_free(to);
    return out_of_memory(error);
  }
  return STATUS_OK;
}

bool config_timeouts_equal(const struct config_timeouts *left,
                           const struct config_timeouts *right) {
  return left->statement == right->statement && left->lock == right->lock &&
         left->idle_in_transaction == right->idle_in_transaction;
}

void config_free(struct config *config) {
  config_mail_free(&config->mail);
  config_reports_free(&config->reports);
  free(config->file);
  free(config->conninfo);
  free(config->rules_directory);
  free(config->letters_directory);
  free(config->spool_directory);
  free(config->font_directory);
  free(config->ca_bundle);
  free(config->http_address);
  free(config->web.address);
  free(config->web.conninfo);
  free(config->web.users_file);
  free(config->web.trusted_header);
  memset(config, 0, sizeof *config);
}

enum status config_defaults(struct config *config, struct error *error) {
  memset(config, 0, sizeof *config);
  config->connect_timeout = CONFIG_DEFAULT_CONNECT_TIMEOUT;
  config->ping_interval = CONFIG_DEFAULT_PING_INTERVAL;
  config->timeouts =
      (struct config_timeouts){CONFIG_DEFAULT_STATEMENT_TIMEOUT, CONFIG_DEFAULT_LOCK_TIMEOUT,
                               CONFIG_DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT};
  config->http_enabled = true;
  config->http_port = CONFIG_DEFAULT_HTTP_PORT;
  config->poll_interval = CONFIG_DEFAULT_POLL_INTERVAL;
  config->overlap = CONFIG_DEFAULT_OVERLAP;
  config->batch_size = CONFIG_DEFAULT_BATCH_SIZE;
  config->first_pass_sessions = CONFIG_DEFAULT_FIRST_PASS_SESSIONS;
  config->retention = (struct retention_policy){.delivery_days = RETENTION_DEFAULT_DELIVERY_DAYS,
                                                .batch_size = RETENTION_DEFAULT_BATCH_SIZE};
  config->log_level = LOG_INFO;
  config->reload = (struct config_reload){CONFIG_DEFAULT_RELOAD_MAX_LETTERS,
                                          CONFIG_DEFAULT_RELOAD_MAX_ESCALATIONS};
  config->mail.timeout = CONFIG_DEFAULT_MAIL_TIMEOUT;
  config->mail.attempts = CONFIG_DEFAULT_MAIL_ATTEMPTS;
  config->mail.retry_first = CONFIG_DEFAULT_MAIL_RETRY_FIRST;
  config->mail.retry_limit = CONFIG_DEFAULT_MAIL_RETRY_LIMIT;
  config->mail.digest_period = CONFIG_DEFAULT_DIGEST_PERIOD;
  config->web.port = CONFIG_DEFAULT_WEB_PORT;
  config->web.session_lifetime = CONFIG_DEFAULT_WEB_SESSION_LIFETIME;
  config->web.signin_failures = CONFIG_DEFAULT_WEB_SIGNIN_FAILURES;
  config->web.signin_window = CONFIG_DEFAULT_WEB_SIGNIN_WINDOW;
  static const char *const arguments[] = {"-t", "-i"};
  static const char *const levels[] = {"due_soon"};
  static const char *const report_roles[] = {"provincial_office"};
  config->reports.roles = copy_list(report_roles, 1);
  config->reports.role_count = 1;
  config->mail.arguments = copy_list(arguments, 2);
  config->mail.argument_count = 2;
  config->mail.digest_roles = copy_list(NULL, 0);
  config->mail.digest_levels = copy_list(levels, 1);
  config->mail.digest_level_count = 1;
  if (config_set_string(&config->spool_directory, CONFIG_DEFAULT_SPOOL, error) != STATUS_OK ||
      config_set_string(&config->http_address, "127.0.0.1", error) != STATUS_OK ||
      config_set_string(&config->web.address, "127.0.0.1", error) != STATUS_OK ||
      config_set_string(&config->web.users_file, CONFIG_DEFAULT_WEB_USERS, error) != STATUS_OK ||
      config_set_string(&config->mail.sendmail, CONFIG_DEFAULT_SENDMAIL, error) != STATUS_OK ||
      config->mail.arguments == NULL || config->mail.digest_roles == NULL ||
      config->mail.digest_levels == NULL || config->reports.roles == NULL) {
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
  int length =
      snprintf(location, sizeof location, "%s:%zu:%zu: ", tree->file, node->line, node->column);
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

/* A session limit: seconds (0: none) or `server` (dunghen does not set it). */
static enum status read_timeout(const struct yaml_tree *tree, const struct yaml_tree_node *section,
                                const char *key, int *value, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(section, key);
  if (node == NULL)
    return STATUS_OK;
  if (node->kind == YAML_TREE_SCALAR && strcmp(node->text, "server") == 0) {
    *value = CONFIG_TIMEOUT_SERVER;
    return STATUS_OK;
  }
  int64_t read;
  if (node->kind != YAML_TREE_SCALAR ||
      yaml_tree_read_integer(tree, node, 0, 86400, &read, error) != STATUS_OK)
    return yaml_tree_error(tree, node, error,
                           "database.%s: seconds from 0 (no limit) to 86400, or 'server' (the "
                           "role's or the server's setting applies)",
                           key);
  *value = (int)read;
  return STATUS_OK;
}

static enum status read_database(const struct yaml_tree *tree, struct config *config,
                                 struct error *error) {
  static const char *const known[] = {"conninfo",
                                      "connect_timeout",
                                      "ping_interval",
                                      "statement_timeout",
                                      "lock_timeout",
                                      "idle_in_transaction_session_timeout",
                                      NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "database", known, &section, error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "database", "conninfo", false, &config->conninfo, error);
  if (status == STATUS_OK && config->conninfo != NULL &&
      config_check_conninfo(config->conninfo, error) != STATUS_OK) {
    char reason[ERROR_MESSAGE_SIZE];
    snprintf(reason, sizeof reason, "%s", error->message);
    status = yaml_tree_error(tree, yaml_tree_get(section, "conninfo"), error,
                             "database.conninfo: %s", reason);
  }
  if (status == STATUS_OK && section != NULL)
    status = read_integer(tree, section, "database", "connect_timeout", 1, 3600,
                          &config->connect_timeout, error);
  if (status == STATUS_OK && section != NULL)
    status = read_integer(tree, section, "database", "ping_interval", 1, 3600,
                          &config->ping_interval, error);
  if (status == STATUS_OK && section != NULL)
    status = read_timeout(tree, section, "statement_timeout", &config->timeouts.statement, error);
  if (status == STATUS_OK && section != NULL)
    status = read_timeout(tree, section, "lock_timeout", &config->timeouts.lock, error);
  if (status == STATUS_OK && section != NULL)
    status = read_timeout(tree, section, "idle_in_transaction_session_timeout",
                          &config->timeouts.idle_in_transaction, error);
  return status;
}

enum status config_check_conninfo(const char *conninfo, struct error *error) {
  char *message = NULL;
  PQconninfoOption *options = PQconninfoParse(conninfo, &message);
  if (options != NULL) {
    PQconninfoFree(options);
    return STATUS_OK;
  }
  char keyword[128] = "";
  if (message != NULL && sscanf(message, "invalid connection option \"%127[^\"]\"", keyword) != 1)
    keyword[0] = '\0';
  PQfreemem(message);
  if (keyword[0] != '\0')
    return error_set(error, STATUS_INVALID, "unknown connection keyword '%s'", keyword);
  return error_set(error, STATUS_INVALID,
                   "not a libpq connection string (key=value pairs or a postgresql:// URI)");
}

static enum status read_paths(const struct yaml_tree *tree, struct config *config,
                              struct error *error) {
  static const char *const known[] = {"rules", "letters", "spool", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "paths", known, &section, error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "paths", "rules", true, &config->rules_directory, error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "paths", "letters", true, &config->letters_directory, error);
  if (status == STATUS_OK && section != NULL)
    status = read_text(tree, section, "paths", "spool", true, &config->spool_directory, error);
  return status;
}

static enum status read_letters(const struct yaml_tree *tree, struct config *config,
                                struct error *error) {
  static const char *const known[] = {"true_italic", "fonts", "ca_bundle", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "letters", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  const struct yaml_tree_node *italic = yaml_tree_get(section, "true_italic");
  if (italic != NULL &&
      yaml_tree_read_boolean(tree, italic, &config->true_italic, error) != STATUS_OK)
    return name_the_key(tree, italic, "letters.true_italic", error);
  status = read_text(tree, section, "letters", "fonts", true, &config->font_directory, error);
  if (status == STATUS_OK)
    status = read_text(tree, section, "letters", "ca_bundle", true, &config->ca_bundle, error);
  return status;
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
  static const char *const known[] = {"poll_interval", "overlap", "batch_size",
                                      "first_pass_sessions", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "sync", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  status =
      read_integer(tree, section, "sync", "poll_interval", 1, 86400, &config->poll_interval, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "sync", "overlap", 0, 86400, &config->overlap, error);
  if (status == STATUS_OK)
    status =
        read_integer(tree, section, "sync", "batch_size", 1, 1000000, &config->batch_size, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "sync", "first_pass_sessions", 1,
                          CONFIG_MAX_FIRST_PASS_SESSIONS, &config->first_pass_sessions, error);
  return status;
}

/* Escalations are found through their dossier's clock (store/retention.h): a clock kept
 * for a shorter time than its escalations would leave them for ever. */
static enum status read_retention(const struct yaml_tree *tree, struct config *config,
                                  struct error *error) {
  static const char *const known[] = {"escalations", "clocks", "deliveries", "batch_size", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "retention", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  struct retention_policy *policy = &config->retention;
  status = read_integer(tree, section, "retention", "escalations", 0, 36500,
                        &policy->escalation_days, error);
  if (status == STATUS_OK)
    status =
        read_integer(tree, section, "retention", "clocks", 0, 36500, &policy->clock_days, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "retention", "deliveries", 0, 36500,
                          &policy->delivery_days, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "retention", "batch_size", 1, 100000, &policy->batch_size,
                          error);
  if (status == STATUS_OK && policy->clock_days > 0 &&
      (policy->escalation_days == 0 || policy->clock_days < policy->escalation_days))
    return yaml_tree_error(tree, yaml_tree_get(section, "clocks"), error,
                           "retention.clocks (%d days) must be at least retention.escalations "
                           "(%s): a dossier's escalations are found through its clock",
                           policy->clock_days,
                           policy->escalation_days == 0 ? "0, kept forever" : "days");
  return status;
}

/* The reload guard's limits (service/rules_impact.h). */
static enum status read_reload(const struct yaml_tree *tree, struct config *config,
                               struct error *error) {
  static const char *const known[] = {"max_letters", "max_escalations", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "reload", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  status = read_integer(tree, section, "reload", "max_letters", 0, 100000000,
                        &config->reload.max_letters, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "reload", "max_escalations", 0, 100000000,
                          &config->reload.max_escalations, error);
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

/* A list of strings (a single string counts as a list of one); `roles` checks role names. */
static enum status read_list(const struct yaml_tree *tree, const struct yaml_tree_node *section,
                             const char *section_name, const char *key, bool roles, char ***list,
                             size_t *count, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(section, key);
  if (node == NULL)
    return STATUS_OK;
  char name[64];
  snprintf(name, sizeof name, "%s.%s", section_name, key);
  bool sequence = node->kind == YAML_TREE_SEQUENCE;
  size_t items = sequence ? node->count : 1;
  const char **texts = calloc(items + 1, sizeof *texts);
  if (texts == NULL)
    return out_of_memory(error);
  enum status status = STATUS_OK;
  for (size_t i = 0; status == STATUS_OK && i < items; i++) {
    const struct yaml_tree_node *item = sequence ? node->items[i] : node;
    if (roles) {
      int index;
      if ((status = yaml_tree_read_choice(tree, item, ladder_roles, &index, error)) == STATUS_OK)
        texts[i] = ladder_roles[index];
    } else if ((status = yaml_tree_read_string(tree, item, &texts[i], error)) == STATUS_OK &&
               strpbrk(texts[i], "\r\n") != NULL) {
      status = yaml_tree_error(tree, item, error, "%s: a line break is not allowed", name);
      break;
    }
    if (status != STATUS_OK)
      status = name_the_key(tree, item, name, error);
  }
  char **copy = status == STATUS_OK ? copy_list(texts, items) : NULL;
  free(texts);
  if (status != STATUS_OK)
    return status;
  if (copy == NULL)
    return out_of_memory(error);
  free_list(*list);
  *list = copy;
  *count = items;
  return STATUS_OK;
}

static enum status read_mail_texts(const struct yaml_tree *tree,
                                   const struct yaml_tree_node *section, struct config *config,
                                   struct error *error) {
  struct config_mail *mail = &config->mail;
  enum status status = read_text(tree, section, "mail", "from", false, &mail->from, error);
  const struct yaml_tree_node *from = yaml_tree_get(section, "from");
  const char *why = mail->from != NULL ? agencies_check_address(mail->from) : NULL;
  if (status == STATUS_OK && why != NULL)
    return yaml_tree_error(tree, from, error, "mail.from: the address %s", why);
  if (status == STATUS_OK)
    status = read_text(tree, section, "mail", "from_name", false, &mail->from_name, error);
  const struct yaml_tree_node *display = yaml_tree_get(section, "from_name");
  if (status == STATUS_OK && mail->from_name != NULL && strpbrk(mail->from_name, "\r\n"))
    return yaml_tree_error(tree, display, error, "mail.from_name: a line break is not allowed");
  if (status == STATUS_OK)
    status =
        read_text(tree, section, "mail", "message_id_host", false, &mail->message_id_host, error);
  const struct yaml_tree_node *host = yaml_tree_get(section, "message_id_host");
  if (status == STATUS_OK && mail->message_id_host != NULL) {
    char probe[300];
    snprintf(probe, sizeof probe, "x@%s", mail->message_id_host);
    if ((why = agencies_check_address(probe)) != NULL)
      return yaml_tree_error(tree, host, error, "mail.message_id_host: not a domain name");
  }
  if (status == STATUS_OK)
    status = read_text(tree, section, "mail", "sendmail", true, &mail->sendmail, error);
  return status;
}

static enum status read_mail(const struct yaml_tree *tree, struct config *config,
                             struct error *error) {
  static const char *const known[] = {
      "enabled",       "from",        "from_name",    "message_id_host",
      "sendmail",      "arguments",   "timeout",      "attempts",
      "retry_first",   "retry_limit", "digest_roles", "digest_levels",
      "digest_period", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "mail", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  struct config_mail *mail = &config->mail;
  const struct yaml_tree_node *enabled = yaml_tree_get(section, "enabled");
  if (enabled != NULL && yaml_tree_read_boolean(tree, enabled, &mail->enabled, error) != STATUS_OK)
    return name_the_key(tree, enabled, "mail.enabled", error);
  status = read_mail_texts(tree, section, config, error);
  if (status == STATUS_OK)
    status = read_list(tree, section, "mail", "arguments", false, &mail->arguments,
                       &mail->argument_count, error);
  if (status == STATUS_OK)
    status = read_list(tree, section, "mail", "digest_roles", true, &mail->digest_roles,
                       &mail->digest_role_count, error);
  if (status == STATUS_OK)
    status = read_list(tree, section, "mail", "digest_levels", false, &mail->digest_levels,
                       &mail->digest_level_count, error);
  struct {
    const char *key;
    int minimum, maximum;
    int *value;
  } numbers[] = {
      {"timeout", 1, 3600, &mail->timeout},
      {"attempts", 1, 1000, &mail->attempts},
      {"retry_first", 1, 86400, &mail->retry_first},
      {"retry_limit", 1, 604800, &mail->retry_limit},
      {"digest_period", 1, 604800, &mail->digest_period},
  };
  for (size_t i = 0; status == STATUS_OK && i < sizeof numbers / sizeof numbers[0]; i++)
    status = read_integer(tree, section, "mail", numbers[i].key, numbers[i].minimum,
                          numbers[i].maximum, numbers[i].value, error);
  if (status == STATUS_OK && mail->enabled && mail->from == NULL)
    return yaml_tree_error(tree, section, error, "mail: 'from' is required when mail is enabled");
  return status;
}

/* The scheduled report (core/report_schedule.h). The issuer is checked against agencies.yaml
 * by the daemon, which loads both (service/report_worker.h). */
static enum status read_reports(const struct yaml_tree *tree, struct config *config,
                                struct error *error) {
  static const char *const known[] = {"enabled", "period", "by", "roles", "issuer", NULL};
  static const char *const periods[] = {"month", "quarter", NULL};
  static const char *const groupings[] = {"agency", "field", "procedure", "channel", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "reports", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  struct config_reports *reports = &config->reports;
  const struct yaml_tree_node *node = yaml_tree_get(section, "enabled");
  if (node != NULL && yaml_tree_read_boolean(tree, node, &reports->enabled, error) != STATUS_OK)
    return name_the_key(tree, node, "reports.enabled", error);
  int index;
  if ((node = yaml_tree_get(section, "period")) != NULL) {
    if (yaml_tree_read_choice(tree, node, periods, &index, error) != STATUS_OK)
      return name_the_key(tree, node, "reports.period", error);
    /* The words are report_period_kind_parse()'s: it cannot refuse one of them. */
    report_period_kind_parse(periods[index], &reports->period, error);
  }
  if ((node = yaml_tree_get(section, "by")) != NULL) {
    if (yaml_tree_read_choice(tree, node, groupings, &index, error) != STATUS_OK)
      return name_the_key(tree, node, "reports.by", error);
    report_grouping_parse(groupings[index], &reports->grouping, error);
  }
  status = read_list(tree, section, "reports", "roles", true, &reports->roles, &reports->role_count,
                     error);
  node = yaml_tree_get(section, "roles");
  if (status == STATUS_OK && node != NULL && reports->role_count == 0)
    return yaml_tree_error(tree, node, error, "reports.roles: name at least one role");
  if (status == STATUS_OK && config_list_has(reports->roles, "applicant"))
    return yaml_tree_error(tree, node, error,
                           "reports.roles: the report is not mailed to applicants (roles: "
                           "handling_agency, agency_head, signer, one_stop_unit, "
                           "provincial_office)");
  if (status == STATUS_OK)
    status = read_text(tree, section, "reports", "issuer", false, &reports->issuer, error);
  if (status == STATUS_OK && (node = yaml_tree_get(section, "issuer")) != NULL) {
    reports->issuer_line = node->line;
    reports->issuer_column = node->column;
  }
  return status;
}

/* `dunghen web`'s section (docs/WEB.md); the daemon reads and ignores it. */
static enum status read_web(const struct yaml_tree *tree, struct config *config,
                            struct error *error) {
  static const char *const known[] = {
      "address",         "port",          "conninfo",       "users", "session_lifetime",
      "signin_failures", "signin_window", "trusted_header", NULL};
  const struct yaml_tree_node *section;
  enum status status = read_section(tree, "web", known, &section, error);
  if (status != STATUS_OK || section == NULL)
    return status;
  struct config_web *web = &config->web;
  status = read_text(tree, section, "web", "address", false, &web->address, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "web", "port", 0, 65535, &web->port, error);
  if (status == STATUS_OK)
    status = read_text(tree, section, "web", "conninfo", false, &web->conninfo, error);
  if (status == STATUS_OK && web->conninfo != NULL &&
      config_check_conninfo(web->conninfo, error) != STATUS_OK) {
    char reason[ERROR_MESSAGE_SIZE];
    snprintf(reason, sizeof reason, "%s", error->message);
    return yaml_tree_error(tree, yaml_tree_get(section, "conninfo"), error, "web.conninfo: %s",
                           reason);
  }
  if (status == STATUS_OK)
    status = read_text(tree, section, "web", "users", true, &web->users_file, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "web", "session_lifetime", 60, 30 * 86400,
                          &web->session_lifetime, error);
  if (status == STATUS_OK)
    status = read_integer(tree, section, "web", "signin_failures", 1, 1000, &web->signin_failures,
                          error);
  if (status == STATUS_OK)
    status =
        read_integer(tree, section, "web", "signin_window", 1, 86400, &web->signin_window, error);
  if (status == STATUS_OK)
    status = read_text(tree, section, "web", "trusted_header", false, &web->trusted_header, error);
  const struct yaml_tree_node *header = yaml_tree_get(section, "trusted_header");
  if (status == STATUS_OK && web->trusted_header != NULL) {
    for (const char *c = web->trusted_header; *c != '\0'; c++)
      if (!(*c == '-' || (*c >= '0' && *c <= '9') || (*c >= 'A' && *c <= 'Z') ||
            (*c >= 'a' && *c <= 'z')))
        return yaml_tree_error(tree, header, error,
                               "web.trusted_header: '%s' is not a header name (letters, digits "
                               "and '-')",
                               web->trusted_header);
  }
  return status;
}

/* A delivery's transaction stays open while sendmail runs: PostgreSQL must not end the session
 * under it. */
static enum status check_idle_timeout(const struct yaml_tree *tree, const struct config *config,
                                      struct error *error) {
  int idle = config->timeouts.idle_in_transaction;
  if (!config->mail.enabled || idle <= 0 || idle > config->mail.timeout)
    return STATUS_OK;
  const struct yaml_tree_node *database = yaml_tree_get(tree->root, "database");
  const struct yaml_tree_node *node =
      database != NULL ? yaml_tree_get(database, "idle_in_transaction_session_timeout") : NULL;
  if (node == NULL) {
    const struct yaml_tree_node *mail = yaml_tree_get(tree->root, "mail");
    node = mail != NULL ? yaml_tree_get(mail, "timeout") : NULL;
  }
  return yaml_tree_error(tree, node != NULL ? node : tree->root, error,
                         "database.idle_in_transaction_session_timeout (%d s) must be longer "
                         "than mail.timeout (%d s): a delivery's transaction stays open while "
                         "sendmail runs",
                         idle, config->mail.timeout);
}

static enum status read_tree(const struct yaml_tree *tree, struct config *config,
                             struct error *error) {
  if (tree->root == NULL)
    return STATUS_OK; /* an empty file: all defaults */
  static const char *const known[] = {"database", "paths",     "letters", "http",    "sync", "log",
                                      "mail",     "retention", "reload",  "reports", "web",  NULL};
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
    status = read_retention(tree, config, error);
  if (status == STATUS_OK)
    status = read_reload(tree, config, error);
  if (status == STATUS_OK)
    status = read_mail(tree, config, error);
  if (status == STATUS_OK)
    status = read_reports(tree, config, error);
  if (status == STATUS_OK)
    status = read_web(tree, config, error);
  if (status == STATUS_OK)
    status = check_idle_timeout(tree, config, error);
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
