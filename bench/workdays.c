/*
 * workdays.c: working-day arithmetic on the shipped calendar, against numpy in the same run.
 *
 * Usage: workdays OUTDIR [RULES_DIR] [PAIRS]
 * Times the cost of loading the rules, then adds and counts working days over PAIRS (default
 * 10 million) random (date, N) pairs from a fixed seed, single-threaded, best of three runs.
 * It writes the pairs, the holidays and its own results as raw int64 arrays into OUTDIR, where
 * workdays_numpy.py runs numpy's busday_offset/busday_count on the same data and checks that
 * the answers agree.
 * numpy knows only a weekmask and holidays, not make-up Saturdays, so the answers are compared
 * on a second calendar with the same days off and no worked Saturdays; the rates printed for C
 * are those of the shipped calendar itself.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/calendar.h"
#include "core/civil.h"
#include "rules/calendar_rules.h"
#include "rules/rules.h"

enum {
  DEFAULT_PAIRS = 10000000,
  LOAD_REPEATS = 20,
  RUN_REPEATS = 3,
  MAX_N = 100,
  MAX_SPAN = 366,
};

struct pairs {
  size_t count;
  int64_t *days;     /* start day of each add, and `from` of each count */
  int64_t *offsets;  /* N, 1..MAX_N */
  int64_t *count_to; /* `to` of each count */
  int64_t *added;    /* results */
  int64_t *counted;
};

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* splitmix64: a fixed seed gives the same pairs on every run. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static void make_pairs(struct pairs *pairs, size_t count) {
  pairs->count = count;
  pairs->days = malloc(count * sizeof *pairs->days);
  pairs->offsets = malloc(count * sizeof *pairs->offsets);
  pairs->count_to = malloc(count * sizeof *pairs->count_to);
  pairs->added = malloc(count * sizeof *pairs->added);
  pairs->counted = malloc(count * sizeof *pairs->counted);
  if (!pairs->days || !pairs->offsets || !pairs->count_to || !pairs->added || !pairs->counted) {
    fprintf(stderr, "workdays: out of memory\n");
    exit(1);
  }
  int64_t first = civil_days_from_date(1901, 1, 1);
  int64_t span = civil_days_from_date(2198, 12, 31) - first;
  uint64_t state = 20250101;
  for (size_t i = 0; i < count; i++) {
    pairs->days[i] = first + (int64_t)(next_random(&state) % (uint64_t)span);
    pairs->offsets[i] = 1 + (int64_t)(next_random(&state) % MAX_N);
    pairs->count_to[i] = pairs->days[i] + (int64_t)(next_random(&state) % MAX_SPAN);
  }
}

/* Runs both operations over all pairs; returns the seconds each took. */
static void run(const struct calendar *calendar, struct pairs *pairs, double *add_seconds,
                double *count_seconds) {
  double start = seconds_now();
  for (size_t i = 0; i < pairs->count; i++)
    pairs->added[i] = calendar_add_working_days(calendar, pairs->days[i], pairs->offsets[i]);
  double middle = seconds_now();
  for (size_t i = 0; i < pairs->count; i++)
    pairs->counted[i] = calendar_count_working_days(calendar, pairs->days[i], pairs->count_to[i]);
  *add_seconds = middle - start;
  *count_seconds = seconds_now() - middle;
}

static int64_t checksum(const int64_t *values, size_t count) {
  int64_t sum = 0;
  for (size_t i = 0; i < count; i++)
    sum = sum * 31 + values[i];
  return sum;
}

static void write_array(const char *directory, const char *name, const int64_t *values,
                        size_t count) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.bin", directory, name);
  FILE *file = fopen(path, "wb");
  if (file == NULL || fwrite(values, sizeof *values, count, file) != count || fclose(file) != 0) {
    fprintf(stderr, "workdays: cannot write %s\n", path);
    exit(1);
  }
}

/* The same days off as `calendar` on weekdays, and no worked weekend day: what numpy can
 * express with a Monday-Friday weekmask and a holiday list. */
static struct calendar *numpy_equivalent(const struct calendar *calendar, int64_t **holidays,
                                         size_t *holiday_count) {
  static const bool monday_to_friday[7] = {true, true, true, true, true, false, false};
  struct calendar *equivalent = NULL;
  struct error error;
  if (calendar_create(monday_to_friday, calendar_hours(calendar), &equivalent, &error) !=
      STATUS_OK) {
    fprintf(stderr, "workdays: %s\n", error.message);
    exit(1);
  }
  int64_t first = calendar_first_day(calendar);
  int64_t last = calendar_last_day(calendar);
  *holidays = malloc((size_t)(last - first + 1) * sizeof **holidays);
  *holiday_count = 0;
  for (int64_t day = first; day <= last; day++) {
    if (civil_weekday(day) <= FRIDAY && !calendar_is_working_day(calendar, day)) {
      calendar_set_day(equivalent, day, false, "holiday", &error);
      (*holidays)[(*holiday_count)++] = day;
    }
  }
  calendar_finish(equivalent, &error);
  return equivalent;
}

