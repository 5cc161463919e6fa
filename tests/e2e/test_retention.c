/*
 * The daemon runs the retention of its config (store/retention.h) after its first pass: the
 * escalations and clock of a dossier closed long ago go, an open dossier and a letter stay.
 */
#include <signal.h>
#include <stdlib.h>

#include "e2e_support.h"
#include "tap.h"

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  struct e2e_harness harness;
  if (!tap_ok(e2e_setup(&harness, conninfo), "database and rules ready"))
    return tap_finish();
  e2e_db_insert_dossier(&harness, "E2E-OLD", "9.900001", "now() - interval '30 days'");
  e2e_db_insert_dossier(&harness, "E2E-OPEN", "9.900001", "now() - interval '30 days'");
  struct e2e_daemon daemon;
  if (!tap_ok(e2e_daemon_start(&daemon, &harness, NULL, NULL), "a daemon without retention") ||
      !tap_ok(e2e_db_wait_integer(&harness, 1, 30,
                                  "SELECT (count(DISTINCT dossier_code) = 2)::int FROM"
                                  " dunghen.escalation_log WHERE level = 'overdue'"),
              "escalates both overdue dossiers"))
    goto done;
  e2e_db_exec(&harness, "UPDATE onestop.ho_so SET trang_thai = 'da_tra_ket_qua', ngay_hoan_thanh ="
                        " now() - interval '25 days' WHERE ma_ho_so = 'E2E-OLD'");
  tap_ok(e2e_db_wait_integer(&harness, 1, 30,
                             "SELECT count(*) FROM dunghen.clock WHERE code = 'E2E-OLD' AND"
                             " state = 'finished_late'"),
         "one is finished");
  tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "and the daemon stops");
  /* Its row last changed 20 days ago, as far as the source and the clock know. */
  e2e_db_exec(&harness, "ALTER TABLE onestop.ho_so DISABLE TRIGGER ho_so_touch;"
                        " UPDATE onestop.ho_so SET updated_at = now() - interval '20 days'"
                        "  WHERE ma_ho_so = 'E2E-OLD';"
                        " ALTER TABLE onestop.ho_so ENABLE TRIGGER ho_so_touch;"
                        " UPDATE dunghen.clock SET source_updated_at = now() - interval '20 days'"
                        "  WHERE code = 'E2E-OLD'");
  long long letters = e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.letter_log");
  if (tap_ok(e2e_daemon_start(&daemon, &harness, "retention:\n  escalations: 10\n  clocks: 10\n",
                              NULL),
             "a daemon keeping closed dossiers 10 days")) {
    tap_ok(e2e_daemon_wait_log(&daemon, "retention: deleted", 1, 30), "runs its retention");
    tap_is_integer(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log WHERE"
                                            " dossier_code = 'E2E-OLD'"),
                   0, "the escalations of the dossier closed 20 days ago are gone");
    tap_is_integer(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.clock WHERE code ="
                                            " 'E2E-OLD'"),
                   0, "and its clock");
    tap_ok(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.escalation_log WHERE"
                                    " dossier_code = 'E2E-OPEN'") > 0,
           "the open dossier keeps its escalations");
    tap_is_integer(e2e_db_integer(&harness, "SELECT count(*) FROM dunghen.letter_log"), letters,
                   "every letter is kept");
    tap_is_integer(e2e_daemon_stop(&daemon, SIGTERM, 30), 0, "SIGTERM: exit status 0");
  }
done:;
  int result = tap_finish();
  if (result != 0)
    e2e_daemon_dump_log(&daemon);
  e2e_teardown(&harness);
  return result;
}
