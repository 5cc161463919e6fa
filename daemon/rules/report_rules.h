/*
 * report_rules.h: what the rules add to the figures the database counted (store/report.h):
 * the groups' labels (the agency's name, the procedure's name, the channel in Vietnamese),
 * the rows by field (procedure rows merged under their procedure's `field`; a procedure the
 * rules do not know goes under "(không rõ lĩnh vực)") and the total row.
 */
#ifndef DUNGHEN_RULES_REPORT_RULES_H
#define DUNGHEN_RULES_REPORT_RULES_H

#include "core/error.h"
#include "core/procedure.h"
#include "core/report.h"
#include "rules/agencies.h"

/* Completes a report read by report_read(): merges by field when report->grouping is
 * REPORT_BY_FIELD, sets labels, computes the total. STATUS_RUNTIME on memory. */
enum status report_apply_rules(struct report *report, const struct procedure_table *procedures,
                               const struct agency_table *agencies, struct error *error);

#endif
