/*
 * pass_partner.h: more sessions for the daemon's first pass ever (store/pass_range.h).
 *
 * The first pass evaluates every dossier of the source and writes its clock, escalations and
 * letters. On one session the daemon's evaluation and the server's writing alternate, so one
 * core idles while the other works (bench/RESULTS.md, "the first pass by ranges"). Partners
 * are threads with sessions of their own that take ranges beside the pass worker's, exactly as
 * other daemons would (the same claims and exactly-once keys), and end with the first pass.
 *
 * pass_partners_start() opens up to `count` partner sessions and starts their passes with the
 * worker's context (its connection aside); a partner that cannot connect is logged and left out,
 * since the worker's own session does the whole pass anyway. pass_partners_finish() joins them
 * and adds what they did to the worker's report. Both are called from the pass worker's thread.
 */
#ifndef DUNGHEN_PASS_PARTNER_H
#define DUNGHEN_PASS_PARTNER_H

#include <stddef.h>

#include "core/error.h"
#include "service/config.h"
#include "service/log.h"
#include "store/pass.h"

enum { PASS_PARTNERS_MAX = CONFIG_MAX_FIRST_PASS_SESSIONS - 1 };

struct pass_partners;

struct pass_partner_settings {
  const char *conninfo; /* NULL: the PG* environment */
  int connect_timeout;
  const struct config_timeouts *timeouts;
  size_t count; /* partners besides the worker's own session, at most PASS_PARTNERS_MAX */
};

/* NULL when none could start (out of memory, no session): the worker goes on alone. */
struct pass_partners *pass_partners_start(const struct pass_context *context,
                                          const struct pass_partner_settings *settings,
                                          const struct log *log);
/* Joins the partners, adds their counts to `report` and frees them; NULL is allowed. */
void pass_partners_finish(struct pass_partners *partners, struct pass_report *report);

#endif
