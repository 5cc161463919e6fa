/*
 * Letter templates and agencies: the shipped files load; placeholders expand; unknown
 * placeholders, missing values and bad agency entries fail with exact FILE:LINE:COLUMN messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "letter/template.h"
#include "rules/agencies.h"
#include "tap.h"

static char directory[] = "/tmp/dunghen-template-XXXXXX";

static const char *write_file(const char *name, const char *content) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", directory, name);
  FILE *file = fopen(path, "w");
  fputs(content, file);
  fclose(file);
  return path;
}

static const char *const base = "national_title: CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                                "motto: Độc lập - Tự do - Hạnh phúc\n"
                                "number_line: \"Số: {number}\"\n"
                                "date_line: \"{place}, ngày {letter_date}\"\n"
                                "salutation: \"Kính gửi: {applicant_name}\"\n";

static void expect_load_error(const char *name, const char *body, const char *message) {
  char content[4096], expected[4096];
  snprintf(content, sizeof content, "%s%s", base, body);
  const char *path = write_file(name, content);
  struct letter_template *loaded = NULL;
  struct error error;
  tap_is_integer(letter_template_load(path, &loaded, &error), STATUS_INVALID, "%s fails", name);
  snprintf(expected, sizeof expected, "%s:%s", path, message);
  tap_is_string(error.message, expected, "%s: message", name);
  letter_template_free(loaded);
}

static void test_templates(void) {
  struct letter_template *loaded = NULL;
  struct error error;
  char path[4096];
  snprintf(path, sizeof path, "%s/letters/form-2025.yaml", getenv("DUNGHEN_SOURCE_ROOT"));
  tap_is_integer(letter_template_load(path, &loaded, &error), STATUS_OK, "form-2025 loads");
  letter_template_free(loaded);
  snprintf(path, sizeof path, "%s/letters/form-2018.yaml", getenv("DUNGHEN_SOURCE_ROOT"));
  tap_is_integer(letter_template_load(path, &loaded, &error), STATUS_OK, "form-2018 loads");
  letter_template_free(loaded);

  char content[4096];
  snprintf(content, sizeof content,
           "%stitle: PHIẾU\nparagraphs:\n  - \"Lý do: {reason} {{không}} {applicant_id}.\"\n",
           base);
  const char *good = write_file("good.yaml", content);
  tap_is_integer(letter_template_load(good, &loaded, &error), STATUS_OK, "a small template loads");
  const char *values[PLACEHOLDER_COUNT] = {NULL};
  values[PLACEHOLDER_REASON] = "thiếu giấy tờ";
  values[PLACEHOLDER_APPLICANT_ID] = "001";
  char *text = NULL;
  tap_is_integer(template_expand(loaded, &loaded->paragraphs[0], values, &text, &error), STATUS_OK,
                 "expand");
  tap_is_string(text, "Lý do: thiếu giấy tờ {không} 001.", "placeholders and literal braces");
  free(text);
  values[PLACEHOLDER_APPLICANT_ID] = NULL;
  tap_is_integer(template_expand(loaded, &loaded->paragraphs[0], values, &text, &error),
                 STATUS_INVALID, "a missing value fails");
  char expected[4200];
  snprintf(expected, sizeof expected, "%s:8:32: no value for placeholder {applicant_id}", good);
  tap_is_string(error.message, expected, "missing value: exact message at the placeholder");
  tap_ok(template_uses(&loaded->paragraphs[0], PLACEHOLDER_REASON), "template_uses");
  letter_template_free(loaded);

  expect_load_error("unknown.yaml", "title: \"PHIẾU {aplicant_name}\"\nparagraphs: [x]\n",
                    "6:15: unknown placeholder {aplicant_name} (did you mean {applicant_name}?)");
  expect_load_error("unknown-block.yaml",
                    "title: T\nparagraphs:\n  - >-\n    Ngày {received_date}, ông/bà\n"
                    "    {applicant} đã nộp hồ sơ.\n",
                    "10:5: unknown placeholder {applicant} (did you mean {applicant_id}?)");
  expect_load_error("unknown-far.yaml", "title: T\nparagraphs: [\"{zzzzzzzzzz}\"]\n",
                    "7:15: unknown placeholder {zzzzzzzzzz}");
  /* The mail wording's placeholders are not a letter's: refused when the letter loads. */
  expect_load_error("mail-only.yaml", "title: T\nparagraphs: [\"{deadline_date}\"]\n",
                    "7:15: unknown placeholder {deadline_date}");
  expect_load_error("unclosed.yaml", "title: \"A {reason\"\nparagraphs: [x]\n",
                    "6:11: unclosed placeholder: '{' without '}' (write '{{' for a brace)");
  expect_load_error("missing.yaml", "paragraphs: [x]\n", "1:1: missing key 'title'");
  expect_load_error("emoji.yaml", "title: \"X 😀\"\nparagraphs: [x]\n",
                    "6:8: character U+1F600 is not in the letter font");
}

