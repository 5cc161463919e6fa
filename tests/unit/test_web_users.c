/* Unit tests for dunghen web's users file (web/users.h), its password hashes (web/password.h)
 * and the config's web section (service/config.h): the values read, and each error's exact
 * FILE:LINE:COLUMN message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dunghen-config.h"
#include "rules/agencies.h"
#include "service/config.h"
#include "tap.h"
#include "web/password.h"
#include "web/users.h"

/* A valid yescrypt hash of "x". */
#define HASH "$y$j9T$0/U9GYxmvFVs8N5sW5i5b0$OwvgZ83AYb617HvabiX6QjqdSLJfl4gs.KK3WwenK0."

static void expect_users_error(const struct agency_table *agencies, const char *text,
                               const char *message, const char *what) {
  struct web_users users;
  struct error error = {0};
  enum status status = web_users_load_buffer("users.yaml", text, agencies, &users, &error);
  tap_is_integer(status, STATUS_INVALID, "%s is refused", what);
  tap_is_string(error.message, message, "%s: exact message", what);
  tap_ok(users.count == 0 && users.users == NULL, "%s: nothing is kept", what);
}

static void test_users(const struct agency_table *agencies) {
  const char *text = "users:\n"
                     "  - name: lan.nguyen\n"
                     "    display_name: Nguyễn Thị Lan\n"
                     "    agency: DLK-SNNMT\n"
                     "    password: '" HASH "'\n"
                     "  - name: vp-tinh@daklak\n"
                     "    display_name: Văn phòng UBND tỉnh\n"
                     "    agency: provincial_office\n";
  struct web_users users;
  struct error error = {0};
  tap_is_integer(web_users_load_buffer("users.yaml", text, agencies, &users, &error), STATUS_OK,
                 "a users file with an agency's official and the provincial office loads");
  tap_is_integer((long long)users.count, 2, "two users");
  const struct web_user *lan = web_users_find(&users, "lan.nguyen");
  tap_ok(lan != NULL && strcmp(lan->display_name, "Nguyễn Thị Lan") == 0 &&
             strcmp(lan->agency_code, "DLK-SNNMT") == 0 && strcmp(lan->password_hash, HASH) == 0,
         "lan.nguyen: display name, agency, hash");
  const struct web_user *office = web_users_find(&users, "vp-tinh@daklak");
  tap_ok(office != NULL && office->agency_code == NULL && office->password_hash == NULL,
         "the provincial office has no agency (sees all) and, without a password, signs in only "
         "through the trusted header");
  tap_ok(web_users_find(&users, "Lan.Nguyen") == NULL, "names are compared exactly");
  tap_ok(lan != NULL && web_password_check(lan->password_hash, "x"),
         "the right password matches the hash");
  tap_ok(lan != NULL && !web_password_check(lan->password_hash, "X"), "a wrong password does not");
  tap_ok(!web_password_check(NULL, "secret"), "no hash (an unknown user) never matches");
  web_users_free(&users);

  const char *head = "users:\n  - name: lan\n    display_name: Lan\n";
  char bad[512];
  expect_users_error(agencies, "", "users.yaml: empty: list the users under 'users:'",
                     "an empty file");
  expect_users_error(agencies, "people: []\n",
                     "users.yaml:1:1: unknown key 'people' in the users file", "an unknown key");
  expect_users_error(agencies, "users: []\n", "users.yaml:1:8: 'users' lists nobody",
                     "an empty list");
  expect_users_error(agencies, "users:\n  - name: lan\n    agency: DLK-SNNMT\n",
                     "users.yaml:2:5: a user needs 'display_name'", "a missing display name");
  snprintf(bad, sizeof bad, "%s    agency: DLK-SNNMT\n    pasword: x\n", head);
  expect_users_error(agencies, bad,
                     "users.yaml:5:5: unknown key 'pasword' in a user (did you mean "
                     "'password'?)",
                     "a misspelt key");
  expect_users_error(agencies,
                     "users:\n  - name: lan nguyen\n    display_name: Lan\n    agency: DLK-SNNMT\n",
                     "users.yaml:2:11: user name 'lan nguyen': 1 to 64 letters, digits or . _ @ "
                     "- (no spaces)",
                     "a name with a space");
  snprintf(bad, sizeof bad, "%s    agency: DLK-SNNMT\n%s    agency: DLK-SNNMT\n", head,
           "  - name: lan\n    display_name: Lan 2\n");
  expect_users_error(agencies, bad, "users.yaml:5:11: user 'lan' is listed twice",
                     "a name listed twice");
  snprintf(bad, sizeof bad, "%s    agency: DLK-NOWHERE\n", head);
  char message[1024];
  snprintf(message, sizeof message,
           "users.yaml:4:13: agency 'DLK-NOWHERE' is not in %s (or write 'provincial_office' "
           "for the provincial office)",
           agencies->file);
  expect_users_error(agencies, bad, message, "an agency agencies.yaml does not list");
  snprintf(bad, sizeof bad, "%s    agency: DLK-SNNMT\n    password: hunter2\n", head);
  expect_users_error(agencies, bad,
                     "users.yaml:5:15: the password of 'lan' is not a yescrypt hash ($y$...): "
                     "make one with `dunghen web --hash-password`",
                     "a clear-text password");
  snprintf(bad, sizeof bad, "%s    agency: DLK-SNNMT\n    password: '$6$salt$abc'\n", head);
  expect_users_error(agencies, bad,
                     "users.yaml:5:15: the password of 'lan' is not a yescrypt hash ($y$...): "
                     "make one with `dunghen web --hash-password`",
                     "a SHA-512 crypt hash");

  /* Without agencies.yaml any code is taken. */
  snprintf(bad, sizeof bad, "%s    agency: DLK-NOWHERE\n", head);
  tap_is_integer(web_users_load_buffer("users.yaml", bad, NULL, &users, &error), STATUS_OK,
                 "without agencies.yaml any agency code is accepted");
  web_users_free(&users);
}

