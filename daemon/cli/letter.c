/*
 * letter.c: `dunghen letter --input FILE.yaml --out FILE.pdf [--rules DIR] [--letters DIR]
 * [--true-italic]`, renders one apology letter offline.
 *
 * The input names the agency (a code from RULES/agencies.yaml), the letter number and date,
 * optionally the form (2025 or 2018), the dossier and the new appointment; letters/
 * sample-letter.yaml shows every key. A letter that contradicts itself is refused like any
 * other error in the input (core/dossier.h): dated on a day off, a new date not after the
 * promised time or before the letter, the 2018 form for a dossier received since 1 July 2025.
 * The wording (before or after the promised time) follows the letter's date unless `wording`
 * says otherwise. Errors in the input are `FILE:LINE:COLUMN: message` (exit 2); warnings about
 * replaced characters go to stderr without the text itself; on success one line on stdout names the
 * file, pages, size and number. Templates come from
 * --letters, else $DUNGHEN_LETTERS, else the installed letters/, else the source tree's.
 * Italics are slanted from the upright faces (two embedded faces, the smaller and faster
 * letter); --true-italic embeds the real italic faces instead (four faces).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "dunghen-config.h"
#include "letter/letter.h"
#include "rules/agencies.h"
#include "rules/rules.h"
#include "rules/yaml_tree.h"

struct letter_request {
  const char *agency_code;
  int64_t number;
  int64_t letter_day;
  int form_index;    /* -1: the agency's */
  int wording_index; /* -1: from the letter's date and the promised time */
  const char *dossier[6];
  int64_t received_at, promised_at, new_appointment_at;
};

static const char *const dossier_keys[] = {"applicant_name", "applicant_id", "applicant_address",
                                           "code",           "procedure",    "reason",
                                           "received_at",    "promised_at",  NULL};

static enum status read_instant(const struct yaml_tree *tree, const struct yaml_tree_node *parent,
                                const char *key, int64_t *instant, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(parent, key);
  if (node == NULL)
    return yaml_tree_error(tree, parent, error, "missing key '%s'", key);
  const char *text;
  enum status status = yaml_tree_read_string(tree, node, &text, error);
  if (status != STATUS_OK)
    return status;
  struct error cause;
  if (civil_parse_timestamp(text, instant, &cause) != STATUS_OK)
    return yaml_tree_error(tree, node, error, "%s: %s", key, cause.message);
  return STATUS_OK;
}

static enum status read_request(const struct yaml_tree *tree, struct letter_request *request,
                                struct error *error) {
  static const char *const known[] = {
      "agency", "number", "date", "form", "wording", "dossier", "new_appointment_at", NULL};
  static const char *const wordings[] = {"after_deadline", "before_deadline", NULL};
  static const char *const forms[] = {"2025", "2018", NULL};
  const struct yaml_tree_node *root = tree->root;
  if (root == NULL)
    return error_at(error, tree->file, 1, 1, "empty letter input");
  enum status status = yaml_tree_check_keys(tree, root, known, "letter input", error);
  if (status != STATUS_OK)
    return status;
  const char *required[] = {"agency", "number", "date", "dossier", "new_appointment_at"};
  for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
    if (yaml_tree_get(root, required[i]) == NULL)
      return yaml_tree_error(tree, root, error, "missing key '%s'", required[i]);
  if ((status = yaml_tree_read_string(tree, yaml_tree_get(root, "agency"), &request->agency_code,
                                      error)) != STATUS_OK ||
      (status = yaml_tree_read_integer(tree, yaml_tree_get(root, "number"), 1, 999999,
                                       &request->number, error)) != STATUS_OK ||
      (status = yaml_tree_read_date(tree, yaml_tree_get(root, "date"), &request->letter_day,
                                    error)) != STATUS_OK ||
      (status = read_instant(tree, root, "new_appointment_at", &request->new_appointment_at,
                             error)) != STATUS_OK)
    return status;
  request->form_index = -1;
  const struct yaml_tree_node *form = yaml_tree_get(root, "form");
  if (form != NULL &&
      (status = yaml_tree_read_choice(tree, form, forms, &request->form_index, error)) != STATUS_OK)
    return status;
  request->wording_index = -1;
  const struct yaml_tree_node *wording = yaml_tree_get(root, "wording");
  if (wording != NULL &&
      (status = yaml_tree_read_choice(tree, wording, wordings, &request->wording_index, error)) !=
          STATUS_OK)
    return status;
  const struct yaml_tree_node *dossier = yaml_tree_get(root, "dossier");
  if ((status = yaml_tree_check_keys(tree, dossier, dossier_keys, "dossier", error)) != STATUS_OK)
    return status;
  for (size_t i = 0; i < 6; i++) {
    const struct yaml_tree_node *node = yaml_tree_get(dossier, dossier_keys[i]);
    request->dossier[i] = NULL; /* missing: the template says which placeholder needs it */
    if (node == NULL)
      continue;
    if (yaml_tree_is_null(node))
      request->dossier[i] = "";
    else if ((status = yaml_tree_read_string(tree, node, &request->dossier[i], error)) != STATUS_OK)
      return status;
  }
  if ((status = read_instant(tree, dossier, "received_at", &request->received_at, error)) !=
          STATUS_OK ||
      (status = read_instant(tree, dossier, "promised_at", &request->promised_at, error)) !=
          STATUS_OK)
    return status;
  return STATUS_OK;
}

