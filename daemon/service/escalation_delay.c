#include "service/escalation_delay.h"

#include "core/ladder_state.h"
#include "store/raised_escalations.h"

double escalation_delay_now(const struct clock *clock) {
  return clock_now_precise(clock);
}

enum status escalation_delay_observe(PGconn *connection, const struct calendar *calendar,
                                     const struct ladder *ladder, int64_t raised_at,
                                     double committed_at, int64_t *seen_id,
                                     struct metrics_histogram *histogram, struct error *error) {
  struct raised_escalations raised;
  enum status status = raised_escalations_read(connection, raised_at, *seen_id, &raised, error);
  if (status != STATUS_OK)
    return status;
  for (size_t i = 0; i < raised.count; i++) {
    const struct raised_escalation *escalation = &raised.items[i];
    if (escalation->id > *seen_id)
      *seen_id = escalation->id;
    double owed = -1;
    int index = ladder_find(ladder, escalation->level);
    if (index >= 0 && escalation->has_deadline) {
      int64_t due =
          ladder_offset_instant(calendar, &ladder->levels[index].offset, escalation->deadline);
      if (due != LADDER_NEVER && due <= raised_at)
        owed = (double)due;
    }
    if (escalation->has_source_updated_at && escalation->source_updated_at > owed)
      owed = escalation->source_updated_at;
    if (owed >= 0)
      metrics_histogram_observe(histogram, committed_at - owed);
  }
  raised_escalations_free(&raised);
  return STATUS_OK;
}
