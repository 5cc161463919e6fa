/*
 * page_dossier.c: GET /dossiers/CODE, one dossier: the facts (with the applicant's personal
 * data, so the response names the dossier for the audit trail), the clock and its state, the
 * derivation of the statutory deadline as a timeline (the lines of `dunghen deadline --explain`,
 * computed again from the source's facts and the rules: core/deadline.h), the escalations
 * raised, and the letters with every draft, each a link to its PDF.
 *
 * 404 for a code that neither the clock nor the source knows; 403 for another agency's dossier.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "core/deadline.h"
#include "core/dossier.h"
#include "core/explanation.h"
#include "core/procedure.h"
#include "rules/ruleset.h"
#include "store/web_view.h"
#include "web/html.h"
#include "web/page_common.h"
#include "web/page_render.h"

static void fact(struct buffer *out, const char *term, const char *value) {
  buffer_add(out, "<dt>");
  html_text(out, term);
  buffer_add(out, "</dt><dd>");
  html_text(out, value != NULL && value[0] != '\0' ? value : "—");
  buffer_add(out, "</dd>\n");
}

static void fact_instant(struct buffer *out, const char *term, bool has, int64_t instant) {
  char text[PAGE_INSTANT_SIZE] = "";
  if (has)
    page_format_instant(instant, text);
  fact(out, term, text);
}

static const char *procedure_name(const struct web_request *request, const char *code) {
  const struct procedure *procedure =
      request->rules != NULL && code != NULL
          ? procedures_find(&request->rules->rules->procedures, code)
          : NULL;
  return procedure != NULL ? procedure->name : NULL;
}

static void render_facts(const struct web_request *request, const struct web_view_dossier *dossier,
                         struct buffer *out) {
  buffer_add(out, "<h2>Thông tin hồ sơ</h2>\n<dl class=\"facts\">\n");
  fact(out, "Mã hồ sơ", dossier->code);
  char procedure[600];
  const char *name = procedure_name(request, dossier->procedure_code);
  snprintf(procedure, sizeof procedure, "%s%s%s",
           dossier->procedure_code != NULL ? dossier->procedure_code : "",
           name != NULL ? " · " : "", name != NULL ? name : "");
  fact(out, "Thủ tục", procedure);
  fact(out, "Cơ quan giải quyết", page_agency_name(request, dossier->agency_code));
  if (dossier->has_source) {
    fact(out, "Kênh nộp", page_channel_name(dossier->channel));
    fact_instant(out, "Tiếp nhận", dossier->has_received, dossier->received_at);
    fact_instant(out, "Ngày hẹn trả (phiếu tiếp nhận)", dossier->has_appointment,
                 dossier->appointment_at);
    fact(out, "Người nộp", dossier->applicant_name);
    fact(out, "Số định danh", dossier->applicant_id);
    fact(out, "Địa chỉ", dossier->applicant_address);
    fact(out, "Trích yếu", dossier->summary);
    fact(out, "Trạng thái xử lý", page_status_name(dossier->status));
    fact_instant(out, "Ngày có kết quả", dossier->has_finished, dossier->finished_at);
    fact(out, "Lý do trễ hạn", dossier->delay_reason);
  }
  buffer_add(out, "</dl>\n");
  if (!dossier->has_source)
    buffer_add(out, "<p class=\"notice\">Hệ thống một cửa không còn liệt kê hồ sơ này; chỉ còn "
                    "thông tin dunghen đã ghi nhận.</p>\n");
}

static void render_clock(const struct web_request *request, const struct web_view_dossier *dossier,
                         struct buffer *out) {
  buffer_add(out, "<h2>Thời hạn</h2>\n");
  if (!dossier->has_clock) {
    buffer_add(out, "<p class=\"notice\">dunghen chưa tính thời hạn của hồ sơ này (lượt tính "
                    "tiếp theo sẽ ghi nhận).</p>\n");
    return;
  }
  const char *class_name = page_state_class(dossier->state);
  buffer_add(out, "<dl class=\"facts\">\n<dt>Trạng thái</dt><dd><span class=\"badge ");
  buffer_add(out, class_name[0] != '\0' ? class_name : "neutral");
  buffer_add(out, "\">");
  html_text(out, page_state_name(dossier->state));
  buffer_add(out, "</span></dd>\n");
  fact_instant(out, "Hạn giải quyết theo quy định", dossier->has_deadline, dossier->deadline);
  if (dossier->episode == 2) {
    fact_instant(out, "Đã hẹn lại lúc", dossier->has_rescheduled, dossier->rescheduled_at);
    fact_instant(out, "Ngày hẹn trả mới", dossier->has_new_deadline, dossier->new_deadline);
  }
  bool open = dossier->state != NULL && page_state_class(dossier->state)[0] != '\0';
  int64_t running = dossier->episode == 2 ? dossier->new_deadline : dossier->deadline;
  bool has_running = dossier->episode == 2 ? dossier->has_new_deadline : dossier->has_deadline;
  if (open && has_running && request->rules != NULL) {
    buffer_add(out, "<dt>Thời gian làm việc</dt><dd>");
    page_working_time(out, request->rules->rules->calendar, request->now, running);
    buffer_add(out, "</dd>\n");
  }
  if (dossier->state != NULL && strcmp(dossier->state, "paused") == 0)
    fact(out, "Thời gian", "dừng tính trong khi tạm dừng");
  if (dossier->flagged_reason != NULL)
    fact(out, "Dữ liệu nguồn không dùng được", dossier->flagged_reason);
  fact_instant(out, "Tính lúc", dossier->has_computed, dossier->computed_at);
  buffer_add(out, "</dl>\n");
}

static void render_timeline(const struct page_dossier_model *model, struct buffer *out) {
  buffer_add(out, "<h2>Cách tính hạn giải quyết</h2>\n");
  if (model->timeline == NULL || model->timeline->count == 0) {
    buffer_add(out, "<p class=\"notice\">");
    html_text(out, model->problem != NULL ? model->problem
                                          : "Không tính được hạn giải quyết của hồ sơ này.");
    buffer_add(out, "</p>\n");
    return;
  }
  buffer_add(out, "<ol class=\"timeline\">\n");
  for (size_t index = 0; index < model->timeline->count; index++) {
    buffer_add(out, "<li>");
    html_text(out, model->timeline->lines[index]);
    buffer_add(out, "</li>\n");
  }
  buffer_add(out, "</ol>\n");
  if (model->problem != NULL) {
    buffer_add(out, "<p class=\"notice\">");
    html_text(out, model->problem);
    buffer_add(out, "</p>\n");
  }
}

static void render_escalations(const struct web_view_dossier *dossier, struct buffer *out) {
  buffer_add(out, "<h2>Cảnh báo đã phát</h2>\n");
  if (dossier->escalation_count == 0) {
    buffer_add(out, "<p>Chưa có cảnh báo nào.</p>\n");
    return;
  }
  /* The reason the daemon stored is English (its log's language): the page says the same in
   * its columns instead. */
  buffer_add(out, "<table>\n<thead><tr><th>Mức</th><th>Đợt</th><th>Lúc</th><th>Gửi đến</th>"
                  "<th>Hạn áp dụng</th></tr></thead>\n<tbody>\n");
  for (size_t index = 0; index < dossier->escalation_count; index++) {
    const struct web_view_escalation *escalation = &dossier->escalations[index];
    char when[PAGE_INSTANT_SIZE];
    page_format_instant(escalation->raised_at, when);
    buffer_add(out, "<tr><td>");
    html_text(out, page_level_name(escalation->level));
    buffer_add_format(out, "</td><td class=\"number\">%d</td><td>", escalation->episode);
    html_text(out, when);
    buffer_add(out, "</td><td>");
    /* The roles, one by one in words. */
    const char *roles = escalation->recipients != NULL ? escalation->recipients : "";
    bool first = true;
    while (*roles != '\0') {
      size_t length = strcspn(roles, ",");
      char role[64];
      snprintf(role, sizeof role, "%.*s", (int)(length < sizeof role ? length : sizeof role - 1),
               roles);
      if (!first)
        buffer_add(out, ", ");
      html_text(out, page_role_name(role));
      first = false;
      roles += length;
      while (*roles == ',' || *roles == ' ')
        roles++;
    }
    buffer_add(out, "</td><td>");
    if (escalation->has_deadline) {
      char deadline[PAGE_INSTANT_SIZE];
      page_format_instant(escalation->deadline, deadline);
      buffer_add(out, escalation->episode == 2 ? "ngày hẹn mới " : "hạn giải quyết ");
      html_text(out, deadline);
    }
    buffer_add(out, "</td></tr>\n");
  }
  buffer_add(out, "</tbody>\n</table>\n");
}

