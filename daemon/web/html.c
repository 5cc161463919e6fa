/* html.c: escaping, the page frame, the stylesheet and SVG bar charts (web/html.h). */
#include "web/html.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

void html_text_length(struct buffer *buffer, const char *text, size_t length) {
  size_t start = 0;
  for (size_t index = 0; index < length; index++) {
    const char *entity;
    switch (text[index]) {
    case '&':
      entity = "&amp;";
      break;
    case '<':
      entity = "&lt;";
      break;
    case '>':
      entity = "&gt;";
      break;
    case '"':
      entity = "&quot;";
      break;
    case '\'':
      entity = "&#39;";
      break;
    default:
      continue;
    }
    buffer_append(buffer, text + start, index - start);
    buffer_add(buffer, entity);
    start = index + 1;
  }
  buffer_append(buffer, text + start, length - start);
}

void html_text(struct buffer *buffer, const char *text) {
  if (text != NULL)
    html_text_length(buffer, text, strlen(text));
}

void html_attribute(struct buffer *buffer, const char *text) {
  html_text(buffer, text);
}

void html_text_format(struct buffer *buffer, const char *format, ...) {
  char line[1024];
  va_list arguments;
  va_start(arguments, format);
  int length = vsnprintf(line, sizeof line, format, arguments);
  va_end(arguments);
  if (length < 0) {
    buffer->failed = true;
    return;
  }
  if ((size_t)length < sizeof line) {
    html_text_length(buffer, line, (size_t)length);
    return;
  }
  /* Longer than a line: format again into a buffer of its own. */
  struct buffer whole = {0};
  buffer_reserve(&whole, (size_t)length);
  if (!whole.failed) {
    va_start(arguments, format);
    vsnprintf(whole.data, (size_t)length + 1, format, arguments);
    va_end(arguments);
    whole.length = (size_t)length;
    html_text_length(buffer, whole.data, whole.length);
  } else {
    buffer->failed = true;
  }
  buffer_free(&whole);
}

void html_url_parameter(struct buffer *buffer, const char *text) {
  static const char digits[] = "0123456789ABCDEF";
  for (const unsigned char *byte = (const unsigned char *)text; *byte != '\0'; byte++) {
    if ((*byte >= 'A' && *byte <= 'Z') || (*byte >= 'a' && *byte <= 'z') ||
        (*byte >= '0' && *byte <= '9') || *byte == '-' || *byte == '.' || *byte == '_' ||
        *byte == '~') {
      buffer_append(buffer, byte, 1);
    } else {
      char encoded[3] = {'%', digits[*byte >> 4], digits[*byte & 15]};
      buffer_append(buffer, encoded, 3);
    }
  }
}

void html_count(struct buffer *buffer, int64_t count) {
  char digits[32];
  uint64_t magnitude = count < 0 ? (uint64_t)0 - (uint64_t)count : (uint64_t)count;
  int length = snprintf(digits, sizeof digits, "%" PRIu64, magnitude);
  if (count < 0)
    buffer_add(buffer, "-");
  for (int index = 0; index < length; index++) {
    if (index > 0 && (length - index) % 3 == 0)
      buffer_add(buffer, ".");
    buffer_append(buffer, digits + index, 1);
  }
}

