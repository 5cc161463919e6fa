/* Placeholder: this module is being written. */
typedef int placeholder_rules_calendar_rules_c;
