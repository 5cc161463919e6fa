/*
 * page_render.h: each page's rendering as a function of what its handler read (web/page_*.c),
 * so the markup is tested without a database (tests/unit/test_web_pages.c).
 *
 * A renderer appends the page's content (between the frame's begin and end) to `out`; it
 * escapes every value it did not write itself, and reads the request only for the viewer, the
 * rules (names, the calendar) and `now`.
 */
#ifndef DUNGHEN_WEB_PAGE_RENDER_H
#define DUNGHEN_WEB_PAGE_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/explanation.h"
#include "core/report.h"
#include "store/web_view.h"
#include "web/page.h"

/* ---- overview ---- */

struct page_overview_model {
  const struct web_view_counts *counts;
  const struct report *month; /* this month so far, by agency; NULL when it could not be read */
};
void page_overview_render(const struct web_request *request,
                          const struct page_overview_model *model, struct buffer *out);

/* ---- dossier list ---- */

enum { PAGE_LIST_SIZE = 50, PAGE_TEXT_MAX = 100 };

/* The list's filters as the form shows them (NULL: not given). */
struct page_list_filters {
  const char *state; /* "open" by default, "all", or a clock state */
  const char *agency;
  const char *procedure;
  const char *text;
  bool paged; /* a later page (`after` was given) */
};
void page_dossiers_render(const struct web_request *request,
                          const struct page_list_filters *filters, const struct web_view_list *list,
                          struct buffer *out);
/* The keyset cursor of a row, as `after=` carries it: "SECONDS_CODE", "none_CODE" without a
 * deadline. */
void page_cursor_format(const struct web_view_list_row *row, struct buffer *out);
/* Parses `after=`: false when it is malformed. The code points into `text`. */
bool page_cursor_parse(const char *text, struct web_view_cursor *cursor);

/* ---- one dossier ---- */

struct page_dossier_model {
  const struct web_view_dossier *dossier;
  /* The derivation of the statutory deadline from the source's facts and the rules, as
   * `dunghen deadline --explain` prints it; NULL lines when it could not be derived, and
   * `problem` says why. */
  const struct explanation *timeline;
  const char *problem;
};
void page_dossier_render(const struct web_request *request, const struct page_dossier_model *model,
                         struct buffer *out);

/* ---- report ---- */

struct page_report_model {
  const struct report *report;
  const char *from, *to, *by; /* the form's values, as given or defaulted */
};
void page_report_render(const struct web_request *request, const struct page_report_model *model,
                        struct buffer *out);

/* ---- rules ---- */

void page_rules_render(const struct web_request *request, int year, struct buffer *out);

#endif
