/*
 * report.c: the sums, the share and score, the total row and the notes of a progress report
 * (see report.h). The renderings are in report_format.c.
 */
#include "core/report.h"

#include <stdlib.h>
#include <string.h>

static const char *const grouping_names[] = {
    [REPORT_BY_AGENCY] = "agency",
    [REPORT_BY_FIELD] = "field",
    [REPORT_BY_PROCEDURE] = "procedure",
    [REPORT_BY_CHANNEL] = "channel",
};

enum status report_grouping_parse(const char *text, enum report_grouping *grouping,
                                  struct error *error) {
  for (size_t i = 0; i < sizeof grouping_names / sizeof grouping_names[0]; i++) {
    if (strcmp(text, grouping_names[i]) == 0) {
      *grouping = (enum report_grouping)i;
      return STATUS_OK;
    }
  }
  return error_set(error, STATUS_INVALID,
                   "unknown grouping '%s' (expected agency, field, procedure or channel)", text);
}

const char *report_grouping_name(enum report_grouping grouping) {
  return grouping_names[grouping];
}

int64_t report_in_period(const struct report_figures *figures) {
  return figures->received_online + figures->received_direct + figures->received_postal +
         figures->received_other;
}

int64_t report_received(const struct report_figures *figures) {
  return figures->carried_over + report_in_period(figures);
}

int64_t report_done(const struct report_figures *figures) {
  return figures->done_early + figures->done_on_time + figures->done_late;
}

int64_t report_in_progress(const struct report_figures *figures) {
  return figures->progress_on_time + figures->progress_overdue;
}

bool report_on_time_share(const struct report_figures *figures, double *share) {
  int64_t judged = report_done(figures) + report_in_progress(figures);
  if (judged == 0)
    return false;
  int64_t on_time = figures->done_early + figures->done_on_time + figures->progress_on_time;
  *share = (double)on_time / (double)judged;
  return true;
}

void report_figures_add(struct report_figures *sum, const struct report_figures *part) {
  sum->carried_over += part->carried_over;
  sum->received_online += part->received_online;
  sum->received_direct += part->received_direct;
  sum->received_postal += part->received_postal;
  sum->received_other += part->received_other;
  sum->done_early += part->done_early;
  sum->done_on_time += part->done_on_time;
  sum->done_late += part->done_late;
  sum->progress_on_time += part->progress_on_time;
  sum->progress_overdue += part->progress_overdue;
  sum->withdrawn += part->withdrawn;
  sum->unclassified += part->unclassified;
  sum->letters += part->letters;
  sum->missed_new_date += part->missed_new_date;
}

static int compare_codes(const void *left, const void *right) {
  return strcmp(*(char *const *)left, *(char *const *)right);
}

static void codes_free(struct report_codes *codes) {
  for (size_t i = 0; i < codes->count; i++)
    free(codes->codes[i]);
  free(codes->codes);
  codes->codes = NULL;
  codes->count = 0;
}

static void group_free(struct report_group *group) {
  free(group->key);
  free(group->label);
  codes_free(&group->late_without_letter);
  memset(group, 0, sizeof *group);
}

enum status report_compute_total(struct report *report, struct error *error) {
  group_free(&report->total);
  struct report_group *total = &report->total;
  size_t code_count = 0;
  for (size_t i = 0; i < report->group_count; i++) {
    report_figures_add(&total->figures, &report->groups[i].figures);
    code_count += report->groups[i].late_without_letter.count;
  }
  total->key = strdup("total");
  total->label = strdup("Tổng cộng");
  if (code_count > 0)
    total->late_without_letter.codes = malloc(code_count * sizeof(char *));
  if (total->key == NULL || total->label == NULL ||
      (code_count > 0 && total->late_without_letter.codes == NULL)) {
    group_free(total);
    return error_set(error, STATUS_RUNTIME, "out of memory for the report's total");
  }
  struct report_codes *codes = &total->late_without_letter;
  for (size_t i = 0; i < report->group_count; i++) {
    const struct report_codes *part = &report->groups[i].late_without_letter;
    for (size_t j = 0; j < part->count; j++) {
      char *code = strdup(part->codes[j]);
      if (code == NULL) {
        group_free(total);
        return error_set(error, STATUS_RUNTIME, "out of memory for the report's total");
      }
      codes->codes[codes->count++] = code;
    }
  }
  if (codes->count > 1)
    qsort(codes->codes, codes->count, sizeof(char *), compare_codes);
  return STATUS_OK;
}

