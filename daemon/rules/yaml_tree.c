#include "rules/yaml_tree.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "core/civil.h"
#include "rules/translate.h"

/* A container being built: its node, and for mappings the key waiting for its value. */
struct frame {
  struct yaml_tree_node *node;
  struct yaml_tree_node *pending_key;
  size_t capacity;
};

struct builder {
  struct yaml_tree *tree;
  struct frame stack[YAML_TREE_MAX_DEPTH + 1];
  size_t depth;
  int documents;
  struct error *error;
};

static enum status out_of_memory(struct error *error) {
  return error_set(error, STATUS_RUNTIME, "out of memory while reading YAML");
}

static struct yaml_tree_node *new_node(struct builder *builder, enum yaml_tree_kind kind,
                                       yaml_mark_t mark) {
  struct yaml_tree *tree = builder->tree;
  if (tree->node_count >= YAML_TREE_MAX_NODES) {
    error_at(builder->error, tree->file, mark.line + 1, mark.column + 1,
             _("too many YAML nodes (more than %d)"), YAML_TREE_MAX_NODES);
    return NULL;
  }
  if (tree->node_count == tree->node_capacity) {
    size_t capacity = tree->node_capacity ? tree->node_capacity * 2 : 64;
    struct yaml_tree_node **grown = realloc(tree->all_nodes, capacity * sizeof *grown);
    if (grown == NULL) {
      out_of_memory(builder->error);
      return NULL;
    }
    tree->all_nodes = grown;
    tree->node_capacity = capacity;
  }
  struct yaml_tree_node *node = calloc(1, sizeof *node);
  if (node == NULL) {
    out_of_memory(builder->error);
    return NULL;
  }
  node->kind = kind;
  node->line = mark.line + 1;
  node->column = mark.column + 1;
  tree->all_nodes[tree->node_count++] = node;
  return node;
}

static enum status append_item(struct builder *builder, struct frame *frame,
                               struct yaml_tree_node *child) {
  struct yaml_tree_node *parent = frame->node;
  if (parent->count == frame->capacity) {
    size_t capacity = frame->capacity ? frame->capacity * 2 : 8;
    if (parent->kind == YAML_TREE_SEQUENCE) {
      struct yaml_tree_node **grown = realloc(parent->items, capacity * sizeof *grown);
      if (grown == NULL)
        return out_of_memory(builder->error);
      parent->items = grown;
    } else {
      struct yaml_tree_pair *grown = realloc(parent->pairs, capacity * sizeof *grown);
      if (grown == NULL)
        return out_of_memory(builder->error);
      parent->pairs = grown;
    }
    frame->capacity = capacity;
  }
  if (parent->kind == YAML_TREE_SEQUENCE)
    parent->items[parent->count++] = child;
  else
    parent->pairs[parent->count++] = (struct yaml_tree_pair){frame->pending_key, child};
  return STATUS_OK;
}

/* Places a finished node in its parent (or as the root). */
static enum status attach(struct builder *builder, struct yaml_tree_node *node) {
  if (builder->depth == 0) {
    builder->tree->root = node;
    return STATUS_OK;
  }
  struct frame *frame = &builder->stack[builder->depth - 1];
  if (frame->node->kind == YAML_TREE_SEQUENCE)
    return append_item(builder, frame, node);
  if (frame->pending_key == NULL) {
    if (node->kind != YAML_TREE_SCALAR)
      return error_at(builder->error, builder->tree->file, node->line, node->column,
                      _("mapping keys must be plain text, not a list or mapping"));
    frame->pending_key = node;
    return STATUS_OK;
  }
  enum status status = append_item(builder, frame, node);
  frame->pending_key = NULL;
  return status;
}

struct key_entry {
  const struct yaml_tree_node *key;
  size_t index;
};

static int compare_keys(const void *left, const void *right) {
  const struct key_entry *a = left, *b = right;
  int order = strcmp(a->key->text, b->key->text);
  if (order != 0)
    return order;
  return a->index < b->index ? -1 : a->index > b->index;
}

/*
 * Sorting keeps this O(n log n): a hostile file may hold a mapping with a million keys. The
 * error names the earliest repeated key in file order and where that key first appeared.
 */
