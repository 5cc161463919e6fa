/*
 * fuzz_calendar_rules.c: any bytes as rules/calendar.yaml; an accepted calendar is queried
 * across its whole range (working days, reasons, working-time arithmetic).
 */
#include "core/calendar.h"
#include "fuzz_support.h"
#include "rules/calendar_rules.h"

static void query(const struct calendar *calendar) {
  int64_t first = calendar_first_day(calendar), last = calendar_last_day(calendar);
  for (int64_t day = first; day <= last; day += 997) {
    calendar_is_working_day(calendar, day);
    calendar_reason(calendar, day);
    calendar_next_working_day(calendar, day);
    calendar_add_working_days(calendar, day, 30);
    int64_t instant = day * 86400 + 10 * 3600;
    calendar_next_opening(calendar, instant);
    calendar_add_working_seconds(calendar, instant, 16 * 3600);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct calendar *calendar = NULL;
  struct calendar_rules_summary summary;
  struct error error;
  enum status status = calendar_rules_load_buffer("calendar.yaml", (const char *)data, size,
                                                  &calendar, &summary, &error);
  fuzz_check_message("calendar.yaml", status, error.message);
  if (status != STATUS_OK)
    return 0;
  query(calendar);
  calendar_free(calendar);
  return 0;
}
