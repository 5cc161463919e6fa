/*
 * paths.h: where dunghen finds its rules and letter templates when nobody says.
 *
 * An explicit choice (a flag, a config key) wins; then $DUNGHEN_RULES / $DUNGHEN_LETTERS; then
 * the installed copy, where the rules are a search path `SYSCONFDIR/rules:DATADIR/rules` so an
 * admin's file in /etc/dunghen/rules replaces the shipped one (rules/rules.h, rules_locate);
 * last, the source tree, so a build that was never installed runs as it is.
 */
#ifndef DUNGHEN_PATHS_H
#define DUNGHEN_PATHS_H

/* `chosen` may be NULL. The result is a static string or `chosen` itself. */
const char *paths_rules(const char *chosen);
const char *paths_letters(const char *chosen);

#endif