static enum status check_duplicate_keys(struct builder *builder,
                                        const struct yaml_tree_node *mapping) {
  if (mapping->count < 2)
    return STATUS_OK;
  struct key_entry *entries = malloc(mapping->count * sizeof *entries);
  if (entries == NULL)
    return out_of_memory(builder->error);
  for (size_t i = 0; i < mapping->count; i++)
    entries[i] = (struct key_entry){mapping->pairs[i].key, i};
  qsort(entries, mapping->count, sizeof *entries, compare_keys);
  size_t duplicate = SIZE_MAX, first = SIZE_MAX, group_start = 0;
  for (size_t i = 1; i < mapping->count; i++) {
    if (strcmp(entries[i].key->text, entries[group_start].key->text) != 0) {
      group_start = i;
      continue;
    }
    if (duplicate == SIZE_MAX || entries[i].index < entries[duplicate].index) {
      duplicate = i;
      first = group_start;
    }
  }
  enum status status = STATUS_OK;
  if (duplicate != SIZE_MAX) {
    const struct yaml_tree_node *key = entries[duplicate].key;
    status =
        error_at(builder->error, builder->tree->file, key->line, key->column,
                 _("duplicate key '%s' (first at line %zu)"), key->text, entries[first].key->line);
  }
  free(entries);
  return status;
}

static enum status on_scalar(struct builder *builder, const yaml_event_t *event) {
  if (event->data.scalar.tag != NULL && !event->data.scalar.plain_implicit &&
      !event->data.scalar.quoted_implicit)
    return error_at(builder->error, builder->tree->file, event->start_mark.line + 1,
                    event->start_mark.column + 1, _("YAML tags such as '%s' are not allowed"),
                    (const char *)event->data.scalar.tag);
  struct yaml_tree_node *node = new_node(builder, YAML_TREE_SCALAR, event->start_mark);
  if (node == NULL)
    return builder->error ? builder->error->status : STATUS_RUNTIME;
  node->length = event->data.scalar.length;
  node->text = malloc(node->length + 1);
  if (node->text == NULL)
    return out_of_memory(builder->error);
  memcpy(node->text, event->data.scalar.value, node->length);
  node->text[node->length] = '\0';
  node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  return attach(builder, node);
}

static enum status on_container_start(struct builder *builder, const yaml_event_t *event,
                                      enum yaml_tree_kind kind) {
  const yaml_char_t *tag =
      kind == YAML_TREE_MAPPING ? event->data.mapping_start.tag : event->data.sequence_start.tag;
  int implicit = kind == YAML_TREE_MAPPING ? event->data.mapping_start.implicit
                                           : event->data.sequence_start.implicit;
  if (tag != NULL && !implicit)
    return error_at(builder->error, builder->tree->file, event->start_mark.line + 1,
                    event->start_mark.column + 1, _("YAML tags such as '%s' are not allowed"),
                    (const char *)tag);
  if (builder->depth >= YAML_TREE_MAX_DEPTH)
    return error_at(builder->error, builder->tree->file, event->start_mark.line + 1,
                    event->start_mark.column + 1, _("nesting deeper than %d levels"),
                    YAML_TREE_MAX_DEPTH);
  struct yaml_tree_node *node = new_node(builder, kind, event->start_mark);
  if (node == NULL)
    return builder->error ? builder->error->status : STATUS_RUNTIME;
  builder->stack[builder->depth++] = (struct frame){node, NULL, 0};
  return STATUS_OK;
}

static enum status on_container_end(struct builder *builder) {
  struct frame frame = builder->stack[--builder->depth];
  if (frame.node->kind == YAML_TREE_MAPPING) {
    enum status status = check_duplicate_keys(builder, frame.node);
    if (status != STATUS_OK)
      return status;
  }
  return attach(builder, frame.node);
}