static enum status write_file(const char *path, const unsigned char *data, size_t size,
                              struct error *error) {
  FILE *file = fopen(path, "wb");
  if (file == NULL)
    return error_set(error, STATUS_RUNTIME, "%s: cannot create: %s", path, strerror(errno));
  bool written = fwrite(data, 1, size, file) == size;
  if (fclose(file) != 0 || !written)
    return error_set(error, STATUS_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
  return STATUS_OK;
}

/*
 * The letter's form and wording, checked against the rules a drafted letter follows
 * (core/dossier.h): a letter that contradicts itself is refused at the key at fault.
 */
static enum status decide(const struct yaml_tree *tree, const struct letter_request *request,
                          const struct agency *agency, const struct calendar *calendar,
                          struct letter_input *letter, struct error *error) {
  letter->form = request->form_index < 0
                     ? dossier_apology_form(request->received_at, agency->form == AGENCY_FORM_2018)
                 : request->form_index == 0 ? APOLOGY_FORM_2025
                                            : APOLOGY_FORM_2018;
  int64_t opening =
      calendar_next_opening(calendar, civil_instant_from_local(request->letter_day, 0));
  letter->wording = request->wording_index == 1 ? APOLOGY_BEFORE_DEADLINE
                    : request->wording_index == 0
                        ? APOLOGY_AFTER_DEADLINE
                        : dossier_apology_wording(opening, request->promised_at);
  enum apology_field field;
  struct error cause;
  if (dossier_apology_check(calendar, request->received_at, request->promised_at,
                            request->letter_day, request->new_appointment_at, letter->form, &field,
                            &cause) == STATUS_OK)
    return STATUS_OK;
  const struct yaml_tree_node *root = tree->root;
  const struct yaml_tree_node *node =
      field == APOLOGY_FIELD_ISSUE_DAY  ? yaml_tree_get(root, "date")
      : field == APOLOGY_FIELD_NEW_DATE ? yaml_tree_get(root, "new_appointment_at")
      : yaml_tree_get(root, "form") != NULL
          ? yaml_tree_get(root, "form")
          : yaml_tree_get(yaml_tree_get(root, "dossier"), "received_at");
  return yaml_tree_error(tree, node, error, "%s", cause.message);
}

static enum status render(const char *input, const char *out, const char *rules,
                          const char *letters, bool true_italic, struct error *error) {
  struct yaml_tree *tree = NULL;
  struct agency_table agencies = {0};
  struct letter_library *library = NULL;
  struct letter_renderer *renderer = NULL;
  struct letter_output output = {0};
  struct letter_request request;
  struct rules *calendar_rules = NULL;
  char agencies_path[4096];
  enum status status =
      rules_locate(rules, "agencies.yaml", agencies_path, sizeof agencies_path, error);
  if (status == STATUS_OK)
    status = yaml_tree_load_file(input, &tree, error);
  if (status == STATUS_OK)
    status = read_request(tree, &request, error);
  if (status == STATUS_OK)
    status = agencies_load(agencies_path, &agencies, error);
  const struct agency *agency = NULL;
  if (status == STATUS_OK && (agency = agencies_find(&agencies, request.agency_code)) == NULL)
    status = yaml_tree_error(tree, yaml_tree_get(tree->root, "agency"), error,
                             "unknown agency '%s' (not in %s)", request.agency_code, agencies_path);
  if (status == STATUS_OK)
    status = rules_load(rules, request.letter_day, &calendar_rules, error);
  struct letter_input letter = {0};
  if (status == STATUS_OK)
    status = decide(tree, &request, agency, calendar_rules->calendar, &letter, error);
  if (status == STATUS_OK)
    status = letter_library_load(letters, &library, error);
  if (status == STATUS_OK)
    status = letter_renderer_new(library, &(struct letter_options){.true_italic = true_italic},
                                 &renderer, error);
  if (status == STATUS_OK) {
    letter.agency = agency;
    letter.number = (long)request.number;
    letter.letter_day = request.letter_day;
    letter.applicant_name = request.dossier[0];
    letter.applicant_id = request.dossier[1];
    letter.applicant_address = request.dossier[2];
    letter.dossier_code = request.dossier[3];
    letter.procedure_name = request.dossier[4];
    letter.reason = request.dossier[5];
    letter.received_at = request.received_at;
    letter.promised_at = request.promised_at;
    letter.new_appointment_at = request.new_appointment_at;
    status = letter_render(renderer, &letter, &output, error);
    if (status == STATUS_INVALID)
      error_prefix(error, "%s: the dossier lacks a value the template needs", input);
  }
  if (status == STATUS_OK) {
    for (size_t i = 0; i < output.warning_count; i++)
      fprintf(stderr, "dunghen letter: warning: %s\n", output.warnings[i]);
    status = write_file(out, output.pdf, output.size, error);
  }
  if (status == STATUS_OK)
    printf("%s: %d page(s), %zu bytes, number %s\n", out, output.pages, output.size, output.number);
  letter_output_free(&output);
  letter_renderer_free(renderer);
  letter_library_free(library);
  rules_free(calendar_rules);
  agencies_free(&agencies);
  yaml_tree_free(tree);
  return status;
}

static bool take_value(int argc, char **argv, int *i, const char *name, const char **value) {
  size_t length = strlen(name);
  if (strcmp(argv[*i], name) == 0 && *i + 1 < argc) {
    *value = argv[++*i];
    return true;
  }
  if (strncmp(argv[*i], name, length) == 0 && argv[*i][length] == '=') {
    *value = argv[*i] + length + 1;
    return true;
  }
  return false;
}

int command_letter(int argc, char **argv) {
  const char *input = NULL, *out = NULL, *rules = NULL, *letters = NULL;
  bool true_italic = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--true-italic") == 0) {
      true_italic = true;
      continue;
    }
    if (take_value(argc, argv, &i, "--input", &input) ||
        take_value(argc, argv, &i, "--out", &out) ||
        take_value(argc, argv, &i, "--rules", &rules) ||
        take_value(argc, argv, &i, "--letters", &letters))
      continue;
    if (argv[i][0] == '-')
      return cli_usage_error("letter", "unknown option or missing value '%s'", argv[i]);
    return cli_usage_error("letter", "unexpected argument '%s'", argv[i]);
  }
  if (input == NULL || out == NULL)
    return cli_usage_error("letter", "--input FILE.yaml and --out FILE.pdf are required");
  struct error error;
  error_clear(&error);
  if (render(input, out, cli_rules_directory(rules), cli_letters_directory(letters), true_italic,
             &error) != STATUS_OK)
    return cli_report("letter", &error);
  return 0;
}
