/*
 * yaml_tree.h: a small, safe YAML tree with source positions, and typed readers for it.
 *
 * libyaml has no schema and accepts duplicate keys and alias bombs; this module is where that
 * stops. Loading refuses aliases, explicit tags, duplicate mapping keys, non-scalar keys, more
 * than one document, nesting deeper than YAML_TREE_MAX_DEPTH and files larger than
 * YAML_TREE_MAX_BYTES, each as `FILE:LINE:COLUMN: message` (1-based). The readers check one
 * node's type and range and report errors at that node. Everything a tree holds is freed by
 * yaml_tree_free(). No global state; safe to use from several threads on different trees.
 */
#ifndef DUNGHEN_YAML_TREE_H
#define DUNGHEN_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum {
  YAML_TREE_MAX_DEPTH = 64,
  YAML_TREE_MAX_BYTES = 8 * 1024 * 1024,
  YAML_TREE_MAX_NODES = 1000000,
};

enum yaml_tree_kind { YAML_TREE_SCALAR, YAML_TREE_SEQUENCE, YAML_TREE_MAPPING };

struct yaml_tree_node;

struct yaml_tree_pair {
  struct yaml_tree_node *key; /* always a scalar */
  struct yaml_tree_node *value;
};

struct yaml_tree_node {
  enum yaml_tree_kind kind;
  size_t line;   /* 1-based */
  size_t column; /* 1-based */
  /* scalars */
  char *text; /* NUL-terminated; may contain NUL only if length says so */
  size_t length;
  bool plain; /* unquoted: `null`, `~` and empty mean null only when plain */
  /* sequences: items; mappings: pairs */
  struct yaml_tree_node **items;
  struct yaml_tree_pair *pairs;
  size_t count;
};

struct yaml_tree {
  char *file;                        /* the name used in messages */
  struct yaml_tree_node *root;       /* NULL for an empty document */
  struct yaml_tree_node **all_nodes; /* every node, for freeing */
  size_t node_count;
  size_t node_capacity;
};

/* Loads and checks a file; on failure *tree is NULL and error holds the located cause. */
enum status yaml_tree_load_file(const char *path, struct yaml_tree **tree, struct error *error);
/* Same from memory; `name` is used in messages. */
enum status yaml_tree_load_buffer(const char *name, const char *data, size_t size,
                                  struct yaml_tree **tree, struct error *error);
void yaml_tree_free(struct yaml_tree *tree);

/* Located error at a node: `FILE:LINE:COLUMN: message`, the format translated first (a message
 * of the catalogue, rules/translate.h; po/meson.build names this function to xgettext). */
enum status yaml_tree_error(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                            struct error *error, const char *format, ...) DUNGHEN_PRINTF(4, 5);

/* The value under `key` in a mapping, or NULL. */
const struct yaml_tree_node *yaml_tree_get(const struct yaml_tree_node *mapping, const char *key);
/* True for a plain `null`, `~` or empty scalar (and for a NULL node). */
bool yaml_tree_is_null(const struct yaml_tree_node *node);

/*
 * Fails on the first key of `mapping` that is not in the NULL-terminated `known` list, with
 * the nearest known key as a suggestion. Also fails when `mapping` is not a mapping.
 */
enum status yaml_tree_check_keys(const struct yaml_tree *tree, const struct yaml_tree_node *mapping,
                                 const char *const *known, const char *what, struct error *error);
/* Fails unless the node exists and is of `kind`; `what` names it in the message. Here and in
 * yaml_tree_check_keys, `what` is translated: a phrase the caller marked with N_(), or a YAML
 * key, which the catalogue does not hold and so stays as written. */
enum status yaml_tree_expect(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                             enum yaml_tree_kind kind, const char *what, struct error *error);

/* Typed readers. Each fails with a located message when the node is not of that type or range. */
enum status yaml_tree_read_string(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                  const char **value, struct error *error);
enum status yaml_tree_read_integer(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                   int64_t minimum, int64_t maximum, int64_t *value,
                                   struct error *error);
enum status yaml_tree_read_boolean(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                   bool *value, struct error *error);
/* `YYYY-MM-DD`, a real date; *value is its day number. */
enum status yaml_tree_read_date(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                int64_t *value, struct error *error);
/* `HH:MM`; *value is seconds since midnight. */
enum status yaml_tree_read_clock(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                 int *value, struct error *error);
/* One of the NULL-terminated `choices`; *index is its position. */
enum status yaml_tree_read_choice(const struct yaml_tree *tree, const struct yaml_tree_node *node,
                                  const char *const *choices, int *index, struct error *error);

/* Edit distance, for "did you mean" suggestions. */
size_t yaml_tree_edit_distance(const char *left, const char *right);

#endif
