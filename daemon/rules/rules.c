/* Placeholder: this module is being written. */
typedef int placeholder_rules_rules_c;
