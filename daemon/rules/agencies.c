/*
 * agencies.c: loads rules/agencies.yaml with the safe YAML tree and checks each entry.
 */
#include "rules/agencies.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/error_list.h"
#include "rules/ladder.h"
#include "rules/translate.h"
#include "rules/yaml_tree.h"

/* Expands a number format into buffer; false (and *bad_field) on an unknown field. */
static bool expand_number(const char *format, const char *symbol, long number, int year,
                          char *buffer, size_t size, const char **bad_field) {
  size_t written = 0;
  char piece[64];
  for (const char *at = format; *at != '\0';) {
    const char *text = piece;
    size_t length;
    if (*at == '{') {
      const char *close = strchr(at, '}');
      if (close == NULL) {
        *bad_field = at;
        return false;
      }
      size_t field = (size_t)(close - at + 1);
      if (field == 3 && strncmp(at, "{n}", 3) == 0) {
        length = (size_t)snprintf(piece, sizeof piece, "%ld", number);
      } else if (field == 7 && strncmp(at, "{n:0", 4) == 0 && at[4] >= '1' && at[4] <= '9' &&
                 at[5] >= '0' && at[5] <= '9') {
        int width = (at[4] - '0') * 10 + (at[5] - '0');
        length = (size_t)snprintf(piece, sizeof piece, "%0*ld", width > 20 ? 20 : width, number);
      } else if (field == 6 && strncmp(at, "{n:0", 4) == 0 && at[4] >= '1' && at[4] <= '9') {
        length = (size_t)snprintf(piece, sizeof piece, "%0*ld", at[4] - '0', number);
      } else if (field == 6 && strncmp(at, "{unit}", 6) == 0) {
        text = symbol;
        length = strlen(symbol);
      } else if (field == 6 && strncmp(at, "{year}", 6) == 0) {
        length = (size_t)snprintf(piece, sizeof piece, "%d", year);
      } else {
        *bad_field = at;
        return false;
      }
      at = close + 1;
    } else {
      piece[0] = *at++;
      length = 1;
    }
    if (written + length < size) {
      memcpy(buffer + written, text, length);
      written += length;
    }
  }
  if (size > 0)
    buffer[written < size ? written : size - 1] = '\0';
  return true;
}

enum status agency_format_number(const struct agency *agency, long number, int year,
                                 char buffer[AGENCY_NUMBER_SIZE], struct error *error) {
  const char *bad;
  if (number < 1)
    return error_set(error, STATUS_INVALID, _("letter number %ld: numbers start at 1"), number);
  if (!expand_number(agency->number_format, agency->symbol, number, year, buffer,
                     AGENCY_NUMBER_SIZE, &bad))
    return error_set(error, STATUS_INVALID, _("agency %s: bad number format field at '%s'"),
                     agency->code, bad);
  return STATUS_OK;
}

static bool code_fits_directory(const char *code) {
  if (*code == '\0' || *code == '.' || strlen(code) > 64)
    return false;
  for (const char *at = code; *at != '\0'; at++) {
    char c = *at;
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
    if (!plain)
      return false;
  }
  return true;
}

