/* page_common.c: words, dates, working time, access and frames the pages share (page_common.h). */
#include "web/page_common.h"

#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "rules/ruleset.h"
#include "rules/translate.h"

struct word {
  const char *key;
  const char *name;
  const char *class_name;
};

// clang-format off
static const struct word states[] = {
    {"on_track", "Trong hạn", "on-track"},
    {"due_soon", "Sắp đến hạn", "due-soon"},
    {"overdue", "Quá hạn", "overdue"},
    {"rescheduled", "Đã hẹn lại", "overdue"},
    {"overdue_again", "Trễ hẹn lại", "overdue"},
    {"paused", "Tạm dừng", ""},
    {"finished_early", "Đã giải quyết trước hạn", ""},
    {"finished_on_time", "Đã giải quyết đúng hạn", ""},
    {"finished_late", "Đã giải quyết trễ hạn", ""},
    {"closed", "Rút, từ chối", ""},
    {"flagged", "Chưa phân loại (dữ liệu lỗi)", ""},
    {NULL, NULL, NULL},
};
static const struct word channels[] = {
    {"direct", "Trực tiếp", NULL},
    {"online", "Trực tuyến", NULL},
    {"postal", "Bưu chính", NULL},
    {NULL, NULL, NULL},
};
static const struct word statuses[] = {
    {"processing", "Đang xử lý", NULL},
    {"waiting_supplement", "Chờ bổ sung", NULL},
    {"paused", "Tạm dừng", NULL},
    {"finished", "Đã có kết quả", NULL},
    {"withdrawn", "Đã rút", NULL},
    {"rejected", "Từ chối", NULL},
    {NULL, NULL, NULL},
};
static const struct word levels[] = {
    {"due_soon", "Sắp đến hạn", NULL},
    {"apology", "Phiếu xin lỗi", NULL},
    {"overdue", "Quá hạn", NULL},
    {"long_overdue", "Quá hạn kéo dài", NULL},
    {"overdue_again", "Trễ hẹn lại", NULL},
    {NULL, NULL, NULL},
};
static const struct word roles[] = {
    {"handling_agency", "Cơ quan giải quyết", NULL},
    {"agency_head", "Thủ trưởng cơ quan", NULL},
    {"signer", "Người ký phiếu", NULL},
    {"one_stop_unit", "Bộ phận Một cửa", NULL},
    {"provincial_office", "Văn phòng UBND tỉnh", NULL},
    {"applicant", "Người nộp hồ sơ", NULL},
    {NULL, NULL, NULL},
};
// clang-format on

static const struct word *find_word(const struct word *words, const char *key) {
  for (; key != NULL && words->key != NULL; words++)
    if (strcmp(words->key, key) == 0)
      return words;
  return NULL;
}

const char *page_state_name(const char *state) {
  const struct word *word = find_word(states, state);
  return word != NULL ? word->name : state != NULL ? state : "";
}

const char *page_state_class(const char *state) {
  const struct word *word = find_word(states, state);
  return word != NULL ? word->class_name : "";
}

const char *page_channel_name(const char *channel) {
  const struct word *word = find_word(channels, channel);
  return word != NULL ? word->name : channel != NULL ? channel : "Không rõ";
}

const char *page_status_name(const char *status) {
  const struct word *word = find_word(statuses, status);
  return word != NULL ? word->name : status != NULL ? status : "Không rõ";
}

const char *page_level_name(const char *level) {
  const struct word *word = find_word(levels, level);
  return word != NULL ? word->name : level != NULL ? level : "";
}

const char *page_role_name(const char *role) {
  const struct word *word = find_word(roles, role);
  return word != NULL ? word->name : role != NULL ? role : "";
}

void page_format_day(int64_t day, char text[PAGE_DAY_SIZE]) {
  struct civil_date date = civil_date_from_days(day);
  snprintf(text, PAGE_DAY_SIZE, "%02d/%02d/%04d", date.day % 100, date.month % 100,
           date.year % 10000);
}

void page_format_instant(int64_t instant, char text[PAGE_INSTANT_SIZE]) {
  char day[PAGE_DAY_SIZE];
  page_format_day(civil_local_day(instant), day);
  int second = civil_local_second_of_day(instant);
  snprintf(text, PAGE_INSTANT_SIZE, "%s %02d:%02d", day, second / 3600, second / 60 % 60);
}