static void render_letters(const struct web_view_dossier *dossier, struct buffer *out) {
  buffer_add(out, "<h2>Phiếu xin lỗi và hẹn lại ngày trả kết quả</h2>\n");
  if (dossier->letter_count == 0) {
    buffer_add(out, "<p>Chưa có phiếu nào.</p>\n");
    return;
  }
  for (size_t index = 0; index < dossier->letter_count; index++) {
    const struct web_view_letter *letter = &dossier->letters[index];
    char created[PAGE_INSTANT_SIZE], appointment[PAGE_INSTANT_SIZE] = "";
    page_format_instant(letter->created_at, created);
    if (letter->has_new_appointment)
      page_format_instant(letter->new_appointment_at, appointment);
    buffer_add_format(out, "<section class=\"letter\">\n<h3>Phiếu số %ld/%d</h3>\n", letter->number,
                      letter->year);
    buffer_add(out, "<dl class=\"facts\">\n");
    fact(out, "Lập lúc", created);
    fact(out, "Ngày hẹn trả mới", appointment);
    const char *state = letter->state == NULL                    ? ""
                        : strcmp(letter->state, "rendered") == 0 ? "Đã soạn, chờ ký"
                        : strcmp(letter->state, "pending") == 0  ? "Đang soạn"
                        : strcmp(letter->state, "failed") == 0   ? "Soạn thất bại"
                        : strcmp(letter->state, "signed") == 0 ? "Đã ký số (bản đã ký đã nhận lại)"
                                                               : letter->state;
    fact(out, "Tình trạng", state);
    if (letter->reason_missing)
      fact(out, "Lưu ý", "Phiếu chưa có lý do trễ hạn: người ký cần bổ sung trước khi ký.");
    buffer_add(out, "</dl>\n");
    if (letter->draft_count == 0) {
      buffer_add(out, "<p>Chưa có bản nào để tải.</p>\n</section>\n");
      continue;
    }
    buffer_add(out, "<ul class=\"drafts\">\n");
    for (size_t draft_index = 0; draft_index < letter->draft_count; draft_index++) {
      const struct web_view_letter_draft *draft = &letter->drafts[draft_index];
      buffer_add(out, "<li>");
      if (draft->stored)
        buffer_add_format(out, "<a href=\"/letters/%" PRId64 "/%" PRId64 ".pdf\">", letter->id,
                          draft->version);
      buffer_add_format(out, "Bản %" PRId64 "%s", draft->version,
                        draft->current ? " (hiện hành)" : "");
      if (draft->stored)
        buffer_add(out, " (PDF)</a>");
      if (draft->has_rendered) {
        char rendered[PAGE_INSTANT_SIZE];
        page_format_instant(draft->rendered_at, rendered);
        buffer_add(out, ", soạn lúc ");
        html_text(out, rendered);
      }
      if (draft->has_superseded) {
        char superseded[PAGE_INSTANT_SIZE];
        page_format_instant(draft->superseded_at, superseded);
        buffer_add(out, ", được thay lúc ");
        html_text(out, superseded);
      }
      if (!draft->stored)
        buffer_add(out, " — chưa có tệp trong cơ sở dữ liệu (dunghen letters import)");
      buffer_add(out, "</li>\n");
    }
    buffer_add(out, "</ul>\n</section>\n");
  }
}

