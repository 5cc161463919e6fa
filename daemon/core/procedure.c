#include "core/procedure.h"

void procedure_deadline_request(const struct procedure_version *version, enum channel channel,
                                int64_t received_at, const struct pause_interval *pauses,
                                size_t pause_count, bool supplement_pause,
                                struct deadline_request *request) {
  *request = (struct deadline_request){
      .received_at = received_at,
      .duration = version->durations[channel],
      .counting = version->counting,
      .cutoff = version->cutoff,
      /* A `restart` procedure starts again only after the applicant's supplement: a pause of
       * another kind (a recorded hold) never gives the agency a fresh duration. */
      .supplement = supplement_pause ? version->supplement : SUPPLEMENT_PAUSE,
      .pauses = pauses,
      .pause_count = pause_count,
  };
}
