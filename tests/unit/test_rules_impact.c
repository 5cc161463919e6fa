/*
 * The reload guard's verdict (service/rules_impact.h): when counts exceed a reload's limits, and
 * the exact words the log, /healthz and STATUS= carry.
 */
#include <string.h>

#include "service/rules_impact.h"
#include "tap.h"

static void expect(size_t letters, size_t escalations, int max_letters, int max_escalations,
                   bool refused, const char *reason, const char *what) {
  struct rules_impact impact = {.examined = 1000, .letters = letters, .escalations = escalations};
  struct config_reload limits = {max_letters, max_escalations};
  char text[200] = "unchanged";
  tap_ok(rules_impact_refusal(&impact, &limits, text, sizeof text) == refused, "%s: %s", what,
         refused ? "refused" : "accepted");
  tap_is_string(text, reason, "%s: the reason", what);
}

int main(void) {
  expect(340, 10, 20, 500, true, "would queue 340 letters (limit 20)", "too many letters");
  expect(0, 900, 20, 500, true, "would raise 900 escalations (limit 500)", "too many escalations");
  expect(21, 501, 20, 500, true,
         "would queue 21 letters (limit 20) and raise 501 escalations (limit 500)", "both");
  expect(20, 500, 20, 500, false, "", "exactly at the limits");
  expect(340, 900, 0, 0, false, "", "0: no limit");
  expect(340, 900, 0, 1000, false, "", "no letter limit, escalations within theirs");
  return tap_finish();
}
