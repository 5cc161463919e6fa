/*
 * page_pending.c: TEMPORARY, while the pages (web/page_*.c, branch web-pages) are being
 * written: each handler whose file is not in this tree yet (daemon/web/meson.build defines
 * WEB_PAGE_PENDING_NAME for it) answers 503 with a page saying so, so that the server, sign-in,
 * sessions and their tests work meanwhile. It is compiled only for the missing pages, and this
 * file goes once all six exist.
 */
#include "web/html.h"
#include "web/page.h"

static enum status pending(const char *title, struct web_response *response) {
  response->status = 503;
  html_begin_plain(&response->body, title);
  buffer_add(&response->body, "<h1>");
  html_text(&response->body, title);
  buffer_add(&response->body,
             "</h1>\n<p>Trang này chưa có trong bản dựng này (page not built yet).</p>\n");
  html_end(&response->body);
  return STATUS_OK;
}

#ifdef WEB_PAGE_PENDING_OVERVIEW
enum status web_page_overview(const struct web_request *request, struct web_response *response,
                              struct error *error) {
  return pending("Tổng quan", response);
}
#endif
#ifdef WEB_PAGE_PENDING_DOSSIERS
enum status web_page_dossiers(const struct web_request *request, struct web_response *response,
                              struct error *error) {
  return pending("Hồ sơ", response);
}
#endif
#ifdef WEB_PAGE_PENDING_DOSSIER
enum status web_page_dossier(const struct web_request *request, struct web_response *response,
                             struct error *error) {
  return pending("Hồ sơ", response);
}
#endif
#ifdef WEB_PAGE_PENDING_LETTER
enum status web_page_letter(const struct web_request *request, struct web_response *response,
                            struct error *error) {
  return pending("Thư xin lỗi", response);
}
#endif
#ifdef WEB_PAGE_PENDING_REPORT
enum status web_page_report(const struct web_request *request, struct web_response *response,
                            struct error *error) {
  return pending("Báo cáo", response);
}
#endif
#ifdef WEB_PAGE_PENDING_RULES
enum status web_page_rules(const struct web_request *request, struct web_response *response,
                           struct error *error) {
  return pending("Quy tắc", response);
}
#endif