static void begin_head(struct buffer *buffer, const char *title) {
  buffer_add(buffer, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>");
  if (title != NULL && title[0] != '\0') {
    html_text(buffer, title);
    buffer_add(buffer, " · ");
  }
  buffer_add(buffer, HTML_APP_NAME "</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n"
                                   "</head>\n<body>\n");
}

static const struct {
  enum html_section section;
  const char *path;
  const char *name;
} navigation[] = {
    {HTML_SECTION_OVERVIEW, "/", "Tổng quan"},
    {HTML_SECTION_DOSSIERS, "/dossiers", "Hồ sơ"},
    {HTML_SECTION_REPORT, "/report", "Báo cáo"},
    {HTML_SECTION_RULES, "/rules", "Quy tắc"},
};

void html_begin(struct buffer *buffer, const struct html_frame *frame) {
  begin_head(buffer, frame->title);
  buffer_add(buffer, "<header class=\"site\">\n<a class=\"brand\" href=\"/\">" HTML_APP_NAME
                     "</a>\n<nav aria-label=\"Chính\">\n<ul>\n");
  for (size_t index = 0; index < sizeof navigation / sizeof navigation[0]; index++) {
    buffer_add_format(buffer, "<li><a href=\"%s\"%s>%s</a></li>\n", navigation[index].path,
                      navigation[index].section == frame->active ? " aria-current=\"page\"" : "",
                      navigation[index].name);
  }
  buffer_add(buffer, "</ul>\n</nav>\n");
  if (frame->viewer != NULL) {
    buffer_add(buffer, "<div class=\"viewer\">\n<span class=\"viewer-name\">");
    html_text(buffer, frame->viewer->display_name != NULL && frame->viewer->display_name[0]
                          ? frame->viewer->display_name
                          : frame->viewer->user);
    buffer_add(buffer, "</span>\n<span class=\"viewer-agency\">");
    if (frame->agency_name != NULL)
      html_text(buffer, frame->agency_name);
    else if (frame->viewer->agency_code != NULL)
      html_text(buffer, frame->viewer->agency_code);
    else
      buffer_add(buffer, "Tất cả cơ quan");
    buffer_add(buffer, "</span>\n<form method=\"post\" action=\"/sign-out\">"
                       "<button type=\"submit\">Đăng xuất</button></form>\n</div>\n");
  }
  buffer_add(buffer, "</header>\n<main>\n");
}

void html_begin_plain(struct buffer *buffer, const char *title) {
  begin_head(buffer, title);
  buffer_add(buffer, "<header class=\"site\">\n<a class=\"brand\" href=\"/\">" HTML_APP_NAME
                     "</a>\n</header>\n<main>\n");
}

void html_end(struct buffer *buffer) {
  buffer_add(buffer, "</main>\n</body>\n</html>\n");
}

/* One literal longer than the 4095 characters ISO C guarantees: every compiler the project
 * builds with (gcc, clang) takes it, and one string is what /style.css serves. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
const char *html_stylesheet(void) {
  /* Green, orange and red as the one-stop systems colour on time, due soon and overdue; dark
   * enough for white text (WCAG AA), tinted for whole rows. Print drops the navigation and
   * keeps the colours, since a printed list is read for exactly those. */
  return ":root{--green:#2e7d32;--orange:#e65100;--red:#c62828;--ink:#1a1a1a;--line:#ccd;"
         "--head:#0d47a1;--t-green:#e8f5e9;--t-orange:#fff3e0;--t-red:#ffebee}\n"
         "*{box-sizing:border-box}\n"
         "body{margin:0;font:16px/1.45 \"Noto Sans\",\"Liberation Sans\",Arial,sans-serif;"
         "color:var(--ink);background:#fff}\n"
         "header.site{display:flex;flex-wrap:wrap;align-items:center;gap:0 1.5rem;"
         "padding:.5rem 1rem;background:var(--head);color:#fff}\n"
         "header.site a{color:#fff;text-decoration:none}\n"
         ".brand{font-weight:700;font-size:1.25rem}\n"
         "nav ul{display:flex;gap:.25rem;margin:0;padding:0;list-style:none}\n"
         "nav a{display:block;padding:.4rem .75rem;border-radius:4px}\n"

         "nav a[aria-current=page]{background:#fff;color:var(--head);font-weight:700}\n"
         ".viewer{margin-left:auto;display:flex;align-items:center;gap:.75rem;font-size:.9rem}\n"
         ".viewer-name{font-weight:700}\n"
         ".viewer form{margin:0}\n"
         "button,input,select{font:inherit}\n"
         "button{padding:.3rem .8rem;border:1px solid var(--head);border-radius:4px;"
         "background:#fff;color:var(--head)}\n"
         "main{padding:1rem;max-width:80rem;margin:0 auto}\n"
         "h1{font-size:1.5rem;margin:.5rem 0 1rem}\n"
         "h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\n"

         "table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}\n"
         "th,td{padding:.35rem .6rem;border-bottom:1px solid var(--line);text-align:left;"
         "vertical-align:top}\n"
         "th{background:#f1f3f8}\n"
         "td.number,th.number{text-align:right;font-variant-numeric:tabular-nums}\n"
         "tr.on-track td{background:var(--t-green)}\n"
         "tr.due-soon td{background:var(--t-orange)}\n"
         "tr.overdue td{background:var(--t-red)}\n"
         "tr.overdue td:first-child{box-shadow:inset 6px 0 var(--red)}\n"
         "tr.due-soon td:first-child{box-shadow:inset 6px 0 var(--orange)}\n"
         "tr.on-track td:first-child{box-shadow:inset 6px 0 var(--green)}\n"
         ".badge{display:inline-block;padding:.05rem .5rem;border-radius:3px;color:#fff;"
         "font-size:.85rem;font-weight:700;white-space:nowrap}\n"
         ".badge.on-track,.legend .on-track{background:var(--green)}\n"
         ".badge.due-soon,.legend .due-soon{background:var(--orange)}\n"
         ".badge.overdue,.legend .overdue{background:var(--red)}\n"
         ".badge.neutral,.legend .neutral{background:#546e7a}\n"
         ".count.on-track{color:var(--green)}\n"
         ".count.due-soon{color:var(--orange)}\n"
         ".count.overdue{color:var(--red)}\n"
         ".count{font-weight:700;font-size:1.2rem}\n"
         "form.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;"
         "padding:.75rem;background:#f1f3f8;border-radius:4px}\n"
         "form.filters label{display:flex;flex-direction:column;font-size:.85rem;max-width:100%}\n"
         "form.filters select{max-width:28rem}\n"
         ".table-scroll{overflow-x:auto}\n"
         "table.report,table.procedures{font-size:.85rem}\n"
         "table.report td:nth-child(2),table.procedures td:nth-child(2){min-width:14rem}\n"
         "table.procedures td.how{min-width:16rem}\n"
         "tbody th{background:none}td.when{white-space:nowrap}\n"
         "form.sign-in{display:grid;gap:.75rem;max-width:22rem}\n"
         ".error{padding:.75rem;border-left:6px solid var(--red);background:var(--t-red)}\n"
         "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}\n"
         "dl.facts dt{font-weight:700}\n"
         "dl.facts dd{margin:0}\n"
         "ol.timeline{list-style:none;margin:0;padding:0 0 0 1rem;border-left:3px solid "
         "var(--line)}\n"
         "ol.timeline li{margin:0 0 .5rem;padding-left:.5rem}\n"
         ".notice{padding:.75rem;border-left:6px solid var(--orange);background:"
         "var(--t-orange)}\n"
         ".pages{display:flex;gap:1rem;margin:1rem 0}\n"
         "svg.chart{max-width:100%;height:auto;font-size:13px}\n"
         ".chart .on-track{fill:var(--green)}.chart .due-soon{fill:var(--orange)}\n"
         ".chart .overdue{fill:var(--red)}.chart .neutral{fill:#546e7a}\n"
         ".legend{display:flex;gap:1rem;list-style:none;padding:0;font-size:.9rem}\n"
         ".legend span{display:inline-block;width:.9rem;height:.9rem;margin-right:.3rem;"
         "vertical-align:-.1rem}\n"

         ".months{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));"
         "gap:1rem}\n"
         ".month table{width:100%;font-size:.85rem}\n"
         ".month td,.month th{text-align:center;padding:.15rem}\n"
         ".month td.off{background:var(--t-red);color:var(--red);font-weight:700}\n"
         ".month td.worked{background:#e3f2fd;color:var(--head);font-weight:700}\n"
         ".legend .off{background:var(--t-red);outline:1px solid var(--red)}\n"
         ".legend .worked{background:#e3f2fd;outline:1px solid var(--head)}\n"
         ".month td.weekend{color:#888}\n"
         "@media print{header.site nav,.viewer form,form.filters,.pages{display:none}"
         "header.site{background:none;color:#000;border-bottom:2px solid #000}"
         "header.site a{color:#000}main{max-width:none;padding:0}"
         "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
         "a{color:inherit;text-decoration:none}}\n";
}

