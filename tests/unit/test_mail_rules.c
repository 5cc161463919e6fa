/*
 * Mail in the rules and letters: agencies_check_address, the `mail:` roles of agencies.yaml
 * with their exact located errors, and the mail wording templates (letters/mail-*.yaml):
 * the shipped ones load, words are found, broken ones fail at FILE:LINE:COLUMN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mail/mail_template.h"
#include "rules/agencies.h"
#include "tap.h"

static void test_addresses(void) {
  const char *good[] = {"motcua@ttpvhcc.example.org", "a.b-c+tag@sub.example.invalid",
                        "x@example.org"};
  for (size_t i = 0; i < 3; i++)
    tap_ok(agencies_check_address(good[i]) == NULL, "'%s' is an address", good[i]);
  struct {
    const char *address, *why;
  } bad[] = {
      {"a@example.org\r\nBcc: b@example.org",
       "contains a line break (CR or LF), which could inject mail headers"},
      {"a@example.org\n", "contains a line break (CR or LF), which could inject mail headers"},
      {"", "is empty"},
      {"motcua.example.org", "needs exactly one '@'"},
      {"a@b@example.org", "needs exactly one '@'"},
      {"@example.org", "needs 1-64 characters before '@'"},
      {"Một Cửa <motcua@example.org>",
       "has a character not allowed before '@' (spaces, quotes, '<>', ',' ...)"},
      {".a@example.org", "has a misplaced '.' before '@'"},
      {"a..b@example.org", "has a misplaced '.' before '@'"},
      {"a@localhost", "the domain needs a dot (a mailbox on a real domain)"},
      {"a@exa_mple.org", "the domain may hold only letters, digits, '-' and '.'"},
      {"a@-example.org", "a domain label may not start with '-'"},
      {"a@example..org", "the domain has an empty label or a label ending in '-'"},
      {"a@example.org.", "the domain has an empty label or a label ending in '-'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *why = agencies_check_address(bad[i].address);
    tap_is_string(why != NULL ? why : "(accepted)", bad[i].why, "refused: %s", bad[i].why);
  }
}

static const char agency_head[] = "agencies:\n"
                                  "  - code: DLK\n"
                                  "    governing_body: UBND TỈNH ĐẮK LẮK\n"
                                  "    unit: TRUNG TÂM\n"
                                  "    name: Trung tâm\n"
                                  "    symbol: TT\n"
                                  "    place: Đắk Lắk\n"
                                  "    address: Buôn Ma Thuột\n"
                                  "    signer: {title: GIÁM ĐỐC, name: Nguyễn Văn Minh}\n"
                                  "    number_format: '{n:02}/PXL-{unit}'\n";

/* Loads agency_head + `mail` and returns the status; the message in `error`. */
static enum status load(const char *mail, struct agency_table *table, struct error *error) {
  char text[4096];
  snprintf(text, sizeof text, "%s%s", agency_head, mail);
  return agencies_load_buffer("agencies.yaml", text, strlen(text), table, error);
}

