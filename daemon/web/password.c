/*
 * password.c: yescrypt hashes through libcrypt (see password.h).
 */
#include "web/password.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

/* A valid yescrypt setting that no password in the users file shares: checking an unknown user
 * against it costs what checking a known one does. */
static const char no_one[] = "$y$j9T$0/U9GYxmvFVs8N5sW5i5b0$";

enum status web_password_hash(const char *password, char hash[WEB_PASSWORD_HASH_SIZE],
                              struct error *error) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  /* NULL random bytes: libcrypt takes them from the kernel (getrandom) itself. */
  if (crypt_gensalt_rn("$y$", 0, NULL, 0, setting, sizeof setting) == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot make a yescrypt salt: libcrypt refused");
  struct crypt_data *data = calloc(1, sizeof *data);
  if (data == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  const char *result = crypt_rn(password, setting, data, sizeof *data);
  enum status status = STATUS_OK;
  if (result == NULL || result[0] == '*' || strlen(result) >= WEB_PASSWORD_HASH_SIZE)
    status = error_set(error, STATUS_RUNTIME, "cannot hash the password with yescrypt");
  else
    memcpy(hash, result, strlen(result) + 1);
  explicit_bzero(data, sizeof *data);
  free(data);
  return status;
}

bool web_password_check(const char *hash, const char *password) {
  struct crypt_data *data = calloc(1, sizeof *data);
  if (data == NULL)
    return false;
  const char *setting = hash != NULL ? hash : no_one;
  const char *result = crypt_rn(password, setting, data, sizeof *data);
  bool match = false;
  if (hash != NULL && result != NULL && result[0] != '*') {
    size_t length = strlen(hash);
    if (strlen(result) == length) {
      unsigned char difference = 0;
      for (size_t i = 0; i < length; i++)
        difference |= (unsigned char)(result[i] ^ hash[i]);
      match = difference == 0;
    }
  }
  explicit_bzero(data, sizeof *data);
  free(data);
  return match;
}
