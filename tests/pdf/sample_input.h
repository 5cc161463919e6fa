/*
 * sample_input.h: one letter's input for the C tests of the pdf suite: a birth registration
 * received on 2026-01-15 at 09:00, promised a day later, moved by five days, the letter dated
 * 2026-02-05; the tests vary the number, the applicant, the reason and the form.
 */
#ifndef DUNGHEN_TEST_SAMPLE_INPUT_H
#define DUNGHEN_TEST_SAMPLE_INPUT_H

#include "letter/letter.h"

struct letter_input sample_input(const struct agency *agency, long number, const char *name,
                                 const char *reason, enum apology_form form);

/* What the letter tests share: the shipped templates, rules/agencies.yaml, the provincial
 * centre DLK-TTPVHCC from it, and one renderer. */
struct sample_input_setup {
  struct letter_library *library;
  struct agency_table agencies;
  const struct agency *agency;
  struct letter_renderer *renderer;
};

/* Loads it all from DUNGHEN_SOURCE_ROOT and DUNGHEN_RULES; false with a reason (for
 * tap_skip_all) when something is missing. */
bool sample_input_setup_load(struct sample_input_setup *setup, struct error *error);
void sample_input_setup_free(struct sample_input_setup *setup);

#endif
