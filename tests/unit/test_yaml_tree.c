/* Unit tests for rules/yaml_tree: the safe loader and its located error messages. */
#include <string.h>

#include "rules/yaml_tree.h"
#include "tap.h"

static enum status load(const char *text, struct yaml_tree **tree, struct error *error) {
  return yaml_tree_load_buffer("test.yaml", text, strlen(text), tree, error);
}

static void expect_error(const char *text, const char *message, const char *what) {
  struct yaml_tree *tree = NULL;
  struct error error = {0};
  enum status status = load(text, &tree, &error);
  tap_ok(status == STATUS_INVALID && tree == NULL, "%s is refused", what);
  tap_is_string(error.message, message, "%s: exact message", what);
  yaml_tree_free(tree);
}

static void test_valid(void) {
  struct yaml_tree *tree = NULL;
  struct error error = {0};
  const char *text = "name: Đắk Lắk\nlist:\n  - 1\n  - two\nwhen: 2025-07-01\nopen: '07:00'\n";
  tap_is_integer(load(text, &tree, &error), STATUS_OK, "a valid document loads");
  const struct yaml_tree_node *list = yaml_tree_get(tree->root, "list");
  tap_ok(list != NULL && list->kind == YAML_TREE_SEQUENCE && list->count == 2, "list of two");
  int64_t number = 0;
  tap_is_integer(yaml_tree_read_integer(tree, list->items[0], 0, 10, &number, &error), STATUS_OK,
                 "integer reads");
  tap_is_integer(yaml_tree_read_integer(tree, list->items[1], 0, 10, &number, &error),
                 STATUS_INVALID, "text is not an integer");
  tap_is_string(error.message, "test.yaml:4:5: expected a whole number, found 'two'",
                "located integer error");
  int64_t day = 0;
  tap_is_integer(yaml_tree_read_date(tree, yaml_tree_get(tree->root, "when"), &day, &error),
                 STATUS_OK, "date reads");
  int clock = 0;
  tap_is_integer(yaml_tree_read_clock(tree, yaml_tree_get(tree->root, "open"), &clock, &error),
                 STATUS_OK, "clock reads");
  static const char *const known[] = {"name", "list", "when", "opening", NULL};
  tap_is_integer(yaml_tree_check_keys(tree, tree->root, known, "the test", &error), STATUS_INVALID,
                 "unknown key found");
  tap_is_string(error.message,
                "test.yaml:6:1: unknown key 'open' in the test (did you mean 'opening'?)",
                "unknown key suggests the nearest");
  yaml_tree_free(tree);
}

static void test_refusals(void) {
  expect_error("a: 1\nb: 2\na: 3\n", "test.yaml:3:1: duplicate key 'a' (first at line 1)",
               "duplicate key");
  expect_error("a: &x [1, 2]\nb: *x\n",
               "test.yaml:2:4: aliases (*x) are not allowed: write the value out", "alias");
  expect_error("a: !!binary aGVsbG8=\n",
               "test.yaml:1:4: YAML tags such as 'tag:yaml.org,2002:binary' are not allowed",
               "explicit tag");
  expect_error("a: [1, 2\n",
               "test.yaml:2:1: did not find expected ',' or ']' while parsing a flow sequence: a "
               "list in [ ] is not closed, or two of its items lack a comma between them",
               "syntax error");
  expect_error("a: 1\n---\nb: 2\n", "test.yaml:2:1: only one YAML document per file",
               "two documents");
  /* libyaml's words, then what they mean to an admin. */
  expect_error("a:\n\tb: 1\n",
               "test.yaml:2:1: found character that cannot start any token while scanning for "
               "the next token: a tab cannot indent YAML: indent with spaces",
               "a tab");
  expect_error("a: \"Hòa Phú\"\nb:\n\tc: 1\n",
               "test.yaml:3:1: found character that cannot start any token while scanning for "
               "the next token: a tab cannot indent YAML: indent with spaces",
               "a tab after a line with Vietnamese letters");
  expect_error("a: @x\n",
               "test.yaml:1:4: found character that cannot start any token while scanning for "
               "the next token: this character cannot start a value: put the value in quotes",
               "a value that starts with @");
  expect_error("a: \"x\n",
               "test.yaml:2:1: found unexpected end of stream while scanning a quoted scalar: a "
               "quoted text has no closing quote",
               "an unclosed quote");
  expect_error("a: b: c\n",
               "test.yaml:1:5: mapping values are not allowed in this context: a second ': ' on "
               "one line: put a value that contains ': ' in quotes, or check this line's "
               "indentation",
               "a second colon");
  expect_error("? [1]\n: x\n",
               "test.yaml:1:3: mapping keys must be plain text, not a list or mapping",
               "complex key");
  char deep[200] = "";
  for (int i = 0; i < 70; i++)
    strcat(deep, "[");
  expect_error(deep, "test.yaml:1:65: nesting deeper than 64 levels", "deep nesting");
}

int main(void) {
  test_valid();
  test_refusals();
  return tap_finish();
}