#pragma GCC diagnostic pop

const char *html_state_class(enum html_state state) {
  switch (state) {
  case HTML_STATE_DUE_SOON:
    return "due-soon";
  case HTML_STATE_OVERDUE:
    return "overdue";
  case HTML_STATE_ON_TRACK:
    break;
  }
  return "on-track";
}

const char *html_state_name(enum html_state state) {
  switch (state) {
  case HTML_STATE_DUE_SOON:
    return "Sắp đến hạn";
  case HTML_STATE_OVERDUE:
    return "Quá hạn";
  case HTML_STATE_ON_TRACK:
    break;
  }
  return "Đúng hạn";
}

/* A number as a chart writes it: whole numbers without decimals, others with one. */
static void chart_number(struct buffer *buffer, double value) {
  if (value == (double)(int64_t)value)
    html_count(buffer, (int64_t)value);
  else
    buffer_add_format(buffer, "%.1f", value);
}

/* A label cut to what the label column holds (CHART_LABEL_MAX characters, not bytes: the
 * Vietnamese letters take two or three), with "…" when cut; the whole label stays in the bar's
 * title. */
enum { CHART_LABEL_MAX = 48 };
static void chart_label(struct buffer *buffer, const char *label) {
  if (label == NULL)
    return;
  size_t characters = 0, index = 0;
  for (; label[index] != '\0'; index++) {
    if (((unsigned char)label[index] & 0xc0) != 0x80 && ++characters > CHART_LABEL_MAX)
      break;
  }
  html_text_length(buffer, label, index);
  if (label[index] != '\0')
    buffer_add(buffer, "…");
}

