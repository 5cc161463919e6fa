/*
 * users.h: who may sign in to `dunghen web`, read from the users file (YAML, through
 * rules/yaml_tree.h; docs/WEB.md):
 *
 *   users:
 *     - name: lan.nguyen              # what is typed at sign-in (or sent by the trusted proxy)
 *       display_name: Nguyễn Thị Lan
 *       agency: DLK-SNNMT             # an agency code, or provincial_office (sees every agency)
 *       password: $y$j9T$...          # crypt(3), yescrypt; omit it for single sign-on only
 *
 * Names are 1 to 64 bytes of [A-Za-z0-9._@-] and unique; a password hash must be yescrypt
 * (`$y$`), the only method `dunghen web --hash-password` makes; an agency must be one of
 * agencies.yaml when the rules have one. Every error is `FILE:LINE:COLUMN: message`. A loaded
 * list owns its strings and is never written after loading.
 */
#ifndef DUNGHEN_WEB_USERS_H
#define DUNGHEN_WEB_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "rules/agencies.h"

#define WEB_USERS_PROVINCIAL_OFFICE "provincial_office"

enum { WEB_USER_NAME_MAX = 64 };

struct web_user {
  char *name;
  char *display_name;
  char *agency_code;   /* NULL: the provincial office, which sees every agency */
  char *password_hash; /* NULL: no password sign-in (trusted header only) */
};

struct web_users {
  struct web_user *users;
  size_t count;
};

/* `agencies` NULL or empty: any agency code is accepted. On failure *users is empty. */
enum status web_users_load(const char *path, const struct agency_table *agencies,
                           struct web_users *users, struct error *error);
/* The same from memory (tests); `name` is used in messages. */
enum status web_users_load_buffer(const char *name, const char *text,
                                  const struct agency_table *agencies, struct web_users *users,
                                  struct error *error);
const struct web_user *web_users_find(const struct web_users *users, const char *name);
/* True for a name the users file could hold (also checks what a form or a header sends). */
bool web_user_name_valid(const char *name);
void web_users_free(struct web_users *users);

#endif
