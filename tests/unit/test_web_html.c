/*
 * The HTML every page shares (web/html.c): escaping of every special character in text and
 * attributes, the frame's navigation with its active item, the viewer line and the sign-out
 * form, the plain frame without navigation, the thousands separator, and the SVG chart's bars
 * with escaped labels.
 */
#include <string.h>

#include "tap.h"
#include "web/html.h"

static void check_escaping(void) {
  struct buffer buffer = {0};
  html_text(&buffer, "<script>alert('x')</script> & \"y\"");
  tap_is_string(buffer.data, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;",
                "text escapes < > & \" '");
  buffer_reset(&buffer);
  html_attribute(&buffer, "a\"b'c<d");
  tap_is_string(buffer.data, "a&quot;b&#39;c&lt;d", "an attribute value cannot end its quotes");
  buffer_reset(&buffer);
  html_text(&buffer, "Nguyễn Văn Ánh");
  tap_is_string(buffer.data, "Nguyễn Văn Ánh", "Vietnamese text passes unchanged");
  buffer_reset(&buffer);
  html_text_format(&buffer, "%s=%d", "<b>", 5);
  tap_is_string(buffer.data, "&lt;b&gt;=5", "a formatted value is escaped");
  buffer_reset(&buffer);
  html_url_parameter(&buffer, "Hồ sơ&x=1 <");
  tap_is_string(buffer.data, "H%E1%BB%93%20s%C6%A1%26x%3D1%20%3C",
                "a URL parameter is percent-encoded");
  buffer_reset(&buffer);
  html_count(&buffer, 1234567);
  buffer_add(&buffer, " ");
  html_count(&buffer, 999);
  buffer_add(&buffer, " ");
  html_count(&buffer, -1000);
  tap_is_string(buffer.data, "1.234.567 999 -1.000", "counts take the Vietnamese separator");
  buffer_free(&buffer);
}

static void check_frame(void) {
  struct web_viewer viewer = {.user = "lan", .display_name = "<Lan>", .agency_code = "SO-TP"};
  struct html_frame frame = {.title = "Hồ sơ <1>",
                             .active = HTML_SECTION_DOSSIERS,
                             .viewer = &viewer,
                             .agency_name = "Sở Tư pháp"};
  struct buffer buffer = {0};
  html_begin(&buffer, &frame);
  html_end(&buffer);
  tap_contains(buffer.data, "<!DOCTYPE html>\n<html lang=\"vi\">", "doctype and language");
  tap_contains(buffer.data, "<title>Hồ sơ &lt;1&gt; · Đúng hẹn</title>", "escaped title");
  tap_contains(buffer.data, "<link rel=\"stylesheet\" href=\"/style.css\">", "stylesheet");
  tap_contains(buffer.data, "<li><a href=\"/dossiers\" aria-current=\"page\">Hồ sơ</a></li>",
               "the active section is marked");
  tap_contains(buffer.data, "<li><a href=\"/\">Tổng quan</a></li>", "others are not");
  tap_contains(buffer.data, "<li><a href=\"/report\">Báo cáo</a></li>", "report link");
  tap_contains(buffer.data, "<li><a href=\"/rules\">Quy tắc</a></li>", "rules link");
  tap_contains(buffer.data, "<span class=\"viewer-name\">&lt;Lan&gt;</span>",
               "the viewer's name, escaped");
  tap_contains(buffer.data, "<span class=\"viewer-agency\">Sở Tư pháp</span>", "agency name");
  tap_contains(buffer.data, "<form method=\"post\" action=\"/sign-out\">", "sign-out form");
  tap_ok(strstr(buffer.data, "</main>\n</body>\n</html>\n") != NULL, "the end closes the page");
  buffer_reset(&buffer);
  viewer.agency_code = NULL;
  frame.agency_name = NULL;
  html_begin(&buffer, &frame);
  tap_contains(buffer.data, "<span class=\"viewer-agency\">Tất cả cơ quan</span>",
               "a provincial viewer sees every agency");
  buffer_reset(&buffer);
  html_begin_plain(&buffer, "Đăng nhập");
  tap_ok(strstr(buffer.data, "<nav") == NULL && strstr(buffer.data, "sign-out") == NULL,
         "the plain frame has no navigation and no sign-out");
  tap_contains(buffer.data, "<title>Đăng nhập · Đúng hẹn</title>", "plain frame's title");
  buffer_free(&buffer);
}

static void check_states_and_chart(void) {
  tap_is_string(html_state_class(HTML_STATE_OVERDUE), "overdue", "overdue class");
  tap_is_string(html_state_class(HTML_STATE_DUE_SOON), "due-soon", "due-soon class");
  tap_is_string(html_state_class(HTML_STATE_ON_TRACK), "on-track", "on-track class");
  tap_contains(html_stylesheet(), "tr.overdue td{background:var(--t-red)}",
               "the stylesheet colours an overdue row");
  tap_contains(html_stylesheet(), "--red:#c62828", "the red of overdue");
  struct html_chart_bar bars[] = {{.label = "<script>", .values = {3, 1}},
                                  {.label = "B", .values = {6, 0}}};
  struct html_chart chart = {.title = "Tỷ lệ",
                             .series_names = {"Đúng hạn", "Quá hạn"},
                             .series_classes = {"on-track", "overdue"},
                             .series_count = 2,
                             .bars = bars,
                             .bar_count = 2};
  struct buffer buffer = {0};
  html_bar_chart(&buffer, &chart);
  tap_ok(strstr(buffer.data, "<script>") == NULL, "no label reaches the SVG unescaped");
  tap_contains(buffer.data, "&lt;script&gt;</text>", "the label is escaped");
  tap_contains(buffer.data,
               "<rect class=\"on-track\" x=\"340.0\" y=\"2\" width=\"240.0\" height=\"18\">",
               "bars scale to the largest total (4 of 6 -> 3 is half the width)");
  tap_contains(buffer.data,
               "<rect class=\"on-track\" x=\"340.0\" y=\"28\" width=\"480.0\" height=\"18\">",
               "the largest bar fills the width");
  tap_contains(buffer.data, "<title>B · Đúng hạn: 6</title>", "each segment names its value");
  tap_contains(buffer.data, "<li><span class=\"overdue\"></span>Quá hạn</li>", "legend");
  buffer_free(&buffer);
}

int main(void) {
  check_escaping();
  check_frame();
  check_states_and_chart();
  return tap_finish();
}
