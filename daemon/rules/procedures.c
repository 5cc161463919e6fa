/*
 * procedures.c: loads rules/procedures.yaml into a procedure table (see procedures.h).
 *
 * The file has a `defaults:` block and a `procedures:` list. Every value a version needs is
 * resolved in layers: the version's own key, else its procedure's, else `defaults:`, else the
 * built-in default (hours, no cut-off, pause, 5wd extension). `duration`, `source` and
 * `confidence` have no default: every figure names where it comes from. Versions are sorted
 * by their first day and may not overlap. Every error is `FILE:LINE:COLUMN: message` at the
 * node that caused it; the load goes on after an error with the next key, version or procedure
 * (rules/error_list.h), but not into a mapping with an unknown key (the typo would make what
 * follows misleading), nor into versions whose inherited settings failed.
 */
#include "rules/procedures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "rules/error_list.h"
#include "rules/translate.h"
#include "rules/yaml_tree.h"

enum { CODE_MAXIMUM_LENGTH = 64 };

static const char *const confidence_names[] = {"verified-two-sources", "one-source", "uncertain",
                                               NULL};

static const char *const top_keys[] = {"defaults", "procedures", NULL};
static const char *const default_keys[] = {"counting", "cutoff", "supplement", "extension", NULL};
static const char *const procedure_keys[] = {
    "code",   "name",       "field",     "level",  "notes",      "versions", "duration", "counting",
    "cutoff", "supplement", "extension", "source", "confidence", "from",     "until",    NULL};
static const char *const version_keys[] = {"from",       "until",      "duration",  "counting",
                                           "cutoff",     "supplement", "extension", "source",
                                           "confidence", "notes",      NULL};

/* One layer of settings: what a mapping says, with a node per key for error locations. */
struct layer {
  const struct yaml_tree_node *node;
  bool has_durations;
  struct duration durations[CHANNEL_COUNT];
  bool has_counting;
  enum counting_mode counting;
  bool has_cutoff;
  int cutoff;
  bool has_supplement;
  enum supplement_mode supplement;
  bool has_extension;
  struct duration extension;
  const char *source;
  int confidence; /* index into confidence_names, or -1 */
  bool has_from;
  int64_t from;
  const struct yaml_tree_node *from_node;
  bool has_until;
  int64_t until; /* last day in force, as written */
  const struct yaml_tree_node *until_node;
};

static char *copy_text(const char *text, struct error *error, enum status *status) {
  if (text == NULL || *status != STATUS_OK)
    return NULL;
  char *copy = strdup(text);
  if (copy == NULL)
    *status = error_set(error, STATUS_RUNTIME, "out of memory");
  return copy;
}

static enum status read_text(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                             const char *key, const char **value, struct error *error) {
  if (node->kind != YAML_TREE_SCALAR)
    return yaml_tree_error(tree, node, error, "'%s' must be text", key);
  if (yaml_tree_read_string(tree, node, value, error) != STATUS_OK)
    return STATUS_INVALID;
  if (**value == '\0' || yaml_tree_is_null(node))
    return yaml_tree_error(tree, node, error, "'%s' must not be empty", key);
  return STATUS_OK;
}

static enum status read_duration(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                 const char *key, struct duration *duration, struct error *error) {
  if (node->kind != YAML_TREE_SCALAR)
    return yaml_tree_error(tree, node, error, "'%s' must be a duration such as 3wd, 16wh or 30cd",
                           key);
  struct error inner;
  if (deadline_parse_duration(node->text, duration, &inner) == STATUS_OK)
    return STATUS_OK;
  /* The message already says "duration"; other keys (extension, a channel) are named. */
  if (strcmp(key, "duration") == 0)
    return yaml_tree_error(tree, node, error, "%s", inner.message);
  return yaml_tree_error(tree, node, error, "%s: %s", key, inner.message);
}

