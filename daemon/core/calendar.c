/* Placeholder: this module is being written. */
typedef int placeholder_core_calendar_c;
