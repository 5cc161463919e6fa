/*
 * store/web_store against a real PostgreSQL (migration 11): a session is found by its token's
 * hash until it expires and not after, sign-out deletes it, a new session sweeps the expired
 * ones; failed sign-ins are counted per user name within the window, old ones are swept, a
 * success clears them; an audit row needs a dossier or a letter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "db_support.h"
#include "store/web_store.h"
#include "tap.h"

static const int64_t now = 1773975600; /* 2026-03-20 10:00 +07 */

static void test_sessions(PGconn *connection) {
  struct error error = {0};
  char hash[SHA256_HEX_SIZE], other[SHA256_HEX_SIZE], name[WEB_STORE_NAME_SIZE];
  sha256_hex("token one", 9, hash);
  sha256_hex("token two", 9, other);
  bool found = true;
  tap_is_integer(web_session_create(connection, hash, "lan", "127.0.0.1", now, now + 600, &error),
                 STATUS_OK, "a session is recorded");
  tap_is_integer(web_session_find(connection, hash, now + 599, &found, name, &error), STATUS_OK,
                 "and read");
  tap_ok(found && strcmp(name, "lan") == 0, "one second before its end it is lan's");
  web_session_find(connection, hash, now + 600, &found, name, &error);
  tap_ok(!found && name[0] == '\0', "at its end it is gone");
  web_session_find(connection, other, now, &found, name, &error);
  tap_ok(!found, "an unknown token's hash finds nothing");
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.web_session WHERE "
                                        "token_sha256 = encode(sha256('token one'), 'hex')"),
                 1, "the table keeps the token's sha256, never the token");
  web_session_create(connection, other, "minh", "10.0.0.2", now + 700, now + 1300, &error);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.web_session"), 1,
                 "a new session sweeps the expired one");
  tap_is_integer(web_session_delete(connection, other, &error), STATUS_OK, "sign-out");
  web_session_find(connection, other, now + 701, &found, name, &error);
  tap_ok(!found, "a signed-out session is gone before its end");
  tap_is_integer(web_session_delete(connection, other, &error), STATUS_OK,
                 "signing out twice is harmless");
  tap_is_integer(web_session_create(connection, "not a hash", "lan", "::1", now, now + 60, &error),
                 STATUS_RUNTIME, "a value that is no sha256 is refused by the table");
  tap_contains(error.message, "recording a web session", "the error names the statement: %s",
               error.message);
}

static void test_failures(PGconn *connection) {
  struct error error = {0};
  int64_t count = -1;
  for (int i = 0; i < 3; i++)
    web_signin_failure_add(connection, "lan", "10.0.0.9", now + i * 100, 900, &error);
  web_signin_failure_add(connection, "minh", "10.0.0.9", now, 900, &error);
  tap_is_integer(web_signin_failures(connection, "lan", now + 200, 900, &count, &error), STATUS_OK,
                 "failures are counted");
  tap_is_integer(count, 3, "three for lan within the window");
  web_signin_failures(connection, "lan", now + 950, 900, &count, &error);
  tap_is_integer(count, 2, "the first leaves the window 900 s after it");
  web_signin_failures(connection, "Lan", now + 200, 900, &count, &error);
  tap_is_integer(count, 0, "user names are counted exactly");
  web_signin_failure_add(connection, "other", "10.0.0.9", now + 1000, 900, &error);
  tap_is_integer(db_integer(connection, "SELECT count(*) FROM dunghen.web_signin_failure"), 2,
                 "a new failure sweeps those older than the window (lan's last and the new one "
                 "are left)");
  tap_is_integer(web_signin_failures_clear(connection, "lan", &error), STATUS_OK,
                 "a sign-in clears lan's failures");
  web_signin_failures(connection, "lan", now + 1000, 900, &count, &error);
  tap_is_integer(count, 0, "none left for lan");
  web_signin_failures(connection, "other", now + 1000, 900, &count, &error);
  tap_is_integer(count, 1, "another name's are kept");
}

static void test_audit(PGconn *connection) {
  struct error error = {0};
  struct web_audit_entry view = {.user_name = "lan",
                                 .agency_code = "DLK-SNNMT",
                                 .dossier_code = "HS-1",
                                 .address = "10.0.0.9",
                                 .now = now};
  tap_is_integer(web_audit_add(connection, &view, &error), STATUS_OK, "a dossier view is audited");
  struct web_audit_entry download = {.user_name = "tinh",
                                     .letter_id = 42,
                                     .letter_version = 2,
                                     .address = "10.0.0.9",
                                     .now = now + 1};
  tap_is_integer(web_audit_add(connection, &download, &error), STATUS_OK,
                 "a letter download is audited");
  char rows[512];
  db_text(connection,
          "SELECT string_agg(user_name || ' ' || coalesce(agency_code, '-') || ' ' ||"
          " coalesce(dossier_code, '-') || ' ' || coalesce(letter_id || '/' || letter_version,"
          " '-') || ' ' || to_char(viewed_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'HH24:MI:SS'),"
          " ', ' ORDER BY id) FROM dunghen.web_audit",
          rows, sizeof rows);
  tap_is_string(rows, "lan DLK-SNNMT HS-1 - 10:00:00, tinh - - 42/2 10:00:01",
                "who, which agency, which dossier or letter version, when");
  struct web_audit_entry nothing = {.user_name = "lan", .address = "x", .now = now};
  tap_is_integer(web_audit_add(connection, &nothing, &error), STATUS_RUNTIME,
                 "a row naming neither a dossier nor a letter is refused");
}

int main(void) {
  if (getenv("DUNGHEN_TEST_DB") == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  PGconn *connection = db_connect();
  if (!tap_ok(connection != NULL && db_prepare(connection), "database migrated"))
    return tap_finish();
  test_sessions(connection);
  test_failures(connection);
  test_audit(connection);
  PQfinish(connection);
  return tap_finish();
}
