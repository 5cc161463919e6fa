/*
 * template.c: loads letters/form-*.yaml through the safe YAML tree and compiles each string
 * into literal and placeholder pieces. Placeholder positions are found in the raw file text
 * (searching forward from the scalar's start), so that errors point at the brace itself even
 * inside quoted or multi-line scalars.
 */
#include "letter/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter/text.h"
#include "rules/translate.h"
#include "rules/yaml_tree.h"

static const char *const placeholder_names[PLACEHOLDER_COUNT] = {
    [PLACEHOLDER_NUMBER] = "number",
    [PLACEHOLDER_PLACE] = "place",
    [PLACEHOLDER_LETTER_DATE] = "letter_date",
    [PLACEHOLDER_GOVERNING_BODY] = "governing_body",
    [PLACEHOLDER_UNIT] = "unit",
    [PLACEHOLDER_AGENCY_NAME] = "agency_name",
    [PLACEHOLDER_AGENCY_SYMBOL] = "agency_symbol",
    [PLACEHOLDER_AGENCY_ADDRESS] = "agency_address",
    [PLACEHOLDER_SIGNER_TITLE] = "signer_title",
    [PLACEHOLDER_SIGNER_NAME] = "signer_name",
    [PLACEHOLDER_APPLICANT_NAME] = "applicant_name",
    [PLACEHOLDER_APPLICANT_ID] = "applicant_id",
    [PLACEHOLDER_APPLICANT_ADDRESS] = "applicant_address",
    [PLACEHOLDER_DOSSIER_CODE] = "dossier_code",
    [PLACEHOLDER_PROCEDURE_NAME] = "procedure_name",
    [PLACEHOLDER_RECEIVED_DATE] = "received_date",
    [PLACEHOLDER_RECEIVED_TIME] = "received_time",
    [PLACEHOLDER_PROMISED_DATE] = "promised_date",
    [PLACEHOLDER_PROMISED_TIME] = "promised_time",
    [PLACEHOLDER_REASON] = "reason",
    [PLACEHOLDER_NEW_DATE] = "new_date",
    [PLACEHOLDER_NEW_TIME] = "new_time",
};

const char *letter_placeholder_name(enum letter_placeholder placeholder) {
  return placeholder < PLACEHOLDER_COUNT ? placeholder_names[placeholder] : "?";
}

/* The name of placeholder `index`: the letter's, then the extension's. */
static const char *placeholder_name(const struct template_extension *extension, size_t index) {
  if (index < PLACEHOLDER_COUNT)
    return placeholder_names[index];
  index -= PLACEHOLDER_COUNT;
  return extension != NULL && index < extension->count ? extension->names[index] : "?";
}

static size_t placeholder_count(const struct template_extension *extension) {
  return PLACEHOLDER_COUNT + (extension != NULL ? extension->count : 0);
}

/* What the compiler of one file needs: the tree, the raw bytes, and a search cursor. */
/* Where the last position_of() call ended: placeholders are located in file order, so
 * counting on from there keeps locating them linear even on one 7 MB line. */
struct position_cache {
  size_t offset;
  size_t line;
  size_t column;
};

struct template_source {
  const struct yaml_tree *tree;
  const char *data;
  size_t size;
  const size_t *line_starts; /* offset of each line's first byte; line N is [N - 1] */
  size_t line_count;
  struct position_cache *cache;
  const struct template_extension *extension; /* the placeholders beyond the letter's */
};

/* libyaml counts columns in characters, so positions here do too (UTF-8 lead bytes). */
static bool is_continuation(char byte) {
  return ((unsigned char)byte & 0xC0) == 0x80;
}

static size_t offset_of(const struct template_source *source, size_t line, size_t column) {
  if (line == 0 || line > source->line_count)
    return source->size;
  size_t offset = source->line_starts[line - 1];
  for (size_t characters = 1; offset < source->size && characters < column; characters++) {
    offset++;
    while (offset < source->size && is_continuation(source->data[offset]))
      offset++;
  }
  return offset;
}