/* The definitions of PRODUCT.md ("Statistics") and the decisions taken where it is silent; the
 * report prints them so that a reader comparing with another system knows why figures differ. */
static const char *const notes[] = {
    "Kỳ báo cáo tính từ 00:00 ngày đầu kỳ đến hết 24:00 ngày cuối kỳ, giờ Việt Nam.",
    "Hạn giải quyết là hạn theo quy định của thủ tục; hồ sơ đã có phiếu xin lỗi và hẹn lại, dù "
    "trả đúng ngày hẹn mới, vẫn tính là trễ hạn.",
    "Đúng hạn và trễ hạn được so theo thời điểm, không chỉ theo ngày: hồ sơ có hạn 10:00 mà "
    "hoàn thành lúc 16:00 cùng ngày là trễ hạn, trong khi các hệ thống chỉ so ngày tính là "
    "đúng hạn.",
    "Trước hạn: hoàn thành vào một ngày trước ngày hết hạn; đúng hạn: hoàn thành trong ngày hết "
    "hạn, không sau thời điểm hết hạn; trễ hạn: hoàn thành sau thời điểm hết hạn.",
    "Hồ sơ hoàn thành khi đang tạm dừng (chờ bổ sung) tính là đúng hạn; hồ sơ đang tạm dừng vào "
    "cuối kỳ tính là đang giải quyết trong hạn.",
    "Hồ sơ đang giải quyết quá hạn là hồ sơ chưa hoàn thành mà hạn theo quy định đã qua vào cuối "
    "kỳ; hạn được lấy theo lần tính gần nhất, nên một lần tạm dừng ghi nhận sau kỳ cũng được "
    "tính.",
    "Hồ sơ rút hoặc bị từ chối trong kỳ không tính vào đã giải quyết hay đang giải quyết, nên "
    "không tính vào tỷ lệ đúng hạn; thời điểm rút là ngày hoàn thành do hệ thống một cửa ghi, "
    "hoặc lúc dunghen thấy hồ sơ đã rút nếu không có ngày đó.",
    "Hồ sơ có dữ liệu nguồn không dùng được (bị đánh dấu) không có hạn để so, được tính ở cột "
    "chưa phân loại.",
    "Tỷ lệ đúng hạn = (trước hạn + đúng hạn + đang giải quyết trong hạn) / (đã giải quyết + đang "
    "giải quyết); điểm tiến độ = tỷ lệ đó × 20 điểm (Quyết định 766/QĐ-TTg).",
    "Phiếu xin lỗi được tính theo ngày lập phiếu trong kỳ; hồ sơ trễ hạn chưa có phiếu xin lỗi là "
    "hồ sơ hoàn thành trễ trong kỳ hoặc quá hạn vào cuối kỳ mà không có phiếu lập trước cuối kỳ.",
    "Trễ hẹn lại: hồ sơ đã hẹn lại, hoàn thành trong kỳ sau ngày hẹn mới, hoặc chưa hoàn thành "
    "khi ngày hẹn mới đã qua vào cuối kỳ.",
    NULL,
};

const char *const *report_notes(void) {
  return notes;
}

void report_free(struct report *report) {
  for (size_t i = 0; i < report->group_count; i++)
    group_free(&report->groups[i]);
  free(report->groups);
  group_free(&report->total);
  free(report->agency);
  memset(report, 0, sizeof *report);
}