/* A body paragraph with a wording for each moment (before and after the promised time). */
static void test_wordings(void) {
  char content[4096];
  snprintf(content, sizeof content,
           "%stitle: PHIẾU\n"
           "paragraphs:\n"
           "  - \"Hồ sơ {dossier_code}.\"\n"
           "  - before_deadline: \"Dự kiến trễ. Lý do: {reason}\"\n"
           "    after_deadline: >-\n"
           "      Đã trễ. Lý do:\n"
           "      {reason}\n",
           base);
  const char *path = write_file("wordings.yaml", content);
  struct letter_template *loaded = NULL;
  struct error error;
  tap_is_integer(letter_template_load(path, &loaded, &error), STATUS_OK,
                 "a template with both wordings loads");
  if (loaded == NULL)
    return;
  tap_is_integer((long long)loaded->paragraph_count, 2, "two paragraphs in each wording");
  const char *values[PLACEHOLDER_COUNT] = {NULL};
  values[PLACEHOLDER_REASON] = "chờ ý kiến.";
  values[PLACEHOLDER_DOSSIER_CODE] = "H-01";
  const char *expected[2][2] = {{"Hồ sơ H-01.", "Đã trễ. Lý do: chờ ý kiến."},
                                {"Hồ sơ H-01.", "Dự kiến trễ. Lý do: chờ ý kiến."}};
  enum apology_wording wordings[2] = {APOLOGY_AFTER_DEADLINE, APOLOGY_BEFORE_DEADLINE};
  for (int w = 0; w < 2; w++) {
    const struct template_text *body = letter_template_body(loaded, wordings[w]);
    for (int i = 0; i < 2; i++) {
      char *text = NULL;
      template_expand(loaded, &body[i], values, &text, &error);
      tap_is_string(text, expected[w][i], "%s the deadline, paragraph %d",
                    w == 0 ? "after" : "before", i + 1);
      free(text);
    }
  }
  tap_ok(letter_template_body(loaded, APOLOGY_AFTER_DEADLINE) == loaded->paragraphs,
         "after the deadline is `paragraphs` (what mail wording uses too)");
  values[PLACEHOLDER_REASON] = NULL;
  char *text = NULL;
  template_expand(loaded, &letter_template_body(loaded, APOLOGY_AFTER_DEADLINE)[1], values, &text,
                  &error);
  char message[4200];
  snprintf(message, sizeof message, "%s:12:7: no value for placeholder {reason}", path);
  tap_is_string(error.message, message, "a missing value names the after-deadline placeholder");
  template_expand(loaded, &letter_template_body(loaded, APOLOGY_BEFORE_DEADLINE)[1], values, &text,
                  &error);
  snprintf(message, sizeof message, "%s:9:43: no value for placeholder {reason}", path);
  tap_is_string(error.message, message, "and the before-deadline one");
  letter_template_free(loaded);

  expect_load_error("wording-missing.yaml",
                    "title: T\nparagraphs:\n  - before_deadline: \"Dự kiến trễ.\"\n",
                    "8:5: a paragraph with wordings needs both 'before_deadline' and "
                    "'after_deadline' (missing 'after_deadline')");
  expect_load_error("wording-unknown.yaml",
                    "title: T\nparagraphs:\n  - before_deadline: a\n    after_deadline: b\n"
                    "    before_dealine: c\n",
                    "10:5: unknown key 'before_dealine' in a paragraph's wordings (did you mean "
                    "'before_deadline'?)");
  expect_load_error(
      "wording-placeholder.yaml",
      "title: T\nparagraphs:\n  - before_deadline: a\n    after_deadline: \"{reson}\"\n",
      "9:22: unknown placeholder {reson} (did you mean {reason}?)");
  expect_load_error("wording-list.yaml",
                    "title: T\nparagraphs:\n  - before_deadline: [a]\n"
                    "    after_deadline: b\n",
                    "8:22: expected text, found a list");
}