void page_dossier_render(const struct web_request *request, const struct page_dossier_model *model,
                         struct buffer *out) {
  const struct web_view_dossier *dossier = model->dossier;
  buffer_add(out, "<p><a href=\"/dossiers\">« Danh sách hồ sơ</a></p>\n<h1>Hồ sơ ");
  html_text(out, dossier->code);
  buffer_add(out, "</h1>\n");
  render_facts(request, dossier, out);
  render_clock(request, dossier, out);
  render_timeline(model, out);
  render_escalations(dossier, out);
  render_letters(dossier, out);
}

/* The statutory deadline's derivation from the source's facts, as `dunghen deadline --explain
 * --procedure P --channel C --received R --pause ...` prints it. NULL when the derivation is
 * complete, else why it stops (the lines so far stay). */
static const char *derive(const struct web_request *request, const struct web_view_dossier *dossier,
                          struct explanation *explanation, char *problem, size_t size) {
  if (request->rules == NULL)
    return "Chưa nạp quy tắc.";
  if (!dossier->has_source || !dossier->has_received)
    return "Hệ thống một cửa không cho biết thời điểm tiếp nhận: không tính được hạn.";
  const struct procedure *procedure =
      dossier->procedure_code != NULL
          ? procedures_find(&request->rules->rules->procedures, dossier->procedure_code)
          : NULL;
  if (procedure == NULL) {
    snprintf(problem, size, "Danh mục thủ tục (procedures.yaml) không có mã '%s'.",
             dossier->procedure_code != NULL ? dossier->procedure_code : "");
    return problem;
  }
  enum channel channel = dossier_channel_from_text(dossier->channel);
  if (channel < 0)
    return "Kênh nộp của hồ sơ không rõ: không tính được hạn.";
  const struct procedure_version *version =
      procedure_version_at(procedure, civil_local_day(dossier->received_at));
  if (version == NULL)
    return "Thủ tục không có phiên bản quy định có hiệu lực vào ngày tiếp nhận.";
  struct pause_interval pauses[DOSSIER_MAX_PAUSES];
  size_t pause_count = 0;
  bool supplement = false;
  for (size_t index = 0; index < dossier->pause_count; index++) {
    const struct web_view_pause *pause = &dossier->pauses[index];
    if (pause_count == DOSSIER_MAX_PAUSES || !pause->has_from ||
        dossier_pause_kind_from_text(pause->kind) == PAUSE_KIND_UNKNOWN)
      return "Dữ liệu tạm dừng của hồ sơ không dùng được: không tính được hạn.";
    supplement = supplement || dossier_pause_kind_from_text(pause->kind) == PAUSE_SUPPLEMENT;
    pauses[pause_count++] =
        (struct pause_interval){pause->from, pause->has_to ? pause->to : PAUSE_OPEN};
  }
  struct deadline_request deadline_request;
  procedure_deadline_request(version, channel, dossier->received_at, pauses, pause_count,
                             supplement, &deadline_request);
  procedure_explain_version(explanation, procedure, version, channel);
  struct deadline_result result;
  struct error error = {0};
  if (deadline_compute(request->rules->rules->calendar, &deadline_request, &result, explanation,
                       &error) != STATUS_OK) {
    snprintf(problem, size, "Không tính được hạn: %s", error.message);
    return problem;
  }
  return NULL;
}