static enum status read_text(const struct yaml_tree *tree, const struct yaml_tree_node *entry,
                             const char *key, char **out, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(entry, key);
  if (node == NULL)
    return yaml_tree_error(tree, entry, error, "agency: missing key '%s'", key);
  const char *value;
  enum status status = yaml_tree_read_string(tree, node, &value, error);
  if (status != STATUS_OK)
    return status;
  if (*value == '\0')
    return yaml_tree_error(tree, node, error, "agency: '%s' is empty", key);
  if ((*out = strdup(value)) == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading agencies");
  return STATUS_OK;
}

/* A signer title is a string or a list of lines (KT. GIÁM ĐỐC, PHÓ GIÁM ĐỐC). */
static enum status read_title(const struct yaml_tree *tree, const struct yaml_tree_node *signer,
                              char **out, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(signer, "title");
  if (node == NULL || node->kind != YAML_TREE_SEQUENCE)
    return read_text(tree, signer, "title", out, error);
  if (node->count == 0)
    return yaml_tree_error(tree, node, error, "signer: 'title' needs at least one line");
  size_t length = 0;
  for (size_t i = 0; i < node->count; i++) {
    const char *line;
    enum status status = yaml_tree_read_string(tree, node->items[i], &line, error);
    if (status != STATUS_OK)
      return status;
    length += strlen(line) + 1;
  }
  if ((*out = malloc(length)) == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading agencies");
  (*out)[0] = '\0';
  for (size_t i = 0; i < node->count; i++) {
    if (i > 0)
      strcat(*out, "\n");
    strcat(*out, node->items[i]->text);
  }
  return STATUS_OK;
}

static bool address_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

static const char *check_domain(const char *domain) {
  size_t label = 0, labels = 1;
  if (*domain == '\0')
    return "nothing after '@'";
  for (const char *at = domain; *at != '\0'; at++) {
    char c = *at;
    if (c == '.') {
      if (label == 0 || at[-1] == '-')
        return "the domain has an empty label or a label ending in '-'";
      label = 0;
      labels++;
      continue;
    }
    bool plain =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!plain)
      return "the domain may hold only letters, digits, '-' and '.'";
    if (label == 0 && c == '-')
      return "a domain label may not start with '-'";
    if (++label > 63)
      return "a domain label is longer than 63 characters";
  }
  if (label == 0 || domain[strlen(domain) - 1] == '-')
    return "the domain has an empty label or a label ending in '-'";
  if (labels < 2)
    return "the domain needs a dot (a mailbox on a real domain)";
  return NULL;
}

const char *agencies_check_address(const char *address) {
  if (strpbrk(address, "\r\n") != NULL)
    return "contains a line break (CR or LF), which could inject mail headers";
  if (*address == '\0')
    return "is empty";
  if (strlen(address) > AGENCY_ADDRESS_MAX)
    return "is longer than 254 characters";
  const char *at_sign = strchr(address, '@');
  if (at_sign == NULL || strchr(at_sign + 1, '@') != NULL)
    return "needs exactly one '@'";
  size_t local = (size_t)(at_sign - address);
  if (local == 0 || local > 64)
    return "needs 1-64 characters before '@'";
  for (size_t i = 0; i < local; i++) {
    if (!address_character(address[i]))
      return "has a character not allowed before '@' (spaces, quotes, '<>', ',' ...)";
    if (address[i] == '.' && (i == 0 || i + 1 == local || address[i + 1] == '.'))
      return "has a misplaced '.' before '@'";
  }
  return check_domain(at_sign + 1);
}

const struct agency_mailbox *agency_mailbox(const struct agency *agency, const char *role) {
  for (size_t i = 0; i < agency->mailbox_count; i++)
    if (strcmp(agency->mailboxes[i].role, role) == 0)
      return &agency->mailboxes[i];
  return NULL;
}

static enum status read_address(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                const char *role, char **out, struct error *error) {
  const char *value;
  enum status status = yaml_tree_read_string(tree, node, &value, error);
  if (status != STATUS_OK)
    return status;
  const char *why = agencies_check_address(value);
  if (why != NULL)
    return yaml_tree_error(tree, node, error, "mail.%s: the address %s", role, why);
  if ((*out = strdup(value)) == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading agencies");
  return STATUS_OK;
}

/* mail: {role: address or [address, ...]}: roles from the ladder's list, addresses checked. */
static enum status read_mail(const struct yaml_tree *tree, const struct yaml_tree_node *mail,
                             struct agency *agency, struct error *error) {
  enum status status = yaml_tree_expect(tree, mail, YAML_TREE_MAPPING, "mail", error);
  if (status != STATUS_OK)
    return status;
  agency->mailboxes = calloc(mail->count == 0 ? 1 : mail->count, sizeof *agency->mailboxes);
  if (agency->mailboxes == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading agencies");
  for (size_t i = 0; i < mail->count; i++) {
    const struct yaml_tree_node *key = mail->pairs[i].key, *value = mail->pairs[i].value;
    int role;
    if ((status = yaml_tree_read_choice(tree, key, ladder_roles, &role, error)) != STATUS_OK)
      return status;
    if (strcmp(ladder_roles[role], "applicant") == 0)
      return yaml_tree_error(tree, key, error,
                             "mail.applicant: the applicant's address comes with the dossier, "
                             "not from the rules (dunghen does not mail applicants)");
    struct agency_mailbox *box = &agency->mailboxes[i];
    agency->mailbox_count = i + 1;
    box->line = key->line;
    box->column = key->column;
    if ((box->role = strdup(ladder_roles[role])) == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory loading agencies");
    bool list = value->kind == YAML_TREE_SEQUENCE;
    size_t count = list ? value->count : 1;
    if (count == 0)
      return yaml_tree_error(tree, value, error, "mail.%s: needs at least one address", box->role);
    if ((box->addresses = calloc(count, sizeof *box->addresses)) == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory loading agencies");
    for (size_t j = 0; j < count; j++) {
      const struct yaml_tree_node *item = list ? value->items[j] : value;
      box->count = j + 1;
      if ((status = read_address(tree, item, box->role, &box->addresses[j], error)) != STATUS_OK)
        return status;
      for (size_t k = 0; k < j; k++)
        if (strcmp(box->addresses[k], box->addresses[j]) == 0)
          return yaml_tree_error(tree, item, error, "mail.%s: address '%s' is listed twice",
                                 box->role, box->addresses[j]);
    }
  }
  return STATUS_OK;
}

static enum status read_agency(const struct yaml_tree *tree, const struct yaml_tree_node *entry,
                               struct agency *agency, struct error *error) {
  static const char *const known[] = {
      "code",   "governing_body", "unit", "name", "symbol",         "place", "address",
      "signer", "number_format",  "form", "mail", "seal_signature", NULL};
  static const char *const signer_keys[] = {"title", "name", NULL};
  static const char *const forms[] = {"2025", "2018", NULL};
  agency->line = entry->line;
  agency->column = entry->column;
  enum status status = yaml_tree_check_keys(tree, entry, known, "agency", error);
  struct {
    const char *key;
    char **field;
  } texts[] = {
      {"code", &agency->code},       {"governing_body", &agency->governing_body},
      {"unit", &agency->unit},       {"name", &agency->name},
      {"symbol", &agency->symbol},   {"place", &agency->place},
      {"address", &agency->address}, {"number_format", &agency->number_format},
  };
  for (size_t i = 0; status == STATUS_OK && i < sizeof texts / sizeof texts[0]; i++)
    status = read_text(tree, entry, texts[i].key, texts[i].field, error);
  if (status != STATUS_OK)
    return status;
  if (!code_fits_directory(agency->code))
    return yaml_tree_error(tree, yaml_tree_get(entry, "code"), error,
                           "agency code '%s' must be 1-64 letters, digits, '-', '_' or '.' "
                           "(it names the spool directory)",
                           agency->code);
  char sample[AGENCY_NUMBER_SIZE];
  const char *bad;
  if (!expand_number(agency->number_format, agency->symbol, 7, 2026, sample, sizeof sample, &bad))
    return yaml_tree_error(tree, yaml_tree_get(entry, "number_format"), error,
                           "unknown field at '%.20s' (use {n}, {n:02}, {unit}, {year})", bad);
  if (strstr(agency->number_format, "{n") == NULL)
    return yaml_tree_error(tree, yaml_tree_get(entry, "number_format"), error,
                           "number_format must contain the number {n} or {n:02}");
  const struct yaml_tree_node *signer = yaml_tree_get(entry, "signer");
  if (signer == NULL)
    return yaml_tree_error(tree, entry, error, "agency: missing key 'signer'");
  if ((status = yaml_tree_check_keys(tree, signer, signer_keys, "signer", error)) != STATUS_OK ||
      (status = read_title(tree, signer, &agency->signer_title, error)) != STATUS_OK ||
      (status = read_text(tree, signer, "name", &agency->signer_name, error)) != STATUS_OK)
    return status;
  agency->form = AGENCY_FORM_2025;
  const struct yaml_tree_node *form = yaml_tree_get(entry, "form");
  if (form != NULL) {
    int index;
    if ((status = yaml_tree_read_choice(tree, form, forms, &index, error)) != STATUS_OK)
      return status;
    agency->form = index == 0 ? AGENCY_FORM_2025 : AGENCY_FORM_2018;
  }
  const struct yaml_tree_node *seal = yaml_tree_get(entry, "seal_signature");
  if (seal != NULL &&
      (status = yaml_tree_read_boolean(tree, seal, &agency->seal_signature, error)) != STATUS_OK)
    return status;
  const struct yaml_tree_node *mail = yaml_tree_get(entry, "mail");
  if (mail != NULL)
    return read_mail(tree, mail, agency, error);
  return STATUS_OK;
}

/* After an error, the next agency is read (rules/error_list.h); an agency stops at its first. */
static enum status read_agencies(const struct yaml_tree *tree, struct agency_table *table,
                                 struct error_list *errors) {
  static const char *const known[] = {"agencies", NULL};
  struct error one;
  struct error *error = &one;
  enum status status = yaml_tree_check_keys(tree, tree->root, known, N_("agencies file"), error);
  if (status != STATUS_OK)
    return error_list_note(errors, status, error);
  const struct yaml_tree_node *list = yaml_tree_get(tree->root, "agencies");
  if (list == NULL)
    return error_list_note(
        errors, yaml_tree_error(tree, tree->root, error, "missing key 'agencies'"), error);
  if ((status = yaml_tree_expect(tree, list, YAML_TREE_SEQUENCE, "agencies", error)) != STATUS_OK)
    return error_list_note(errors, status, error);
  table->agencies = calloc(list->count == 0 ? 1 : list->count, sizeof *table->agencies);
  if (table->agencies == NULL)
    return error_list_note(
        errors, error_set(error, STATUS_RUNTIME, "out of memory loading agencies"), error);
  for (size_t i = 0; i < list->count; i++) {
    const struct yaml_tree_node *entry = list->items[i];
    table->count = i + 1;
    status = yaml_tree_expect(tree, entry, YAML_TREE_MAPPING, "agency", error);
    if (status == STATUS_OK)
      status = read_agency(tree, entry, &table->agencies[i], error);
    for (size_t j = 0; j < i && status == STATUS_OK; j++)
      if (table->agencies[j].code != NULL &&
          strcmp(table->agencies[j].code, table->agencies[i].code) == 0)
        status = yaml_tree_error(tree, yaml_tree_get(entry, "code"), error,
                                 "duplicate agency code '%s' (first at line %zu)",
                                 table->agencies[i].code, table->agencies[j].line);
    if (error_list_note(errors, status, error) == STATUS_RUNTIME)
      return STATUS_RUNTIME;
  }
  return STATUS_OK;
}

static enum status load_tree(const struct yaml_tree *tree, struct agency_table *table,
                             struct error *error) {
  if (tree->root == NULL)
    return error_at(error, tree->file, 1, 1, _("empty file: expected 'agencies:'"));
  struct error_list errors;
  error_list_init(&errors, tree->file);
  read_agencies(tree, table, &errors);
  return error_list_finish(&errors, error);
}

/* Takes the tree (loaded or not) and frees it: the file and buffer loaders share this. */
static enum status load_table(struct yaml_tree *tree, enum status status, const char *name,
                              struct agency_table *table, struct error *error) {
  memset(table, 0, sizeof *table);
  if (status != STATUS_OK)
    return status;
  if ((table->file = strdup(name)) == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory loading agencies");
  else
    status = load_tree(tree, table, error);
  yaml_tree_free(tree);
  if (status != STATUS_OK)
    agencies_free(table);
  return status;
}

enum status agencies_load(const char *path, struct agency_table *table, struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status status = yaml_tree_load_file(path, &tree, error);
  return load_table(tree, status, path, table, error);
}

enum status agencies_load_buffer(const char *name, const char *data, size_t size,
                                 struct agency_table *table, struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status status = yaml_tree_load_buffer(name, data, size, &tree, error);
  return load_table(tree, status, name, table, error);
}

void agencies_free(struct agency_table *table) {
  for (size_t i = 0; i < table->count; i++) {
    struct agency *agency = &table->agencies[i];
    char *fields[] = {agency->code,         agency->governing_body, agency->unit,
                      agency->name,         agency->symbol,         agency->place,
                      agency->address,      agency->signer_title,   agency->signer_name,
                      agency->number_format};
    for (size_t j = 0; j < sizeof fields / sizeof fields[0]; j++)
      free(fields[j]);
    for (size_t j = 0; j < agency->mailbox_count; j++) {
      for (size_t k = 0; k < agency->mailboxes[j].count; k++)
        free(agency->mailboxes[j].addresses[k]);
      free(agency->mailboxes[j].addresses);
      free(agency->mailboxes[j].role);
    }
    free(agency->mailboxes);
  }
  free(table->agencies);
  free(table->file);
  memset(table, 0, sizeof *table);
}

const struct agency *agencies_find(const struct agency_table *table, const char *code) {
  for (size_t i = 0; i < table->count; i++)
    if (strcmp(table->agencies[i].code, code) == 0)
      return &table->agencies[i];
  return NULL;
}

static int compare_codes(const void *left, const void *right) {
  return strcmp(*(const char *const *)left, *(const char *const *)right);
}

enum status agencies_form_2018_codes(const struct agency_table *table, const char ***codes,
                                     size_t *count, struct error *error) {
  *codes = NULL;
  *count = 0;
  size_t wanted = 0;
  for (size_t i = 0; table != NULL && i < table->count; i++)
    wanted += table->agencies[i].form == AGENCY_FORM_2018;
  if (wanted == 0)
    return STATUS_OK;
  const char **list = malloc(wanted * sizeof *list);
  if (list == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  for (size_t i = 0; i < table->count; i++)
    if (table->agencies[i].form == AGENCY_FORM_2018)
      list[(*count)++] = table->agencies[i].code;
  qsort(list, *count, sizeof *list, compare_codes);
  *codes = list;
  return STATUS_OK;
}
