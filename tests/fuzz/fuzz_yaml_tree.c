/*
 * fuzz_yaml_tree.c: any bytes into yaml_tree_load_buffer(), then every typed reader on every
 * node of an accepted tree (the readers must reject, never misread, whatever a node holds).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz_support.h"
#include "rules/yaml_tree.h"

static void read_everything(const struct yaml_tree *tree, const struct yaml_tree_node *node) {
  static const char *const known[] = {"code", "name", "duration", "versions", NULL};
  struct error error;
  const char *text;
  int64_t integer, day;
  int clock, index;
  bool boolean;
  yaml_tree_read_string(tree, node, &text, &error);
  yaml_tree_read_integer(tree, node, -1000000, 1000000, &integer, &error);
  yaml_tree_read_boolean(tree, node, &boolean, &error);
  yaml_tree_read_date(tree, node, &day, &error);
  yaml_tree_read_clock(tree, node, &clock, &error);
  yaml_tree_read_choice(tree, node, known, &index, &error);
  yaml_tree_expect(tree, node, YAML_TREE_MAPPING, "a node", &error);
  yaml_tree_check_keys(tree, node, known, "a node", &error);
  yaml_tree_get(node, "code");
  yaml_tree_is_null(node);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct yaml_tree *tree = NULL;
  struct error error;
  enum status status = yaml_tree_load_buffer("fuzz.yaml", (const char *)data, size, &tree, &error);
  fuzz_check_message("fuzz.yaml", status, error.message);
  if (status != STATUS_OK)
    return 0;
  for (size_t i = 0; i < tree->node_count; i++)
    read_everything(tree, tree->all_nodes[i]);
  yaml_tree_free(tree);
  return 0;
}
