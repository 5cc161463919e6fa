/*
 * html.h: the HTML every page of `dunghen web` shares: escaping, the page frame, the stylesheet
 * and inline SVG bar charts. Pure: each function appends to a struct buffer (core/buffer.h), so
 * a page is a function of its model and the tests read its exact markup.
 *
 * Escaping: html_text and html_attribute replace & < > " ' by entities, so any value (an
 * applicant's name, a search term echoed back) is safe both between tags and inside a quoted
 * attribute value. Every value that did not come from the page's own literals goes through one
 * of them; html_url_parameter percent-encodes a value for a link's query.
 *
 * The frame: html_begin writes the doctype, <html lang="vi">, the <title>, the stylesheet link
 * (/style.css, served from html_stylesheet()), a header with the app's name, the navigation
 * (Tổng quan, Hồ sơ, Báo cáo, Quy tắc; the active one marked with aria-current="page"), the
 * viewer's display name and agency, and a sign-out form that POSTs to /sign-out; it opens
 * <main>. html_begin_plain is the same without navigation and viewer (the sign-in page).
 * html_end closes <main>, <body> and <html>.
 *
 * Row colours: the classes of html_state_class(), "on-track", "due-soon" and "overdue", are
 * the green, orange and red of the one-stop systems; the stylesheet colours a table row or a
 * badge with them.
 */
#ifndef DUNGHEN_WEB_HTML_H
#define DUNGHEN_WEB_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"
#include "web/page.h"

/* The app's name as the header shows it. */
#define HTML_APP_NAME "Đúng hẹn"

enum html_section {
  HTML_SECTION_NONE,
  HTML_SECTION_OVERVIEW, /* / */
  HTML_SECTION_DOSSIERS, /* /dossiers */
  HTML_SECTION_REPORT,   /* /report */
  HTML_SECTION_RULES,    /* /rules */
};

struct html_frame {
  const char *title; /* the page's own title; <title> is "TITLE · Đúng hẹn" */
  enum html_section active;
  const struct web_viewer *viewer; /* NULL: no viewer line, no sign-out form */
  const char *agency_name; /* the viewer's agency by name; NULL: the code, or "Tất cả cơ quan" */
};

/* Appends `text` escaped for HTML text and quoted attribute values (NULL appends nothing). */
void html_text(struct buffer *buffer, const char *text);
/* The same, for `length` bytes of `text`. */
void html_text_length(struct buffer *buffer, const char *text, size_t length);
/* The same escaping: named apart so a reader sees where a value lands. */
void html_attribute(struct buffer *buffer, const char *text);
/* printf-style, then escaped as text. */
void html_text_format(struct buffer *buffer, const char *format, ...) DUNGHEN_PRINTF(2, 3);
/* Percent-encodes `text` for a URL's query (unreserved characters stay), then escapes nothing
 * more: the result contains only [A-Za-z0-9._~%-], safe in an attribute. */
void html_url_parameter(struct buffer *buffer, const char *text);
/* A count with the Vietnamese thousands separator: 1234567 -> "1.234.567". */
void html_count(struct buffer *buffer, int64_t count);

/* The page frame. */
void html_begin(struct buffer *buffer, const struct html_frame *frame);
void html_begin_plain(struct buffer *buffer, const char *title);
void html_end(struct buffer *buffer);

/* The stylesheet served at /style.css ("text/css; charset=utf-8"). */
const char *html_stylesheet(void);

/* A dossier's clock, for colours. */
enum html_state { HTML_STATE_ON_TRACK, HTML_STATE_DUE_SOON, HTML_STATE_OVERDUE };
/* "on-track", "due-soon", "overdue". */
const char *html_state_class(enum html_state state);
/* "Đúng hạn", "Sắp đến hạn", "Quá hạn". */
const char *html_state_name(enum html_state state);

/*
 * Inline SVG: horizontal bars, one a row, each stacked from up to HTML_CHART_SERIES_MAX
 * series (e.g. on time and late), scaled to the largest total; each series has a name for the
 * legend and a class for its colour (html_state_class's, or "neutral"). The total is written at
 * the end of each bar. The SVG has role="img" and a <title>, and each segment a <title> with its
 * series, label and value, so the figures are readable without the picture.
 */
enum { HTML_CHART_SERIES_MAX = 4 };
struct html_chart_bar {
  const char *label;
  double values[HTML_CHART_SERIES_MAX];
};
struct html_chart {
  const char *title;
  const char *series_names[HTML_CHART_SERIES_MAX];
  const char *series_classes[HTML_CHART_SERIES_MAX];
  size_t series_count;
  const struct html_chart_bar *bars;
  size_t bar_count;
};
void html_bar_chart(struct buffer *buffer, const struct html_chart *chart);

#endif