static const char *nearest_channel(const char *name) {
  const char *nearest = NULL;
  size_t best = 3;
  static const char *const candidates[] = {"direct", "online", "postal", "default"};
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
    size_t distance = yaml_tree_edit_distance(name, candidates[i]);
    if (distance < best) {
      best = distance;
      nearest = candidates[i];
    }
  }
  return nearest;
}

/* `duration: 3wd` for every channel, or a mapping of direct/online/postal/default. */
static enum status read_durations(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                  struct duration durations[CHANNEL_COUNT], struct error *error) {
  if (node->kind == YAML_TREE_SCALAR) {
    struct duration duration;
    if (read_duration(tree, node, "duration", &duration, error) != STATUS_OK)
      return STATUS_INVALID;
    for (int channel = 0; channel < CHANNEL_COUNT; channel++)
      durations[channel] = duration;
    return STATUS_OK;
  }
  if (node->kind != YAML_TREE_MAPPING)
    return yaml_tree_error(tree, node, error,
                           "'duration' must be a duration such as 3wd or a mapping of channels");
  bool given[CHANNEL_COUNT] = {false, false, false};
  bool has_default = false;
  struct duration fallback = {0, UNIT_WORKING_DAYS};
  for (size_t i = 0; i < node->count; i++) {
    const struct yaml_tree_node *key = node->pairs[i].key;
    const struct yaml_tree_node *value = node->pairs[i].value;
    int channel = channel_from_name(key->text);
    bool is_default = strcmp(key->text, "default") == 0;
    if (channel < 0 && !is_default) {
      const char *nearest = nearest_channel(key->text);
      if (nearest != NULL)
        return yaml_tree_error(tree, key, error, "unknown channel '%s' (did you mean '%s'?)",
                               key->text, nearest);
      return yaml_tree_error(tree, key, error,
                             "unknown channel '%s' (channels are direct, online, postal, and "
                             "default for the others)",
                             key->text);
    }
    struct duration duration;
    if (read_duration(tree, value, key->text, &duration, error) != STATUS_OK)
      return STATUS_INVALID;
    if (is_default) {
      has_default = true;
      fallback = duration;
    } else {
      given[channel] = true;
      durations[channel] = duration;
    }
  }
  for (int channel = 0; channel < CHANNEL_COUNT; channel++) {
    if (given[channel])
      continue;
    if (!has_default)
      return yaml_tree_error(tree, node, error,
                             "no duration for channel '%s': name it or add 'default'",
                             channel_name((enum channel)channel));
    durations[channel] = fallback;
  }
  return STATUS_OK;
}

static enum status read_choice(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                               const char *key, const char *const *choices, int *index,
                               struct error *error) {
  if (node->kind == YAML_TREE_SCALAR)
    for (int i = 0; choices[i] != NULL; i++)
      if (strcmp(node->text, choices[i]) == 0) {
        *index = i;
        return STATUS_OK;
      }
  char list[256] = "";
  size_t used = 0;
  for (int i = 0; choices[i] != NULL; i++) {
    const char *separator = i == 0 ? "" : choices[i + 1] == NULL ? _(" or ") : ", ";
    used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", separator, choices[i]);
  }
  if (node->kind != YAML_TREE_SCALAR)
    return yaml_tree_error(tree, node, error, "'%s' must be %s", key, list);
  return yaml_tree_error(tree, node, error, "'%s' must be %s, not '%s'", key, list, node->text);
}

static enum status read_cutoff(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                               int *cutoff, struct error *error) {
  bool none = node->kind == YAML_TREE_SCALAR && strcmp(node->text, "none") == 0;
  if (yaml_tree_is_null(node) || none) {
    *cutoff = NO_CUTOFF;
    return STATUS_OK;
  }
  if (node->kind != YAML_TREE_SCALAR)
    return yaml_tree_error(tree, node, error, "'cutoff' must be a time such as '15:00' or none");
  struct error inner;
  if (civil_parse_clock(node->text, cutoff, &inner) != STATUS_OK)
    return yaml_tree_error(tree, node, error, "cutoff: %s", inner.message);
  return STATUS_OK;
}