/* The working seconds of an ordinary working day (8 hours by default). */
static int64_t day_length(const struct calendar *calendar) {
  const struct working_hours *hours = calendar_hours(calendar);
  int64_t seconds = 0;
  for (int index = 0; index < hours->count; index++)
    seconds += hours->intervals[index].end - hours->intervals[index].start;
  return seconds > 0 ? seconds : 8 * 3600;
}

void page_working_amount(struct buffer *buffer, const struct calendar *calendar, int64_t seconds) {
  int64_t length = day_length(calendar);
  int64_t days = seconds / length, rest = seconds % length;
  int64_t hours = rest / 3600, minutes = rest % 3600 / 60;
  if (days > 0) {
    buffer_add_format(buffer, "%lld ngày", (long long)days);
    if (hours > 0)
      buffer_add_format(buffer, " %lld giờ", (long long)hours);
  } else if (hours > 0) {
    buffer_add_format(buffer, "%lld giờ", (long long)hours);
    if (minutes > 0)
      buffer_add_format(buffer, " %lld phút", (long long)minutes);
  } else {
    buffer_add_format(buffer, "%lld phút", (long long)minutes);
  }
  buffer_add(buffer, " làm việc");
}

void page_working_time(struct buffer *buffer, const struct calendar *calendar, int64_t now,
                       int64_t deadline) {
  if (deadline >= now) {
    buffer_add(buffer, "còn ");
    page_working_amount(buffer, calendar,
                        calendar_working_seconds_between(calendar, now, deadline));
  } else {
    buffer_add(buffer, "quá ");
    page_working_amount(buffer, calendar,
                        calendar_working_seconds_between(calendar, deadline, now));
  }
}

bool page_may_see(const struct web_request *request, const char *agency_code) {
  const char *own = request->viewer != NULL ? request->viewer->agency_code : NULL;
  if (own == NULL)
    return true;
  return agency_code != NULL && strcmp(own, agency_code) == 0;
}

const char *page_agency_name(const struct web_request *request, const char *agency_code) {
  if (agency_code == NULL)
    return "(không rõ cơ quan)";
  const struct agency *agency =
      request->rules != NULL ? agencies_find(&request->rules->agencies, agency_code) : NULL;
  return agency != NULL ? agency->name : agency_code;
}

void page_begin(const struct web_request *request, struct web_response *response, const char *title,
                enum html_section section) {
  response->status = 200;
  response->content_type = "text/html; charset=utf-8";
  const char *agency = request->viewer != NULL ? request->viewer->agency_code : NULL;
  struct html_frame frame = {
      .title = title,
      .active = section,
      .viewer = request->viewer,
      .agency_name = agency != NULL ? page_agency_name(request, agency) : NULL,
  };
  html_begin(&response->body, &frame);
}

enum status page_end(struct web_response *response, struct error *error) {
  html_end(&response->body);
  if (response->body.failed)
    return error_set(error, STATUS_RUNTIME, "out of memory for a page");
  return STATUS_OK;
}

enum status page_refuse(const struct web_request *request, struct web_response *response,
                        int status, const char *message, struct error *error) {
  const char *title = status == 404   ? "Không tìm thấy"
                      : status == 403 ? "Không có quyền xem"
                                      : "Yêu cầu không hợp lệ";
  buffer_reset(&response->body);
  response->filename[0] = '\0';
  response->audited_dossier[0] = '\0';
  response->audited_letter_id = 0;
  response->audited_letter_version = 0;
  page_begin(request, response, title, HTML_SECTION_NONE);
  response->status = status;
  buffer_add(&response->body, "<h1>");
  html_text(&response->body, title);
  buffer_add(&response->body, "</h1>\n<p>");
  html_text(&response->body, message);
  buffer_add(&response->body, "</p>\n<p><a href=\"/\">Về trang tổng quan</a></p>\n");
  return page_end(response, error);
}

static const char *translate_text(const char *message) {
  return *message == '\0' ? message : _(message);
}

static const char *translate_plural(const char *singular, const char *plural, unsigned long count) {
  return dngettext(DUNGHEN_GETTEXT_PACKAGE, singular, plural, count);
}

static const struct translation catalogue = {translate_text, translate_plural};

const struct translation *page_translation(void) {
  return &catalogue;
}
