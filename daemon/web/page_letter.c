/*
 * page_letter.c: GET /letters/ID/VERSION.pdf, one draft of an apology letter, its bytes read
 * from the database and checked against the sha256 recorded with the draft
 * (store/letter_pdf.h). The path is parsed strictly: two positive decimal numbers without
 * leading zeros or signs and the `.pdf` suffix, or 404, so no other path can reach a file or a
 * row. 403 for a letter of another agency; the response names the letter for the audit trail.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/letter_pdf.h"
#include "store/web_view.h"
#include "web/page_common.h"

/* A positive decimal number of at most `digits` digits at *text, advancing past it. */
static bool parse_number(const char **text, int digits, int64_t *value) {
  const char *start = *text;
  if (*start < '1' || *start > '9')
    return false;
  int64_t number = 0;
  int count = 0;
  for (; isdigit((unsigned char)**text); (*text)++) {
    if (++count > digits)
      return false;
    number = number * 10 + (**text - '0');
  }
  *value = number;
  return true;
}

/* "/letters/ID/VERSION.pdf" exactly. */
static bool parse_path(const char *path, int64_t *letter_id, int64_t *version) {
  static const char prefix[] = "/letters/";
  if (strncmp(path, prefix, sizeof prefix - 1) != 0)
    return false;
  const char *cursor = path + sizeof prefix - 1;
  if (!parse_number(&cursor, 18, letter_id) || *cursor++ != '/')
    return false;
  if (!parse_number(&cursor, 9, version))
    return false;
  return strcmp(cursor, ".pdf") == 0;
}

enum status web_page_letter(const struct web_request *request, struct web_response *response,
                            struct error *error) {
  int64_t letter_id, version;
  if (!parse_path(request->path, &letter_id, &version))
    return page_refuse(request, response, 404, "Không có phiếu này.", error);
  struct web_view_draft draft;
  enum status status = web_view_read_draft(request->connection, letter_id, version, &draft, error);
  if (status != STATUS_OK)
    return status;
  if (!draft.found || !draft.stored) {
    web_view_draft_free(&draft);
    return page_refuse(request, response, 404, "Không có phiếu này.", error);
  }
  if (!page_may_see(request, draft.agency_code)) {
    web_view_draft_free(&draft);
    return page_refuse(request, response, 403,
                       "Phiếu này thuộc cơ quan khác: tài khoản này chỉ xem được phiếu của cơ "
                       "quan mình.",
                       error);
  }
  struct letter_draft checked = {
      .letter_id = draft.letter_id,
      .version = draft.version,
      .dossier_code = draft.dossier_code,
      .agency_code = draft.agency_code,
      .year = draft.year,
      .number = draft.number,
      .sha256 = draft.sha256,
      .bytes = draft.bytes,
      .stored = draft.stored,
  };
  unsigned char *pdf = NULL;
  size_t size = 0;
  status = letter_pdf_read(request->connection, &checked, &pdf, &size, error);
  if (status == STATUS_OK) {
    response->status = 200;
    response->content_type = "application/pdf";
    buffer_reset(&response->body);
    buffer_append(&response->body, pdf, size);
    /* The name an official files it under: agency, year, number, version (all plain ASCII
     * when the agency code is; anything else becomes '_'). */
    snprintf(response->filename, sizeof response->filename,
             "phieu-xin-loi-%s-%d-%ld-v%" PRId64 ".pdf",
             draft.agency_code != NULL ? draft.agency_code : "", draft.year, draft.number,
             draft.version);
    for (char *character = response->filename; *character != '\0'; character++)
      if (!isalnum((unsigned char)*character) && *character != '-' && *character != '.' &&
          *character != '_')
        *character = '_';
    snprintf(response->audited_dossier, sizeof response->audited_dossier, "%s",
             draft.dossier_code != NULL ? draft.dossier_code : "");
    response->audited_letter_id = draft.letter_id;
    response->audited_letter_version = draft.version;
    if (response->body.failed)
      status = error_set(error, STATUS_RUNTIME, "out of memory for a letter");
  }
  free(pdf);
  web_view_draft_free(&draft);
  return status;
}