/* The 1-based line holding `offset`: a binary search over the line starts. */
static size_t line_of(const struct template_source *source, size_t offset) {
  size_t low = 0, high = source->line_count; /* the answer is in [low, high) */
  while (high - low > 1) {
    size_t middle = low + (high - low) / 2;
    if (source->line_starts[middle] <= offset)
      low = middle;
    else
      high = middle;
  }
  return low + 1;
}

static void position_of(const struct template_source *source, size_t offset, size_t *line,
                        size_t *column) {
  if (offset > source->size)
    offset = source->size;
  size_t current = line_of(source, offset);
  size_t from = source->line_starts[current - 1], characters = 1;
  struct position_cache *cache = source->cache;
  if (cache->line == current && cache->offset >= from && cache->offset <= offset) {
    from = cache->offset;
    characters = cache->column;
  }
  /* Columns count characters (UTF-8 lead bytes), as libyaml does. */
  for (size_t i = from; i < offset; i++)
    if (!is_continuation(source->data[i]))
      characters++;
  *cache = (struct position_cache){offset, current, characters};
  *line = current;
  *column = characters;
}

/* The offsets where lines start; NULL when out of memory. */
static size_t *index_lines(const char *data, size_t size, size_t *count) {
  size_t lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += data[i] == '\n';
  size_t *starts = malloc(lines * sizeof *starts);
  if (starts == NULL)
    return NULL;
  size_t line = 0;
  starts[line++] = 0;
  for (size_t i = 0; i < size; i++)
    if (data[i] == '\n')
      starts[line++] = i + 1;
  *count = lines;
  return starts;
}

/* Locates `token` in the raw file at or after *cursor; falls back to the node's position. */
static void locate(const struct template_source *source, const struct yaml_tree_node *node,
                   const char *token, size_t *cursor, size_t *line, size_t *column) {
  size_t length = strlen(token);
  for (size_t at = *cursor; at + length <= source->size; at++) {
    if (memcmp(source->data + at, token, length) == 0) {
      *cursor = at + 1;
      position_of(source, at, line, column);
      return;
    }
  }
  *line = node->line;
  *column = node->column;
}

static void free_text(struct template_text *text) {
  for (size_t i = 0; i < text->count; i++)
    free(text->pieces[i].literal);
  free(text->pieces);
  text->pieces = NULL;
  text->count = 0;
  text->capacity = 0;
}

