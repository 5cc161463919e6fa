/*
 * dossier.h: every decision about one dossier, pure functions of what the source and the
 * daemon's own records say of it (its facts), the rules and `now`.
 *
 * dossier_evaluate() is the whole clock of one dossier: the pass (store/pass.h) and `dunghen
 * preview` call it, the latter twice on the same facts (the rules in force, then the new ones).
 *   - validation: a row that cannot carry a deadline is flagged with the first reason found,
 *     in this order: blank code, code repeated by the source view, missing or unknown status,
 *     missing or unknown procedure, missing or unknown agency, missing or unknown channel,
 *     missing received_at, received before 1990 or in the future (then rechecked when that
 *     instant comes), finished without finished_at, finished before received, no procedure
 *     version in force on the receipt day, then a bad pause (no paused_at, an unknown kind,
 *     resumed before it began, more than DOSSIER_MAX_PAUSES);
 *   - the statutory deadline through procedure_deadline_request() (a `restart` procedure
 *     restarts only after a supplement pause), then the state and the levels due
 *     (core/ladder_state.h) that have not fired in their episode;
 *   - firing the letter level decides the apology (below) and reschedules the dossier to its
 *     new date, which can make episode-2 levels due at once: the state is evaluated again (at
 *     most three rounds) until nothing more is due; a level fired before its instant because a
 *     delay reason is recorded is marked, for the escalation's reason;
 *   - a deadline or an apology the calendar cannot place is flagged too ("deadline: ...",
 *     "apology: ...").
 * The flag reasons are stored and shown to officials: their wording is part of the contract.
 *
 * The apology letter (PRODUCT.md, "A letter an official can sign as it is"): the daemon (when
 * a letter level fires), `dunghen letter` and the demo all take the letter's dates, wording and
 * form from here, so the three can never disagree:
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
#include "core/ladder.h"
#include "core/ladder_state.h"
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

enum {
  DOSSIER_FLAG_SIZE = 160,         /* a flag reason, with its quoted source value cut short */
  DOSSIER_REASON_SIZE = 512,       /* an escalation's reason */
  DOSSIER_MAX_PAUSES = 64,         /* more is flagged */
  DOSSIER_FIRST_VALID_YEAR = 1990, /* a receipt before is flagged: a typing slip */
};

/* A pause's kind; PAUSE_KIND_UNKNOWN is any other text (or none), which is flagged. */
enum pause_kind { PAUSE_KIND_UNKNOWN = -1, PAUSE_SUPPLEMENT, PAUSE_OTHER };

struct dossier_pause {
  bool has_from; /* false: the source gives no paused_at (flagged) */
  int64_t from;
  int64_t to; /* PAUSE_OPEN while paused */
  enum pause_kind kind;
  const char *kind_text; /* with PAUSE_KIND_UNKNOWN: the source's text (NULL: none), for the flag */
};

/* A level already in dunghen.escalation_log for the dossier. */
struct dossier_fired_level {
  const char *level;
  int episode;
};

/* What is known of one dossier. Texts are borrowed: they must outlive the evaluation. */
struct dossier_facts {
  /* What the source says (dunghen.dossier_source, dunghen.dossier_pause_source). */
  const char *code; /* mã hồ sơ */
  int64_t copies;   /* rows the source view has for the code: 1 unless it is broken */
  enum source_status status;
  const char *status_text;    /* with SOURCE_UNKNOWN: the source's text, for the flag */
  const char *procedure_code; /* NULL or blank: missing */
  const char *agency_code;    /* NULL or blank: missing */
  enum channel channel;
  const char *channel_text; /* with CHANNEL_UNKNOWN: the source's text, for the flag */
  bool has_received;
  int64_t received_at;
  bool has_finished;
  int64_t finished_at;
  bool has_appointment;
  int64_t appointment_at;             /* the promised time on the receipt slip */
  bool delay_reason;                  /* the source records why the dossier will be late */
  const struct dossier_pause *pauses; /* in the order of paused_at */
  size_t pause_count;
  /* What the daemon recorded before (dunghen.clock, dunghen.escalation_log). */
  bool rescheduled;       /* an apology set a new date: episode 2 */
  int64_t new_deadline;   /* with `rescheduled` */
  int64_t rescheduled_at; /* with `rescheduled` */
  const struct dossier_fired_level *fired;
  size_t fired_count;
};

/* The rules one evaluation applies; all borrowed. */
struct dossier_rules {
  const struct calendar *calendar;
  const struct procedure_table *procedures;
  const struct ladder *ladder; /* at most LADDER_MAX_LEVELS levels */
  /* Known agency codes, sorted by strcmp; NULL accepts any non-blank code. */
  const char *const *agency_codes;
  size_t agency_count;
  /* Agencies whose letters take the 2018 form (`form: 2018`), sorted by strcmp; may be NULL. */
  const char *const *form_2018_agencies;
  size_t form_2018_count;
};

struct dossier_evaluation {
  enum dossier_state state;     /* DOSSIER_FLAGGED when the facts cannot carry a deadline */
  char flag[DOSSIER_FLAG_SIZE]; /* why it is flagged; "" otherwise */
  int episode;                  /* 1, or 2 once rescheduled (a flag keeps the recorded one) */
  const struct procedure_version *version; /* in force on the receipt day (NULL when flagged) */
  struct deadline_result deadline;         /* the statutory deadline (episode 1) */
  bool has_deadline; /* not flagged and the clock runs: deadline.deadline holds */
  bool stopped;      /* not flagged and the clock is stopped: deadline.remaining_seconds holds */
  /* When time alone changes the state or makes a level due; for a flag, when time alone could
   * clear it (a receipt in the future). LADDER_NEVER when never. */
  int64_t next_instant;
  bool rescheduled;
  int64_t new_deadline;            /* with `rescheduled` */
  int64_t rescheduled_at;          /* with `rescheduled`: now when this evaluation rescheduled */
  uint32_t due;                    /* bit i: ladder level i fires now */
  uint32_t delay_triggered;        /* due levels fired by the delay reason before their instant */
  bool apology_decided;            /* this evaluation fired the letter level: */
  struct apology_decision apology; /* the letter's dates, wording and form */
  int64_t promised_at; /* the time the letter cites (the receipt slip's, else the deadline) */
};

/* The status, channel and pause kind a source text names. NULL or blank is SOURCE_MISSING or
 * CHANNEL_MISSING; any other unknown text SOURCE_UNKNOWN, CHANNEL_UNKNOWN, PAUSE_KIND_UNKNOWN. */
enum source_status dossier_status_from_text(const char *text);
enum channel dossier_channel_from_text(const char *text);
enum pause_kind dossier_pause_kind_from_text(const char *text);

/* The dossier's clock at `now` under `rules` (see the top of this file). Never fails: a row
 * that cannot be evaluated comes back flagged with its reason. */
void dossier_evaluate(const struct dossier_rules *rules, const struct dossier_facts *facts,
                      int64_t now, struct dossier_evaluation *evaluation);

/* The instant a level of the evaluation is anchored at: the statutory deadline, or in episode 2
 * the new date. */
int64_t dossier_level_anchor(const struct dossier_evaluation *evaluation,
                             const struct ladder_level *level);

/* The reason stored with due level `index` of the evaluation: the level's title, what it is
 * anchored at and, for the letter, the new date and whether the letter must still be given
 * its delay reason by hand (the signer must know before signing). */
void dossier_escalation_reason(const struct dossier_rules *rules, const struct dossier_facts *facts,
                               const struct dossier_evaluation *evaluation, size_t index,
                               char reason[DOSSIER_REASON_SIZE]);

#endif