static enum status on_event(struct builder *builder, const yaml_event_t *event) {
  switch (event->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++builder->documents > 1)
      return error_at(builder->error, builder->tree->file, event->start_mark.line + 1,
                      event->start_mark.column + 1, _("only one YAML document per file"));
    return STATUS_OK;
  case YAML_ALIAS_EVENT:
    return error_at(builder->error, builder->tree->file, event->start_mark.line + 1,
                    event->start_mark.column + 1,
                    _("aliases (*%s) are not allowed: write the value out"),
                    (const char *)event->data.alias.anchor);
  case YAML_SCALAR_EVENT:
    return on_scalar(builder, event);
  case YAML_SEQUENCE_START_EVENT:
    return on_container_start(builder, event, YAML_TREE_SEQUENCE);
  case YAML_MAPPING_START_EVENT:
    return on_container_start(builder, event, YAML_TREE_MAPPING);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    return on_container_end(builder);
  default:
    return STATUS_OK;
  }
}

/*
 * libyaml's reader (bad UTF-8, control characters, NUL) reports only a byte offset and leaves
 * the mark at the start; the line and column are counted here from the bytes (UTF-8 input: a
 * column is a character). For UTF-16 input the offset is kept and the position left at 1:1.
 */
static void reader_position(const yaml_parser_t *parser, const char *data, size_t size,
                            size_t *line, size_t *column) {
  *line = 1;
  *column = 1;
  if (parser->encoding == YAML_UTF16LE_ENCODING || parser->encoding == YAML_UTF16BE_ENCODING)
    return;
  size_t end = parser->problem_offset < size ? parser->problem_offset : size;
  for (size_t i = 0; i < end; i++) {
    unsigned char byte = (unsigned char)data[i];
    if (byte == '\n') {
      (*line)++;
      *column = 1;
    } else if ((byte & 0xC0) != 0x80) {
      (*column)++;
    }
  }
}

/* The byte at a mark's line and column (columns count characters), or NUL past the end. */
static char byte_at_mark(const yaml_mark_t *mark, const char *data, size_t size) {
  size_t at = 0;
  for (size_t line = 0; line < mark->line && at < size; at++)
    if (data[at] == '\n')
      line++;
  for (size_t column = 0; column < mark->column && at < size; column++)
    for (at++; at < size && ((unsigned char)data[at] & 0xC0) == 0x80; at++)
      ;
  return at < size ? data[at] : '\0';
}

/* What libyaml's message means for an admin who edits a rules file, or "" when it is plain. */
static const char *plain_explanation(const yaml_parser_t *parser, const char *data, size_t size) {
  static const struct {
    const char *problem; /* a part of libyaml's message */
    const char *meaning;
  } meanings[] = {
      {"found a tab character", N_("a tab cannot indent YAML: indent with spaces")},
      {"did not find expected ',' or ']'",
       N_("a list in [ ] is not closed, or two of its items lack a comma between them")},
      {"did not find expected ',' or '}'",
       N_("a mapping in { } is not closed, or two of its entries lack a comma between them")},
      {"mapping values are not allowed",
       N_("a second ': ' on one line: put a value that contains ': ' in quotes, or check this "
          "line's indentation")},
      {"could not find expected ':'",
       N_("a line that is neither 'key: value' nor a list item: a ':' is missing, or a text "
          "goes on with too little indentation")},
      {"did not find expected key",
       N_("this line's indentation does not line up with the keys above it")},
      {"did not find expected '-' indicator",
       N_("this list item's '-' does not line up with the items above it")},
      {"block sequence entries are not allowed",
       N_("a '- ' list item on the same line as its key: start the list on the next line")},
      {"UTF-8", N_("the file is not valid UTF-8: save it as UTF-8")},
      {"control characters are not allowed",
       N_("a control character, which is not text: remove it, or save the file as plain "
          "text")},
  };
  const char *problem = parser->problem != NULL ? parser->problem : "";
  if (strstr(problem, "cannot start any token") != NULL) {
    char found = byte_at_mark(&parser->problem_mark, data, size);
    return found == '\t' ? N_("a tab cannot indent YAML: indent with spaces")
                         : N_("this character cannot start a value: put the value in quotes");
  }
  if (strstr(problem, "end of stream") != NULL && parser->context != NULL &&
      strstr(parser->context, "quoted scalar") != NULL)
    return N_("a quoted text has no closing quote");
  for (size_t i = 0; i < sizeof meanings / sizeof meanings[0]; i++)
    if (strstr(problem, meanings[i].problem) != NULL)
      return meanings[i].meaning;
  return "";
}