static enum status read_date(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                             const char *key, int64_t *day, struct error *error) {
  if (node->kind != YAML_TREE_SCALAR)
    return yaml_tree_error(tree, node, error, "'%s' must be a date (YYYY-MM-DD)", key);
  struct civil_date date;
  struct error inner;
  if (civil_parse_date(node->text, &date, &inner) != STATUS_OK)
    return yaml_tree_error(tree, node, error, "%s: %s", key, inner.message);
  *day = civil_days_from_date(date.year, date.month, date.day);
  return STATUS_OK;
}

/* Reads whichever settings `mapping` holds, noting each bad one; the caller has checked its keys.
 * STATUS_INVALID when any setting failed: the layer is then not to be used. */
static enum status read_layer(const struct yaml_tree *tree, const struct yaml_tree_node *mapping,
                              struct layer *layer, struct error_list *errors) {
  memset(layer, 0, sizeof *layer);
  layer->node = mapping;
  layer->confidence = -1;
  static const char *const counting_names[] = {"hours", "days", NULL};
  static const char *const supplement_names[] = {"pause", "restart", NULL};
  bool failed = false;
  struct error one;
  struct error *error = &one;
  for (size_t i = 0; i < mapping->count; i++) {
    const char *key = mapping->pairs[i].key->text;
    const struct yaml_tree_node *value = mapping->pairs[i].value;
    int index = 0;
    enum status status = STATUS_OK;
    if (strcmp(key, "duration") == 0) {
      status = read_durations(tree, value, layer->durations, error);
      layer->has_durations = true;
    } else if (strcmp(key, "counting") == 0) {
      status = read_choice(tree, value, key, counting_names, &index, error);
      layer->counting = (enum counting_mode)index;
      layer->has_counting = true;
    } else if (strcmp(key, "supplement") == 0) {
      status = read_choice(tree, value, key, supplement_names, &index, error);
      layer->supplement = (enum supplement_mode)index;
      layer->has_supplement = true;
    } else if (strcmp(key, "cutoff") == 0) {
      status = read_cutoff(tree, value, &layer->cutoff, error);
      layer->has_cutoff = true;
    } else if (strcmp(key, "extension") == 0) {
      status = read_duration(tree, value, key, &layer->extension, error);
      layer->has_extension = true;
    } else if (strcmp(key, "source") == 0) {
      status = read_text(tree, value, key, &layer->source, error);
    } else if (strcmp(key, "confidence") == 0) {
      status = read_choice(tree, value, key, confidence_names, &layer->confidence, error);
    } else if (strcmp(key, "from") == 0) {
      status = read_date(tree, value, key, &layer->from, error);
      layer->has_from = true;
      layer->from_node = value;
    } else if (strcmp(key, "until") == 0) {
      status = read_date(tree, value, key, &layer->until, error);
      layer->has_until = true;
      layer->until_node = value;
    } else if (strcmp(key, "notes") == 0 || strcmp(key, "name") == 0 || strcmp(key, "field") == 0 ||
               strcmp(key, "level") == 0) {
      const char *text;
      status = read_text(tree, value, key, &text, error);
    }
    if (error_list_note(errors, status, error) == STATUS_RUNTIME)
      return STATUS_RUNTIME;
    failed |= status != STATUS_OK;
  }
  if (failed)
    return STATUS_INVALID;
  if (layer->has_from && layer->has_until && layer->until < layer->from) {
    char from[16], until[16];
    civil_format_date(layer->from, from, sizeof from);
    civil_format_date(layer->until, until, sizeof until);
    return error_list_note(errors,
                           yaml_tree_error(tree, layer->until_node, error,
                                           "'until' (%s) is before 'from' (%s)", until, from),
                           error);
  }
  return STATUS_OK;
}

