/*
 * Apology letters: letters per second on one core and bytes per letter.
 *
 *   build/bench/letters [LETTERS] [BASELINE_LETTERS]
 *
 * Renders LETTERS letters (default 10000; the sample dossier with a varying number, name and
 * reason, in both forms) through one `letter_renderer` on one thread, in three set-ups:
 *   - dunghen (the default): the build-time subset of Liberation Serif, fonts loaded once per
 *     renderer, italics slanted from the upright faces (two embedded faces);
 *   - dunghen --true-italic: the same with the four real faces (regular, bold, italic, bold
 *     italic);
 *   - fonts loaded once, full Liberation Serif, four faces: isolates what the subset buys
 *     (BASELINE_LETTERS);
 * and BASELINE_LETTERS letters (default 300) with plain libharu as its examples use it: the full
 * fonts from fonts-liberation2 loaded for every document. Same layout and text everywhere.
 * Rates use the process CPU time (one thread: per core). Prints each set-up's letters/s,
 * mean and largest size, and the ratios to the baseline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/civil.h"
#include "dunghen-config.h"
#include "letter/letter.h"
#include "rules/agencies.h"

struct setup {
  const char *name;
  struct letter_options options;
  long letters;
  double seconds;
  double mean_bytes;
  size_t largest;
  int pages;
};

static double cpu_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static const char *const names[] = {
    "Nguyễn Thị Thu Hương",           "Trần Văn Bình",   "Lê Hoàng Yến", "Phạm Đức Thắng",
    "Công ty TNHH Thương mại Ea Kar", "Hồ Thị Ngọc Ánh", "Vũ Quốc Việt", "Đặng Thuỳ Dương"};
static const char *const reasons[] = {
    "Hồ sơ cần xác minh thêm nguồn gốc sử dụng đất với Ủy ban nhân dân xã Ea Kar; kết quả xác "
    "minh chưa được gửi về trong thời hạn giải quyết.",
    "Cơ quan phối hợp chưa có ý kiến bằng văn bản.",
    "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh gặp sự cố kỹ thuật trong hai ngày "
    "làm việc, việc ký số kết quả phải thực hiện lại."};

static int run(struct setup *setup, const struct letter_library *library,
               const struct agency *agency) {
  struct letter_renderer *renderer;
  struct error error;
  if (letter_renderer_new(library, &setup->options, &renderer, &error) != STATUS_OK) {
    fprintf(stderr, "%s: %s\n", setup->name, error.message);
    return 1;
  }
  int64_t received = civil_instant_from_local(civil_days_from_date(2026, 1, 15), 9 * 3600);
  double total = 0, start = cpu_seconds();
  for (long i = 0; i < setup->letters; i++) {
    struct letter_input input = {
        .agency = agency,
        .form = i % 4 == 3 ? APOLOGY_FORM_2018 : APOLOGY_FORM_2025,
        .number = i + 1,
        .letter_day = civil_days_from_date(2026, 2, 5),
        .applicant_name = names[i % 8],
        .applicant_id = "066185001234",
        .applicant_address = "Thôn 3, xã Ea Kar, tỉnh Đắk Lắk",
        .dossier_code = "H23.10-260115-0042",
        .procedure_name = "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền "
                          "với đất lần đầu",
        .reason = reasons[i % 3],
        .received_at = received,
        .promised_at = received + 20 * 86400,
        .new_appointment_at = received + 27 * 86400,
    };
    struct letter_output output;
    if (letter_render(renderer, &input, &output, &error) != STATUS_OK) {
      fprintf(stderr, "%s: %s\n", setup->name, error.message);
      letter_renderer_free(renderer);
      return 1;
    }
    total += (double)output.size;
    if (output.size > setup->largest)
      setup->largest = output.size;
    if (output.pages > setup->pages)
      setup->pages = output.pages;
    letter_output_free(&output);
  }
  setup->seconds = cpu_seconds() - start;
  setup->mean_bytes = total / (double)setup->letters;
  letter_renderer_free(renderer);
  return 0;
}

int main(int argc, char **argv) {
  long letters = argc > 1 ? atol(argv[1]) : 10000;
  long baseline_letters = argc > 2 ? atol(argv[2]) : 300;
  struct error error;
  struct letter_library *library;
  struct agency_table agencies;
  if (letter_library_load(DUNGHEN_SOURCE_ROOT "/letters", &library, &error) != STATUS_OK ||
      agencies_load(DUNGHEN_SOURCE_ROOT "/rules/agencies.yaml", &agencies, &error) != STATUS_OK) {
    fprintf(stderr, "letters: %s\n", error.message);
    return 1;
  }
  const struct agency *agency = agencies_find(&agencies, "DLK-TTPVHCC");
  struct setup setups[] = {
      {"plain libharu: full fonts loaded per letter (baseline)",
       {DUNGHEN_FONT_DIR, true, true},
       baseline_letters,
       0,
       0,
       0,
       0},
      {"fonts loaded once, full Liberation Serif, 4 faces",
       {DUNGHEN_FONT_DIR, true, false},
       baseline_letters,
       0,
       0,
       0,
       0},
      {"dunghen --true-italic: subset, loaded once, 4 faces",
       {NULL, true, false},
       letters,
       0,
       0,
       0,
       0},
      {"dunghen (default): subset, slanted italic, 2 faces",
       {NULL, false, false},
       letters,
       0,
       0,
       0,
       0},
  };
  size_t count = sizeof setups / sizeof setups[0];
  for (size_t i = 0; i < count; i++)
    if (run(&setups[i], library, agency) != 0)
      return 1;
  double baseline_rate = (double)setups[0].letters / setups[0].seconds;
  printf("%-55s %8s %10s %10s %9s %9s\n", "set-up", "letters", "letters/s", "bytes/ltr", "largest",
         "speed x");
  for (size_t i = 0; i < count; i++) {
    double rate = (double)setups[i].letters / setups[i].seconds;
    printf("%-55s %8ld %10.1f %10.0f %9zu %8.1fx\n", setups[i].name, setups[i].letters, rate,
           setups[i].mean_bytes, setups[i].largest, rate / baseline_rate);
  }
  printf("size ratio, dunghen / baseline: %.2f (4 faces), %.2f (2 faces)\n",
         setups[2].mean_bytes / setups[0].mean_bytes, setups[3].mean_bytes / setups[0].mean_bytes);
  letter_library_free(library);
  agencies_free(&agencies);
  return 0;
}
