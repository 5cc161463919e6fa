#include "sample_input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"

struct letter_input sample_input(const struct agency *agency, long number, const char *name,
                                 const char *reason, enum apology_form form) {
  int64_t received = civil_instant_from_local(civil_days_from_date(2026, 1, 15), 9 * 3600);
  struct letter_input input = {
      .agency = agency,
      .form = form,
      .number = number,
      .letter_day = civil_days_from_date(2026, 2, 5),
      .applicant_name = name,
      .applicant_id = "066185001234",
      .applicant_address = "Thôn 3, xã Ea Kar",
      .dossier_code = "H23.10-260115-0042",
      .procedure_name = "Đăng ký khai sinh",
      .reason = reason,
      .received_at = received,
      .promised_at = received + 86400,
      .new_appointment_at = received + 5 * 86400,
  };
  return input;
}

bool sample_input_setup_load(struct sample_input_setup *setup, struct error *error) {
  memset(setup, 0, sizeof *setup);
  char path[4096];
  snprintf(path, sizeof path, "%s/letters", getenv("DUNGHEN_SOURCE_ROOT"));
  if (letter_library_load(path, &setup->library, error) != STATUS_OK)
    return false;
  snprintf(path, sizeof path, "%s/agencies.yaml", getenv("DUNGHEN_RULES"));
  if (agencies_load(path, &setup->agencies, error) != STATUS_OK)
    return false;
  if ((setup->agency = agencies_find(&setup->agencies, "DLK-TTPVHCC")) == NULL) {
    error_set(error, STATUS_INVALID, "%s: no agency DLK-TTPVHCC", path);
    return false;
  }
  return letter_renderer_new(setup->library, NULL, &setup->renderer, error) == STATUS_OK;
}

void sample_input_setup_free(struct sample_input_setup *setup) {
  letter_renderer_free(setup->renderer);
  agencies_free(&setup->agencies);
  letter_library_free(setup->library);
}