static void expect_agency_error(const char *name, const char *content, const char *message) {
  const char *path = write_file(name, content);
  struct agency_table table;
  struct error error;
  tap_is_integer(agencies_load(path, &table, &error), STATUS_INVALID, "%s fails", name);
  char expected[4200];
  snprintf(expected, sizeof expected, "%s:%s", path, message);
  tap_is_string(error.message, expected, "%s: message", name);
}

/* A printf format on purpose: each case fills in the code and the number format. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static const char *const agency = "agencies:\n"
                                  "  - code: %s\n"
                                  "    governing_body: UBND XÃ EA KAR\n"
                                  "    unit: TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG\n"
                                  "    name: Trung tâm\n"
                                  "    symbol: TTPVHCC\n"
                                  "    place: Ea Kar\n"
                                  "    address: Ea Kar\n"
                                  "    signer: {title: GIÁM ĐỐC, name: Lê Văn Hùng}\n"
                                  "    number_format: \"%s\"\n";

static void test_agencies(void) {
  struct agency_table table;
  struct error error;
  char path[4096];
  snprintf(path, sizeof path, "%s/agencies.yaml", getenv("DUNGHEN_RULES"));
  tap_is_integer(agencies_load(path, &table, &error), STATUS_OK, "rules/agencies.yaml loads");
  const struct agency *found = agencies_find(&table, "DLK-TTPVHCC");
  tap_ok(found != NULL, "the provincial centre is there");
  char number[AGENCY_NUMBER_SIZE];
  if (found != NULL) {
    tap_is_string(found->governing_body, "UBND TỈNH ĐẮK LẮK", "post-2025 governing body");
    tap_is_integer(agency_format_number(found, 7, 2026, number, &error), STATUS_OK, "number 7");
    tap_is_string(number, "07/PXL-TTPVHCC", "leading zero below 10");
    agency_format_number(found, 123, 2026, number, &error);
    tap_is_string(number, "123/PXL-TTPVHCC", "no truncation above 99");
    tap_is_integer(agency_format_number(found, 0, 2026, number, &error), STATUS_INVALID,
                   "number 0 is refused");
  }
  const struct agency *two_lines = agencies_find(&table, "DLK-SNNMT");
  tap_ok(two_lines != NULL && strcmp(two_lines->signer_title, "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC") == 0,
         "a signer title given as a list keeps its lines");
  agencies_free(&table);

  char content[2048];
  snprintf(content, sizeof content, agency, "XA-1", "{year}-{n:03}/{unit}");
  const char *custom = write_file("custom.yaml", content);
  tap_is_integer(agencies_load(custom, &table, &error), STATUS_OK, "a custom format loads");
  agency_format_number(&table.agencies[0], 7, 2026, number, &error);
  tap_is_string(number, "2026-007/TTPVHCC", "{year} and {n:03}");
  tap_ok(table.agencies[0].form == AGENCY_FORM_2025, "the form defaults to 2025");
  agencies_free(&table);
  /* The shipped agencies all use the 2025 form: `form: 2018` is read from a file of its own. */
  snprintf(content, sizeof content, agency, "XA-1", "{n}");
  strcat(content, "    form: 2018\n");
  const char *old_form = write_file("old-form.yaml", content);
  tap_is_integer(agencies_load(old_form, &table, &error), STATUS_OK, "an agency with form: 2018");
  tap_ok(table.count == 1 && table.agencies[0].form == AGENCY_FORM_2018, "form: 2018 is read");
  agencies_free(&table);

  snprintf(content, sizeof content, agency, "XA-1", "{n:02}/PXL-{symbol}");
  expect_agency_error("format.yaml", content,
                      "10:20: unknown field at '{symbol}' (use {n}, {n:02}, {unit}, {year})");
  snprintf(content, sizeof content, agency, "XA/1", "{n}");
  expect_agency_error("code.yaml", content,
                      "2:11: agency code 'XA/1' must be 1-64 letters, digits, '-', '_' or '.' "
                      "(it names the spool directory)");
  char twice[4096];
  snprintf(content, sizeof content, agency, "XA-1", "{n}");
  snprintf(twice, sizeof twice, "%s%s", content, strchr(content, '\n') + 1);
  expect_agency_error("duplicate.yaml", twice,
                      "11:11: duplicate agency code 'XA-1' (first at line 2)");
}

int main(void) {
  if (mkdtemp(directory) == NULL)
    return tap_skip_all("cannot create a temporary directory");
  test_templates();
  test_wordings();
  test_agencies();
  char command[200];
  snprintf(command, sizeof command, "rm -rf '%s'", directory);
  if (system(command) != 0)
    tap_diagnostic("could not remove %s", directory);
  return tap_finish();
}
