/* page.c: what page.h gives both sides of the seam besides the handlers (web/page.h). */
#include "web/page.h"

#include <string.h>

const char *web_parameter(const struct web_request *request, const char *name) {
  for (size_t index = 0; index < request->parameter_count; index++) {
    if (strcmp(request->parameters[index].name, name) == 0)
      return request->parameters[index].value;
  }
  return NULL;
}
