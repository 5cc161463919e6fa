/*
 * The `mail:` section of dunghen.yaml (service/config.h): defaults, a full section, and each
 * refusal with its exact located message.
 */
#include <string.h>

#include "service/config.h"
#include "tap.h"

static void test_defaults(void) {
  struct config config;
  struct error error;
  if (!tap_is_integer(config_load_buffer("dunghen.yaml", "", &config, &error), STATUS_OK,
                      "an empty config loads"))
    return;
  tap_ok(!config.mail.enabled, "mail is off by default");
  tap_is_string(config.mail.sendmail, "/usr/sbin/sendmail", "sendmail is /usr/sbin/sendmail");
  tap_ok(config.mail.argument_count == 2 && strcmp(config.mail.arguments[0], "-t") == 0 &&
             strcmp(config.mail.arguments[1], "-i") == 0 && config.mail.arguments[2] == NULL,
         "with -t -i");
  tap_ok(config.mail.timeout == 60 && config.mail.attempts == 10 && config.mail.retry_first == 60 &&
             config.mail.retry_limit == 3600 && config.mail.digest_period == 3600,
         "timeout 60 s, 10 attempts, retries from 60 s to an hour, digests hourly");
  tap_ok(config.mail.digest_role_count == 0 &&
             config_list_has(config.mail.digest_levels, "due_soon"),
         "no digest role; digests would gather due_soon");
  config_free(&config);
}

static void test_full(void) {
  const char *text = "mail:\n"
                     "  enabled: true\n"
                     "  from: dunghen@ttpvhcc.example.org\n"
                     "  from_name: Hệ thống Đúng hẹn\n"
                     "  message_id_host: dunghen.example.org\n"
                     "  sendmail: /usr/bin/msmtp\n"
                     "  arguments: [-C, /etc/dunghen/msmtprc, -t, -i]\n"
                     "  timeout: 30\n"
                     "  attempts: 5\n"
                     "  retry_first: 10\n"
                     "  retry_limit: 600\n"
                     "  digest_roles: [one_stop_unit, provincial_office]\n"
                     "  digest_levels: [due_soon, long_overdue]\n"
                     "  digest_period: 86400\n";
  struct config config;
  struct error error;
  if (!tap_is_integer(config_load_buffer("dunghen.yaml", text, &config, &error), STATUS_OK,
                      "a full mail section loads"))
    return;
  tap_ok(config.mail.enabled, "enabled");
  tap_is_string(config.mail.from_name, "Hệ thống Đúng hẹn", "from_name");
  tap_ok(config.mail.argument_count == 4 &&
             strcmp(config.mail.arguments[1], "/etc/dunghen/msmtprc") == 0,
         "arguments, in order");
  tap_ok(config_list_has(config.mail.digest_roles, "provincial_office") &&
             !config_list_has(config.mail.digest_roles, "signer"),
         "digest roles");
  tap_ok(config.mail.timeout == 30 && config.mail.attempts == 5 &&
             config.mail.digest_period == 86400,
         "numbers");
  config_free(&config);
}

static void test_refusals(void) {
  struct {
    const char *text, *message;
  } cases[] = {
      {"mail:\n  enabled: true\n",
       "dunghen.yaml:2:3: mail: 'from' is required when mail is enabled"},
      {"mail:\n  from: \"a@example.org\\nBcc: b@example.org\"\n",
       "dunghen.yaml:2:9: mail.from: the address contains a line break (CR or LF), which could "
       "inject mail headers"},
      {"mail:\n  from: Dunghen <a@example.org>\n",
       "dunghen.yaml:2:9: mail.from: the address has a character not allowed before '@' "
       "(spaces, quotes, '<>', ',' ...)"},
      {"mail:\n  from_name: \"x\\r\"\n",
       "dunghen.yaml:2:14: mail.from_name: a line break is not allowed"},
      {"mail:\n  sendmail: sendmail\n",
       "dunghen.yaml:2:13: mail.sendmail: 'sendmail' is not an absolute path"},
      {"mail:\n  arguments: [-t, \"-i\\n\"]\n",
       "dunghen.yaml:2:19: mail.arguments: a line break is not allowed"},
      {"mail:\n  digest_roles: [one_stop]\n",
       "dunghen.yaml:2:18: mail.digest_roles: 'one_stop' is not one of: handling_agency, "
       "agency_head, signer, one_stop_unit, provincial_office, applicant"},
      {"mail:\n  timeout: 0\n", "dunghen.yaml:2:12: mail.timeout: 0 is out of range (1 to 3600)"},
      {"mail:\n  message_id_host: \"not a host\"\n",
       "dunghen.yaml:2:20: mail.message_id_host: not a domain name"},
      {"mail:\n  enable: true\n",
       "dunghen.yaml:2:3: unknown key 'enable' in mail (did you mean 'enabled'?)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct config config;
    struct error error;
    tap_is_integer(config_load_buffer("dunghen.yaml", cases[i].text, &config, &error),
                   STATUS_INVALID, "refused: %.60s", cases[i].message + 18);
    tap_is_string(error.message, cases[i].message, "with the exact located message");
  }
}

int main(void) {
  test_defaults();
  test_full();
  test_refusals();
  return tap_finish();
}