static void measure_loading(const char *rules_directory, struct calendar **calendar) {
  char path[4096];
  snprintf(path, sizeof path, "%s/calendar.yaml", rules_directory);
  struct error error;
  double start = seconds_now();
  for (int i = 0; i < LOAD_REPEATS; i++) {
    calendar_free(*calendar);
    if (calendar_rules_load_file(path, calendar, NULL, &error) != STATUS_OK) {
      fprintf(stderr, "workdays: %s\n", error.message);
      exit(1);
    }
  }
  double calendar_ms = (seconds_now() - start) * 1000.0 / LOAD_REPEATS;
  start = seconds_now();
  for (int i = 0; i < LOAD_REPEATS; i++) {
    struct rules *rules = NULL;
    if (rules_load(rules_directory, civil_days_from_date(2026, 1, 1), &rules, &error) !=
        STATUS_OK) {
      fprintf(stderr, "workdays: %s\n", error.message);
      exit(1);
    }
    rules_free(rules);
  }
  double rules_ms = (seconds_now() - start) * 1000.0 / LOAD_REPEATS;
  printf("load calendar.yaml (300 years, tables built): %.2f ms; whole rules directory: "
         "%.2f ms (mean of %d)\n",
         calendar_ms, rules_ms, LOAD_REPEATS);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: workdays OUTDIR [RULES_DIR] [PAIRS]\n");
    return 2;
  }
  const char *directory = argv[1];
  const char *rules_directory = argc > 2 ? argv[2] : "rules";
  size_t count = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : DEFAULT_PAIRS;
  struct calendar *calendar = NULL;
  measure_loading(rules_directory, &calendar);

  struct pairs pairs;
  make_pairs(&pairs, count);
  double add_seconds = 0;
  double count_seconds = 0;
  run(calendar, &pairs, &add_seconds, &count_seconds);   /* warm-up */
  for (int repeat = 0; repeat < RUN_REPEATS; repeat++) { /* best of, as for numpy */
    double add = 0;
    double counting = 0;
    run(calendar, &pairs, &add, &counting);
    add_seconds = repeat == 0 || add < add_seconds ? add : add_seconds;
    count_seconds = repeat == 0 || counting < count_seconds ? counting : count_seconds;
  }
  printf("C add:   %zu pairs in %.3f s = %.1f million/s (checksum %" PRId64 ")\n", count,
         add_seconds, count / add_seconds / 1e6, checksum(pairs.added, count));
  printf("C count: %zu pairs in %.3f s = %.1f million/s (checksum %" PRId64 ")\n", count,
         count_seconds, count / count_seconds / 1e6, checksum(pairs.counted, count));

  int64_t *holidays = NULL;
  size_t holiday_count = 0;
  struct calendar *equivalent = numpy_equivalent(calendar, &holidays, &holiday_count);
  double unused_add = 0;
  double unused_count = 0;
  run(equivalent, &pairs, &unused_add, &unused_count);
  write_array(directory, "days", pairs.days, count);
  write_array(directory, "offsets", pairs.offsets, count);
  write_array(directory, "count_to", pairs.count_to, count);
  write_array(directory, "expected_added", pairs.added, count);
  write_array(directory, "expected_counted", pairs.counted, count);
  write_array(directory, "holidays", holidays, holiday_count);
  char path[4096];
  snprintf(path, sizeof path, "%s/c-rates.txt", directory);
  FILE *rates = fopen(path, "w");
  if (rates == NULL) {
    fprintf(stderr, "workdays: cannot write %s\n", path);
    return 1;
  }
  fprintf(rates, "%.6f %.6f\n", count / add_seconds, count / count_seconds);
  fclose(rates);
  printf("wrote %zu pairs and %zu weekday holidays to %s\n", count, holiday_count, directory);
  calendar_free(equivalent);
  calendar_free(calendar);
  free(holidays);
  free(pairs.days);
  free(pairs.offsets);
  free(pairs.count_to);
  free(pairs.added);
  free(pairs.counted);
  return 0;
}