enum status web_page_dossier(const struct web_request *request, struct web_response *response,
                             struct error *error) {
  static const char prefix[] = "/dossiers/";
  const char *code = request->path + (strncmp(request->path, prefix, sizeof prefix - 1) == 0
                                          ? sizeof prefix - 1
                                          : strlen(request->path));
  if (code[0] == '\0' || strlen(code) >= WEB_NAME_SIZE)
    return page_refuse(request, response, 404, "Không có hồ sơ này.", error);
  struct web_view_dossier dossier;
  enum status status = web_view_read_dossier(request->connection, code, &dossier, error);
  if (status != STATUS_OK)
    return status;
  if (!dossier.found) {
    web_view_dossier_free(&dossier);
    return page_refuse(request, response, 404, "Không có hồ sơ này.", error);
  }
  if (!page_may_see(request, dossier.agency_code)) {
    web_view_dossier_free(&dossier);
    return page_refuse(request, response, 403,
                       "Hồ sơ này thuộc cơ quan khác: tài khoản này chỉ xem được hồ sơ của "
                       "cơ quan mình.",
                       error);
  }
  struct explanation timeline;
  explanation_init(&timeline);
  timeline.translation = page_translation();
  char problem[ERROR_LINE_SIZE + 64];
  struct page_dossier_model model = {.dossier = &dossier, .timeline = &timeline};
  model.problem = derive(request, &dossier, &timeline, problem, sizeof problem);
  snprintf(response->audited_dossier, sizeof response->audited_dossier, "%s", code);
  char title[WEB_NAME_SIZE + 16];
  snprintf(title, sizeof title, "Hồ sơ %s", code);
  page_begin(request, response, title, HTML_SECTION_DOSSIERS);
  page_dossier_render(request, &model, &response->body);
  status = page_end(response, error);
  explanation_free(&timeline);
  web_view_dossier_free(&dossier);
  return status;
}
