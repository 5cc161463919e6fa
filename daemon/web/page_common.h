/*
 * page_common.h: what the pages share beyond HTML (web/html.h): the Vietnamese words for the
 * daemon's states, channels, statuses and levels; dates and instants as officials write them;
 * working time left, counted by the calendar; access (which agency a viewer may see); the frame
 * of a page for a request; and the short pages for 400, 403 and 404.
 *
 * Words: the clock states are the daemon's (dunghen.clock.state, core/ladder_state.h), each
 * with its colour class: on track green, due soon orange, and red for every dossier past its
 * statutory deadline (overdue, rescheduled by an apology, overdue again); everything else none.
 * Unknown words come back as they are.
 *
 * Language: the timeline of a deadline (core/explanation.h) and the calendar's reasons come
 * from the message catalogue (po/vi.po), as `dunghen deadline --explain` prints them: the web
 * process must choose Vietnamese messages before it loads the rules (cli/web.c), and
 * page_translation() is the catalogue's hook for the core.
 */
#ifndef DUNGHEN_WEB_PAGE_COMMON_H
#define DUNGHEN_WEB_PAGE_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/translation.h"
#include "web/html.h"
#include "web/page.h"

enum { PAGE_INSTANT_SIZE = 32, PAGE_DAY_SIZE = 16 };

/* "Trong hạn", "Sắp đến hạn", "Quá hạn", ... for a dunghen.clock state. */
const char *page_state_name(const char *state);
/* "on-track", "due-soon", "overdue", or "" for states without a colour. */
const char *page_state_class(const char *state);
/* "Trực tiếp", "Trực tuyến", "Bưu chính" (NULL: "Không rõ"). */
const char *page_channel_name(const char *channel);
/* The source's status in words: "Đang xử lý", "Chờ bổ sung", ... */
const char *page_status_name(const char *status);
/* An escalation level in words: "Sắp đến hạn", "Phiếu xin lỗi", ... */
const char *page_level_name(const char *level);
/* A ladder role in words: "Cơ quan giải quyết", ... */
const char *page_role_name(const char *role);

/* "07/12/2026 14:30" (local time, UTC+7). */
void page_format_instant(int64_t instant, char text[PAGE_INSTANT_SIZE]);
/* "07/12/2026". */
void page_format_day(int64_t day, char text[PAGE_DAY_SIZE]);

/* Working time between `now` and `deadline`, as "còn 2 ngày 3 giờ" or "quá 1 ngày 2 giờ"
 * (working days of the calendar's day length, working hours, and minutes under an hour);
 * escaped for HTML (it contains nothing to escape). */
void page_working_time(struct buffer *buffer, const struct calendar *calendar, int64_t now,
                       int64_t deadline);
/* Working seconds as "2 ngày 3 giờ làm việc". */
void page_working_amount(struct buffer *buffer, const struct calendar *calendar, int64_t seconds);

/* Whether the viewer may see a dossier or letter of `agency_code`. */
bool page_may_see(const struct web_request *request, const char *agency_code);
/* The agency's name from agencies.yaml, or its code when the rules do not list it. */
const char *page_agency_name(const struct web_request *request, const char *agency_code);

/* Starts an HTML response: status 200, the content type, the frame with the viewer. */
void page_begin(const struct web_request *request, struct web_response *response, const char *title,
                enum html_section section);
/* Closes the frame; STATUS_RUNTIME when the body ran out of memory. */
enum status page_end(struct web_response *response, struct error *error);
/* A whole short page for an error status (400, 403, 404): a heading and one sentence. */
enum status page_refuse(const struct web_request *request, struct web_response *response,
                        int status, const char *message, struct error *error);

/* The message catalogue for the core's explanations (gettext, "dunghen" domain). */
const struct translation *page_translation(void);

#endif