/* libyaml's own words first (searchable, always English), then what they mean, in the admin's
 * language. */
static enum status parser_error(const yaml_parser_t *parser, const char *file, const char *data,
                                size_t size, struct error *error) {
  const char *problem = parser->problem ? parser->problem : "malformed YAML";
  const char *meaning = plain_explanation(parser, data, size);
  if (meaning[0] != '\0')
    meaning = _(meaning);
  const char *separator = meaning[0] != '\0' ? ": " : "";
  yaml_mark_t mark = parser->problem_mark;
  if (parser->error == YAML_READER_ERROR) {
    size_t line, column;
    reader_position(parser, data, size, &line, &column);
    return error_at(error, file, line, column, "%s (byte offset %zu)%s%s", problem,
                    parser->problem_offset, separator, meaning);
  }
  if (parser->context != NULL)
    return error_at(error, file, mark.line + 1, mark.column + 1, "%s %s%s%s", problem,
                    parser->context, separator, meaning);
  return error_at(error, file, mark.line + 1, mark.column + 1, "%s%s%s", problem, separator,
                  meaning);
}

enum status yaml_tree_load_buffer(const char *name, const char *data, size_t size,
                                  struct yaml_tree **result, struct error *error) {
  *result = NULL;
  if (size > YAML_TREE_MAX_BYTES)
    return error_at(error, name, 1, 1, _("file too large (%zu bytes, the limit is %d)"), size,
                    YAML_TREE_MAX_BYTES);
  struct yaml_tree *tree = calloc(1, sizeof *tree);
  if (tree == NULL || (tree->file = strdup(name)) == NULL) {
    free(tree);
    return out_of_memory(error);
  }
  struct builder builder = {.tree = tree, .error = error};
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    yaml_tree_free(tree);
    return out_of_memory(error);
  }
  yaml_parser_set_input_string(&parser, (const unsigned char *)data, size);
  enum status status = STATUS_OK;
  for (bool done = false; !done && status == STATUS_OK;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      status = parser_error(&parser, name, data, size, error);
      break;
    }
    done = event.type == YAML_STREAM_END_EVENT;
    status = on_event(&builder, &event);
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  if (status != STATUS_OK) {
    yaml_tree_free(tree);
    return status;
  }
  *result = tree;
  return STATUS_OK;
}

enum status yaml_tree_load_file(const char *path, struct yaml_tree **result, struct error *error) {
  *result = NULL;
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return error_set(error, errno == ENOENT ? STATUS_INVALID : STATUS_RUNTIME,
                     _("%s: cannot open: %s"), path, strerror(errno));
  /* A regular file's real size makes a better message than "more than the limit", and
   * spares reading 8 MB of a 10 GB file. Pipes and devices are read up to the limit. */
  struct stat status_of_file;
  if (fstat(fileno(file), &status_of_file) == 0 && S_ISREG(status_of_file.st_mode) &&
      status_of_file.st_size > YAML_TREE_MAX_BYTES) {
    fclose(file);
    return error_at(error, path, 1, 1, _("file too large (%jd bytes, the limit is %d)"),
                    (intmax_t)status_of_file.st_size, YAML_TREE_MAX_BYTES);
  }
  char *data = malloc(YAML_TREE_MAX_BYTES + 1);
  if (data == NULL) {
    fclose(file);
    return out_of_memory(error);
  }
  size_t size = fread(data, 1, YAML_TREE_MAX_BYTES + 1, file);
  bool failed = ferror(file);
  fclose(file);
  enum status status;
  if (failed)
    status = error_set(error, STATUS_RUNTIME, _("%s: cannot read"), path);
  else if (size > YAML_TREE_MAX_BYTES) /* not a regular file: its size is unknown */
    status =
        error_at(error, path, 1, 1, _("file too large (more than %d bytes)"), YAML_TREE_MAX_BYTES);
  else
    status = yaml_tree_load_buffer(path, data, size, result, error);
  free(data);
  return status;
}

