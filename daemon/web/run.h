/*
 * run.h: the `dunghen web` process around the server (web/server.h): it loads the rules (the
 * pages explain deadlines with them; the users' agencies are checked against agencies.yaml)
 * and the users file, serves until SIGTERM or SIGINT, and reloads the users file on SIGHUP (a
 * broken file keeps the old list and logs why). Under systemd it sends READY=1 once it listens
 * and STOPPING=1 when it stops. STATUS_INVALID: the rules or the users file are wrong.
 */
#ifndef DUNGHEN_WEB_RUN_H
#define DUNGHEN_WEB_RUN_H

#include "core/error.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"

enum status web_run(const struct config *config, const struct clock *clock, struct log *log,
                    struct error *error);

#endif