/* The built-in defaults, overridden by the file's `defaults:` block. */
static void builtin_defaults(struct layer *layer) {
  memset(layer, 0, sizeof *layer);
  layer->has_counting = true;
  layer->counting = COUNTING_HOURS;
  layer->has_cutoff = true;
  layer->cutoff = NO_CUTOFF;
  layer->has_supplement = true;
  layer->supplement = SUPPLEMENT_PAUSE;
  layer->has_extension = true;
  layer->extension = (struct duration){PROCEDURE_DEFAULT_EXTENSION_DAYS, UNIT_WORKING_DAYS};
  layer->confidence = -1;
}

static void overlay(struct layer *base, const struct layer *top) {
  if (top->has_durations) {
    base->has_durations = true;
    memcpy(base->durations, top->durations, sizeof base->durations);
  }
  if (top->has_counting) {
    base->has_counting = true;
    base->counting = top->counting;
  }
  if (top->has_cutoff) {
    base->has_cutoff = true;
    base->cutoff = top->cutoff;
  }
  if (top->has_supplement) {
    base->has_supplement = true;
    base->supplement = top->supplement;
  }
  if (top->has_extension) {
    base->has_extension = true;
    base->extension = top->extension;
  }
  if (top->source != NULL)
    base->source = top->source;
  if (top->confidence >= 0)
    base->confidence = top->confidence;
  if (top->has_from) {
    base->has_from = true;
    base->from = top->from;
    base->from_node = top->from_node;
  }
  if (top->has_until) {
    base->has_until = true;
    base->until = top->until;
    base->until_node = top->until_node;
  }
}

/* Builds one version from the resolved layers; `node` locates "missing" errors. */
static enum status make_version(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                const char *code, const struct layer *resolved,
                                struct procedure_version *version, struct error *error) {
  if (!resolved->has_durations)
    return yaml_tree_error(tree, node, error, "procedure '%s' has no 'duration'", code);
  if (resolved->source == NULL)
    return yaml_tree_error(tree, node, error,
                           "procedure '%s' has no 'source' (the published decision)", code);
  if (resolved->confidence < 0)
    return yaml_tree_error(tree, node, error,
                           "procedure '%s' has no 'confidence' (verified-two-sources, "
                           "one-source or uncertain)",
                           code);
  memset(version, 0, sizeof *version);
  version->valid_from = resolved->has_from ? resolved->from : INT64_MIN;
  version->valid_until = resolved->has_until ? resolved->until + 1 : INT64_MAX;
  memcpy(version->durations, resolved->durations, sizeof version->durations);
  version->counting = resolved->counting;
  version->cutoff = resolved->cutoff;
  version->supplement = resolved->supplement;
  version->extension = resolved->extension;
  version->line = node->line;
  enum status status = STATUS_OK;
  version->source = copy_text(resolved->source, error, &status);
  /* Only what is not verified in two sources is marked (procedures.h: NULL when verified). */
  if (resolved->confidence > 0)
    version->confidence = copy_text(confidence_names[resolved->confidence], error, &status);
  return status;
}

static void free_version(struct procedure_version *version) {
  free(version->source);
  free(version->confidence);
}

/* A version with the node it came from, while the versions are put in order. */
struct placed_version {
  struct procedure_version version;
  const struct yaml_tree_node *node;
};

static int compare_placed(const void *left, const void *right) {
  const struct placed_version *a = left, *b = right;
  if (a->version.valid_from != b->version.valid_from)
    return a->version.valid_from < b->version.valid_from ? -1 : 1;
  return a->version.line < b->version.line ? -1 : a->version.line > b->version.line;
}