static enum status add_piece(struct template_text *text, const struct template_piece *piece,
                             struct error *error) {
  /* Doubling, not one more each time: a hostile template holds a million placeholders, and
   * an allocator that copies on every realloc (ASan's does) would make loading it quadratic. */
  if (text->count == text->capacity) {
    size_t capacity = text->capacity == 0 ? 8 : text->capacity * 2;
    struct template_piece *grown = realloc(text->pieces, capacity * sizeof *grown);
    if (grown == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory loading a letter template");
    text->pieces = grown;
    text->capacity = capacity;
  }
  text->pieces[text->count++] = *piece;
  return STATUS_OK;
}

static enum status add_literal(struct template_text *text, const char *start, size_t length,
                               struct error *error) {
  if (length == 0)
    return STATUS_OK;
  struct template_piece piece = {.literal = strndup(start, length)};
  if (piece.literal == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading a letter template");
  enum status status = add_piece(text, &piece, error);
  if (status != STATUS_OK)
    free(piece.literal);
  return status;
}

const struct yaml_tree *template_source_tree(const struct template_source *source) {
  return source->tree;
}

enum status template_check_printable(const struct template_source *source,
                                     const struct yaml_tree_node *node, struct error *error) {
  size_t offset = 0;
  uint32_t code_point;
  while (offset < node->length) {
    if (!text_next(node->text, node->length, &offset, &code_point))
      return yaml_tree_error(source->tree, node, error, "invalid UTF-8 in template text");
    if (code_point == '\n' || code_point == '\t')
      continue;
    if (text_repertoire_index(code_point) < 0)
      return yaml_tree_error(source->tree, node, error,
                             "character U+%04X is not in the letter font", (unsigned)code_point);
  }
  return STATUS_OK;
}

static enum status unknown_placeholder(const struct template_source *source,
                                       const struct yaml_tree_node *node, const char *name,
                                       size_t *cursor, struct error *error) {
  char token[128];
  snprintf(token, sizeof token, "{%s}", name);
  size_t line, column;
  locate(source, node, token, cursor, &line, &column);
  size_t best = 0, best_distance = (size_t)-1;
  for (size_t i = 0; i < placeholder_count(source->extension); i++) {
    size_t distance = yaml_tree_edit_distance(name, placeholder_name(source->extension, i));
    if (distance < best_distance) {
      best_distance = distance;
      best = i;
    }
  }
  if (best_distance <= 3)
    return error_at(error, source->tree->file, line, column,
                    "unknown placeholder {%s} (did you mean {%s}?)", name,
                    placeholder_name(source->extension, best));
  return error_at(error, source->tree->file, line, column, "unknown placeholder {%s}", name);
}

static enum status compile_text(const struct template_source *source,
                                const struct yaml_tree_node *node, struct template_text *text,
                                struct error *error) {
  const char *value;
  enum status status = yaml_tree_read_string(source->tree, node, &value, error);
  if (status != STATUS_OK)
    return status;
  if ((status = template_check_printable(source, node, error)) != STATUS_OK)
    return status;
  size_t cursor = offset_of(source, node->line, node->column);
  const char *literal = value, *at = value;
  char buffer[ERROR_MESSAGE_SIZE];
  while (*at != '\0') {
    if ((at[0] == '{' && at[1] == '{') || (at[0] == '}' && at[1] == '}')) {
      if ((status = add_literal(text, literal, (size_t)(at - literal) + 1, error)) != STATUS_OK)
        return status;
      at += 2;
      literal = at;
      continue;
    }
    if (*at != '{') {
      at++;
      continue;
    }
    const char *close = strchr(at, '}');
    if (close == NULL) {
      size_t line, column;
      locate(source, node, "{", &cursor, &line, &column);
      return error_at(error, source->tree->file, line, column,
                      "unclosed placeholder: '{' without '}' (write '{{' for a brace)");
    }
    size_t name_length = (size_t)(close - at - 1);
    snprintf(buffer, sizeof buffer, "%.*s", (int)(name_length < 100 ? name_length : 100), at + 1);
    size_t which = 0, count = placeholder_count(source->extension);
    while (which < count && strcmp(placeholder_name(source->extension, which), buffer) != 0)
      which++;
    if (which == count)
      return unknown_placeholder(source, node, buffer, &cursor, error);
    if ((status = add_literal(text, literal, (size_t)(at - literal), error)) != STATUS_OK)
      return status;
    struct template_piece piece = {.is_placeholder = true, .placeholder = which};
    char token[128];
    snprintf(token, sizeof token, "{%s}", buffer);
    locate(source, node, token, &cursor, &piece.line, &piece.column);
    if ((status = add_piece(text, &piece, error)) != STATUS_OK)
      return status;
    at = close + 1;
    literal = at;
  }
  return add_literal(text, literal, (size_t)(at - literal), error);
}

enum status template_compile_key(const struct template_source *source,
                                 const struct yaml_tree_node *root, const char *key, bool required,
                                 struct template_text *text, struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(root, key);
  if (node == NULL) {
    if (!required)
      return STATUS_OK;
    return yaml_tree_error(source->tree, root, error, "missing key '%s'", key);
  }
  if (!required && yaml_tree_is_null(node))
    return STATUS_OK;
  return compile_text(source, node, text, error);
}

enum status template_compile_list(const struct template_source *source,
                                  const struct yaml_tree_node *root, const char *key, bool required,
                                  struct template_text **texts, size_t *count,
                                  struct error *error) {
  const struct yaml_tree_node *node = yaml_tree_get(root, key);
  if (node == NULL && !required)
    return STATUS_OK;
  if (node == NULL)
    return yaml_tree_error(source->tree, root, error, "missing key '%s'", key);
  enum status status = yaml_tree_expect(source->tree, node, YAML_TREE_SEQUENCE, key, error);
  if (status != STATUS_OK)
    return status;
  if (required && node->count == 0)
    return yaml_tree_error(source->tree, node, error, "'%s' needs at least one entry", key);
  *texts = calloc(node->count == 0 ? 1 : node->count, sizeof **texts);
  if (*texts == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading a letter template");
  *count = node->count;
  for (size_t i = 0; i < node->count; i++)
    if ((status = compile_text(source, node->items[i], &(*texts)[i], error)) != STATUS_OK)
      return status;
  return STATUS_OK;
}

/*
 * A letter's `paragraphs`: each item a string (both wordings) or a mapping with the two
 * wordings, compiled into `after` (result->paragraphs) and `before`.
 */
static enum status compile_paragraphs(const struct template_source *source,
                                      const struct yaml_tree_node *root,
                                      struct letter_template *result, struct error *error) {
  static const char *const variants[] = {"before_deadline", "after_deadline", NULL};
  const struct yaml_tree_node *node = yaml_tree_get(root, "paragraphs");
  if (node == NULL)
    return yaml_tree_error(source->tree, root, error, "missing key 'paragraphs'");
  enum status status =
      yaml_tree_expect(source->tree, node, YAML_TREE_SEQUENCE, "paragraphs", error);
  if (status != STATUS_OK)
    return status;
  if (node->count == 0)
    return yaml_tree_error(source->tree, node, error, "'paragraphs' needs at least one entry");
  result->paragraphs = calloc(node->count, sizeof *result->paragraphs);
  result->paragraphs_before_deadline =
      calloc(node->count, sizeof *result->paragraphs_before_deadline);
  if (result->paragraphs == NULL || result->paragraphs_before_deadline == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading a letter template");
  result->paragraph_count = node->count;
  for (size_t i = 0; i < node->count; i++) {
    const struct yaml_tree_node *item = node->items[i];
    struct template_text *after = &result->paragraphs[i];
    struct template_text *before = &result->paragraphs_before_deadline[i];
    if (item->kind != YAML_TREE_MAPPING) {
      if ((status = compile_text(source, item, after, error)) != STATUS_OK ||
          (status = compile_text(source, item, before, error)) != STATUS_OK)
        return status;
      continue;
    }
    if ((status = yaml_tree_check_keys(source->tree, item, variants, N_("a paragraph's wordings"),
                                       error)) != STATUS_OK)
      return status;
    for (size_t v = 0; variants[v] != NULL; v++)
      if (yaml_tree_get(item, variants[v]) == NULL)
        return yaml_tree_error(source->tree, item, error,
                               "a paragraph with wordings needs both 'before_deadline' and "
                               "'after_deadline' (missing '%s')",
                               variants[v]);
    if ((status = compile_text(source, yaml_tree_get(item, "before_deadline"), before, error)) !=
            STATUS_OK ||
        (status = compile_text(source, yaml_tree_get(item, "after_deadline"), after, error)) !=
            STATUS_OK)
      return status;
  }
  return STATUS_OK;
}

static enum status read_file(const char *path, char **data, size_t *size, struct error *error) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return error_set(error, errno == ENOENT ? STATUS_INVALID : STATUS_RUNTIME,
                     "%s: cannot open: %s", path, strerror(errno));
  size_t capacity = 4096, used = 0;
  char *buffer = malloc(capacity);
  while (buffer != NULL) {
    used += fread(buffer + used, 1, capacity - used, file);
    /* Read one byte past the limit, so that the YAML loader refuses an oversized file
     * instead of silently compiling its first 8 MB. */
    if (used < capacity || used > YAML_TREE_MAX_BYTES)
      break;
    char *grown = realloc(buffer, capacity * 2);
    if (grown == NULL) {
      free(buffer);
      buffer = NULL;
      break;
    }
    buffer = grown;
    capacity *= 2;
  }
  bool failed = ferror(file);
  fclose(file);
  if (buffer == NULL)
    return error_set(error, STATUS_RUNTIME, "%s: out of memory", path);
  if (failed) {
    free(buffer);
    return error_set(error, STATUS_RUNTIME, "%s: read error", path);
  }
  *data = buffer;
  *size = used;
  return STATUS_OK;
}

static enum status compile_template(const struct template_source *source,
                                    struct letter_template *result, struct error *error) {
  static const char *const known[] = {
      "description", "national_title", "motto",       "number_line",        "date_line",  "title",
      "salutation",  "paragraphs",     "signer_note", "recipients_heading", "recipients", NULL};
  const struct yaml_tree_node *root = source->tree->root;
  if (root == NULL)
    return error_at(error, source->tree->file, 1, 1, "empty letter template");
  enum status status =
      yaml_tree_check_keys(source->tree, root, known, N_("letter template"), error);
  const struct yaml_tree_node *description = yaml_tree_get(root, "description");
  const char *description_text = "";
  if (status == STATUS_OK && description != NULL)
    status = yaml_tree_read_string(source->tree, description, &description_text, error);
  if (status != STATUS_OK)
    return status;
  if ((result->description = strdup(description_text)) == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading a letter template");
  struct {
    const char *key;
    bool required;
    struct template_text *text;
  } singles[] = {
      {"national_title", true, &result->national_title},
      {"motto", true, &result->motto},
      {"number_line", true, &result->number_line},
      {"date_line", true, &result->date_line},
      {"title", true, &result->title},
      {"salutation", true, &result->salutation},
      {"signer_note", false, &result->signer_note},
      {"recipients_heading", false, &result->recipients_heading},
  };
  for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++)
    if ((status = template_compile_key(source, root, singles[i].key, singles[i].required,
                                       singles[i].text, error)) != STATUS_OK)
      return status;
  if ((status = compile_paragraphs(source, root, result, error)) != STATUS_OK)
    return status;
  return template_compile_list(source, root, "recipients", false, &result->recipients,
                               &result->recipient_count, error);
}

enum status template_add_word(struct letter_template *result, const char *key, const char *value,
                              struct error *error) {
  size_t count = result->word_count;
  char **keys = realloc(result->word_keys, (count + 1) * sizeof *keys);
  if (keys != NULL)
    result->word_keys = keys;
  char **values = realloc(result->word_values, (count + 1) * sizeof *values);
  if (values != NULL)
    result->word_values = values;
  if (keys == NULL || values == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading a template's words");
  keys[count] = strdup(key);
  values[count] = strdup(value);
  result->word_count++;
  if (keys[count] == NULL || values[count] == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading a template's words");
  return STATUS_OK;
}

enum status letter_template_load(const char *path, struct letter_template **template_out,
                                 struct error *error) {
  return template_load(path, NULL, compile_template, template_out, error);
}

enum status template_load(const char *path, const struct template_extension *extension,
                          enum status (*compile)(const struct template_source *source,
                                                 struct letter_template *result,
                                                 struct error *error),
                          struct letter_template **template_out, struct error *error) {
  *template_out = NULL;
  char *data = NULL;
  size_t size = 0;
  enum status status = read_file(path, &data, &size, error);
  if (status != STATUS_OK)
    return status;
  struct yaml_tree *tree;
  status = yaml_tree_load_buffer(path, data, size, &tree, error);
  if (status != STATUS_OK) {
    free(data);
    return status;
  }
  struct letter_template *result = calloc(1, sizeof *result);
  if (result == NULL || (result->file = strdup(path)) == NULL) {
    status = error_set(error, STATUS_RUNTIME, "out of memory loading a letter template");
  } else {
    result->extension = extension;
    struct position_cache cache = {0, 0, 0};
    struct template_source source = {tree, data, size, NULL, 0, &cache, extension};
    size_t *line_starts = index_lines(data, size, &source.line_count);
    source.line_starts = line_starts;
    if (line_starts == NULL)
      status = error_set(error, STATUS_RUNTIME, "out of memory loading a letter template");
    else
      status = compile(&source, result, error);
    free(line_starts);
  }
  yaml_tree_free(tree);
  free(data);
  if (status != STATUS_OK) {
    letter_template_free(result);
    return status;
  }
  *template_out = result;
  return STATUS_OK;
}

void letter_template_free(struct letter_template *template_in) {
  if (template_in == NULL)
    return;
  struct template_text *singles[] = {
      &template_in->national_title, &template_in->motto,
      &template_in->number_line,    &template_in->date_line,
      &template_in->title,          &template_in->salutation,
      &template_in->signer_note,    &template_in->recipients_heading};
  for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++)
    free_text(singles[i]);
  for (size_t i = 0; i < template_in->paragraph_count; i++) {
    free_text(&template_in->paragraphs[i]);
    if (template_in->paragraphs_before_deadline != NULL)
      free_text(&template_in->paragraphs_before_deadline[i]);
  }
  free(template_in->paragraphs_before_deadline);
  for (size_t i = 0; i < template_in->recipient_count; i++)
    free_text(&template_in->recipients[i]);
  free(template_in->paragraphs);
  free(template_in->recipients);
  for (size_t i = 0; i < template_in->word_count; i++) {
    free(template_in->word_keys[i]);
    free(template_in->word_values[i]);
  }
  free(template_in->word_keys);
  free(template_in->word_values);
  free(template_in->description);
  free(template_in->file);
  free(template_in);
}

const struct template_text *letter_template_body(const struct letter_template *template_in,
                                                 enum apology_wording wording) {
  if (wording == APOLOGY_BEFORE_DEADLINE && template_in->paragraphs_before_deadline != NULL)
    return template_in->paragraphs_before_deadline;
  return template_in->paragraphs;
}

bool template_uses(const struct template_text *text, enum letter_placeholder placeholder) {
  for (size_t i = 0; i < text->count; i++)
    if (text->pieces[i].is_placeholder && text->pieces[i].placeholder == placeholder)
      return true;
  return false;
}

enum status template_expand(const struct letter_template *template_in,
                            const struct template_text *text, const char *const *values,
                            char **output, struct error *error) {
  size_t length = 0;
  for (size_t i = 0; i < text->count; i++) {
    const struct template_piece *piece = &text->pieces[i];
    if (!piece->is_placeholder) {
      length += strlen(piece->literal);
      continue;
    }
    const char *value = values[piece->placeholder];
    if (value == NULL)
      return error_at(error, template_in->file, piece->line, piece->column,
                      "no value for placeholder {%s}",
                      placeholder_name(template_in->extension, piece->placeholder));
    length += strlen(value);
  }
  char *out = malloc(length + 1);
  if (out == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory expanding a letter template");
  size_t written = 0;
  for (size_t i = 0; i < text->count; i++) {
    const struct template_piece *piece = &text->pieces[i];
    const char *part = piece->is_placeholder ? values[piece->placeholder] : piece->literal;
    size_t part_length = strlen(part);
    memcpy(out + written, part, part_length);
    written += part_length;
  }
  out[written] = '\0';
  *output = out;
  return STATUS_OK;
}
