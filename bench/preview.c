/*
 * bench/preview.c: `dunghen preview` over N open dossiers in the reference schema.
 *
 *   build/tests/with-cluster build/bench/preview [N]   (N defaults to 100000; the binary is
 *                                                     $DUNGHEN_BINARY, else build/daemon/dunghen)
 *
 * Loads N open dossiers as bench/pass.c does (received over the 7 days before 2025-03-31,
 * four procedures, ten agencies), runs `dunghen once` at 2025-03-31T10:00 so that the clocks
 * and escalations exist, then times, in the same run, the baseline `COPY (SELECT * FROM
 * dunghen.dossier_source) TO STDOUT` and `dunghen preview --format json` (median of 3) with
 * 1.004884 lengthened from 5wd to 7wd: a quarter of the dossiers move. The rules are the shipped
 * calendar, ladder and procedures without agencies.yaml (the bench's agency codes are made up).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_support.h"
#include "core/error.h"
#include "store/schema.h"
#include "store/sql.h"

enum { RUNS = 3 };
#define NOW "2025-03-31T10:00:00+07:00"

static char *read_file(const char *path) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = calloc((size_t)size + 64, 1);
  if (text != NULL && fread(text, 1, (size_t)size, file) != (size_t)size)
    text[0] = '\0';
  fclose(file);
  return text;
}

/* DIRECTORY/NAME with calendar.yaml and ladder.yaml of `shipped`, and its procedures.yaml with
 * 1.004884's duration replaced by `duration`. */
static void make_rules(const char *shipped, const char *directory, const char *duration) {
  mkdir(directory, 0755);
  static const char *const names[] = {"calendar.yaml", "ladder.yaml", "procedures.yaml"};
  for (size_t i = 0; i < 3; i++) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", shipped, names[i]);
    char *text = read_file(path);
    if (text == NULL) {
      fprintf(stderr, "%s: cannot read\n", path);
      exit(2);
    }
    char *code = strstr(text, "code: '1.004884'");
    char *at = code != NULL ? strstr(code, "duration: 5wd") : NULL;
    if (i == 2 && at != NULL)
      memcpy(at + strlen("duration: "), duration, 3);
    snprintf(path, sizeof path, "%s/%s", directory, names[i]);
    FILE *file = fopen(path, "w");
    if (file == NULL || fputs(text, file) < 0 || fclose(file) != 0) {
      fprintf(stderr, "%s: cannot write\n", path);
      exit(2);
    }
    free(text);
  }
}

int main(int argc, char **argv) {
  long count = argc > 1 ? atol(argv[1]) : 100000;
  const char *shipped = getenv("DUNGHEN_RULES") ? getenv("DUNGHEN_RULES") : "rules";
  const char *binary = getenv("DUNGHEN_BINARY") ? getenv("DUNGHEN_BINARY") : "build/daemon/dunghen";
  const char *conninfo = getenv("DUNGHEN_TEST_DB") ? getenv("DUNGHEN_TEST_DB") : "";
  char directory[] = "/tmp/dunghen-bench-preview-XXXXXX";
  if (mkdtemp(directory) == NULL)
    return 1;
  char in_force[4200], lengthened[4200], config[4200], output[4200], command[16384];
  snprintf(in_force, sizeof in_force, "%s/in-force", directory);
  snprintf(lengthened, sizeof lengthened, "%s/lengthened", directory);
  make_rules(shipped, in_force, "5wd");
  make_rules(shipped, lengthened, "7wd");
  snprintf(config, sizeof config, "%s/dunghen.yaml", directory);
  snprintf(output, sizeof output, "%s/preview.json", directory);
  FILE *file = fopen(config, "w");
  fprintf(file, "paths:\n  rules: %s\n  spool: %s/spool\n", in_force, directory);
  fclose(file);

  PGconn *connection = PQconnectdb(conninfo);
  PQsetNoticeProcessor(connection, sql_ignore_notice, NULL);
  bench_load_dossiers(connection, count);
  snprintf(command, sizeof command, "'%s' once --config '%s' --db '%s' --now " NOW " >/dev/null",
           binary, config, conninfo);
  double start = bench_seconds_now();
  if (system(command) != 0) {
    fprintf(stderr, "%s: failed\n", command);
    return 1;
  }
  printf("dunghen once (clocks for the preview): %.1f s\n", bench_seconds_now() - start);
  bench_must(connection, "VACUUM ANALYZE");

  bench_copy_baseline(connection, NULL); /* warm the cache */
  double copy = bench_copy_baseline(connection, NULL);
  snprintf(command, sizeof command,
           "'%s' preview --config '%s' --db '%s' --rules '%s' --now " NOW
           " --format json > '%s' 2>/dev/null",
           binary, config, conninfo, lengthened, output);
  double runs[RUNS];
  for (int run = 0; run < RUNS; run++) {
    start = bench_seconds_now();
    if (system(command) != 0) {
      fprintf(stderr, "%s: failed\n", command);
      return 1;
    }
    runs[run] = bench_seconds_now() - start;
  }
  qsort(runs, RUNS, sizeof runs[0], bench_compare_doubles);
  char *json = read_file(output);
  char *summary_end = json != NULL ? strstr(json, ", \"now\"") : NULL;
  if (summary_end != NULL)
    *summary_end = '\0';
  printf("COPY dossier_source TO STDOUT: %.3f s\n", copy);
  printf("dunghen preview --format json: median %.3f s (min %.3f, max %.3f) = %.2f x COPY\n",
         runs[RUNS / 2], runs[0], runs[RUNS - 1], runs[RUNS / 2] / copy);
  printf("  %s}\n", json != NULL ? json : "(no output)");
  free(json);
  PQfinish(connection);
  snprintf(command, sizeof command, "rm -rf '%s'", directory);
  return system(command) == 0 ? 0 : 1;
}