void html_bar_chart(struct buffer *buffer, const struct html_chart *chart) {
  enum { LABEL_WIDTH = 340, BAR_WIDTH = 480, TOTAL_WIDTH = 90, ROW_HEIGHT = 26, BAR_HEIGHT = 18 };
  size_t series_count =
      chart->series_count > HTML_CHART_SERIES_MAX ? HTML_CHART_SERIES_MAX : chart->series_count;
  double largest = 0;
  for (size_t bar = 0; bar < chart->bar_count; bar++) {
    double total = 0;
    for (size_t series = 0; series < series_count; series++)
      total += chart->bars[bar].values[series] > 0 ? chart->bars[bar].values[series] : 0;
    if (total > largest)
      largest = total;
  }
  int width = LABEL_WIDTH + BAR_WIDTH + TOTAL_WIDTH;
  int height = (int)chart->bar_count * ROW_HEIGHT + 4;
  buffer_add_format(buffer,
                    "<figure class=\"chart\">\n<svg class=\"chart\" role=\"img\" "
                    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                    "viewBox=\"0 0 %d %d\">\n<title>",
                    width, height, width, height);
  html_text(buffer, chart->title);
  buffer_add(buffer, "</title>\n");
  for (size_t bar = 0; bar < chart->bar_count; bar++) {
    int top = (int)bar * ROW_HEIGHT + 2;
    buffer_add_format(buffer,
                      "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" dominant-baseline=\"middle\">",
                      LABEL_WIDTH - 8, top + BAR_HEIGHT / 2);
    chart_label(buffer, chart->bars[bar].label);
    buffer_add(buffer, "</text>\n");
    double x = LABEL_WIDTH, total = 0;
    for (size_t series = 0; series < series_count; series++) {
      double value = chart->bars[bar].values[series];
      if (!(value > 0))
        continue;
      total += value;
      double segment = largest > 0 ? value / largest * BAR_WIDTH : 0;
      buffer_add_format(buffer,
                        "<rect class=\"%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\">"
                        "<title>",
                        chart->series_classes[series] != NULL ? chart->series_classes[series]
                                                              : "neutral",
                        x, top, segment, (int)BAR_HEIGHT);
      html_text(buffer, chart->bars[bar].label);
      buffer_add(buffer, " · ");
      html_text(buffer, chart->series_names[series]);
      buffer_add(buffer, ": ");
      chart_number(buffer, value);
      buffer_add(buffer, "</title></rect>\n");
      x += segment;
    }
    buffer_add_format(buffer, "<text x=\"%.1f\" y=\"%d\" dominant-baseline=\"middle\">", x + 6,
                      top + BAR_HEIGHT / 2);
    chart_number(buffer, total);
    buffer_add(buffer, "</text>\n");
  }
  buffer_add(buffer, "</svg>\n<figcaption><ul class=\"legend\">\n");
  for (size_t series = 0; series < series_count; series++) {
    buffer_add(buffer, "<li><span class=\"");
    html_attribute(buffer, chart->series_classes[series] != NULL ? chart->series_classes[series]
                                                                 : "neutral");
    buffer_add(buffer, "\"></span>");
    html_text(buffer, chart->series_names[series]);
    buffer_add(buffer, "</li>\n");
  }
  buffer_add(buffer, "</ul></figcaption>\n</figure>\n");
}
