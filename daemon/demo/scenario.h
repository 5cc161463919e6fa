/*
 * scenario.h: the demo's simulated month of dossiers, generated from a seed.
 *
 * Pure: the rules (calendar and procedure catalogue), a seed, a size and a period in; a list of
 * dossiers with their whole future out (received, paused for a supplement, delay reason
 * recorded, finished or withdrawn, each at an instant). The same seed gives the same scenario
 * on every machine. Officials act like an office: what they do (a supplement asked for, a delay
 * reason, a result, a withdrawal taken) happens in the working hours of a working day of the
 * rules' calendar; only online receipts and online supplements come at any hour. Names, ID numbers
 * and addresses are invented but realistic: Vietnamese names with diacritics, post-2025 communes of
 * Đắk Lắk, 12-digit citizen ID numbers.
 */
#ifndef DUNGHEN_SCENARIO_H
#define DUNGHEN_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "rules/procedures.h"
#include "rules/rules.h"

/* A macro, not an enum: ISO C enumerators are ints. */
#define SCENARIO_NEVER INT64_MAX

enum scenario_outcome {
  OUTCOME_EARLY,          /* finished well before the deadline */
  OUTCOME_ON_TIME,        /* finished shortly before the deadline */
  OUTCOME_LATE,           /* finished after the deadline, no reason ever recorded */
  OUTCOME_EXPLAINED_LATE, /* no reason by the deadline (a blank letter); one recorded after */
  OUTCOME_EXCUSED,        /* a delay reason is recorded before the deadline, finished late */
  OUTCOME_OPEN,           /* still being processed at the end of the simulation */
  OUTCOME_WITHDRAWN,
};

struct scenario_dossier {
  char code[40];
  const char *procedure_code; /* points into the rules */
  const char *agency_code;    /* points into the agency list given to the generator */
  char applicant_name[96];
  char applicant_id[16];
  char applicant_address[192];
  char summary[512];
  enum channel channel;
  int64_t received_at;
  int64_t appointment_at; /* ngày hẹn trả on the receipt slip: the deadline as received */
  int64_t pause_from;     /* SCENARIO_NEVER when there is no supplement pause */
  int64_t pause_to;
  int64_t delay_reason_at; /* SCENARIO_NEVER when no reason is recorded */
  const char *delay_reason;
  int64_t finished_at;  /* SCENARIO_NEVER when not finished in the period */
  int64_t withdrawn_at; /* SCENARIO_NEVER unless withdrawn */
  enum scenario_outcome outcome;
};

struct scenario {
  struct scenario_dossier *dossiers; /* sorted by received_at */
  size_t count;
  int64_t start; /* first instant of the simulated period */
  int64_t end;   /* last instant */
};

/* Agencies the generator may assign: `provincial` handle procedures of level tỉnh, `communal`
 * those of level xã (the level text of the catalogue decides). */
struct scenario_agencies {
  const char *const *provincial;
  size_t provincial_count;
  const char *const *communal;
  size_t communal_count;
};

enum status scenario_generate(const struct rules *rules, const struct scenario_agencies *agencies,
                              uint64_t seed, size_t count, int64_t first_day, int days,
                              struct scenario *scenario, struct error *error);
void scenario_free(struct scenario *scenario);

#endif