/* Sorts the versions, ends an open `until` where the next version starts, refuses overlaps. */
static enum status order_versions(const struct yaml_tree *tree, struct procedure *procedure,
                                  struct placed_version *placed, struct error *error) {
  size_t count = procedure->version_count;
  qsort(placed, count, sizeof placed[0], compare_placed);
  for (size_t i = 1; i < count; i++) {
    struct procedure_version *earlier = &placed[i - 1].version, *later = &placed[i].version;
    if (later->valid_from == earlier->valid_from) {
      const struct yaml_tree_node *at = yaml_tree_get(placed[i].node, "from");
      char from[32] = "with no 'from'";
      if (later->valid_from != INT64_MIN) {
        civil_format_date(later->valid_from, from + 3, sizeof from - 3);
        memcpy(from, "on ", 3);
      }
      return yaml_tree_error(tree, at ? at : placed[i].node, error,
                             "two versions of procedure '%s' start %s (the other on line %zu)",
                             procedure->code, from, earlier->line);
    }
    if (yaml_tree_get(placed[i - 1].node, "until") == NULL && later->valid_from != INT64_MIN)
      earlier->valid_until = later->valid_from;
    if (later->valid_from < earlier->valid_until) {
      const struct yaml_tree_node *at = yaml_tree_get(placed[i].node, "from");
      char from[16];
      civil_format_date(later->valid_from, from, sizeof from);
      return yaml_tree_error(tree, at ? at : placed[i].node, error,
                             "the version of procedure '%s' starting on %s overlaps the version "
                             "on line %zu",
                             procedure->code, from, earlier->line);
    }
  }
  for (size_t i = 0; i < count; i++)
    procedure->versions[i] = placed[i].version;
  return STATUS_OK;
}

static bool valid_code(const char *code) {
  /* National codes are digits, a dot, digits (1.004227), optionally with suffixes such as
   * .000.00.00.H14 that provinces add. */
  size_t length = strlen(code);
  if (length == 0 || length > CODE_MAXIMUM_LENGTH)
    return false;
  const char *cursor = code;
  size_t digits = strspn(cursor, "0123456789");
  if (digits == 0 || cursor[digits] != '.')
    return false;
  cursor += digits + 1;
  if (strspn(cursor, "0123456789") == 0)
    return false;
  for (; *cursor != '\0'; cursor++) {
    char c = *cursor;
    bool allowed = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                   c == '.' || c == '-' || c == '_';
    if (!allowed)
      return false;
  }
  return true;
}

/* Each version is checked on its own; they are put in order only when all of them are good. */
static enum status read_versions(const struct yaml_tree *tree, const struct yaml_tree_node *list,
                                 const struct layer *inherited, struct procedure *procedure,
                                 struct error_list *errors) {
  struct error one;
  struct error *error = &one;
  if (list->kind != YAML_TREE_SEQUENCE)
    return error_list_note(
        errors, yaml_tree_error(tree, list, error, "'versions' must be a list of versions"), error);
  if (list->count == 0)
    return error_list_note(errors,
                           yaml_tree_error(tree, list, error,
                                           "'versions' of procedure '%s' is empty",
                                           procedure->code),
                           error);
  procedure->versions = calloc(list->count, sizeof procedure->versions[0]);
  struct placed_version *placed = calloc(list->count, sizeof placed[0]);
  if (procedure->versions == NULL || placed == NULL) {
    free(placed);
    return error_list_note(errors, error_set(error, STATUS_RUNTIME, "out of memory"), error);
  }
  char what[CODE_MAXIMUM_LENGTH + 32];
  snprintf(what, sizeof what, "a version of procedure '%s'", procedure->code);
  enum status status = STATUS_OK;
  size_t made = 0;
  bool failed = false;
  for (size_t i = 0; i < list->count && status != STATUS_RUNTIME; i++) {
    const struct yaml_tree_node *node = list->items[i];
    struct layer own, resolved = *inherited;
    status =
        error_list_note(errors, yaml_tree_check_keys(tree, node, version_keys, what, error), error);
    if (status == STATUS_OK)
      status = read_layer(tree, node, &own, errors);
    if (status != STATUS_OK) {
      failed = true;
      continue;
    }
    overlay(&resolved, &own);
    placed[made].node = node;
    status = error_list_note(
        errors, make_version(tree, node, procedure->code, &resolved, &placed[made].version, error),
        error);
    if (status != STATUS_OK) {
      free_version(&placed[made].version);
      memset(&placed[made], 0, sizeof placed[made]);
      failed = true;
      continue;
    }
    made++;
  }
  procedure->version_count = made;
  if (status != STATUS_RUNTIME)
    status = failed
                 ? STATUS_INVALID
                 : error_list_note(errors, order_versions(tree, procedure, placed, error), error);
  if (status != STATUS_OK) {
    /* Versions not yet moved into the procedure are freed here. */
    for (size_t i = 0; i < made; i++)
      free_version(&placed[i].version);
    procedure->version_count = 0;
  }
  free(placed);
  return status;
}

