/*
 * dossier.h: the decisions about one dossier's apology letter (PRODUCT.md, "A letter an
 * official can sign as it is"), pure functions of the dossier, the rules and `now`.
 *
 * The daemon (when a letter level fires), `dunghen letter` and the demo all take the letter's
 * dates, wording and form from here, so the three can never disagree:
 *   - issue day: the local day of `now` when it is a working day, else the next working day;
 *     the issue instant is `now`, or the opening of the issue day when drafted on a day off;
 *   - new date: the procedure's extension (its counting mode, no cut-off, on the calendar)
 *     added to the latest of the statutory deadline, the promised time the letter cites and
 *     the issue instant, so it is after all three;
 *   - wording: "before the deadline" (the result is expected to be late; the agency asks for
 *     the extension) when the issue instant is before the promised time, else "after";
 *   - form: the 2025 form (Circular 03/2025/TT-VPCP) for every dossier received on or after
 *     1 July 2025; an agency's `form: 2018` applies only to dossiers received before.
 * dossier_apology_check() is the converse for a letter described by hand: it names the first
 * contradiction among those rules.
 */
#ifndef DUNGHEN_CORE_DOSSIER_H
#define DUNGHEN_CORE_DOSSIER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/error.h"
#include "core/procedure.h"

enum apology_form {
  APOLOGY_FORM_2025, /* Circular 03/2025/TT-VPCP: PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN ... */
  APOLOGY_FORM_2018, /* Circular 01/2018/TT-VPCP: PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ */
};

enum apology_wording {
  APOLOGY_AFTER_DEADLINE,  /* the result was not returned by the promised time */
  APOLOGY_BEFORE_DEADLINE, /* the result will not be ready by the promised time */
};

struct apology_facts {
  int64_t received_at;
  int64_t deadline;                        /* the statutory deadline (episode 1) */
  int64_t promised_at;                     /* the time on the receipt slip that the letter cites */
  const struct procedure_version *version; /* its extension and counting mode */
  bool agency_prefers_2018;                /* the agency's `form: 2018` */
  int64_t now;                             /* when the letter is drafted */
};

struct apology_decision {
  int64_t issue_day;     /* day number (core/civil.h) */
  int64_t issue_instant; /* now, or the issue day's opening when drafted on a day off */
  int64_t counted_from;  /* the latest of deadline, promised time and issue instant */
  int64_t new_date;      /* the new return time proposed */
  enum apology_wording wording;
  enum apology_form form;
};

/* The first day of the 2025 form: 1 July 2025, as a day number. */
int64_t apology_form_2025_first_day(void);

/* The form for a dossier received at `received_at`. */
enum apology_form dossier_apology_form(int64_t received_at, bool agency_prefers_2018);

/*
 * Decides the letter. Fails with STATUS_INVALID, naming the cause, when the calendar cannot
 * place the issue day or the new date (both beyond its range). `explanation` (may be NULL)
 * receives every step: issue day and the days off skipped to reach it, what the new date is
 * counted from and why, the derivation of the extension, the wording and the form.
 */
enum status dossier_apology(const struct calendar *calendar, const struct apology_facts *facts,
                            struct apology_decision *decision, struct explanation *explanation,
                            struct error *error);

enum apology_field { APOLOGY_FIELD_ISSUE_DAY, APOLOGY_FIELD_NEW_DATE, APOLOGY_FIELD_FORM };

/*
 * For a letter whose dates and form were set by hand: STATUS_INVALID with a message and the
 * offending field in *field when the issue day is not a working day, the new date is not after
 * the promised time or falls before the letter's date, or the 2018 form is asked for a dossier
 * received on or after 1 July 2025. STATUS_OK when the letter holds together.
 */
enum status dossier_apology_check(const struct calendar *calendar, int64_t received_at,
                                  int64_t promised_at, int64_t issue_day, int64_t new_date,
                                  enum apology_form form, enum apology_field *field,
                                  struct error *error);

/* The wording for a letter issued at `issue_instant` citing `promised_at`. */
enum apology_wording dossier_apology_wording(int64_t issue_instant, int64_t promised_at);

#endif
