#include "demo/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "core/civil.h"
#include "core/deadline.h"
#include "core/procedure.h"

/* splitmix64: tiny, fast, and the same sequence everywhere, so --seed is repeatable. */
struct random {
  uint64_t state;
};

static uint64_t random_next(struct random *random) {
  uint64_t z = (random->state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static uint64_t random_below(struct random *random, uint64_t bound) {
  return bound ? random_next(random) % bound : 0;
}

/* A whole percentage chance. */
static bool random_chance(struct random *random, unsigned percent) {
  return random_below(random, 100) < percent;
}

#define PICK(random, list) ((list)[random_below((random), sizeof(list) / sizeof((list)[0]))])

/* Family names weighted roughly as in the population: Nguyễn appears about four times in ten. */
static const char *const family_names[] = {
    "Nguyễn", "Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần",  "Lê",   "Lê",
    "Phạm",   "Hoàng",  "Huỳnh",  "Phan",   "Vũ",   "Võ",    "Đặng", "Bùi",
    "Đỗ",     "Hồ",     "Ngô",    "Dương",  "Lý",   "H'Nie", "Y",
};
static const char *const middle_names[] = {"Văn",   "Thị",     "Hữu",      "Đức",   "Minh",
                                           "Thanh", "Ngọc",    "Quang",    "Thu",   "Hoài",
                                           "Xuân",  "Thị Kim", "Văn Quốc", "Thị Mỹ"};
static const char *const given_names[] = {
    "An",    "Bình",   "Châu", "Dũng",  "Hà",   "Hải", "Hạnh", "Hiếu",  "Hoa",  "Hùng",
    "Hương", "Khánh",  "Lan",  "Linh",  "Long", "Mai", "Minh", "Nam",   "Ngân", "Nhung",
    "Phúc",  "Phương", "Quân", "Quỳnh", "Sơn",  "Tâm", "Thảo", "Thắng", "Thủy", "Trang",
    "Trung", "Tuấn",   "Vân",  "Việt",  "Yến",  "Đạt", "Ánh",  "Ngọc",  "Kiên", "Ê Ban",
};
static const char *const company_kinds[] = {"Công ty TNHH", "Công ty cổ phần", "Hợp tác xã",
                                            "Công ty TNHH một thành viên"};
static const char *const company_trades[] = {
    "Cà phê", "Thương mại Dịch vụ", "Xây dựng", "Nông sản", "Vận tải", "Du lịch", "Dược phẩm"};
static const char *const company_names[] = {"Tây Nguyên",   "Ban Mê",   "Hòa Phát Đạt", "Krông Ana",
                                            "Phú Yên Xanh", "Đại Ngàn", "Lạc Giao"};
static const char *const streets[] = {
    "Lê Duẩn",  "Nguyễn Tất Thành", "Phan Bội Châu", "Y Jút",          "Hùng Vương",
    "Trần Phú", "Giải Phóng",       "Hai Bà Trưng",  "Lý Thường Kiệt", "Ngô Quyền"};
/* Communes and wards of Đắk Lắk after the July 2025 reorganisation (sample data). */
static const char *const communes[] = {
    "phường Buôn Ma Thuột", "phường Tân An", "phường Tân Lập",
    "phường Thành Nhất",    "phường Ea Kao", "phường Tuy Hòa",
    "phường Bình Kiến",     "xã Hòa Phú",    "xã Ea Kar",
    "xã Krông Pắc",         "xã Cư M'gar",   "xã Buôn Đôn",
};
/* As officials type them: most without a final full stop, some with one, one of two sentences
 * (the letter must end each as one sentence, never with two full stops). A reason names the
 * fields it fits (separated by '|'), or none for any field: a letter about a birth certificate
 * that blames the origin of land use would not be signed. */
struct delay_reason {
  const char *text;
  const char *fields; /* NULL: any field */
};
static const struct delay_reason delay_reasons[] = {
    {"Hồ sơ cần xác minh thêm thông tin tại địa phương nơi cư trú trước đây của người nộp",
     "hộ tịch|cư trú|tư pháp - chứng thực|người có công"},
    {"Đang chờ kết quả phối hợp từ cơ quan có liên quan", NULL},
    {"Hệ thống phần mềm chuyên ngành gặp sự cố kỹ thuật trong thời gian xử lý", NULL},
    {"Cán bộ thụ lý phải kiểm tra thực địa theo quy định",
     "đất đai|xây dựng|môi trường|tài nguyên nước|giao thông|công thương"},
    {"Cần lấy ý kiến của Ủy ban nhân dân xã nơi có đất về nguồn gốc sử dụng đất.", "đất đai"},
    {"Cơ quan phối hợp chưa gửi văn bản trả lời. Hồ sơ phải chờ ý kiến bằng văn bản.", NULL},
};
enum { DELAY_REASON_COUNT = sizeof delay_reasons / sizeof delay_reasons[0] };

/* Whether `field` is one of the '|'-separated `fields`. */
static bool field_listed(const char *fields, const char *field) {
  size_t length = strlen(field);
  for (const char *start = fields; start != NULL;) {
    const char *end = strchr(start, '|');
    size_t span = end != NULL ? (size_t)(end - start) : strlen(start);
    if (span == length && memcmp(start, field, length) == 0)
      return true;
    start = end != NULL ? end + 1 : NULL;
  }
  return false;
}

/* A delay reason that fits the procedure's field. */
static const char *pick_reason(struct random *random, const char *field) {
  const char *fitting[DELAY_REASON_COUNT];
  size_t count = 0;
  for (size_t i = 0; i < DELAY_REASON_COUNT; i++) {
    const struct delay_reason *reason = &delay_reasons[i];
    if (reason->fields == NULL || (field != NULL && field_listed(reason->fields, field)))
      fitting[count++] = reason->text;
  }
  return fitting[random_below(random, count)];
}

/* Copies text, cutting at a character boundary: a cut UTF-8 sequence is invalid text. */
static void copy_text(char *destination, size_t size, const char *source) {
  size_t length = strlen(source);
  if (length >= size) {
    length = size - 1;
    while (length > 0 && ((unsigned char)source[length] & 0xC0) == 0x80)
      length--;
  }
  memcpy(destination, source, length);
  destination[length] = '\0';
}

static void make_person(struct random *random, struct scenario_dossier *dossier) {
  const char *family = PICK(random, family_names);
  const char *middle = PICK(random, middle_names);
  const char *given = PICK(random, given_names);
  snprintf(dossier->applicant_name, sizeof dossier->applicant_name, "%s %s %s", family, middle,
           given);
  /* Citizen ID: province of birth (066 Đắk Lắk, 054 Phú Yên), century and sex, birth year, serial
   */
  unsigned province = random_chance(random, 75) ? 66 : 54;
  unsigned sex_century = (unsigned)random_below(random, 2);
  unsigned year = 50 + (unsigned)random_below(random, 50);
  snprintf(dossier->applicant_id, sizeof dossier->applicant_id, "%03u%u%02u%06u", province,
           sex_century, year, (unsigned)random_below(random, 1000000));
}

static void make_company(struct random *random, struct scenario_dossier *dossier) {
  snprintf(dossier->applicant_name, sizeof dossier->applicant_name, "%s %s %s",
           PICK(random, company_kinds), PICK(random, company_trades), PICK(random, company_names));
  snprintf(dossier->applicant_id, sizeof dossier->applicant_id, "60%08u",
           (unsigned)random_below(random, 100000000));
}

static void make_applicant(struct random *random, struct scenario_dossier *dossier) {
  if (random_chance(random, 12))
    make_company(random, dossier);
  else
    make_person(random, dossier);
  snprintf(dossier->applicant_address, sizeof dossier->applicant_address,
           "Số %u đường %s, %s, tỉnh Đắk Lắk", 1 + (unsigned)random_below(random, 250),
           PICK(random, streets), PICK(random, communes));
}

/* Mostly inside working hours; some evening and weekend receipts through the online portal. */
static int64_t make_receipt(struct random *random, const struct calendar *calendar,
                            int64_t first_day, int days, enum channel channel) {
  int64_t day = first_day + (int64_t)random_below(random, (uint64_t)(days * 4 / 5 + 1));
  bool outside = channel == CHANNEL_ONLINE && random_chance(random, 25);
  if (!outside) {
    day = calendar_next_working_day(calendar, day);
    int minute = (int)random_below(random, 8 * 60);
    int second_of_day =
        minute < 270 ? 7 * 3600 + minute * 60 : 13 * 3600 + 1800 + (minute - 270) * 60;
    return civil_instant_from_local(day, second_of_day);
  }
  int second_of_day = (int)(17 * 3600 + random_below(random, 6 * 3600));
  return civil_instant_from_local(day, second_of_day);
}

/* A random whole minute of working time in [from, until) on the rules' calendar (its working
 * days and hours), or SCENARIO_NEVER when there is none: officials act only at the office. */
static int64_t random_working_instant(struct random *random, const struct calendar *calendar,
                                      int64_t from, int64_t until) {
  from = (from + 59) / 60 * 60;
  int64_t start = calendar_next_opening(calendar, from);
  if (start < 0 || start >= until)
    return SCENARIO_NEVER;
  int64_t minutes = calendar_working_seconds_between(calendar, start, until) / 60;
  if (minutes <= 0)
    return SCENARIO_NEVER;
  /* One second past the chosen minute, then back: a minute that ends a working period gives the
   * next opening (13:30), not the closing instant (11:30) at which the office is shut. */
  int64_t instant = calendar_add_working_seconds(
      calendar, start, 60 * (int64_t)random_below(random, (uint64_t)minutes) + 1);
  return instant < 0 ? SCENARIO_NEVER : instant - 1;
}

/* The same, falling back on `fallback` when the window holds no working time. */
static int64_t working_instant_or(struct random *random, const struct calendar *calendar,
                                  int64_t from, int64_t until, int64_t fallback) {
  int64_t instant = random_working_instant(random, calendar, from, until);
  return instant != SCENARIO_NEVER ? instant : fallback;
}

/* The first instant of `day`, local time. */
static int64_t day_start(int64_t day) {
  return civil_instant_from_local(day, 0);
}

/* The end of the `n`-th working day after the day of `instant`: windows are counted in working
 * days, so that Tết (nine days off in 2026) does not swallow them. */
static int64_t working_days_after(const struct calendar *calendar, int64_t instant, int64_t n) {
  return day_start(calendar_add_working_days(calendar, civil_local_day(instant), n) + 1);
}

static enum channel make_channel(struct random *random) {
  unsigned roll = (unsigned)random_below(random, 100);
  return roll < 55 ? CHANNEL_DIRECT : roll < 95 ? CHANNEL_ONLINE : CHANNEL_POSTAL;
}

static enum scenario_outcome make_outcome(struct random *random) {
  unsigned roll = (unsigned)random_below(random, 100);
  if (roll < 45)
    return OUTCOME_EARLY;
  if (roll < 68)
    return OUTCOME_ON_TIME;
  if (roll < 76)
    return OUTCOME_LATE;
  if (roll < 80)
    return OUTCOME_EXPLAINED_LATE;
  if (roll < 90)
    return OUTCOME_EXCUSED;
  if (roll < 97)
    return OUTCOME_OPEN;
  return OUTCOME_WITHDRAWN;
}

static const char *pick_agency(struct random *random, const struct scenario_agencies *agencies,
                               const struct procedure *procedure) {
  bool provincial = procedure->level != NULL && strstr(procedure->level, "tỉnh") != NULL &&
                    strstr(procedure->level, "xã") == NULL;
  if (provincial && agencies->provincial_count > 0)
    return agencies->provincial[random_below(random, agencies->provincial_count)];
  if (agencies->communal_count > 0)
    return agencies->communal[random_below(random, agencies->communal_count)];
  return agencies->provincial[random_below(random, agencies->provincial_count)];
}

static enum status compute_deadline(const struct rules *rules,
                                    const struct procedure_version *version,
                                    const struct scenario_dossier *dossier, int64_t *deadline,
                                    struct error *error) {
  /* The demo's only pause is a wait for the applicant's supplement (demo.c records it as
   * `bo_sung`), so a `restart` procedure restarts after it, as in the daemon's pass. */
  struct pause_interval pause = {dossier->pause_from, dossier->pause_to};
  bool paused = dossier->pause_from != SCENARIO_NEVER;
  struct deadline_request request;
  procedure_deadline_request(version, dossier->channel, dossier->received_at,
                             paused ? &pause : NULL, paused ? 1 : 0, paused, &request);
  struct deadline_result result;
  enum status status = deadline_compute(rules->calendar, &request, &result, NULL, error);
  *deadline = result.deadline;
  return status;
}

/* When an official records the delay reason of a dossier that will be late: as the law asks,
 * well ahead (weeks ahead for the long procedures), or when the due-soon warning comes a working
 * day before, or on the deadline's day itself before the deadline; always in office hours. */
static int64_t plan_reason(struct random *random, const struct calendar *calendar,
                           const struct scenario_dossier *dossier, int64_t deadline) {
  int64_t received = dossier->received_at, span = deadline - received;
  int64_t deadline_day = civil_local_day(deadline);
  unsigned roll = (unsigned)random_below(random, 100);
  int64_t from = received + span / 4, until = received + span * 3 / 4;
  if (roll >= 45 && roll < 75) {
    int64_t day_before = calendar_add_working_days(calendar, deadline_day, -1);
    from = day_start(day_before);
    until = day_start(day_before + 1);
  } else if (roll >= 75) {
    from = day_start(deadline_day);
    until = deadline;
  }
  from = from > received ? from : received;
  until = until < deadline ? until : deadline;
  int64_t at = random_working_instant(random, calendar, from, until);
  if (at == SCENARIO_NEVER)
    at = random_working_instant(random, calendar, received, deadline);
  /* Nobody explains a delay while the dossier waits for the applicant's supplement. */
  if (at != SCENARIO_NEVER && dossier->pause_from != SCENARIO_NEVER && at >= dossier->pause_from &&
      at < dossier->pause_to)
    at = random_working_instant(random, calendar, dossier->pause_to, deadline);
  return at;
}

/* Decides the dossier's future from its outcome and its real statutory deadline. Whatever an
 * official does (a reason, a result, a withdrawal) happens in working hours of a working day. */
static void plan_future(struct random *random, const struct calendar *calendar, const char *field,
                        struct scenario_dossier *dossier, int64_t deadline) {
  int64_t received = dossier->received_at;
  int64_t span = deadline > received ? deadline - received : 3600;
  int64_t opening = calendar_next_opening(calendar, received + 600);
  switch (dossier->outcome) {
  case OUTCOME_EARLY:
    dossier->finished_at = working_instant_or(random, calendar, received + span / 5,
                                              received + span * 7 / 10, opening);
    break;
  case OUTCOME_ON_TIME:
    dossier->finished_at =
        working_instant_or(random, calendar, deadline - 3 * 3600, deadline, deadline);
    break;
  case OUTCOME_LATE:
    dossier->finished_at = random_working_instant(random, calendar, deadline + 3600,
                                                  working_days_after(calendar, deadline, 5));
    break;
  case OUTCOME_EXPLAINED_LATE: {
    /* The letter goes out blank at the deadline; the reason follows within three working days
     * (at least two hours later, so after the daemon's pass of the deadline's hour). */
    dossier->delay_reason_at = random_working_instant(random, calendar, deadline + 2 * 3600,
                                                      working_days_after(calendar, deadline, 3));
    if (dossier->delay_reason_at != SCENARIO_NEVER) {
      dossier->delay_reason = pick_reason(random, field);
      dossier->finished_at =
          random_working_instant(random, calendar, dossier->delay_reason_at + SECONDS_PER_DAY,
                                 working_days_after(calendar, dossier->delay_reason_at, 4));
    }
    break;
  }
  case OUTCOME_EXCUSED:
    dossier->delay_reason_at = plan_reason(random, calendar, dossier, deadline);
    if (dossier->delay_reason_at != SCENARIO_NEVER)
      dossier->delay_reason = pick_reason(random, field);
    dossier->finished_at = random_working_instant(random, calendar, deadline + SECONDS_PER_DAY,
                                                  working_days_after(calendar, deadline, 4));
    break;
  case OUTCOME_OPEN:
    break;
  case OUTCOME_WITHDRAWN:
    dossier->withdrawn_at =
        working_instant_or(random, calendar, received + span / 3, deadline, opening);
    break;
  }
  if (dossier->finished_at < received + 600)
    dossier->finished_at = opening;
}

static int compare_receipts(const void *left, const void *right) {
  const struct scenario_dossier *a = left, *b = right;
  return (a->received_at > b->received_at) - (a->received_at < b->received_at);
}

static enum status generate_one(const struct rules *rules, const struct scenario_agencies *agencies,
                                struct random *random, int64_t first_day, int days,
                                struct scenario_dossier *dossier, struct error *error) {
  const struct calendar *calendar = rules->calendar;
  const struct procedure *procedure =
      &rules->procedures.items[random_below(random, rules->procedures.count)];
  *dossier = (struct scenario_dossier){
      .procedure_code = procedure->code,
      .pause_from = SCENARIO_NEVER,
      .pause_to = SCENARIO_NEVER,
      .delay_reason_at = SCENARIO_NEVER,
      .finished_at = SCENARIO_NEVER,
      .withdrawn_at = SCENARIO_NEVER,
  };
  dossier->channel = make_channel(random);
  dossier->received_at = make_receipt(random, calendar, first_day, days, dossier->channel);
  const struct procedure_version *version =
      procedure_version_at(procedure, civil_local_day(dossier->received_at));
  if (version == NULL)
    return error_set(error, STATUS_INVALID, "procedure %s has no version in force on day %lld",
                     procedure->code, (long long)civil_local_day(dossier->received_at));
  dossier->agency_code = pick_agency(random, agencies, procedure);
  make_applicant(random, dossier);
  copy_text(dossier->summary, sizeof dossier->summary, procedure->name);
  dossier->outcome = make_outcome(random);
  int64_t deadline;
  enum status status = compute_deadline(rules, version, dossier, &deadline, error);
  if (status != STATUS_OK)
    return status;
  dossier->appointment_at = deadline;
  if (random_chance(random, 10) && dossier->outcome != OUTCOME_WITHDRAWN) {
    /* The official asks for a supplement from a third of the way in; the applicant answers in
     * 1-4 days, at the counter in office hours, or online at any hour. */
    int64_t asked = random_working_instant(
        random, calendar, dossier->received_at + (deadline - dossier->received_at) / 3, deadline);
    int64_t answered = asked + SECONDS_PER_DAY * (1 + (int64_t)random_below(random, 4));
    if (asked != SCENARIO_NEVER && dossier->channel != CHANNEL_ONLINE)
      answered = working_instant_or(random, calendar, answered,
                                    working_days_after(calendar, answered, 2), answered);
    if (asked != SCENARIO_NEVER) {
      dossier->pause_from = asked;
      dossier->pause_to = answered;
      status = compute_deadline(rules, version, dossier, &deadline, error);
      if (status != STATUS_OK)
        return status;
    }
  }
  plan_future(random, calendar, procedure->field, dossier, deadline);
  return STATUS_OK;
}

static void number_dossiers(struct scenario *scenario) {
  for (size_t i = 0; i < scenario->count; i++) {
    struct scenario_dossier *dossier = &scenario->dossiers[i];
    struct civil_date date = civil_date_from_days(civil_local_day(dossier->received_at));
    /* Short like the portal's codes: the agency code's last part, the date, a serial. */
    const char *dash = strrchr(dossier->agency_code, '-');
    const char *unit = dash != NULL ? dash + 1 : dossier->agency_code;
    snprintf(dossier->code, sizeof dossier->code, "H66.%.12s-%02d%02d%02d-%04zu", unit,
             date.year % 100, date.month, date.day, i + 1);
  }
}

enum status scenario_generate(const struct rules *rules, const struct scenario_agencies *agencies,
                              uint64_t seed, size_t count, int64_t first_day, int days,
                              struct scenario *scenario, struct error *error) {
  memset(scenario, 0, sizeof *scenario);
  if (rules->procedures.count == 0 || agencies->provincial_count + agencies->communal_count == 0)
    return error_set(error, STATUS_INVALID, "the demo needs procedures and agencies in the rules");
  if (days < 1 || count == 0)
    return error_set(error, STATUS_INVALID, "the demo needs at least one day and one dossier");
  scenario->dossiers = calloc(count, sizeof *scenario->dossiers);
  if (scenario->dossiers == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory for %zu dossiers", count);
  struct random random = {seed};
  for (size_t i = 0; i < count; i++) {
    enum status status =
        generate_one(rules, agencies, &random, first_day, days, &scenario->dossiers[i], error);
    if (status != STATUS_OK) {
      scenario_free(scenario);
      return status;
    }
  }
  scenario->count = count;
  qsort(scenario->dossiers, count, sizeof *scenario->dossiers, compare_receipts);
  number_dossiers(scenario);
  scenario->start = civil_instant_from_local(first_day, 0);
  scenario->end = civil_instant_from_local(first_day + days, 0) - 1;
  for (size_t i = 0; i < count; i++) {
    struct scenario_dossier *dossier = &scenario->dossiers[i];
    if (dossier->finished_at > scenario->end)
      dossier->finished_at = SCENARIO_NEVER;
  }
  return STATUS_OK;
}

void scenario_free(struct scenario *scenario) {
  free(scenario->dossiers);
  scenario->dossiers = NULL;
  scenario->count = 0;
}