/* The texts a procedure must have; each missing or bad one is noted. */
static enum status read_texts(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                              const char *code, struct procedure *procedure,
                              struct error_list *errors) {
  struct error one;
  const char *texts[3] = {NULL, NULL, NULL};
  static const char *const text_keys[3] = {"name", "field", "level"};
  bool failed = false;
  for (int i = 0; i < 3; i++) {
    const struct yaml_tree_node *value = yaml_tree_get(node, text_keys[i]);
    enum status status =
        value == NULL
            ? yaml_tree_error(tree, node, &one, "procedure '%s' has no '%s'", code, text_keys[i])
            : read_text(tree, value, text_keys[i], &texts[i], &one);
    if (error_list_note(errors, status, &one) == STATUS_RUNTIME)
      return STATUS_RUNTIME;
    failed |= status != STATUS_OK;
  }
  if (failed)
    return STATUS_INVALID;
  enum status status = STATUS_OK;
  procedure->name = copy_text(texts[0], &one, &status);
  procedure->field = copy_text(texts[1], &one, &status);
  procedure->level = copy_text(texts[2], &one, &status);
  return error_list_note(errors, status, &one);
}

/* A procedure's errors are noted; STATUS_INVALID when it had any (it is then not usable). */
static enum status read_procedure(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                  const struct layer *defaults, struct procedure *procedure,
                                  struct error_list *errors) {
  struct error one;
  struct error *error = &one;
  if (node->kind != YAML_TREE_MAPPING)
    return error_list_note(errors,
                           yaml_tree_error(tree, node, error,
                                           "each procedure must be a mapping (code: ..., "
                                           "name: ..., duration: ...)"),
                           error);
  procedure->line = node->line;
  const struct yaml_tree_node *code_node = yaml_tree_get(node, "code");
  if (code_node == NULL)
    return error_list_note(errors, yaml_tree_error(tree, node, error, "procedure has no 'code'"),
                           error);
  const char *code;
  if (read_text(tree, code_node, "code", &code, error) != STATUS_OK)
    return error_list_note(errors, STATUS_INVALID, error);
  if (!valid_code(code))
    return error_list_note(errors,
                           yaml_tree_error(tree, code_node, error,
                                           "'%s' is not a national TTHC code such as '1.004227'",
                                           code),
                           error);
  enum status status = STATUS_OK;
  procedure->code = copy_text(code, error, &status);
  if (status != STATUS_OK)
    return error_list_note(errors, status, error);
  char what[CODE_MAXIMUM_LENGTH + 32];
  snprintf(what, sizeof what, "procedure '%s'", code);
  status = yaml_tree_check_keys(tree, node, procedure_keys, what, error);
  if (status != STATUS_OK)
    return error_list_note(errors, status, error);
  enum status texts = read_texts(tree, node, code, procedure, errors);
  if (texts == STATUS_RUNTIME)
    return texts;
  /* Settings that failed would make every version report what it lacks: stop here. */
  struct layer own, resolved = *defaults;
  if ((status = read_layer(tree, node, &own, errors)) != STATUS_OK)
    return status;
  overlay(&resolved, &own);
  const struct yaml_tree_node *versions = yaml_tree_get(node, "versions");
  if (versions == NULL) {
    procedure->versions = calloc(1, sizeof procedure->versions[0]);
    if (procedure->versions == NULL)
      return error_list_note(errors, error_set(error, STATUS_RUNTIME, "out of memory"), error);
    procedure->version_count = 1;
    status = make_version(tree, node, code, &resolved, &procedure->versions[0], error);
  } else if (own.has_from || own.has_until) {
    status = yaml_tree_error(tree, own.has_from ? own.from_node : own.until_node, error,
                             "procedure '%s' has 'versions': give 'from' and 'until' in each "
                             "version",
                             code);
  } else {
    status = read_versions(tree, versions, &resolved, procedure, errors); /* noted there */
    return status != STATUS_OK ? status : texts;
  }
  status = error_list_note(errors, status, error);
  return status != STATUS_OK ? status : texts;
}