static void test_hash(void) {
  char hash[WEB_PASSWORD_HASH_SIZE], again[WEB_PASSWORD_HASH_SIZE];
  struct error error = {0};
  tap_is_integer(web_password_hash("mật khẩu", hash, &error), STATUS_OK, "a password is hashed");
  tap_ok(strncmp(hash, "$y$", 3) == 0, "as yescrypt: %s", hash);
  tap_ok(web_password_check(hash, "mật khẩu") && !web_password_check(hash, "mat khau"),
         "the hash checks its password and only it");
  web_password_hash("mật khẩu", again, &error);
  tap_ok(strcmp(hash, again) != 0, "each hash has its own salt");
}

static void expect_config_error(const char *text, const char *message, const char *what) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", text, &config, &error), STATUS_INVALID,
                 "%s is refused", what);
  tap_is_string(error.message, message, "%s: exact message", what);
}

static void test_config(void) {
  struct config config;
  struct error error = {0};
  tap_is_integer(config_load_buffer("dunghen.yaml", "", &config, &error), STATUS_OK, "defaults");
  tap_ok(strcmp(config.web.address, "127.0.0.1") == 0 &&
             config.web.port == CONFIG_DEFAULT_WEB_PORT && config.web.conninfo == NULL &&
             strcmp(config.web.users_file, CONFIG_DEFAULT_WEB_USERS) == 0 &&
             config.web.session_lifetime == 8 * 3600 && config.web.signin_failures == 5 &&
             config.web.signin_window == 900 && config.web.trusted_header == NULL,
         "web: loopback, port 9467, the PG environment, web-users.yaml, 8 h sessions, 5 "
         "failures in 15 min, no trusted header");
  config_free(&config);
  const char *text = "web:\n"
                     "  address: 0.0.0.0\n"
                     "  port: 8080\n"
                     "  conninfo: dbname=onestop user=dunghen_web\n"
                     "  users: /etc/dunghen/users.yaml\n"
                     "  session_lifetime: 3600\n"
                     "  signin_failures: 3\n"
                     "  signin_window: 600\n"
                     "  trusted_header: X-Remote-User\n";
  tap_is_integer(config_load_buffer("dunghen.yaml", text, &config, &error), STATUS_OK,
                 "a full web section loads");
  tap_ok(strcmp(config.web.address, "0.0.0.0") == 0 && config.web.port == 8080 &&
             strcmp(config.web.conninfo, "dbname=onestop user=dunghen_web") == 0 &&
             strcmp(config.web.users_file, "/etc/dunghen/users.yaml") == 0 &&
             config.web.session_lifetime == 3600 && config.web.signin_failures == 3 &&
             config.web.signin_window == 600 &&
             strcmp(config.web.trusted_header, "X-Remote-User") == 0,
         "every web key is read");
  config_free(&config);
  expect_config_error("web:\n  user: x\n",
                      "dunghen.yaml:2:3: unknown key 'user' in web (did you mean 'users'?)",
                      "an unknown web key");
  expect_config_error("web:\n  users: users.yaml\n",
                      "dunghen.yaml:2:10: web.users: 'users.yaml' is not an absolute path",
                      "a relative users file");
  expect_config_error("web:\n  session_lifetime: 10\n",
                      "dunghen.yaml:2:21: web.session_lifetime: 10 is out of range (60 to 2592000)",
                      "a session of 10 s");
  expect_config_error("web:\n  trusted_header: 'X-User: admin'\n",
                      "dunghen.yaml:2:19: web.trusted_header: 'X-User: admin' is not a header "
                      "name (letters, digits and '-')",
                      "a trusted header that is no header name");
  expect_config_error("web:\n  conninfo: 'dbname=x bogus=1'\n",
                      "dunghen.yaml:2:13: web.conninfo: unknown connection keyword 'bogus'",
                      "a conninfo libpq refuses");
}

int main(void) {
  struct agency_table agencies;
  struct error error = {0};
  /* The shipped agencies (DLK-SNNMT among them). */
  char path[4096];
  snprintf(path, sizeof path, "%s/rules/agencies.yaml", getenv("DUNGHEN_SOURCE_ROOT"));
  if (agencies_load(path, &agencies, &error) != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return 1;
  }
  test_users(&agencies);
  agencies_free(&agencies);
  test_hash();
  test_config();
  return tap_finish();
}