static void test_agency_mail(void) {
  struct agency_table table;
  struct error error;
  enum status status = load("    mail:\n"
                            "      handling_agency: [a@example.org, b@example.org]\n"
                            "      one_stop_unit: motcua@example.org\n",
                            &table, &error);
  if (tap_is_integer(status, STATUS_OK, "an agency with mail roles loads")) {
    const struct agency *agency = agencies_find(&table, "DLK");
    const struct agency_mailbox *box = agency_mailbox(agency, "handling_agency");
    tap_ok(box != NULL && box->count == 2 && strcmp(box->addresses[1], "b@example.org") == 0,
           "several addresses per role");
    box = agency_mailbox(agency, "one_stop_unit");
    tap_ok(box != NULL && box->count == 1 && strcmp(box->addresses[0], "motcua@example.org") == 0,
           "or one, written as a string");
    tap_ok(agency_mailbox(agency, "agency_head") == NULL, "a role it does not list: none");
    agencies_free(&table);
  }
  struct {
    const char *mail, *message, *what;
  } cases[] = {
      {"    mail:\n      one_stop_unit: \"motcua@example.org\\r\\nBcc: x@example.org\"\n",
       "agencies.yaml:12:22: mail.one_stop_unit: the address contains a line break (CR or LF), "
       "which could inject mail headers",
       "an address with CR LF"},
      {"    mail:\n      one_stop_unit: [ok@example.org, 'Một Cửa <m@example.org>']\n",
       "agencies.yaml:12:39: mail.one_stop_unit: the address has a character not allowed before "
       "'@' (spaces, quotes, '<>', ',' ...)",
       "a display name in an address"},
      {"    mail:\n      one_stop: motcua@example.org\n",
       "agencies.yaml:12:7: 'one_stop' is not one of: handling_agency, agency_head, signer, "
       "one_stop_unit, provincial_office, applicant",
       "an unknown role"},
      {"    mail:\n      applicant: someone@example.org\n",
       "agencies.yaml:12:7: mail.applicant: the applicant's address comes with the dossier, not "
       "from the rules (dunghen does not mail applicants)",
       "the applicant role"},
      {"    mail:\n      signer: []\n",
       "agencies.yaml:12:15: mail.signer: needs at least one address", "an empty list"},
      {"    mail:\n      signer: [a@example.org, a@example.org]\n",
       "agencies.yaml:12:31: mail.signer: address 'a@example.org' is listed twice",
       "a repeated address"},
      {"    mail: motcua@example.org\n",
       "agencies.yaml:11:11: mail must be a mapping, not a single value", "mail as a string"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    status = load(cases[i].mail, &table, &error);
    tap_is_integer(status, STATUS_INVALID, "%s is refused", cases[i].what);
    tap_is_string(error.message, cases[i].message, "located: %s", cases[i].what);
  }
}

static const char *write_file(const char *directory, const char *name, const char *text, char *path,
                              size_t size) {
  snprintf(path, size, "%s/%s", directory, name);
  FILE *file = fopen(path, "w");
  if (file != NULL) {
    fputs(text, file);
    fclose(file);
  }
  return path;
}

static void test_templates(void) {
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  const char *names[] = {"mail-escalation.yaml", "mail-letter.yaml", "mail-digest.yaml",
                         "mail-report.yaml"};
  struct error error;
  for (size_t i = 0; i < 4; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/letters/%s", source != NULL ? source : ".", names[i]);
    struct letter_template *wording = NULL;
    tap_is_integer(mail_template_load(path, &wording, &error), STATUS_OK, "the shipped %s loads",
                   names[i]);
    if (wording != NULL && i == 0) {
      tap_is_string(mail_template_word(wording, "level.overdue.title", "?"), "Hồ sơ quá hạn",
                    "a level's title");
      tap_is_string(mail_template_word(wording, "state.due_soon", "?"), "sắp đến hạn",
                    "a state's word");
      tap_is_string(mail_template_word(wording, "role.one_stop_unit", "?"), "Bộ phận Một cửa",
                    "a role's word");
      tap_is_string(mail_template_word(wording, "level.nothing.title", "fallback"), "fallback",
                    "a missing word falls back");
      const char *values[MAIL_PLACEHOLDER_COUNT] = {0};
      values[PLACEHOLDER_LEVEL_TITLE] = "Hồ sơ quá hạn";
      values[PLACEHOLDER_DOSSIER_CODE] = "H23.10-260115-0042";
      char *subject = NULL;
      tap_is_integer(template_expand(wording, &wording->title, values, &subject, &error), STATUS_OK,
                     "the subject expands");
      tap_is_string(subject != NULL ? subject : "",
                    "[Đúng hẹn] Hồ sơ quá hạn: hồ sơ H23.10-260115-0042", "to the wording");
      free(subject);
    }
    letter_template_free(wording);
  }
  char directory[] = "/tmp/dunghen-mail-XXXXXX";
  if (mkdtemp(directory) == NULL)
    return;
  char path[4096];
  struct letter_template *wording = NULL;
  write_file(directory, "a.yaml", "subject: \"Hồ sơ {dossier_cod}\"\nbody: [x]\n", path,
             sizeof path);
  tap_is_integer(mail_template_load(path, &wording, &error), STATUS_INVALID,
                 "an unknown placeholder is refused");
  char expected[4200];
  snprintf(expected, sizeof expected,
           "%s:1:17: unknown placeholder {dossier_cod} (did you mean {dossier_code}?)", path);
  tap_is_string(error.message, expected, "at its brace, with a suggestion");
  write_file(directory, "b.yaml", "subject: \"Hồ sơ\\r\\nBcc: x@example.org\"\nbody: [x]\n", path,
             sizeof path);
  tap_is_integer(mail_template_load(path, &wording, &error), STATUS_INVALID,
                 "a subject with a line break is refused");
  snprintf(expected, sizeof expected,
           "%s:1:10: the subject must be one line (a line break would end the header)", path);
  tap_is_string(error.message, expected, "located");
  write_file(directory, "c.yaml", "subject: x\n", path, sizeof path);
  tap_is_integer(mail_template_load(path, &wording, &error), STATUS_INVALID,
                 "a missing body is refused");
  snprintf(expected, sizeof expected, "%s:1:1: missing key 'body'", path);
  tap_is_string(error.message, expected, "located");
  write_file(directory, "d.yaml", "subject: x\nbody: [x]\nlevels:\n  overdue: {titel: y}\n", path,
             sizeof path);
  tap_is_integer(mail_template_load(path, &wording, &error), STATUS_INVALID,
                 "an unknown key in a level's words is refused");
  snprintf(expected, sizeof expected,
           "%s:4:13: unknown key 'titel' in a level's words (did you mean 'title'?)", path);
  tap_is_string(error.message, expected, "located, with a suggestion");
  char command[256];
  snprintf(command, sizeof command, "rm -rf '%s'", directory);
  if (system(command) != 0)
    tap_diagnostic("could not remove %s", directory);
}

int main(void) {
  test_addresses();
  test_agency_mail();
  test_templates();
  return tap_finish();
}