static int compare_procedures(const void *left, const void *right) {
  const struct procedure *a = left, *b = right;
  int order = strcmp(a->code, b->code);
  if (order != 0)
    return order;
  return a->line < b->line ? -1 : a->line > b->line;
}

/* When `defaults:` fails, the procedures are still checked against the built-in defaults. */
static enum status read_defaults(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                 struct layer *defaults, struct error_list *errors) {
  builtin_defaults(defaults);
  if (node == NULL || yaml_tree_is_null(node))
    return STATUS_OK;
  struct error one;
  enum status status = error_list_note(
      errors, yaml_tree_check_keys(tree, node, default_keys, N_("'defaults'"), &one), &one);
  if (status != STATUS_OK)
    return status;
  struct layer own;
  if ((status = read_layer(tree, node, &own, errors)) != STATUS_OK)
    return status;
  overlay(defaults, &own);
  return STATUS_OK;
}

/* A procedure's code with where it was written, to report duplicates in file terms. */
struct placed_code {
  const char *code;
  const struct yaml_tree_node *node;
};

static int compare_placed_codes(const void *left, const void *right) {
  const struct placed_code *a = left, *b = right;
  int order = strcmp(a->code, b->code);
  if (order != 0)
    return order;
  return a->node->line < b->node->line ? -1 : a->node->line > b->node->line;
}

/* Every repeated code is noted, at each repetition, naming the first; procedures whose code
 * could not be read take no part. */
static enum status check_duplicates(const struct yaml_tree *tree, const struct yaml_tree_node *list,
                                    const struct procedure_table *table,
                                    struct error_list *errors) {
  struct error one;
  struct placed_code *codes = calloc(table->count ? table->count : 1, sizeof codes[0]);
  if (codes == NULL)
    return error_list_note(errors, error_set(&one, STATUS_RUNTIME, "out of memory"), &one);
  size_t count = 0;
  for (size_t i = 0; i < table->count; i++)
    if (table->items[i].code != NULL)
      codes[count++] =
          (struct placed_code){table->items[i].code, yaml_tree_get(list->items[i], "code")};
  qsort(codes, count, sizeof codes[0], compare_placed_codes);
  enum status status = STATUS_OK;
  size_t first = 0;
  for (size_t i = 1; i < count && status != STATUS_RUNTIME; i++) {
    if (strcmp(codes[first].code, codes[i].code) != 0) {
      first = i;
      continue;
    }
    status = error_list_note(errors,
                             yaml_tree_error(tree, codes[i].node, &one,
                                             "duplicate procedure code '%s' (first at line %zu)",
                                             codes[i].code, codes[first].node->line),
                             &one);
  }
  free(codes);
  return status;
}

