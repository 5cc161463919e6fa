/* Placeholder: this module is being written. */
typedef int placeholder_core_explanation_c;
