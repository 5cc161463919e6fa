/*
 * The daemon's schema: `dunghen migrate` twice and from two connections at once, the reference
 * one-stop schema with its adapter views (the contract's columns, in order), its updated_at and
 * NOTIFY triggers, and the error when the database cannot be reached.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "db_support.h"
#include "store/schema.h"
#include "tap.h"

struct migration {
  enum status status;
  struct schema_result result;
  enum status reference_status;
  struct error error;
};

static void *migrate_thread(void *argument) {
  struct migration *migration = argument;
  PGconn *connection = db_connect();
  migration->status = schema_migrate(connection, &migration->result, &migration->error);
  if (migration->status == STATUS_OK)
    migration->reference_status = schema_install_reference(connection, &migration->error);
  PQfinish(connection);
  return NULL;
}

static void columns_of(PGconn *connection, const char *view, char *buffer, size_t size) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position)"
           " FROM information_schema.columns WHERE table_schema = 'dunghen'"
           " AND table_name = '%s'",
           view);
  db_text(connection, sql, buffer, size);
}

static bool wait_for_notify(PGconn *connection, const char *channel) {
  for (int attempt = 0; attempt < 50; attempt++) {
    PQconsumeInput(connection);
    PGnotify *notify;
    while ((notify = PQnotifies(connection)) != NULL) {
      bool match = strcmp(notify->relname, channel) == 0;
      PQfreemem(notify);
      if (match)
        return true;
    }
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(PQsocket(connection), &readable);
    struct timeval timeout = {0, 100000};
    select(PQsocket(connection) + 1, &readable, NULL, NULL, &timeout);
  }
  return false;
}

int main(void) {
  struct migration migrations[2];
  memset(migrations, 0, sizeof migrations);
  pthread_t threads[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&threads[i], NULL, migrate_thread, &migrations[i]);
  for (int i = 0; i < 2; i++)
    pthread_join(threads[i], NULL);
  for (int i = 0; i < 2; i++) {
    tap_is_integer(migrations[i].status, STATUS_OK, "concurrent migration %d succeeds %s", i,
                   migrations[i].error.message);
    tap_is_integer(migrations[i].reference_status, STATUS_OK,
                   "concurrent reference install %d succeeds", i);
  }
  tap_is_integer(migrations[0].result.from_version + migrations[1].result.from_version,
                 schema_latest_version(), "exactly one of them applied the migration");

  PGconn *connection = db_connect();
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.schema_version"),
                 schema_latest_version(), "each version is recorded once");
  struct schema_result again;
  struct error error;
  tap_is_integer(schema_migrate(connection, &again, &error), STATUS_OK, "migrating again works");
  tap_ok(again.from_version == again.to_version && again.to_version == schema_latest_version(),
         "and changes nothing");
  int version;
  tap_is_integer(schema_check(connection, &version, &error), STATUS_OK, "schema_check passes");

  char columns[1024];
  columns_of(connection, "dossier_source", columns, sizeof columns);
  tap_is_string(columns,
                "code:text,procedure_code:text,agency_code:text,applicant_name:text,"
                "applicant_id:text,applicant_address:text,summary:text,channel:text,"
                "received_at:timestamp with time zone,appointment_at:timestamp with time zone,"
                "status:text,finished_at:timestamp with time zone,delay_reason:text,"
                "updated_at:timestamp with time zone",
                "dossier_source has the contract's columns");
  columns_of(connection, "dossier_pause_source", columns, sizeof columns);
  tap_is_string(columns,
                "code:text,paused_at:timestamp with time zone,"
                "resumed_at:timestamp with time zone,kind:text",
                "dossier_pause_source has the contract's columns");
  columns_of(connection, "escalation_log", columns, sizeof columns);
  tap_contains(columns,
               "dossier_code:text,level:text,episode:smallint,raised_at:timestamp with"
               " time zone,recipients:ARRAY,reason:text",
               "escalation_log has the contract's columns");

  PGconn *listener = db_connect();
  db_exec(listener, "LISTEN dunghen_dossier");
  db_exec(connection, "INSERT INTO onestop.ho_so (ma_ho_so, ma_tthc, ma_co_quan, kenh,"
                      " ngay_tiep_nhan, trang_thai, updated_at) VALUES ('HS-1',"
                      " '1.004884', 'AG1', 'truc_tuyen', '2025-03-03T08:00+07',"
                      " 'dang_xu_ly', '2000-01-01')");
  tap_ok(wait_for_notify(listener, "dunghen_dossier"), "an insert sends NOTIFY dunghen_dossier");
  char text[256];
  db_text(connection,
          "SELECT channel || ' ' || status || ' ' || (updated_at > now() -"
          " interval '1 hour') FROM dunghen.dossier_source WHERE code = 'HS-1'",
          text, sizeof text);
  tap_is_string(text, "online processing true",
                "the view maps channel and status; the trigger sets updated_at");
  int64_t before = db_integer(connection, "SELECT (extract(epoch FROM updated_at) * 1e6)"
                                          "::bigint FROM onestop.ho_so"
                                          " WHERE ma_ho_so = 'HS-1'");
  db_exec(connection, "INSERT INTO onestop.tam_dung (ma_ho_so, tu_ngay) VALUES ('HS-1',"
                      " '2025-03-04T08:00+07')");
  tap_ok(db_integer(connection, "SELECT (extract(epoch FROM updated_at) * 1e6)::bigint FROM"
                                " onestop.ho_so WHERE ma_ho_so = 'HS-1'") > before,
         "a new pause moves the dossier's updated_at");
  db_text(connection,
          "SELECT kind || ' ' || (resumed_at IS NULL) FROM"
          " dunghen.dossier_pause_source WHERE code = 'HS-1'",
          text, sizeof text);
  tap_is_string(text, "supplement true", "the pause view maps the kind");
  tap_is_integer(schema_install_reference(connection, &error), STATUS_OK,
                 "reinstalling the reference schema works");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM onestop.ho_so"), 1,
                 "and keeps the rows");

  PGconn *fresh = db_connect();
  db_exec(fresh, "CREATE DATABASE other");
  PQfinish(fresh);
  char command[1024];
  snprintf(command, sizeof command,
           "\"%s\" migrate --db 'dbname=nosuchdb' 2>&1 | grep -q 'cannot connect to the database'",
           getenv("DUNGHEN_BINARY"));
  tap_ok(system(command) == 0, "an unreachable database is named in the error");
  snprintf(command, sizeof command, "\"%s\" migrate --db 'dbname=nosuchdb' 2>/dev/null",
           getenv("DUNGHEN_BINARY"));
  tap_is_integer(WEXITSTATUS(system(command)), 1, "and exits 1");
  snprintf(command, sizeof command, "\"%s\" migrate --bogus 2>/dev/null", getenv("DUNGHEN_BINARY"));
  tap_is_integer(WEXITSTATUS(system(command)), 2, "a usage error exits 2");
  snprintf(command, sizeof command,
           "\"%s\" migrate --db 'dbname=other' --reference-schema >/dev/null &&"
           " \"%s\" migrate --db 'dbname=other' | grep -q 'up to date (version %d)'",
           getenv("DUNGHEN_BINARY"), getenv("DUNGHEN_BINARY"), schema_latest_version());
  tap_ok(system(command) == 0, "dunghen migrate --reference-schema, then again: up to date");
  PQfinish(listener);
  PQfinish(connection);
  return tap_finish();
}
