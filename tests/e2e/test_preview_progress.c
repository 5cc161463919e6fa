/*
 * `dunghen preview`'s progress on stderr (cli/preview.c): above PREVIEW's quiet limit of 20,000
 * open dossiers, a line every 50,000 and a closing line; at or below it (and stderr not a
 * terminal), none. 60,000 open dossiers are loaded, a `dunghen once` pass gives them clocks,
 * then 40,000 are returned and a second pass leaves 20,000 open. The previews compare the rules
 * in force with themselves, so stdout lists no dossier and the progress is all that varies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "e2e_support.h"
#include "tap.h"

#define NOW "2025-03-12T09:00:00+07:00"
enum { LOADED = 60000, RETURNED = 40000, TEXT_SIZE = 1 << 16 };

/* Runs `dunghen ARGUMENTS` with the harness's config and database; its exit status, and its
 * stderr in `errors`. */
static int run_dunghen(const struct e2e_harness *harness, const char *arguments, char *errors,
                       size_t size) {
  char command[8192], errors_path[4200];
  snprintf(errors_path, sizeof errors_path, "%s/progress.err", harness->directory);
  snprintf(command, sizeof command,
           "'%s' %s --config '%s/progress.yaml' --db '%s' --now " NOW " > /dev/null 2> '%s'",
           getenv("DUNGHEN_BINARY"), arguments, harness->directory, harness->conninfo, errors_path);
  int status = system(command);
  errors[0] = '\0';
  e2e_read_text_file(errors_path, errors, size);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void load_dossiers(const struct e2e_harness *harness) {
  /* Received ten seconds apart from Monday 3 March 2025, all still being processed. */
  e2e_db_exec(harness,
              "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, chu_ho_so, so_dinh_danh,"
              " dia_chi, trich_yeu, kenh, ngay_tiep_nhan, trang_thai)"
              " SELECT 'PP-' || lpad(i::text, 5, '0'), '9.900001', 'AG' || (i %% 3),"
              " 'Nguyễn Văn Thử', '066123456789', 'xã Hòa Phú', 'thử nghiệm', 'truc_tuyen',"
              " timestamptz '2025-03-03 07:00+07' + i * interval '10 seconds', 'dang_xu_ly'"
              " FROM generate_series(1, %d) i",
              LOADED);
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run under with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "harness"))
    return tap_finish();
  char path[4200], config[4400], preview[4400];
  static char errors[TEXT_SIZE];
  snprintf(path, sizeof path, "%s/progress.yaml", harness.directory);
  snprintf(config, sizeof config, "paths:\n  rules: %s\n", harness.rules);
  FILE *file = fopen(path, "w");
  if (file != NULL) {
    fputs(config, file);
    fclose(file);
  }
  snprintf(preview, sizeof preview, "preview --rules '%s' --format text", harness.rules);

  load_dossiers(&harness);
  tap_is_integer(run_dunghen(&harness, "once", errors, sizeof errors), 0, "first pass %s", errors);
  tap_is_integer(run_dunghen(&harness, preview, errors, sizeof errors), 0,
                 "preview of 60,000: exit status 0");
  tap_is_string(errors,
                "preview: 50000 of 60000 dossiers\n"
                "preview: 60000 of 60000 dossiers, done\n",
                "preview of 60,000: a line at 50,000 and a closing line, nothing else");

  e2e_db_exec(&harness,
              "UPDATE onestop.ho_so SET trang_thai = 'da_tra_ket_qua',"
              " ngay_hoan_thanh = ngay_tiep_nhan + interval '1 hour'"
              " WHERE ma_ho_so <= 'PP-%05d'",
              RETURNED);
  tap_is_integer(run_dunghen(&harness, "once", errors, sizeof errors), 0, "second pass %s", errors);
  tap_is_integer(run_dunghen(&harness, preview, errors, sizeof errors), 0,
                 "preview of 20,000: exit status 0");
  tap_is_string(errors, "", "preview of 20,000 (the quiet limit): no progress");
  e2e_teardown(&harness);
  return tap_finish();
}