void yaml_tree_free(struct yaml_tree *tree) {
  if (tree == NULL)
    return;
  for (size_t i = 0; i < tree->node_count; i++) {
    struct yaml_tree_node *node = tree->all_nodes[i];
    free(node->text);
    free(node->items);
    free(node->pairs);
    free(node);
  }
  free(tree->all_nodes);
  free(tree->file);
  free(tree);
}

enum status yaml_tree_error(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                            struct error *error, const char *format, ...) {
  char message[ERROR_MESSAGE_SIZE];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(message, sizeof message, _(format), arguments);
  va_end(arguments);
  size_t line = node ? node->line : 1, column = node ? node->column : 1;
  return error_at(error, tree->file, line, column, "%s", message);
}

const struct yaml_tree_node *yaml_tree_get(const struct yaml_tree_node *mapping, const char *key) {
  if (mapping == NULL || mapping->kind != YAML_TREE_MAPPING)
    return NULL;
  for (size_t i = 0; i < mapping->count; i++)
    if (strcmp(mapping->pairs[i].key->text, key) == 0)
      return mapping->pairs[i].value;
  return NULL;
}

bool yaml_tree_is_null(const struct yaml_tree_node *node) {
  if (node == NULL)
    return true;
  if (node->kind != YAML_TREE_SCALAR || !node->plain)
    return false;
  return node->length == 0 || strcmp(node->text, "~") == 0 || strcmp(node->text, "null") == 0 ||
         strcmp(node->text, "Null") == 0 || strcmp(node->text, "NULL") == 0;
}

size_t yaml_tree_edit_distance(const char *left, const char *right) {
  size_t left_length = strlen(left), right_length = strlen(right);
  if (left_length > 64 || right_length > 64)
    return SIZE_MAX;
  size_t row[65];
  for (size_t j = 0; j <= right_length; j++)
    row[j] = j;
  for (size_t i = 1; i <= left_length; i++) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= right_length; j++) {
      size_t above = row[j];
      size_t cost = left[i - 1] == right[j - 1] ? 0 : 1;
      size_t best = diagonal + cost;
      if (above + 1 < best)
        best = above + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[right_length];
}

static const char *kind_name(enum yaml_tree_kind kind) {
  switch (kind) {
  case YAML_TREE_SCALAR:
    return _("a single value");
  case YAML_TREE_SEQUENCE:
    return _("a list");
  case YAML_TREE_MAPPING:
    return _("a mapping");
  }
  return "?";
}

enum status yaml_tree_expect(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                             enum yaml_tree_kind kind, const char *what, struct error *error) {
  what = _(what); /* a phrase marked N_() by the caller, or a YAML key that stays as it is */
  if (node == NULL)
    return error_at(error, tree->file, 1, 1, _("%s is missing"), what);
  if (node->kind != kind)
    return yaml_tree_error(tree, node, error, "%s must be %s, not %s", what, kind_name(kind),
                           kind_name(node->kind));
  return STATUS_OK;
}

enum status yaml_tree_check_keys(const struct yaml_tree *tree, const struct yaml_tree_node *mapping,
                                 const char *const *known, const char *what, struct error *error) {
  enum status status = yaml_tree_expect(tree, mapping, YAML_TREE_MAPPING, what, error);
  if (status != STATUS_OK)
    return status;
  for (size_t i = 0; i < mapping->count; i++) {
    const struct yaml_tree_node *key = mapping->pairs[i].key;
    const char *nearest = NULL;
    size_t best = SIZE_MAX;
    bool found = false;
    for (const char *const *candidate = known; *candidate != NULL; candidate++) {
      if (strcmp(*candidate, key->text) == 0) {
        found = true;
        break;
      }
      size_t distance = yaml_tree_edit_distance(key->text, *candidate);
      /* A truncated or extended key ('open' for 'opening') is the likeliest slip. */
      size_t shorter =
          strlen(key->text) < strlen(*candidate) ? strlen(key->text) : strlen(*candidate);
      if (shorter >= 3 && strncmp(key->text, *candidate, shorter) == 0 && distance > 1)
        distance = 1;
      if (distance < best) {
        best = distance;
        nearest = *candidate;
      }
    }
    if (found)
      continue;
    size_t length = strlen(key->text);
    if (nearest != NULL && best <= (length < 6 ? 2 : length / 3 + 1))
      return yaml_tree_error(tree, key, error, "unknown key '%s' in %s (did you mean '%s'?)",
                             key->text, _(what), nearest);
    return yaml_tree_error(tree, key, error, "unknown key '%s' in %s", key->text, _(what));
  }
  return STATUS_OK;
}

