/*
 * password.h: the users' password hashes, crypt(3) through libcrypt (libxcrypt): yescrypt
 * (`$y$`) made with fresh salt from the kernel, and verified in constant time.
 *
 * web_password_check always runs one full yescrypt computation, against a fixed hash of no
 * one's password when `hash` is NULL (an unknown user, or one without a password), so the time
 * a sign-in takes does not tell whether the user exists.
 */
#ifndef DUNGHEN_WEB_PASSWORD_H
#define DUNGHEN_WEB_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum { WEB_PASSWORD_HASH_SIZE = 128, WEB_PASSWORD_MAX = 1024 };

/* A new yescrypt hash of `password` (libcrypt's default cost). */
enum status web_password_hash(const char *password, char hash[WEB_PASSWORD_HASH_SIZE],
                              struct error *error);
/* True when `password` matches `hash` (NULL: never, after the same work). */
bool web_password_check(const char *hash, const char *password);

#endif