/* The procedures' errors, gathered into `error` (rules/error_list.h). */
static enum status read_procedures(const struct yaml_tree *tree, struct procedure_table *table,
                                   struct error_list *errors) {
  struct error one;
  const struct yaml_tree_node *root = tree->root;
  enum status status = error_list_note(
      errors, yaml_tree_check_keys(tree, root, top_keys, N_("the procedures file"), &one), &one);
  if (status != STATUS_OK)
    return status;
  struct layer defaults;
  if (read_defaults(tree, yaml_tree_get(root, "defaults"), &defaults, errors) == STATUS_RUNTIME)
    return STATUS_RUNTIME;
  const struct yaml_tree_node *list = yaml_tree_get(root, "procedures");
  if (list == NULL)
    return error_list_note(
        errors,
        error_at(&one, tree->file, 1, 1, _("missing 'procedures' (the list of procedures)")), &one);
  if (list->kind != YAML_TREE_SEQUENCE)
    return error_list_note(
        errors, yaml_tree_error(tree, list, &one, "'procedures' must be a list of procedures"),
        &one);
  table->items = calloc(list->count ? list->count : 1, sizeof table->items[0]);
  if (table->items == NULL)
    return error_list_note(errors, error_set(&one, STATUS_RUNTIME, "out of memory"), &one);
  for (size_t i = 0; i < list->count; i++) {
    table->count = i + 1;
    if (read_procedure(tree, list->items[i], &defaults, &table->items[i], errors) == STATUS_RUNTIME)
      return STATUS_RUNTIME;
  }
  /* Duplicates are found before sorting, while item i is still list->items[i]. */
  if (check_duplicates(tree, list, table, errors) == STATUS_RUNTIME)
    return STATUS_RUNTIME;
  if (error_list_count(errors) == 0)
    qsort(table->items, table->count, sizeof table->items[0], compare_procedures);
  return STATUS_OK;
}

static enum status read_table(const struct yaml_tree *tree, struct procedure_table *table,
                              struct error *error) {
  if (tree->root == NULL)
    return error_at(error, tree->file, 1, 1, _("the file is empty: expected 'procedures:'"));
  struct error_list errors;
  error_list_init(&errors, tree->file);
  read_procedures(tree, table, &errors);
  return error_list_finish(&errors, error);
}

/* Takes the tree (loaded or not) and frees it: the file and buffer loaders share this. */
static enum status load_tree(struct yaml_tree *tree, enum status loaded,
                             struct procedure_table *table, struct error *error) {
  table->items = NULL;
  table->count = 0;
  if (loaded != STATUS_OK)
    return loaded;
  enum status status = read_table(tree, table, error);
  yaml_tree_free(tree);
  if (status != STATUS_OK)
    procedures_free(table);
  return status;
}

enum status procedures_load_file(const char *path, struct procedure_table *table,
                                 struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status loaded = yaml_tree_load_file(path, &tree, error);
  return load_tree(tree, loaded, table, error);
}

enum status procedures_load_buffer(const char *name, const char *data, size_t size,
                                   struct procedure_table *table, struct error *error) {
  struct yaml_tree *tree = NULL;
  enum status loaded = yaml_tree_load_buffer(name, data, size, &tree, error);
  return load_tree(tree, loaded, table, error);
}

void procedures_free(struct procedure_table *table) {
  if (table == NULL)
    return;
  for (size_t i = 0; i < table->count; i++) {
    struct procedure *procedure = &table->items[i];
    free(procedure->code);
    free(procedure->name);
    free(procedure->field);
    free(procedure->level);
    for (size_t j = 0; j < procedure->version_count; j++)
      free_version(&procedure->versions[j]);
    free(procedure->versions);
  }
  free(table->items);
  table->items = NULL;
  table->count = 0;
}

const char *procedures_suggest(const struct procedure_table *table, const char *code) {
  const char *nearest = NULL;
  size_t best = 3; /* at most two typing slips away */
  for (size_t i = 0; table != NULL && i < table->count; i++) {
    size_t distance = yaml_tree_edit_distance(code, table->items[i].code);
    if (distance < best) {
      best = distance;
      nearest = table->items[i].code;
    }
  }
  return nearest;
}
