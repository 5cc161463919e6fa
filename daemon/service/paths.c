#include "service/paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dunghen-config.h"

static const char *pick(const char *chosen, const char *variable, const char *installed,
                        const char *probe, const char *source) {
  if (chosen != NULL)
    return chosen;
  const char *environment = getenv(variable);
  if (environment != NULL && *environment != '\0')
    return environment;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", installed, probe);
  if (access(path, R_OK) == 0)
    return installed;
  return source;
}

const char *paths_rules(const char *chosen) {
  const char *found = pick(chosen, "DUNGHEN_RULES", DUNGHEN_DATADIR "/rules", "calendar.yaml",
                           DUNGHEN_SOURCE_ROOT "/rules");
  if (strcmp(found, DUNGHEN_DATADIR "/rules") == 0)
    return DUNGHEN_SYSCONFDIR "/rules:" DUNGHEN_DATADIR "/rules";
  return found;
}

const char *paths_letters(const char *chosen) {
  return pick(chosen, "DUNGHEN_LETTERS", DUNGHEN_DATADIR "/letters", "form-2025.yaml",
              DUNGHEN_SOURCE_ROOT "/letters");
}