static enum status expect_scalar(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                 const char *what, struct error *error) {
  what = _(what);
  if (node == NULL)
    return error_at(error, tree->file, 1, 1, _("missing %s"), what);
  if (node->kind != YAML_TREE_SCALAR)
    return yaml_tree_error(tree, node, error, "expected %s, found %s", what, kind_name(node->kind));
  return STATUS_OK;
}

enum status yaml_tree_read_string(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                  const char **value, struct error *error) {
  enum status status = expect_scalar(tree, node, N_("text"), error);
  if (status != STATUS_OK)
    return status;
  if (strlen(node->text) != node->length)
    return yaml_tree_error(tree, node, error, "text contains a NUL character");
  *value = node->text;
  return STATUS_OK;
}

enum status yaml_tree_read_integer(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                   int64_t minimum, int64_t maximum, int64_t *value,
                                   struct error *error) {
  enum status status = expect_scalar(tree, node, N_("a whole number"), error);
  if (status != STATUS_OK)
    return status;
  const char *text = node->text;
  char *end = NULL;
  errno = 0;
  long long parsed = strtoll(text, &end, 10);
  if (node->length == 0 || end == text || *end != '\0' || !node->plain)
    return yaml_tree_error(tree, node, error, "expected a whole number, found '%s'", text);
  if (errno == ERANGE || parsed < minimum || parsed > maximum)
    return yaml_tree_error(tree, node, error, "%s is out of range (%lld to %lld)", text,
                           (long long)minimum, (long long)maximum);
  *value = parsed;
  return STATUS_OK;
}

enum status yaml_tree_read_boolean(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                   bool *value, struct error *error) {
  static const char *const choices[] = {"false", "true", "no", "yes", NULL};
  int index;
  enum status status = yaml_tree_read_choice(tree, node, choices, &index, error);
  if (status != STATUS_OK)
    return status;
  *value = index % 2 == 1;
  return STATUS_OK;
}

enum status yaml_tree_read_date(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                int64_t *value, struct error *error) {
  enum status status = expect_scalar(tree, node, N_("a date (YYYY-MM-DD)"), error);
  if (status != STATUS_OK)
    return status;
  struct civil_date date;
  struct error inner;
  if (civil_parse_date(node->text, &date, &inner) != STATUS_OK)
    return yaml_tree_error(tree, node, error, "%s", inner.message);
  *value = civil_days_from_date(date.year, date.month, date.day);
  return STATUS_OK;
}

enum status yaml_tree_read_clock(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                 int *value, struct error *error) {
  enum status status = expect_scalar(tree, node, N_("a time of day (HH:MM)"), error);
  if (status != STATUS_OK)
    return status;
  struct error inner;
  if (civil_parse_clock(node->text, value, &inner) != STATUS_OK)
    return yaml_tree_error(tree, node, error, "%s", inner.message);
  return STATUS_OK;
}

enum status yaml_tree_read_choice(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                  const char *const *choices, int *index, struct error *error) {
  enum status status = expect_scalar(tree, node, N_("a value"), error);
  if (status != STATUS_OK)
    return status;
  char list[512] = "";
  size_t used = 0;
  for (int i = 0; choices[i] != NULL; i++) {
    if (strcmp(choices[i], node->text) == 0) {
      *index = i;
      return STATUS_OK;
    }
    int written = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", choices[i]);
    if (written > 0 && (size_t)written < sizeof list - used)
      used += (size_t)written;
  }
  return yaml_tree_error(tree, node, error, "'%s' is not one of: %s", node->text, list);
}
