#include "sample_input.h"

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
