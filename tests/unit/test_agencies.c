/*
 * Unit tests for rules/agencies: the list of agencies whose letters take the 2018 form, as the
 * pass and the reload guard hand it to core/dossier (sorted, the table's own codes); the seal's
 * signature field switched on per agency (`seal_signature`), off by default, and a wrong value
 * refused at its FILE:LINE:COLUMN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/agencies.h"
#include "tap.h"

static const char agency_text[] = "  - code: %s\n"
                                  "    governing_body: UBND TỈNH ĐẮK LẮK\n"
                                  "    unit: TRUNG TÂM\n"
                                  "    name: Trung tâm %s\n"
                                  "    symbol: TT\n"
                                  "    place: Đắk Lắk\n"
                                  "    address: Buôn Ma Thuột\n"
                                  "    signer: {title: GIÁM ĐỐC, name: Nguyễn Văn Minh}\n"
                                  "    number_format: '{n:02}/PXL-{unit}'\n"
                                  "%s";

static void add_agency(char *text, size_t size, const char *code, const char *form) {
  size_t used = strlen(text);
  snprintf(text + used, size - used, agency_text, code, code, form);
}

static void test_form_2018_codes(void) {
  char text[8192] = "agencies:\n";
  add_agency(text, sizeof text, "DLK-C", "    form: 2018\n");
  add_agency(text, sizeof text, "DLK-A", "");
  add_agency(text, sizeof text, "DLK-B", "    form: 2018\n");
  add_agency(text, sizeof text, "DLK-D", "    form: 2025\n");
  struct agency_table table;
  struct error error = {0};
  if (!tap_is_integer(agencies_load_buffer("agencies.yaml", text, strlen(text), &table, &error),
                      STATUS_OK, "four agencies load %s", error.message))
    return;
  const char **codes = NULL;
  size_t count = 99;
  tap_is_integer(agencies_form_2018_codes(&table, &codes, &count, &error), STATUS_OK,
                 "the 2018-form agencies are listed");
  tap_is_integer((long long)count, 2, "two agencies ask for the 2018 form");
  if (count == 2) {
    tap_is_string(codes[0], "DLK-B", "sorted: DLK-B first");
    tap_is_string(codes[1], "DLK-C", "sorted: DLK-C second");
    tap_ok(codes[0] == agencies_find(&table, "DLK-B")->code, "the table's own code, not a copy");
  }
  free(codes);
  agencies_free(&table);

  count = 99;
  codes = (const char **)&count; /* must be reset */
  tap_is_integer(agencies_form_2018_codes(NULL, &codes, &count, &error), STATUS_OK,
                 "no agency table: nothing to list");
  tap_ok(codes == NULL && count == 0, "no agency table: NULL and 0");
}

static void test_seal_signature(void) {
  char text[8192] = "agencies:\n";
  add_agency(text, sizeof text, "DLK-A", "");
  add_agency(text, sizeof text, "DLK-B", "    seal_signature: true\n");
  struct agency_table table;
  struct error error = {0};
  if (tap_is_integer(agencies_load_buffer("agencies.yaml", text, strlen(text), &table, &error),
                     STATUS_OK, "seal_signature: true loads %s", error.message)) {
    tap_ok(!agencies_find(&table, "DLK-A")->seal_signature, "off by default");
    tap_ok(agencies_find(&table, "DLK-B")->seal_signature, "on when asked");
    agencies_free(&table);
  }
  strcpy(text, "agencies:\n");
  add_agency(text, sizeof text, "DLK-A", "    seal_signature: sometimes\n");
  tap_is_integer(agencies_load_buffer("agencies.yaml", text, strlen(text), &table, &error),
                 STATUS_INVALID, "seal_signature: sometimes is refused");
  tap_is_string(error.message,
                "agencies.yaml:11:21: 'sometimes' is not one of: false, true, no, yes",
                "at its FILE:LINE:COLUMN");
  agencies_free(&table);
}

int main(void) {
  test_form_2018_codes();
  test_seal_signature();
  return tap_finish();
}
