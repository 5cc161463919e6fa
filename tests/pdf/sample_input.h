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

#endif
